"""Output for commands that report: human text by default, one JSON object per line with --json."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def emit(
    obj: dict[str, Any], as_json: bool, human: Callable[[dict[str, Any]], str] | None = None
) -> None:
    """Print one report: a JSON line when `as_json`, else `human(obj)` or `key: value` lines."""
    if as_json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    elif human is not None:
        sys.stdout.write(human(obj).rstrip("\n") + "\n")
    else:
        width = max((len(k) for k in obj), default=0)
        for key, value in obj.items():
            sys.stdout.write(f"{key:<{width}}  {value}\n")
    sys.stdout.flush()


def progress(message: str) -> None:
    """Progress for long work goes to stderr, so stdout stays clean for --json consumers."""
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()


class UserError(Exception):
    """An error with a message meant for the person at the terminal; the CLI prints it and exits 2."""
