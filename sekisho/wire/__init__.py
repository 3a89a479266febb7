"""The wire contract between booths and centres, defined once; see docs/protocol.md.

- `topics`: MQTT topic layout (versioned).
- `messages`: message schemas (inspection record, heartbeat, acknowledgement, bundle envelope).
- `signing`: canonical JSON and Ed25519 signatures.
- `codec`: encode/decode a payload with the versioning rules applied.
- `ids`: UUIDv7 record ids.
"""

from sekisho.wire.codec import WireError, decode_ack, decode_heartbeat, decode_record_batch
from sekisho.wire.messages import (
    PROTOCOL_VERSION,
    Ack,
    BundleEnvelope,
    Heartbeat,
    InspectionRecord,
    RecordBatch,
)

__all__ = [
    "PROTOCOL_VERSION",
    "Ack",
    "BundleEnvelope",
    "Heartbeat",
    "InspectionRecord",
    "RecordBatch",
    "WireError",
    "decode_ack",
    "decode_heartbeat",
    "decode_record_batch",
]
