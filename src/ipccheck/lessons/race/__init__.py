"""Lost updates on a shared counter, shown three ways: forced, free-running, and fixed with a lock.

``v.value += 1`` is two steps, a read and then a write. Between them another worker can read
the same number; both then write ``read + 1`` and one increment is gone (read, read, write,
write). This package is a *demonstration*, kept apart from the reference implementations in
``ipccheck.methods`` so nobody mistakes it for a pattern to copy.

Three modes over ``procs`` workers doing ``iterations`` increments each:

- ``forced``: every worker reads, all meet at a ``Barrier``, every worker writes ``read + 1``.
  The interleaving is no longer up to the scheduler, so the result is exact: ``iterations``,
  a loss of exactly ``(procs - 1) * iterations``, every run, under every start method.
- ``free``: real, unsynchronized ``counter.value += 1``. Whether and how much it loses depends
  on the OS scheduler; a run may lose nothing. Trials are graded like jcstress outcomes.
- ``locked``: the fix, ``with lock: counter.value += 1``; always ``procs * iterations``.

Three counters: ``value`` (``Value``: its read and its write each take the built-in lock, but
not the pair), ``raw-value`` (``RawValue``: no lock at all) and ``manager-value`` (a manager's
``Value``: a remote read then a remote write; it has no ``get_lock()``, so the fix is a
manager ``Lock``).

``theory`` says which final values are possible and grades one (with the proof);
``trials`` runs the workers; ``report`` prints the outcome table, why, and the fix.
"""

from __future__ import annotations

from .report import FIX, WHY, OutcomeRow, format_race, outcome_table
from .theory import (
    ACCEPTABLE,
    AS_FORCED,
    EXACT,
    FAILED,
    FORBIDDEN,
    LOST_UPDATES,
    RACE_MODES,
    UNEXPECTED,
    exact_value,
    grade,
    lowest_reachable,
)
from .trials import (
    COUNTERS,
    DEFAULT_PROCS,
    DEFAULT_TRIALS,
    MAX_TRIALS,
    SharedCounter,
    Trial,
    default_iterations,
    loses_within,
    require_race,
    run_trial,
    run_trials,
)

__all__ = [
    "ACCEPTABLE",
    "AS_FORCED",
    "COUNTERS",
    "DEFAULT_PROCS",
    "DEFAULT_TRIALS",
    "EXACT",
    "FAILED",
    "FIX",
    "FORBIDDEN",
    "LOST_UPDATES",
    "MAX_TRIALS",
    "RACE_MODES",
    "UNEXPECTED",
    "WHY",
    "OutcomeRow",
    "SharedCounter",
    "Trial",
    "default_iterations",
    "exact_value",
    "format_race",
    "grade",
    "loses_within",
    "lowest_reachable",
    "outcome_table",
    "require_race",
    "run_trial",
    "run_trials",
]
