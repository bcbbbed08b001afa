"""Conformance kit: run ipccheck's promises against your own queue, pipe or counter.

>>> import multiprocessing
>>> from ipccheck.conformance import verify_queue
>>> report = verify_queue(multiprocessing.Queue, start_methods=["fork"], max_examples=3)

``verify_queue``/``verify_pipe`` search (procs, items, start method) with Hypothesis and shrink
a failure to the smallest case; ``verify_counter`` runs high-contention trials. A broken promise
raises ``ConformanceError`` (an ``AssertionError``); a bad factory raises TypeError/ValueError.
A factory that takes a ``ctx`` parameter is given the context of the start method under test
and should build from it (``def make_queue(ctx): return ctx.Queue()``); the kit never changes
the process-wide start method. For pytest, subclass ``QueueConformance``, ``PipeConformance``
or ``CounterConformance``. Needs the ``conformance`` extra (Hypothesis) for queues and pipes.

Modules: ``verify`` (the entry points), ``search`` (the Hypothesis search), ``contexts`` (which
context children come from, and how a factory gets it), ``factory`` (calling and shape-checking
a factory), ``probe`` (one object to one child before any search), ``under_test`` (the user's
object as a runner method), ``verdict`` (Report, ConformanceError), ``testing`` (pytest base
classes), ``examples`` and ``broken`` (correct and deliberately broken factories).
"""

from __future__ import annotations

from .testing import CounterConformance, PipeConformance, QueueConformance
from .verdict import ConformanceError, Report
from .verify import verify_counter, verify_kind, verify_pipe, verify_queue

__all__ = [
    "ConformanceError",
    "CounterConformance",
    "PipeConformance",
    "QueueConformance",
    "Report",
    "verify_counter",
    "verify_kind",
    "verify_pipe",
    "verify_queue",
]
