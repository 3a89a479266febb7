"""How old reference data may be before the booth refuses to screen on it (per kind).

The model is part of the booth configuration (`[booth.refdata]` in `sekisho.config`), which is
its one owner; it is re-exported here because the reference-data code is its main user.
"""

from __future__ import annotations

from sekisho.config import RefDataPolicy

__all__ = ["RefDataPolicy"]
