"""Sekisho (関所): port-of-entry inspection system.

This package holds what edge and central share: the wire contract (`sekisho.wire`), the
configuration model (`sekisho.config`), the command line (`sekisho.cli`) and the local stack
that the demo and the tests start (`sekisho.stack`). The booth agent lives in `edge`, the
aggregators in `central`, and device drivers in `devices`.
"""

__version__ = "0.1.0"
