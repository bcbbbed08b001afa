"""pytest base classes: subclass one, override its factory method, and pytest runs the checks.

    class TestMyQueue(QueueConformance):
        def make_queue(self):
            return MyQueue()

Each class gives one test per start method (unavailable ones are skipped), so a failure names
the start method in the test id. No fixtures, so no pytest plugin is needed; pytest is imported
only when a test runs. Class attributes tune the search (``max_examples``, ``timeout``...).
"""

from __future__ import annotations

from typing import Any

from .._validate import supported_start_methods
from .checks import check_counter, check_pipe, check_queue


def _run_under(start_method: str, check: Any, factory: Any, options: dict[str, Any]) -> None:
    import pytest

    if start_method not in supported_start_methods():
        pytest.skip(f"start method {start_method!r} is not available on this platform")
    check(factory, start_methods=[start_method], **options)


class _SearchOptions:
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
    """Override ``make_queue``; the class checks it under fork, spawn and forkserver."""

    def make_queue(self) -> Any:
        raise NotImplementedError("override make_queue() to return the queue to check")

    def test_queue_conforms_under_fork(self) -> None:
        """Every item exactly once, in order per producer, with fork children."""
        _run_under("fork", check_queue, self.make_queue, self._options())

    def test_queue_conforms_under_spawn(self) -> None:
        """Every item exactly once, in order per producer, with spawn children."""
        _run_under("spawn", check_queue, self.make_queue, self._options())

    def test_queue_conforms_under_forkserver(self) -> None:
        """Every item exactly once, in order per producer, with forkserver children."""
        _run_under("forkserver", check_queue, self.make_queue, self._options())


class PipeConformance(_SearchOptions):
    """Override ``make_pipe`` to return a connected pair ``(a, b)``; ``b`` goes to the child."""

    def make_pipe(self) -> Any:
        raise NotImplementedError("override make_pipe() to return the pair (a, b) to check")

    def test_pipe_conforms_under_fork(self) -> None:
        """Order, exactly-once, large messages and EOF, with fork children."""
        _run_under("fork", check_pipe, self.make_pipe, self._options())

    def test_pipe_conforms_under_spawn(self) -> None:
        """Order, exactly-once, large messages and EOF, with spawn children."""
        _run_under("spawn", check_pipe, self.make_pipe, self._options())

    def test_pipe_conforms_under_forkserver(self) -> None:
        """Order, exactly-once, large messages and EOF, with forkserver children."""
        _run_under("forkserver", check_pipe, self.make_pipe, self._options())


class CounterConformance:
    """Override ``make_counter``; passing is evidence, not proof (see ``check_counter``)."""

    procs: int = 4
    increments: int = 100_000
    trials: int = 3
    timeout: float | None = None

    def make_counter(self) -> Any:
        raise NotImplementedError("override make_counter() to return the counter to check")

    def _options(self) -> dict[str, Any]:
        return {
            "procs": self.procs,
            "increments": self.increments,
            "trials": self.trials,
            "timeout": self.timeout,
        }

    def test_counter_loses_nothing_under_fork(self) -> None:
        """No lost update under contention, with fork children."""
        _run_under("fork", check_counter, self.make_counter, self._options())

    def test_counter_loses_nothing_under_spawn(self) -> None:
        """No lost update under contention, with spawn children."""
        _run_under("spawn", check_counter, self.make_counter, self._options())

    def test_counter_loses_nothing_under_forkserver(self) -> None:
        """No lost update under contention, with forkserver children."""
        _run_under("forkserver", check_counter, self.make_counter, self._options())
