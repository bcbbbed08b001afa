"""Linearizability: check what real processes did to a shared object against a sequential model.

A concurrent object is linearizable (Herlihy & Wing) when every operation appears to take
effect at one instant between its call and its return, in an order the object's sequential
model accepts. This package records histories from real processes, checks them, and, like
Lincheck, generates scenarios, runs them many times and shrinks one that fails:

>>> from ipccheck.linearizability import History, Operation, QueueModel, linearize
>>> h = History([Operation(0, "put", (1,), None, None, 0, 10),
...              Operation(1, "get_nowait", (), None, "Empty", 20, 30)])
>>> print(linearize(h, QueueModel()).summary())
unique-queue: not linearizable: no valid linearization point for P1 get_nowait(): raised Empty

``verify_linearizable(factory, "queue")`` does the same on real processes (needs Hypothesis).
See docs/linearizability.md.
"""

from __future__ import annotations

from .brute import brute_force
from .checkers import CHECKERS, linearize
from .compose import compositional
from .execute import ScenarioError, execute
from .history import MAIN, History, Operation
from .kinds import COUNTER, DICT, KINDS, QUEUE, Kind
from .models import CounterModel, DictModel, Model, QueueModel
from .recorder import Recorder
from .report import NotLinearizable, Passed
from .scenario import Call, Scenario, scenario
from .search import wing_gong, wing_gong_lowe
from .stress import Trial, stress
from .timeline import render
from .unique_queue import unique_queue
from .verdict import Verdict
from .verify import verify_linearizable

__all__ = [
    "CHECKERS",
    "COUNTER",
    "DICT",
    "KINDS",
    "MAIN",
    "QUEUE",
    "Call",
    "CounterModel",
    "DictModel",
    "History",
    "Kind",
    "Model",
    "NotLinearizable",
    "Operation",
    "Passed",
    "QueueModel",
    "Recorder",
    "Scenario",
    "ScenarioError",
    "Trial",
    "Verdict",
    "brute_force",
    "compositional",
    "execute",
    "linearize",
    "render",
    "scenario",
    "stress",
    "unique_queue",
    "verify_linearizable",
    "wing_gong",
    "wing_gong_lowe",
]
