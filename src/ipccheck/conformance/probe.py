"""Before any search: one item through one object in one real child, per start method.

The probe is the smallest run there is (one producer, one item; for a counter, one worker, one
increment), made through the same runner and judged by the same invariants as every other run.
So it checks what matters — the object reaches the child, works there, and what the child did
arrives — and when it fails, its evidence says why: the exception the parent got sending the
object, or the child's own (type, message, innermost frame), also from rebuilding the object.
A failing probe is that start method's finding; the other start methods are still checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

from .contexts import as_is_hint, library_hint
from .factory import make, name_of, release
from .runs import Case, run_case
from .verdict import Verdict

# The probe's case for each kind: the smallest run that still sends something.
PROBE_CASES: dict[str, Case] = {
    "queue": {"procs": 1, "items": 1},
    "pipe": {"procs": 1, "items": 1, "payload": 0},
    "counter": {"procs": 1, "increments": 1},
}


class Premade:
    """A factory that hands out one object made beforehand: the probe makes it itself first, so
    that a bad factory is a TypeError/ValueError before any child starts."""

    def __init__(self, made: Any) -> None:
        self.made = made
        self.taken = False

    def __call__(self, ctx: Any = None) -> Any:  # takes ctx, so it is called with the one under test
        # Hand the object over and keep no reference: the run releases it, and a proxy kept
        # alive here would keep its connection open past the run's leftover snapshot.
        made, self.made, self.taken = self.made, None, True
        return made


def probe(
    factory: Callable[..., Any], kind: str, start_method: str, ctx: BaseContext, timeout: float
) -> Verdict:
    """The probe's verdict: ok if one item made it through one ``start_method`` child.

    Raises TypeError/ValueError if the factory itself is bad (not callable, raises, wrong shape).
    """
    started = time.perf_counter()
    made = make(factory, kind, ctx)
    hints = [library_hint(made, ctx), as_is_hint(factory, name_of(factory), start_method)]
    premade = Premade(made)
    case = PROBE_CASES[kind]
    del made  # from here on, only ``premade`` holds it
    try:
        ran = run_case(kind, premade, case, start_method, ctx, timeout)
    finally:
        if not premade.taken:  # the run released what it took
            release(premade.made)
    if not ran.violations:
        return Verdict(start_method, runs=1, seconds=time.perf_counter() - started)
    one = "one increment in one" if kind == "counter" else "one item through one"
    note = (
        f"The probe ({one} {start_method} child) failed, so nothing more ran under "
        f"{start_method}." + "".join(f" This may be why: {hint}." for hint in hints if hint)
    )
    return Verdict(
        start_method=start_method,
        runs=1,
        seconds=time.perf_counter() - started,
        violations=ran.violations,
        case={**case, "start_method": start_method},
        errors=ran.errors,
        note=note,
    )
