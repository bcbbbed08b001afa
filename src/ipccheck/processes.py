"""Start child processes under a deadline and make sure none outlives the block that started them.

Every ipccheck run, race demonstration and hazard starts its children through a ProcessGroup.
Leaving the ``with`` block joins what finished, then terminates, kills and reaps what did not,
on every path (success, timeout, exception). That is what lets a test that hangs still clean up.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.managers import BaseManager
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, TypeVar

AnyManager = TypeVar("AnyManager", bound=BaseManager)

# How long a process gets to exit after SIGTERM before it is SIGKILLed.
TERMINATE_GRACE = 1.0


class DeadlineExceeded(Exception):
    """Raised inside a run when its deadline passed; the runner turns it into a violation.

    ``alive`` names the processes still running at that moment: by the time the exception
    reaches the runner, cleanup on the way out may already have stopped them.
    """

    def __init__(self, message: str, alive: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.alive = tuple(alive)


class Deadline:
    """A point in time after which waiting is pointless."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def check(self, doing: str, group: ProcessGroup | None = None) -> None:
        """Raise DeadlineExceeded, saying what we were ``doing`` and who is alive, if time is up."""
        if self.expired():
            alive = [describe(p) for p in group.alive()] if group is not None else []
            raise DeadlineExceeded(f"deadline of {self.seconds:g} s passed while {doing}", alive)


def describe(process: BaseProcess) -> str:
    """``name (pid N)``: enough to find a leftover process in ``ps``."""
    return f"{process.name} (pid {process.pid})"


def exit_description(exitcode: int | None) -> str:
    """Human words for an exit code: 0, 1, or the signal that killed the process."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        import signal

        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


# True while sigint_deferred() holds Ctrl-C back; a child forked meanwhile must not inherit that.
_deferring = False


def _restore_sigint_in_child() -> None:
    global _deferring
    if _deferring:
        _deferring = False
        signal.signal(signal.SIGINT, signal.default_int_handler)


os.register_at_fork(after_in_child=_restore_sigint_in_child)


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends, then raise KeyboardInterrupt.

    A KeyboardInterrupt raised just after ``fork()`` returns, before ``Process.start`` has
    recorded the child, leaves a child that no one tracks and no one stops (ipccheck's SIGINT
    test hit it in 3 of 15 runs). Only the main thread with Python's default handler defers.
    """
    global _deferring
    default = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if threading.current_thread() is not threading.main_thread() or not default:
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if caught:
            raise KeyboardInterrupt


@contextmanager
def running_manager(start: Callable[[], AnyManager]) -> Iterator[AnyManager]:
    """Start a manager with Ctrl-C held back until it is running; always shut it down after.

    ``start()`` (e.g. ``ctx.Manager``) starts the manager's server process and waits for its
    address. A KeyboardInterrupt in between would leave a server that nothing shuts down; it
    ignores SIGINT and is not a daemon, so the interpreter's exit would wait for it forever.
    """
    manager: AnyManager | None = None
    try:
        with sigint_deferred():
            manager = start()
        yield manager
    finally:
        if manager is not None:
            manager.shutdown()  # asks the server to exit, joins it, terminates it if it will not


class ProcessGroup:
    """The children of one run; a context manager that always reaps them."""

    def __init__(self, ctx: BaseContext) -> None:
        self.ctx = ctx
        self.processes: list[BaseProcess] = []
        self.unreaped: list[str] = []
        self._final_exitcodes: dict[str, int | None] | None = None

    def start(
        self, target: Callable[..., Any], args: Iterable[Any] = (), name: str | None = None
    ) -> BaseProcess:
        """Start ``target(*args)`` in a new daemon process that this group owns."""
        process = self.ctx.Process(target=target, args=tuple(args), name=name, daemon=True)
        with sigint_deferred():  # Ctrl-C waits until the child is started and recorded
            process.start()
            self.processes.append(process)  # only started processes: stop() joins each one
        return process

    def alive(self) -> list[BaseProcess]:
        return [p for p in self.processes if p.is_alive()]

    def any_alive(self) -> bool:
        return any(p.is_alive() for p in self.processes)

    def has_ended(self, name: str) -> bool:
        """Did the process called ``name`` start and end? (False for a name never started.)"""
        return any(p.name == name and not p.is_alive() for p in self.processes)

    def sentinels(self) -> list[int]:
        """File descriptors that become ready when a process ends (for ``connection.wait``)."""
        return [p.sentinel for p in self.processes if p.exitcode is None]

    def join(self, deadline: Deadline) -> None:
        """Wait for every process to end, or raise DeadlineExceeded naming the ones that did not."""
        for process in self.processes:
            process.join(deadline.remaining())
        still = self.alive()
        if still:
            names = [describe(p) for p in still]
            raise DeadlineExceeded(
                f"deadline of {deadline.seconds:g} s passed; still alive: {', '.join(names)}", names
            )

    def exitcodes(self) -> dict[str, int | None]:
        """Process name -> exit code (negative: killed by that signal; None: never ended)."""
        if self._final_exitcodes is not None:
            return dict(self._final_exitcodes)
        return {p.name: p.exitcode for p in self.processes}

    def stop(self) -> list[str]:
        """Terminate, then kill, then reap every process still running.

        Returns the processes that could not be reaped even after SIGKILL (normally none).
        Safe to call twice.
        """
        if self._final_exitcodes is not None:
            return self.unreaped
        for process in self.alive():
            process.terminate()
        for process in self.processes:
            if process.exitcode is None:
                process.join(TERMINATE_GRACE)
        for process in self.alive():
            process.kill()
            process.join(TERMINATE_GRACE)
        self.unreaped = [describe(p) for p in self.processes if p.is_alive()]
        self._final_exitcodes = {p.name: p.exitcode for p in self.processes}
        for process in self.processes:
            if not process.is_alive():
                process.close()  # releases the sentinel fd now rather than at garbage collection
        return self.unreaped

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
