"""pytest base classes: subclass one, define ``factory``, and pytest checks linearizability.

    class TestMyQueue(LinearizableQueueTest):
        operations = ("put", "get", "get_nowait")

        def factory(self, ctx):
            return MyQueue(ctx)

``factory`` may take ``ctx`` (the context of the start method under test, as every factory
may) or nothing. Each class gives one test per start method (unavailable ones are skipped),
so a failure names the start method in the test id, and the failure is ``NotLinearizable``
(an ``AssertionError``): pytest prints the minimal scenario, its per-process timeline and the
operation with no valid linearization point. Like the conformance kit's base classes they use
no fixture and no pytest import (a skip is ``unittest.SkipTest``, which pytest honours).
Class attributes set the search budget; passing is evidence, not proof.
"""

from __future__ import annotations

import unittest

from .._validate import DEFAULT_TIMEOUT, supported_start_methods
from .kinds import COUNTER, DICT, QUEUE, Kind
from .report import Passed
from .verify import (
    DEFAULT_MAX_CALLS,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_PROCS,
    DEFAULT_STRESS,
    verify_linearizable,
)


class LinearizableTest:
    """The base of the three below; subclass it directly with ``kind`` set to your own Kind."""

    kind: Kind | None = None
    operations: tuple[str, ...] | None = None  # None: the kind's usual set
    max_examples: int = DEFAULT_MAX_EXAMPLES  # scenarios per start method
    stress_runs: int = DEFAULT_STRESS  # runs of each scenario on fresh objects
    max_procs: int = DEFAULT_MAX_PROCS
    max_calls: int = DEFAULT_MAX_CALLS  # calls per process
    payload: int = 0  # ints carried by each put value (a large item keeps a feeder busy)
    timeout: float = DEFAULT_TIMEOUT  # deadline of one run, in seconds

    def verify_under(self, start_method: str) -> Passed:
        """Search scenarios on this class's factory under one start method, or skip."""
        if start_method not in supported_start_methods():
            raise unittest.SkipTest(f"start method {start_method!r} is not available here")
        factory = getattr(self, "factory", None)
        if factory is None:
            raise TypeError(f"{type(self).__name__} must define factory(self) or "
                            "factory(self, ctx) returning the object to check")
        if self.kind is None:
            raise TypeError(f"{type(self).__name__} must set kind (a Kind: model and operations)")
        return verify_linearizable(
            factory, self.kind, operations=self.operations, start_methods=[start_method],
            max_examples=self.max_examples, stress_runs=self.stress_runs,
            max_procs=self.max_procs, max_calls=self.max_calls, payload=self.payload,
            timeout=self.timeout,
        )

    def test_linearizable_under_fork(self) -> None:
        """Every history of every scenario tried is linearizable, with fork children."""
        self.verify_under("fork")

    def test_linearizable_under_spawn(self) -> None:
        """Every history of every scenario tried is linearizable, with spawn children."""
        self.verify_under("spawn")

    def test_linearizable_under_forkserver(self) -> None:
        """Every history of every scenario tried is linearizable, with forkserver children."""
        self.verify_under("forkserver")


class LinearizableQueueTest(LinearizableTest):
    """A FIFO queue: ``put``, ``get`` (waits at most 1 s), ``get_nowait``, ``empty``, ``qsize``."""

    kind: Kind | None = QUEUE


class LinearizableCounterTest(LinearizableTest):
    """A counter from 0: ``increment()``, ``fetch_add(n)`` and a ``value`` attribute (``read``)."""

    kind: Kind | None = COUNTER


class LinearizableDictTest(LinearizableTest):
    """A dictionary: ``get(key)``, ``obj[key] = value`` (``set``) and ``cas(key, expected, new)``."""

    kind: Kind | None = DICT


__all__: list[str] = [
    "LinearizableCounterTest",
    "LinearizableDictTest",
    "LinearizableQueueTest",
    "LinearizableTest",
]

