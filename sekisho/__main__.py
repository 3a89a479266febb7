"""`python -m sekisho` is the same as the `sekisho` console script."""

from sekisho.cli import main

raise SystemExit(main())
