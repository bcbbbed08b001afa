"""pytest base classes: subclass one, define its factory method, and pytest runs the checks.

    class TestMyQueue(QueueConformance):
        def make_queue(self, ctx):
            return MyQueue(ctx)

The factory method may take ``ctx`` (the context of the start method under test, as every kit
factory may) or nothing (``def make_queue(self)``): it is handed to the kit as the factory.
Each class gives one test per start method (unavailable ones are skipped), so a failure names
the start method in the test id. No fixtures, so no pytest plugin is needed, and no pytest
import either: a skip is ``unittest.SkipTest``, which pytest honours. Class attributes tune the
search (``max_examples``, ``timeout``...); ``context`` says where the children come from (e.g.
``context = billiard`` for a billiard object; default: multiprocessing).
"""

from __future__ import annotations

import unittest
from collections.abc import Callable
from typing import Any

from .._validate import supported_start_methods
from .verify import (
    DEFAULT_COUNTER_PROCS,
    DEFAULT_INCREMENTS,
    DEFAULT_TRIALS,
    verify_counter,
    verify_pipe,
    verify_queue,
)


class _Conformance:
    """What every base class shares: run one check on the subclass's factory method."""

    # Where the children come from: anything with get_context(start_method); None: multiprocessing.
    context: Any = None

    def _options(self) -> dict[str, Any]:
        return {}

    def _verify_under(
        self, start_method: str, factory_name: str, verify: Callable[..., Any]
    ) -> None:
        """Run ``verify`` on this test's factory method under one start method, or skip."""
        if start_method not in supported_start_methods():
            raise unittest.SkipTest(f"start method {start_method!r} is not available here")
        factory = getattr(self, factory_name, None)
        if factory is None:
            raise TypeError(
                f"{type(self).__name__} must define {factory_name}(self) or "
                f"{factory_name}(self, ctx) returning the object to check"
            )
        verify(factory, context=self.context, start_methods=[start_method], **self._options())


class _SearchOptions(_Conformance):
    """The search settings a subclass may override, passed on to the check as keywords."""

    max_examples: int | None = None
    max_procs: int | None = None
    max_items: int | None = None
    timeout: float | None = None

    def _options(self) -> dict[str, Any]:
        return {
            "max_examples": self.max_examples,
            "max_procs": self.max_procs,
            "max_items": self.max_items,
            "timeout": self.timeout,
        }


class QueueConformance(_SearchOptions):
    """Define ``make_queue(self)`` or ``make_queue(self, ctx)``; checked under each start method."""

    def test_queue_conforms_under_fork(self) -> None:
        """Every item exactly once, in order per producer, with fork children."""
        self._verify_under("fork", "make_queue", verify_queue)

    def test_queue_conforms_under_spawn(self) -> None:
        """Every item exactly once, in order per producer, with spawn children."""
        self._verify_under("spawn", "make_queue", verify_queue)

    def test_queue_conforms_under_forkserver(self) -> None:
        """Every item exactly once, in order per producer, with forkserver children."""
        self._verify_under("forkserver", "make_queue", verify_queue)


class PipeConformance(_SearchOptions):
    """Define ``make_pipe(self[, ctx])`` returning a connected pair ``(a, b)``; ``b`` goes to the child."""

    def test_pipe_conforms_under_fork(self) -> None:
        """Order, exactly-once, large messages and EOF, with fork children."""
        self._verify_under("fork", "make_pipe", verify_pipe)

    def test_pipe_conforms_under_spawn(self) -> None:
        """Order, exactly-once, large messages and EOF, with spawn children."""
        self._verify_under("spawn", "make_pipe", verify_pipe)

    def test_pipe_conforms_under_forkserver(self) -> None:
        """Order, exactly-once, large messages and EOF, with forkserver children."""
        self._verify_under("forkserver", "make_pipe", verify_pipe)


class CounterConformance(_Conformance):
    """Define ``make_counter(self[, ctx])``; passing is evidence, not proof (see ``verify_counter``)."""

    procs: int = DEFAULT_COUNTER_PROCS
    increments: int = DEFAULT_INCREMENTS
    trials: int = DEFAULT_TRIALS
    timeout: float | None = None

    def _options(self) -> dict[str, Any]:
        return {
            "procs": self.procs,
            "increments": self.increments,
            "trials": self.trials,
            "timeout": self.timeout,
        }

    def test_counter_loses_nothing_under_fork(self) -> None:
        """No lost update under contention, with fork children."""
        self._verify_under("fork", "make_counter", verify_counter)

    def test_counter_loses_nothing_under_spawn(self) -> None:
        """No lost update under contention, with spawn children."""
        self._verify_under("spawn", "make_counter", verify_counter)

    def test_counter_loses_nothing_under_forkserver(self) -> None:
        """No lost update under contention, with forkserver children."""
        self._verify_under("forkserver", "make_counter", verify_counter)
