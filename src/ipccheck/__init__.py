"""ipccheck: check that Python's multiprocessing channels and shared state keep their promises.

>>> from ipccheck import Workload, run, check
>>> outcome = run(Workload("queue", procs=3, base=100, start_method="spawn"))
>>> check(outcome)
[]
"""

from __future__ import annotations

from .invariants import Violation, check
from .outcome import Outcome
from .runner import run
from .workload import START_METHODS, Workload, supported_start_methods

__all__ = [
    "START_METHODS",
    "Outcome",
    "Violation",
    "Workload",
    "check",
    "run",
    "supported_start_methods",
]
__version__ = "0.1.0"
