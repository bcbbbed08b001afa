"""The promises every run must keep, as pure functions over an Outcome.

Each check returns a list of Violations (empty when the promise held) whose messages name the
concrete evidence: which producer, which item, what arrived instead. No check starts a process,
so each can be fed a hand-made Outcome and shown to fail. ``check`` picks the healthy set or,
for a run with an injected fault, the faulted set; a pool run has sets of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..outcome import Outcome
from ..protocol import POOL
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
from .pool_faults import check_fault_delivery
from .pools import (
    check_input_order,
    check_lost,
    check_pool_broken,
    check_results,
    check_task_failed,
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


# What a pool run must keep: ``task-lost`` and ``pool-broken`` are findings in either set.
POOL_CHECKS: tuple[Invariant, ...] = (
    check_deadline,
    check_error,
    check_lost,
    check_pool_broken,
    check_task_failed,
    check_total,
    check_results,
    check_input_order,
    check_exit_codes,
    check_left_behind,
)

# ...and instead, when one of its tasks was made to fail.
POOL_FAULT_CHECKS: tuple[Invariant, ...] = (
    check_deadline,
    check_error,
    check_lost,
    check_pool_broken,
    check_fault_delivery,
    check_input_order,
    check_left_behind,
)


def checks_for(outcome: Outcome) -> tuple[Invariant, ...]:
    """The set that judges ``outcome``: by family (pool or not) and by whether it was faulted."""
    if outcome.family == POOL:
        return POOL_CHECKS if outcome.workload.fault is None else POOL_FAULT_CHECKS
    return CHECKS if outcome.workload.fault is None else FAULT_CHECKS


def check(outcome: Outcome, checks: Iterable[Invariant] | None = None) -> list[Violation]:
    """Every violation of every invariant, in a stable order (empty means all promises held).

    Unless ``checks`` is given, the run is judged by ``checks_for(outcome)``.
    """
    if checks is None:
        checks = checks_for(outcome)
    return [violation for each in checks for violation in each(outcome)]


__all__ = [
    "CHECKS",
    "FAULT_CHECKS",
    "MAX_EVIDENCE",
    "POOL_CHECKS",
    "POOL_FAULT_CHECKS",
    "Invariant",
    "Violation",
    "check",
    "check_broken",
    "check_deadline",
    "check_error",
    "check_exactly_once",
    "check_exit_codes",
    "check_fault_delivery",
    "check_healthy",
    "check_input_order",
    "check_left_behind",
    "check_lost",
    "check_order",
    "check_pool_broken",
    "check_results",
    "check_sentinels",
    "check_slots",
    "check_summary",
    "check_task_failed",
    "check_total",
    "check_victim",
    "checks_for",
    "summarize",
]
