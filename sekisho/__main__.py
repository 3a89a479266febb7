"""`python -m sekisho` is the same as the `sekisho` console script."""

from sekisho.cli import main

if __name__ == "__main__":  # not when a multiprocessing child imports the main module
    raise SystemExit(main())
