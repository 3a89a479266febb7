"""The booth's disk budget: alarms before it is reached, and never a silent drop.

Delivered records are kept for the retention period (a centre may ask for a replay). When the
outbox nears its budget the booth raises an alarm in every heartbeat; when it reaches it, the
oldest delivered records go first, ahead of their retention; if undelivered records alone fill
the budget, the booth refuses new inspections with a clear error rather than lose anything.
"""

from __future__ import annotations

import logging
import shutil
import time

from edge.outbox import Outbox, OutboxError
from sekisho.config import BoothConfig

logger = logging.getLogger(__name__)

MB = 1024 * 1024


class DiskGuard:
    def __init__(self, config: BoothConfig, outbox: Outbox) -> None:
        self.budget = int(config.disk_budget_mb * MB)
        self.warn_at = int(self.budget * config.budget_warn_fraction)
        self.min_free = int(config.min_free_disk_mb * MB)
        self.retention = config.retention_hours * 3600
        self.outbox = outbox
        self.write_failed = False

    def alarms(self) -> list[str]:
        alarms = []
        size = self.outbox.size_bytes()
        if size >= self.budget:
            alarms.append("outbox_budget_reached")
        elif size >= self.warn_at:
            alarms.append("outbox_near_budget")
        if shutil.disk_usage(self.outbox.path.parent).free < self.min_free:
            alarms.append("disk_low")
        if self.write_failed:
            alarms.append("outbox_write_failed")
        return alarms

    def admit(self) -> None:
        """Make room for one more record or raise OutboxError; called before each inspection."""
        if self.outbox.size_bytes() < self.budget:
            return
        freed = self.outbox.purge_delivered(time.time(), limit=1000)
        if freed:
            logger.warning("outbox at budget: %d delivered records removed before retention", freed)
            return
        raise OutboxError(
            f"outbox budget of {self.budget // MB} MB reached by undelivered records; "
            "inspections are paused until the centres acknowledge them"
        )

    def expire(self) -> int:
        """Remove delivered records past retention; returns how many."""
        return self.outbox.purge_delivered(time.time() - self.retention)
