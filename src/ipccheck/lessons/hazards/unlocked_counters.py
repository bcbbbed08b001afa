"""Unlocked counters: ``v.value += 1`` from several processes loses updates on all three kinds.

The race itself is the ``race`` lesson; here each kind of counter is one hazard, shown with
``race.loses_within`` (so one lucky run does not hide it) and fixed with ``race``'s locked mode.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from ...interrupts import running_manager
from .. import race
from .hazard import Finding, Hazard

ATTEMPTS = 3  # growing free runs before the demonstration gives up (see race.loses_within)


def _demo_unlocked(counter: str, ctx: BaseContext, note: str = "") -> Finding:
    # A concrete context names its own start method; this fixes nothing process-wide.
    trials = race.loses_within(counter, start_method=ctx.get_start_method(), attempts=ATTEMPTS)
    last = trials[-1]
    if last.error is not None:
        return Finding(False, f"the race did not finish: {last.error}")
    attempts = f" (after {len(trials)} attempt(s) of growing size)" if len(trials) > 1 else ""
    evidence = (
        f"{last.procs} workers × {last.iterations} unlocked `+= 1` ended at {last.observed} of "
        f"{last.expected}: {last.lost} updates lost{attempts}; grade {last.grade}{note}"
    )
    return Finding(last.lost > 0 and last.grade == race.LOST_UPDATES, evidence)


def _fix_unlocked(counter: str, ctx: BaseContext) -> Finding:
    trial = race.run_trial("locked", counter, start_method=ctx.get_start_method())
    evidence = (
        f"{trial.procs} workers × {trial.iterations} locked `+= 1` ended at {trial.observed} "
        f"of {trial.expected}" + (f"; error: {trial.error}" if trial.error else "")
    )
    return Finding(trial.grade == race.EXACT, evidence)


def demo_unlocked_value(ctx: BaseContext) -> Finding:
    return _demo_unlocked("value", ctx)


def demo_unlocked_raw_value(ctx: BaseContext) -> Finding:
    return _demo_unlocked("raw-value", ctx)


def demo_unlocked_manager_value(ctx: BaseContext) -> Finding:
    """Also shows that a manager Value has no get_lock() to reach for."""
    with running_manager(ctx.Manager) as manager:
        has_lock = hasattr(manager.Value("q", 0), "get_lock")
    finding = _demo_unlocked("manager-value", ctx, f"; the manager Value has get_lock(): {has_lock}")
    return Finding(finding.held and not has_lock, finding.evidence)


def fix_unlocked_value(ctx: BaseContext) -> Finding:
    return _fix_unlocked("value", ctx)


def fix_unlocked_raw_value(ctx: BaseContext) -> Finding:
    return _fix_unlocked("raw-value", ctx)


def fix_unlocked_manager_value(ctx: BaseContext) -> Finding:
    return _fix_unlocked("manager-value", ctx)


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "unlocked-value",
        "`v.value += 1` on a Value is a locked read then a locked write, not one step: "
        "updates are lost",
        "`with v.get_lock(): v.value += 1`",
        demo_unlocked_value,
        fix_unlocked_value,
    ),
    Hazard(
        "unlocked-raw-value",
        "a RawValue has no lock at all: concurrent `+= 1` loses updates",
        "share a Lock: `with lock: v.value += 1`",
        demo_unlocked_raw_value,
        fix_unlocked_raw_value,
    ),
    Hazard(
        "unlocked-manager-value",
        "a manager Value has no get_lock() and ignores lock=: its `+= 1` is a remote read "
        "then a remote write, and loses updates",
        "`lock = manager.Lock()`; `with lock: v.value += 1`",
        demo_unlocked_manager_value,
        fix_unlocked_manager_value,
    ),
)
