"""Reference data on the booth from signed bundles: verify, apply atomically, know its age.

Public API: `ReferenceData` (held versions, age, `apply_file`, `screener()`), `BundleSync`
(the asyncio task that takes bundles from every centre's broker), `RefDataPolicy`,
`BundleRejected`, `StaleDataError`. A watchlist delta is applied as the held base index plus
an overlay of what changed (`overlay.py`, `overlay_build.py`). See docs/bundles.md.
"""

from edge.refdata.service import ReferenceData, StaleDataError
from edge.refdata.verify import BundleRejected
from sekisho.config import RefDataPolicy

__all__ = ["BundleRejected", "RefDataPolicy", "ReferenceData", "StaleDataError"]
