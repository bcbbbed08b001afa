"""The classic multiprocessing mistakes, each shown happening and then shown fixed.

Every hazard here comes from a tutorial pattern or a warning in the multiprocessing docs. For
each one a *demonstration* makes the mistake under a short bound (it never hangs: every wait
has a timeout, every child runs in a ProcessGroup, every segment is unlinked) and records the
evidence, then the *fixed pattern* runs and is checked to hold.

These are demonstrations of what not to do, kept apart from the reference implementations in
``ipccheck.methods``. One module per family of mistakes (``join_before_drain``,
``terminate_producer``, ``unlocked_counters``, ``value_types``, ``shared_memory_tracker``,
``pool_lifetime``, ``pool_pickling``);
``hazard`` says what a hazard is, ``receive`` holds the bounded reads they share, and
``catalogue`` lists and runs them. Run them with ``ipccheck hazards [NAME ...]``.
"""

from __future__ import annotations

from .catalogue import (
    CATALOGUE,
    HAZARDS,
    HazardResult,
    format_hazard,
    plan_hazards,
    run_hazard,
    run_hazards,
)
from .hazard import HAZARD_TIMEOUT, Finding, Hazard

__all__ = [
    "CATALOGUE",
    "HAZARDS",
    "HAZARD_TIMEOUT",
    "Finding",
    "Hazard",
    "HazardResult",
    "format_hazard",
    "plan_hazards",
    "run_hazard",
    "run_hazards",
]
