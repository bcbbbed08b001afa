"""The catalogue of hazards, and running it: by name, under one start method or all of them.

Adding a hazard is one new module that defines its ``Hazard`` records in a ``HAZARDS`` tuple
(see ``hazard``), imported here and added to ``CATALOGUE`` with one line. Names must be unique.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.context import BaseContext
from typing import Any

from ..._validate import (
    platform_default_start_method,
    require_choice,
    require_start_method,
    require_start_methods,
)
from . import (
    join_before_drain,
    pool_lifetime,
    pool_pickling,
    put_then_get_nowait,
    shared_memory_tracker,
    terminate_producer,
    unlocked_counters,
    value_types,
)
from .hazard import Finding, Hazard

# In the order ``ipccheck hazards`` runs them.
CATALOGUE: tuple[Hazard, ...] = (
    *join_before_drain.HAZARDS,
    *terminate_producer.HAZARDS,
    *unlocked_counters.HAZARDS,
    *value_types.HAZARDS,
    *shared_memory_tracker.HAZARDS,
    *pool_lifetime.HAZARDS,
    *pool_pickling.HAZARDS,
    *put_then_get_nowait.HAZARDS,
)


def by_name(hazards: Iterable[Hazard]) -> dict[str, Hazard]:
    """Index hazards by name, refusing a name used twice (one would silently hide the other)."""
    index: dict[str, Hazard] = {}
    for hazard in hazards:
        if hazard.name in index:
            raise ValueError(f"two hazards are named {hazard.name!r}")
        index[hazard.name] = hazard
    return index


HAZARDS: dict[str, Hazard] = by_name(CATALOGUE)


@dataclass(frozen=True)
class HazardResult:
    """The record of running one hazard under one start method: shown, and did its fix hold.

    ``per_start_method`` False: the hazard does not depend on the start method, so this one
    result stands for all of them (it ran with ``start_method``'s context).
    """

    name: str
    what: str
    fix: str
    start_method: str
    per_start_method: bool
    shown: bool
    evidence: str
    fix_held: bool
    fix_evidence: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.shown and self.fix_held

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ok=self.ok, seconds=round(self.seconds, 3))
        return data


def plan_hazards(
    names: Sequence[str] = (), start_method: str | Iterable[str] | None = None
) -> list[tuple[str, tuple[str, ...]]]:
    """Each chosen hazard with the start methods it will run under; all input validated first.

    ``names``: the hazards (all of them if none). ``start_method``: one, several, ``"all"`` (every
    one this platform supports), or None (the platform's default, read without fixing it). A
    hazard that does not depend on the start method runs once, under the first one chosen.
    """
    chosen = [require_choice("hazard", name, HAZARDS) for name in (list(names) or list(HAZARDS))]
    if start_method is None:
        start_method = platform_default_start_method()
    methods = require_start_methods(start_method)
    return [(name, methods if HAZARDS[name].per_start_method else methods[:1]) for name in chosen]


def run_hazard(name: str, start_method: str | None = None) -> HazardResult:
    """Demonstrate one hazard, then its fix; an exception in either counts as not shown/held."""
    require_choice("hazard", name, HAZARDS)
    if start_method is None:
        start_method = platform_default_start_method()  # read, never fixed process-wide
    require_start_method(start_method)
    hazard = HAZARDS[name]
    ctx = multiprocessing.get_context(start_method)
    started = time.perf_counter()
    shown = _guarded(hazard.demonstrate, ctx)
    held = _guarded(hazard.repair, ctx)
    return HazardResult(
        name=name,
        what=hazard.what,
        fix=hazard.fix,
        start_method=start_method,
        per_start_method=hazard.per_start_method,
        shown=shown.held,
        evidence=shown.evidence,
        fix_held=held.held,
        fix_evidence=held.evidence,
        seconds=time.perf_counter() - started,
    )


def _guarded(step: Callable[[BaseContext], Finding], ctx: BaseContext) -> Finding:
    try:
        return step(ctx)
    except Exception as exc:  # a demonstration that broke shows nothing; say why
        return Finding(False, f"raised {type(exc).__name__}: {exc}")


def run_hazards(
    names: Sequence[str] = (), start_method: str | Iterable[str] | None = None
) -> list[HazardResult]:
    """Run the named hazards (all if none) under the chosen start methods (see plan_hazards)."""
    plan = plan_hazards(names, start_method)
    return [run_hazard(name, method) for name, methods in plan for method in methods]


def under(result: HazardResult) -> str:
    """Which start method a result is for, in words."""
    if result.per_start_method:
        return result.start_method
    return f"any start method (the same under each; run once, with {result.start_method})"


def format_hazard(results: Sequence[HazardResult]) -> str:
    """The human report of one hazard: what goes wrong, the fix, then each start method's result."""
    first = results[0]
    lines = [first.name, f"  what goes wrong: {first.what}", f"  fix: {first.fix}"]
    for result in results:
        lines += [
            f"  {under(result)}: {'shown' if result.shown else 'NOT SHOWN'} ({result.seconds:.1f} s)",
            f"    evidence: {result.evidence}",
            f"    fix {'held' if result.fix_held else 'DID NOT HOLD'}: {result.fix_evidence}",
        ]
    return "\n".join(lines)
