"""The promises every run must keep, as pure functions over an Outcome.

Each check returns a list of Violations (empty when the promise held) whose messages name the
concrete evidence: which producer, which item, what arrived instead. No check starts a process,
so each can be fed a hand-made Outcome and shown to fail. ``check`` picks the healthy set or,
for a run with an injected fault, the faulted set.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..outcome import Outcome
from .common import check_broken, check_deadline, check_error, check_left_behind, check_order
from .faulted import check_healthy, check_victim
from .healthy import (
    check_exactly_once,
    check_exit_codes,
    check_sentinels,
    check_slots,
    check_summary,
    check_total,
)
from .violation import MAX_EVIDENCE, Invariant, Violation, summarize

# What a healthy run must keep, in the order violations are reported.
CHECKS: tuple[Invariant, ...] = (
    check_deadline,
    check_error,
    check_broken,
    check_total,
    check_slots,
    check_exactly_once,
    check_summary,
    check_order,
    check_sentinels,
    check_exit_codes,
    check_left_behind,
)

# What a run with an injected fault must keep instead.
FAULT_CHECKS: tuple[Invariant, ...] = (
    check_deadline,
    check_error,
    check_broken,
    check_healthy,
    check_victim,
    check_order,
    check_left_behind,
)


def check(outcome: Outcome, checks: Iterable[Invariant] | None = None) -> list[Violation]:
    """Every violation of every invariant, in a stable order (empty means all promises held).

    A run with an injected fault is judged by ``FAULT_CHECKS`` unless ``checks`` is given.
    """
    if checks is None:
        checks = CHECKS if outcome.workload.fault is None else FAULT_CHECKS
    return [violation for each in checks for violation in each(outcome)]


__all__ = [
    "CHECKS",
    "FAULT_CHECKS",
    "MAX_EVIDENCE",
    "Invariant",
    "Violation",
    "check",
    "check_broken",
    "check_deadline",
    "check_error",
    "check_exactly_once",
    "check_exit_codes",
    "check_healthy",
    "check_left_behind",
    "check_order",
    "check_sentinels",
    "check_slots",
    "check_summary",
    "check_total",
    "check_victim",
    "summarize",
]
