"""ipccheck: check that Python's multiprocessing channels and shared state keep their promises.

>>> from ipccheck import Workload, run, check
>>> outcome = run(Workload("queue", procs=3, base=100, start_method="fork"))
>>> check(outcome)
[]

The layers, bottom up (each imports only from those below it): validation and process
plumbing; faults; the method protocol; channel helpers; ``methods``; ``Workload``; ``Outcome``
and the runner; ``invariants``; then the applications (``cli``, ``conformance``, ``explore``,
``lessons``, ``bench``).
"""

from __future__ import annotations

from ._validate import START_METHODS, supported_start_methods
from ._version import __version__
from .faults import Fault
from .invariants import Violation, check
from .outcome import Outcome
from .runner import run
from .workload import Workload

__all__ = [
    "START_METHODS",
    "Fault",
    "Outcome",
    "Violation",
    "Workload",
    "__version__",
    "check",
    "run",
    "supported_start_methods",
]
