"""Chaos scenarios run a whole local deployment (real brokers and processes) and break parts of it."""

from __future__ import annotations

import pytest

from sekisho.stack.local import LocalStack
from tests.foundation.support import wait_for

__all__ = ["assert_complete", "drain_and_check", "produced", "wait_for"]


@pytest.fixture
def make_stack(tmp_path):
    stacks = []

    def make(**kwargs) -> LocalStack:
        options = dict(
            ports=["NRT"], booths_per_port=2, rate_per_minute=600, drain_timeout=60, ack_timeout=3
        )
        options.update(kwargs)
        stack = LocalStack(tmp_path / f"stack{len(stacks)}", **options)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()


def assert_complete(stack: LocalStack) -> dict:
    """Every record every booth made is in both centres exactly once (by id and by seq)."""
    summary = stack.summary()
    assert summary["produced"] > 0, summary
    assert summary["missing_east"] == summary["missing_west"] == 0, summary
    assert summary["produced"] == summary["east"] == summary["west"], summary
    assert summary["duplicates"] == 0 and summary["undelivered"] == 0, summary
    return summary


def produced(stack: LocalStack) -> int:
    return sum(stack.last_seqs().values())


def drain_and_check(stack: LocalStack) -> dict:
    stack.heal_all()
    stack.stop_booths()
    return assert_complete(stack)
