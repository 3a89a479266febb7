"""The passport-reading service: SELECT the eMRTD application, PACE when EF.CardAccess offers it
else BAC, read files with READ BINARY sized to what reader and chip accept, and survive card
removal (re-authenticate, continue from the last offset) with typed errors instead of crashes."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from devices.emrtd import bac, ca, lds, pace, tlv
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import (
    AccessDeniedError,
    CardRemovedError,
    ChipTimeoutError,
    EmrtdError,
    SecureMessagingError,
    StatusWordError,
    TLVError,
)
from devices.emrtd.pcsc import CardTransport
from devices.emrtd.sm import SecureMessaging

logger = logging.getLogger(__name__)

# DG14 early: Chip Authentication (when offered) then protects every later read.
DEFAULT_FILES = ("COM", "DG14", "SOD", "DG1", "DG2", "DG11", "DG12", "DG15")
_EXTENDED_LADDER = (65000, 4096, 2048, 1024, 512)
MAX_SHORT_OFFSET = 0x7FFF


class _SessionLost(Exception):
    """The chip dropped secure messaging (it answered in plain): authenticate again."""


@dataclass
class ReadOptions:
    """Reader capabilities and policy."""

    max_read: int | None = None  # cap from the reader's profile; None = try extended length first
    extended_length: bool = True
    reinsert_timeout: float = 10.0
    max_recoveries: int = 3
    prefer_pace: bool = True
    chip_authentication: bool = True
    files: tuple[str, ...] = DEFAULT_FILES


@dataclass
class ChipRead:
    """What one session read: access protocol, files by name, counters."""

    access: str
    files: dict[str, bytes] = field(default_factory=dict)
    card_access: bytes | None = None
    apdus: int = 0
    recoveries: int = 0
    chunk: int = 0
    chip_auth: str = "not_supported"


class PassportReader:
    """Reads one passport through a `CardTransport` with an MRZ key."""

    def __init__(
        self,
        transport: CardTransport,
        key: bac.MRZKey | pace.CardAccessNumber,
        options: ReadOptions | None = None,
    ) -> None:
        self.transport = transport
        self.key = key
        self.options = options or ReadOptions()
        self.sm: SecureMessaging | None = None
        self.access = ""
        self.apdus = 0
        self.recoveries = 0
        self.card_access: bytes | None = None
        self._ladder: list[int] = []
        self._learned = False  # the ladder was cut by the chip's refusals: keep it across sessions
        self._partial: dict[str, bytearray] = {}
        self.ca_choice: ca.CAChoice | None = None
        self.chip_auth = "not_supported"
        self._ca_unconfirmed = False

    # -- transport --------------------------------------------------------------------------
    def transmit(self, cmd: CommandAPDU) -> ResponseAPDU:
        """Send one command, protected when a secure channel is open."""
        sm = self.sm
        if sm is not None:
            sm.allow_extended = self.options.extended_length
        wire = sm.protect_command(cmd) if sm else cmd
        raw = self.transport.transmit(wire.to_bytes())
        self.apdus += 1
        resp = ResponseAPDU.from_bytes(raw)
        if sm is None:
            return resp
        try:
            if not resp.data and resp.sw != 0x9000:
                # Plain status to a protected command: the chip has closed the secure channel.
                logger.info("chip answered %04X in plain to a protected command", resp.sw)
                self.sm = None
                raise _SessionLost(f"{resp.sw:04X}")
            plain = sm.unprotect_response(resp)
        except (_SessionLost, SecureMessagingError) as exc:
            if self._ca_unconfirmed:
                self.chip_auth = "failed"
                raise ca.ChipAuthenticationError(
                    "Chip Authentication failed: the chip cannot follow the new secure channel "
                    f"(a cloned chip?): {exc}"
                ) from exc
            raise
        self._ca_unconfirmed = False
        return plain

    # -- access control ---------------------------------------------------------------------
    def authenticate(self) -> None:
        """Open a secure channel: PACE if the chip offers it, else BAC; then select the application."""
        self.sm = None
        use_pace = self.options.prefer_pace or isinstance(self.key, pace.CardAccessNumber)
        choice = self._pace_choice() if use_pace else None
        if choice is None and isinstance(self.key, pace.CardAccessNumber):
            raise AccessDeniedError("a CAN works only with PACE, and this chip offers no PACE")
        if choice is not None:
            password, key_ref = pace.pace_password(self.key)
            self.sm = pace.perform_pace(self.transmit, choice, password, key_ref)
            self.access = "PACE"
            self._select_application()
        else:
            self._select_application()
            self.sm = bac.perform_bac(self.transmit, self.key)
            self.access = "BAC"
        if self.ca_choice is not None:
            self._chip_authenticate()
        self.sm.allow_extended = self.options.extended_length
        if not self._learned or not self._ladder:
            self._ladder = self._chunk_ladder()
        logger.info(
            "secure channel open with %s; reading %d bytes per APDU", self.access, self._ladder[0]
        )

    def _select_application(self) -> None:
        resp = self.transmit(CommandAPDU(0x00, 0xA4, 0x04, 0x0C, lds.EMRTD_AID))
        if resp.sw == 0x6A82:
            raise EmrtdError("this card has no ICAO eMRTD application (is it a passport?)")
        resp.check("SELECT eMRTD application")

    def _pace_choice(self) -> pace.PaceChoice | None:
        if self.card_access is None:
            try:
                resp = self.transmit(
                    CommandAPDU(0x00, 0xA4, 0x02, 0x0C, lds.CARD_ACCESS_FID.to_bytes(2, "big"))
                )
                if resp.sw != 0x9000:
                    return None
                saved, self._ladder = self._ladder, [256]  # a plain short read before SM is up
                try:
                    self.card_access = self._read_selected("CardAccess")
                finally:
                    self._ladder = saved
            except (StatusWordError, TLVError) as exc:
                logger.info("no usable EF.CardAccess (%s): BAC", exc)
                return None
        try:
            return pace.choose(lds.parse_security_infos(self.card_access))
        except TLVError as exc:
            logger.warning("EF.CardAccess is malformed (%s): falling back to BAC", exc)
            return None

    def _chip_authenticate(self) -> None:
        assert self.ca_choice is not None
        self.sm = ca.perform_ca(self.transmit, self.ca_choice)
        self._ca_unconfirmed = True
        # Implicit authentication: every MAC the chip gets right from now on confirms it.
        self.chip_auth = "passed"
        logger.info("Chip Authentication done; secure messaging restarted with %s", self.sm.cipher)

    # -- reading ----------------------------------------------------------------------------
    def _chunk_ladder(self) -> list[int]:
        # 223 (0xDF) is what chips that cap short reads accept; it also fits one short protected response.
        short = min(self.sm.max_plain_le_short(), 0xDF) if self.sm else 256
        limit = getattr(self.transport, "max_response", None)
        if limit and limit < 512:
            self.options.extended_length = False  # the reader itself carries only short APDUs
        elif limit and not self.options.max_read:
            self.options.max_read = limit - 64  # room for the Secure Messaging wrapping
        sizes = [s for s in _EXTENDED_LADDER if self.options.extended_length] + [short]
        if self.options.max_read:
            sizes = sorted({min(s, self.options.max_read) for s in sizes}, reverse=True)
        return sizes

    def _read_selected(self, name: str) -> bytes:
        """READ BINARY the selected file to its TLV end, resuming from any earlier partial read."""
        buf = self._partial.setdefault(name, bytearray())
        if not self._ladder:
            self._ladder = self._chunk_ladder()
        total: int | None = None
        while total is None or len(buf) < total:
            if len(buf) >= 6 and total is None:
                total = tlv.header_length(bytes(buf))
                continue
            chunk = self._ladder[0]
            want = chunk if total is None else min(chunk, total - len(buf))
            resp = self._read_at(len(buf), want)
            if resp.sw == 0x6700 or resp.sw >> 8 == 0x6C:
                self._shrink(resp.sw, chunk)
                continue
            if resp.sw not in (0x9000, 0x6282):
                raise StatusWordError(resp.sw, f"READ BINARY {name} at offset {len(buf)}")
            if not resp.data:
                if total is None:
                    total = len(buf)
                    break
                raise TLVError(f"{name} ends at {len(buf)} bytes but its TLV header says {total}")
            buf += resp.data
            if total is None and resp.sw == 0x6282 and len(buf) < 6:
                total = tlv.header_length(bytes(buf))
        data = bytes(buf[: total if total is not None else len(buf)])
        self._partial.pop(name, None)
        return data

    def _read_at(self, offset: int, want: int) -> ResponseAPDU:
        """READ BINARY at `offset`; past 32 767 the odd-INS form (offset in DO54, data in DO53)."""
        if offset <= MAX_SHORT_OFFSET:
            return self.transmit(CommandAPDU(0x00, 0xB0, offset >> 8, offset & 0xFF, ne=want))
        do54 = tlv.encode(0x54, offset.to_bytes(3 if offset > 0xFFFF else 2, "big"))
        wrapped = want + (
            2 if want < 0x80 else 3 if want < 0x100 else 4
        )  # room for the DO53 header
        ne = min(wrapped, self._ladder[0]) if self._ladder else wrapped
        resp = self.transmit(CommandAPDU(0x00, 0xB1, 0x00, 0x00, do54, ne=ne))
        if resp.data and resp.sw in (0x9000, 0x6282):
            return ResponseAPDU(tlv.find(resp.data, 0x53), resp.sw)
        return resp

    def _shrink(self, sw: int, chunk: int) -> None:
        self._learned = self.sm is not None
        if sw >> 8 == 0x6C:
            exact = sw & 0xFF or 256
            self._ladder = [exact] + [s for s in self._ladder if s < exact]
        elif len(self._ladder) > 1:
            self._ladder = self._ladder[1:]
        elif chunk > 16:
            self._ladder = [chunk // 2]
        else:
            raise StatusWordError(sw, f"READ BINARY of {chunk} bytes (no smaller size left)")
        logger.info("chip refused %d-byte reads (%04X); now %d", chunk, sw, self._ladder[0])

    def read_file(self, name: str) -> bytes | None:
        """Select and read one LDS file; None when the chip does not have it."""
        fid = lds.FILES[name][0]
        resp = self.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if resp.sw == 0x6A82:
            return None
        resp.check(f"SELECT {name}")
        return self._read_selected(name)

    # -- the whole session ------------------------------------------------------------------
    def _with_recovery(self, action: str, fn):
        while True:
            try:
                return fn()
            except (CardRemovedError, ChipTimeoutError, _SessionLost) as exc:
                self._recover(action, exc)

    def _recover(self, action: str, exc: Exception) -> None:
        if isinstance(exc, ChipTimeoutError) and exc.stalled:
            raise ChipTimeoutError(f"{exc} during {action}; giving up", stalled=True) from exc
        self.recoveries += 1
        if self.recoveries > self.options.max_recoveries:
            raise EmrtdError(
                f"gave up {action} after {self.recoveries - 1} recoveries: {exc}"
            ) from exc
        self.sm = None
        if isinstance(exc, _SessionLost):
            if self.options.extended_length and any(s > 256 for s in self._ladder):
                logger.info("session dropped on an extended APDU: reading with short APDUs")
                self.options.extended_length = False
                self._ladder, self._learned = [], False
            logger.info("re-authenticating to continue %s", action)
            self._with_recovery("authentication", self.authenticate)
            return
        logger.info(
            "card gone (%s) during %s; waiting up to %.0fs",
            exc,
            action,
            self.options.reinsert_timeout,
        )
        deadline = time.monotonic() + self.options.reinsert_timeout
        while True:
            left = deadline - time.monotonic()
            # The reader may still show the old card for a moment: keep trying until the deadline.
            if left <= 0 or not self.transport.wait_for_card(left):
                raise CardRemovedError(
                    f"the passport was taken off the reader during {action} and not put back "
                    f"within {self.options.reinsert_timeout:.0f}s"
                ) from exc
            try:
                self.transport.connect()
                self.authenticate()
                logger.info("card back; continuing %s", action)
                return
            except (CardRemovedError, ChipTimeoutError, _SessionLost) as again:
                logger.debug("not ready yet: %s", again)
                time.sleep(0.1)

    def read(self) -> ChipRead:
        """Authenticate and read every file in options.files that the chip holds (EF.COM decides)."""
        try:
            self.transport.connect()
            self._with_recovery("authentication", self.authenticate)
            out = ChipRead(self.access)
            wanted = list(self.options.files)
            present: list[str] | None = None
            for name in wanted:
                if name not in ("COM", "SOD"):
                    if present is None and "COM" in out.files:
                        present = self._listed_groups(out.files["COM"], wanted)
                    if present is not None and name not in present:
                        continue
                data = self._with_recovery(f"reading {name}", lambda n=name: self.read_file(n))
                if data is not None:
                    out.files[name] = data
                if name == "DG14" and data is not None and self.options.chip_authentication:
                    self._start_chip_authentication(data)
            out.access = self.access
            out.card_access = self.card_access
            out.apdus, out.recoveries = self.apdus, self.recoveries
            out.chunk = self._ladder[0] if self._ladder else 0
            out.chip_auth = self.chip_auth
            return out
        except SecureMessagingError as exc:
            if self.chip_auth == "passed":
                self.chip_auth = "failed"
                raise ca.ChipAuthenticationError(
                    "Chip Authentication failed: the chip cannot keep the new secure channel "
                    f"(a cloned chip?): {exc}"
                ) from exc
            raise EmrtdError(f"secure messaging failed: {exc}") from exc

    @staticmethod
    def _listed_groups(com: bytes, wanted: list[str]) -> list[str]:
        """Data groups EF.COM lists; all wanted ones when EF.COM (not hash-protected) is unreadable."""
        try:
            return lds.parse_com(com).data_groups
        except TLVError as exc:
            logger.warning("EF.COM is malformed (%s): trying every data group", exc)
            return wanted

    def _start_chip_authentication(self, dg14: bytes) -> None:
        try:
            choice = ca.choose(lds.parse_security_infos(dg14))
        except TLVError as exc:
            logger.warning("DG14 is malformed (%s): no Chip Authentication", exc)
            return
        if choice is None:
            return
        self.ca_choice = choice
        try:
            self._with_recovery("chip authentication", self._chip_authenticate)
        except ca.ChipAuthenticationError as exc:
            # Refused or unusable key: the old channel still holds; report and read on.
            logger.warning("Chip Authentication not possible: %s", exc)
            self.ca_choice, self.chip_auth = None, "failed"

    def active_authentication(self, spki_der: bytes, hash_name: str | None) -> str:
        from devices.emrtd import aa

        return self._with_recovery(
            "active authentication", lambda: aa.perform_aa(self.transmit, spki_der, hash_name)
        )


__all__ = ["AccessDeniedError", "ChipRead", "PassportReader", "ReadOptions"]
