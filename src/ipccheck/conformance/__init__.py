"""Conformance kit: run ipccheck's promises against your own queue, pipe or counter.

>>> import multiprocessing
>>> from ipccheck.conformance import check_queue
>>> report = check_queue(multiprocessing.Queue, start_methods=["fork"], max_examples=3)

``check_queue``/``check_pipe`` search (procs, items, start method) with Hypothesis and shrink a
failure to the smallest case; ``check_counter`` runs high-contention trials. A broken promise
raises ``ConformanceError`` (an ``AssertionError``); a bad factory raises TypeError/ValueError.
For pytest, subclass ``QueueConformance``, ``PipeConformance`` or ``CounterConformance``.
Needs the ``conformance`` extra (Hypothesis) for queues and pipes.
"""

from __future__ import annotations

from .checks import check_counter, check_pipe, check_queue
from .testing import CounterConformance, PipeConformance, QueueConformance
from .verdict import ConformanceError, Report

__all__ = [
    "ConformanceError",
    "CounterConformance",
    "PipeConformance",
    "QueueConformance",
    "Report",
    "check_counter",
    "check_pipe",
    "check_queue",
]
