"""Random faults for `sekisho demo --chaos`: what a bad day at a national border looks like.

Kills (-9) and restarts brokers, centre aggregators and booths, and cuts links, at random
moments, as a supervisor and a flaky WAN would. Every fault is undone after a few seconds;
`finish()` undoes whatever is still pending. Operators use the same mode to rehearse.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sekisho.stack.local import LocalStack

logger = logging.getLogger(__name__)


@dataclass
class ChaosMonkey:
    stack: LocalStack
    rng: random.Random = field(default_factory=random.Random)
    mean_interval: float = 6.0
    report: Callable[[str], None] = logger.info
    faults: int = 0
    _repairs: list[tuple[float, str, Callable[[], None]]] = field(default_factory=list)
    _next_at: float = 0.0

    def busy(self, what: str) -> bool:
        return any(name == what for _, name, _ in self._repairs)

    def tick(self) -> None:
        """Run due repairs; maybe inject a new fault."""
        now = time.monotonic()
        for item in [r for r in self._repairs if r[0] <= now]:
            self._repairs.remove(item)
            item[2]()
        if now >= self._next_at:
            self._next_at = now + self.rng.expovariate(1 / self.mean_interval)
            self._inject()

    def _later(self, seconds: float, what: str, repair: Callable[[], None]) -> None:
        self._repairs.append((time.monotonic() + seconds, what, repair))

    def _inject(self) -> None:
        stack, rng = self.stack, self.rng
        centre = rng.choice(list(stack.centres))
        booth = rng.choice(stack.booths)
        kind = rng.choice(["broker", "centre", "booth", "link", "centre_cut"])
        c = stack.centres[centre]
        if kind == "broker" and not self.busy(f"broker-{centre}"):
            wipe = rng.random() < 0.5
            c.broker.kill()
            if wipe:
                (c.broker.data_dir / "mosquitto.db").unlink(missing_ok=True)
            self._fault(f"kill -9 {centre} broker" + (" (persistence lost)" if wipe else ""))
            self._later(rng.uniform(2, 6), f"broker-{centre}", c.broker.start)
        elif kind == "centre" and not self.busy(f"centre-{centre}"):
            stack.kill_centre(centre)
            self._fault(f"kill -9 {centre} aggregator")
            self._later(rng.uniform(2, 5), f"centre-{centre}", lambda: stack.start_centre(centre))
        elif kind == "booth" and not self.busy(f"booth-{booth.name}"):
            stack.kill_booth(booth)
            self._fault(f"kill -9 booth {booth.name}")
            self._later(rng.uniform(1, 3), f"booth-{booth.name}", lambda: stack.start_booth(booth))
        elif kind == "link" and booth.proxies and not self.busy(f"link-{booth.name}-{centre}"):
            stack.cut(booth, centre)
            self._fault(f"cut booth {booth.name} off from {centre}")
            self._later(
                rng.uniform(10, 30),
                f"link-{booth.name}-{centre}",
                lambda: stack.heal(booth, centre),
            )
        elif kind == "centre_cut" and booth.proxies and not self.busy(f"cut-{centre}"):
            links = [b for b in stack.booths if not b.proxies[centre].is_cut]
            for b in links:
                stack.cut(b, centre)
            self._fault(f"cut the {centre} centre off from every booth")

            def heal() -> None:
                for b in links:
                    stack.heal(b, centre)

            self._later(rng.uniform(10, 20), f"cut-{centre}", heal)

    def _fault(self, text: str) -> None:
        self.faults += 1
        self.report(f"chaos: fault {self.faults}: {text}")

    def finish(self) -> None:
        """Undo every pending fault now."""
        for _, _, repair in sorted(self._repairs, key=lambda r: r[0]):
            repair()
        self._repairs.clear()
        self.stack.heal_all()
