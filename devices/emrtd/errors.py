"""Typed errors of the eMRTD stack; every failure a reader can meet has a type and a message for a person."""

from __future__ import annotations


class EmrtdError(Exception):
    """Base of every eMRTD error."""


class TLVError(EmrtdError):
    """Malformed BER-TLV or ASN.1 data."""


class StatusWordError(EmrtdError):
    """The chip answered a command with an unexpected status word."""

    def __init__(self, sw: int, command: str = "") -> None:
        from devices.emrtd.apdu import describe_sw

        self.sw = sw
        self.command = command
        where = f" to {command}" if command else ""
        super().__init__(f"chip answered {sw:04X} ({describe_sw(sw)}){where}")


class SecureMessagingError(EmrtdError):
    """A secure-messaging response failed its MAC check or was malformed."""


class AccessDeniedError(EmrtdError):
    """BAC or PACE failed: almost always a wrong MRZ/CAN key."""


class CardRemovedError(EmrtdError):
    """The card left the reader's field."""


class ChipTimeoutError(EmrtdError):
    """The chip or the reader did not answer in time; `stalled` when the exchange is stuck for good."""

    def __init__(self, message: str, stalled: bool = False) -> None:
        super().__init__(message)
        self.stalled = stalled


class TransportError(EmrtdError):
    """The PC/SC layer failed (no reader, no service, protocol error)."""
