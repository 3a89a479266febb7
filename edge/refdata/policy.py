"""How old reference data may be before the booth refuses to screen on it (per kind).

The model is the booth config's `[booth.refdata]` section (`sekisho.config.RefDataPolicy`):
kinds to take, kinds screening cannot go without, `max_age_hours` per kind, and how long a
stalled chunk download is waited for. Re-exported here for the bundle code and its callers.
"""

from sekisho.config import RefDataPolicy

__all__ = ["RefDataPolicy"]
