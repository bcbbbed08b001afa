"""Start child processes under a deadline and make sure none outlives the block that started them.

Every ipccheck run, race demonstration and hazard starts its children through a ProcessGroup.
Leaving the ``with`` block joins what finished, then terminates, kills and reaps what did not,
on every path (success, timeout, exception). That is what lets a test that hangs still clean up.

Each child has a ``Role`` (``producer 3``, ``worker 0``): the checks that judge a run read who
a child was from that record, never by parsing its process name back.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from .child_errors import RebuildWatch, read_report, run_reporting
from .default_context import left_unchosen
from .interrupts import hurrying, raise_if_stopped, sigint_deferred

# How long the processes being stopped get, together, to exit after SIGTERM before SIGKILL.
TERMINATE_GRACE = 1.0
# Longest single wait in ``join``: a stop signal is noticed this often even if its
# KeyboardInterrupt was swallowed somewhere.
JOIN_SLICE = 0.1


@dataclass(frozen=True, order=True)
class Role:
    """What a child does in its run: ``Role("producer", 3)`` prints as ``producer-3``."""

    kind: str
    index: int | None = None

    def __str__(self) -> str:
        return self.kind if self.index is None else f"{self.kind}-{self.index}"


@dataclass(frozen=True)
class Child:
    """One child of a run: its role, how it ended (None: it never did) and, if its target
    raised, the exception in one line (``child_errors.summarize``)."""

    role: Role
    exitcode: int | None
    error: str | None = None

    @property
    def name(self) -> str:
        return str(self.role)


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
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class ProcessGroup:
    """The children of one run; a context manager that always reaps them."""

    def __init__(self, ctx: BaseContext) -> None:
        # ``ctx`` is where children come from: a multiprocessing context, or another library's
        # with the same ``Process`` and ``Pipe`` (billiard's, multiprocess's); the annotation
        # names the standard library's base class, the group only calls those two.
        self.ctx = ctx
        self.members: list[tuple[Role, BaseProcess]] = []
        self.reports: dict[int, Connection] = {}  # id(process) -> where its exception arrives
        self.errors: dict[int, str] = {}  # id(process) -> the exception it reported
        self.unreaped: list[str] = []
        self._final: tuple[Child, ...] | None = None

    @property
    def processes(self) -> list[BaseProcess]:
        return [process for _, process in self.members]

    def start(
        self, target: Callable[..., Any], args: Iterable[Any] = (), role: Role | str = "child"
    ) -> BaseProcess:
        """Start ``target(*args)`` in a new daemon process that this group owns."""
        role = role if isinstance(role, Role) else Role(role)
        raise_if_stopped()  # a stopped command starts nothing more
        # Every concrete context has ``Process``; typeshed declares it on each subclass only.
        make: Callable[..., BaseProcess] = self.ctx.Process  # type: ignore[attr-defined]
        reader, writer = self.ctx.Pipe(duplex=False)
        # The report pipe goes first, so that it is rebuilt before anything that may fail to be.
        reporting = (writer, RebuildWatch(writer), target, tuple(args))
        process = make(target=run_reporting, args=reporting, name=str(role), daemon=True)
        # Ctrl-C waits until the child is started and recorded; the default start method (of
        # multiprocessing, and of the library the context comes from) stays unchosen if it was.
        try:
            with sigint_deferred(), left_unchosen(self.ctx):
                process.start()
                self.members.append((role, process))  # only started processes: stop() joins each
                self.reports[id(process)] = reader
        except BaseException:
            if id(process) not in self.reports:
                reader.close()
            raise
        finally:
            writer.close()  # the child holds its own copy; EOF then means it has ended
        return process

    def alive(self) -> list[BaseProcess]:
        return [p for p in self.processes if p.is_alive()]

    def any_alive(self) -> bool:
        return any(p.is_alive() for p in self.processes)

    def alive_roles(self) -> list[Role]:
        return [role for role, process in self.members if process.is_alive()]

    def has_ended(self, role: Role) -> bool:
        """Did the child with ``role`` start and end? (False for a role never started.)"""
        return any(r == role and not p.is_alive() for r, p in self.members)

    def sentinels(self) -> list[int]:
        """File descriptors that become ready when a process ends (for ``connection.wait``)."""
        return [p.sentinel for p in self.processes if p.exitcode is None]

    def join(self, deadline: Deadline) -> None:
        """Wait for every process to end, or raise DeadlineExceeded naming the ones that did not."""
        for process in self.processes:
            while process.exitcode is None and not deadline.expired():
                raise_if_stopped()
                process.join(min(JOIN_SLICE, deadline.remaining()))
        still = self.alive()
        if still:
            names = [describe(p) for p in still]
            raise DeadlineExceeded(
                f"deadline of {deadline.seconds:g} s passed; still alive: {', '.join(names)}", names
            )

    def children(self) -> tuple[Child, ...]:
        """Every child started, in start order, with its exit code (None: still running)."""
        if self._final is not None:
            return self._final
        return tuple(self._child(role, process) for role, process in self.members)

    def _child(self, role: Role, process: BaseProcess) -> Child:
        """The record of one child; an ended child's report is read (once) on the way."""
        if process.exitcode is not None and id(process) in self.reports:
            error = read_report(self.reports.pop(id(process)))
            if error is not None:
                self.errors[id(process)] = error
        return Child(role, process.exitcode, self.errors.get(id(process)))

    def exitcodes(self) -> dict[str, int | None]:
        """Process name -> exit code (negative: killed by that signal; None: never ended)."""
        return {child.name: child.exitcode for child in self.children()}

    def stop(self) -> list[str]:
        """Terminate, then kill, then reap every process still running (``end_processes``).

        Returns the processes that could not be reaped even after SIGKILL (normally none).
        Safe to call twice. A stop signal cannot cut it short: it takes at most about
        2 × TERMINATE_GRACE, and a second signal makes it skip the polite SIGTERM wait.
        """
        if self._final is not None:
            return self.unreaped
        with sigint_deferred():
            self.unreaped = end_processes(self.processes)
            self._final = tuple(self._child(role, process) for role, process in self.members)
            for reader in self.reports.values():  # a child never reaped: nothing more will come
                reader.close()
            self.reports.clear()
            for process in self.processes:
                if not process.is_alive():
                    process.close()  # releases the sentinel fd now, not at garbage collection
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


def end_processes(processes: Sequence[BaseProcess]) -> list[str]:
    """SIGTERM every live process, give them TERMINATE_GRACE together, SIGKILL the rest, reap.

    Returns the processes still alive after all that (normally none). When hurrying (a second
    stop signal came) the SIGTERM grace is skipped.
    """
    alive = [process for process in processes if process.is_alive()]
    for process in alive:
        process.terminate()
    _join_within(alive, 0.0 if hurrying() else TERMINATE_GRACE)
    for process in alive:
        if process.is_alive():
            process.kill()
    _join_within(alive, TERMINATE_GRACE)
    return [describe(process) for process in processes if process.is_alive()]


def _join_within(processes: Sequence[BaseProcess], seconds: float) -> None:
    """Reap the processes that end within ``seconds``, all of them together."""
    give_up = time.monotonic() + seconds
    for process in processes:
        process.join(max(0.0, give_up - time.monotonic()))
