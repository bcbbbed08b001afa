"""The conductor: real worker processes that take exactly one step when granted a turn.

Each worker is a real process holding a real ``multiprocessing.Value`` and real ``Lock``s. It
waits on its own ``Pipe`` for the parent's word; on ``"step"`` it performs its next step and
replies with what it saw and stored. Only one worker ever has a turn, so the interleaving is the
schedule, exactly, under any start method and however the OS schedules the processes.

A lock step uses ``acquire(block=False)``: if the lock is held the worker replies ``blocked``
and changes nothing, so a schedule can never hang a worker. At the end of a schedule the parent
asks every unfinished worker to *probe* its next step (a lock step tries ``acquire(False)`` and
releases at once); if none could step, that is a **deadlock**, detected on the real locks.

This module deliberately does not use the model: the two are checked against each other.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing import connection
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any

from .. import leftovers
from .._validate import DEFAULT_TIMEOUT, require_start_method, require_timeout
from ..processes import Deadline, DeadlineExceeded, ProcessGroup, Role, exit_description
from .model import (
    BLOCKED,
    COMPLETE,
    DEADLOCK,
    FINISHED,
    INCOMPLETE,
    STEPPED,
    Run,
    Turn,
    require_schedule,
)
from .steps import Program, Step


class ConductorError(RuntimeError):
    """A worker died or answered nonsense: the conductor cannot vouch for this run."""


def worker_main(steps: Sequence[Step], conn: Any, value: Any, locks: dict[str, Any]) -> None:
    """Run in a child: wait for a word from the parent, do exactly that, reply, repeat."""
    pc = 0
    register = 0
    flag = False
    held: list[str] = []
    while True:
        word = conn.recv()
        if word == "step":
            if pc >= len(steps):
                conn.send((FINISHED, None, None))
                continue
            step = steps[pc]
            read = wrote = None
            if step.op == "lock":
                if not locks[step.lock].acquire(block=False):
                    conn.send((BLOCKED, None, None))
                    continue
                held.append(step.lock)
            elif step.op == "unlock":
                locks[step.lock].release()
                held.remove(step.lock)
            elif step.op == "read":
                register = read = value.value
            elif step.op == "write":
                wrote = step.number if step.absolute else register + step.number
                value.value = wrote
            elif step.op == "check":
                read = value.value
                flag = read == step.number
            elif step.op == "act":
                read = value.value
                if flag:
                    wrote = read + step.number
                    value.value = wrote
            pc += 1
            conn.send((STEPPED, read, wrote))
        elif word == "probe":
            # Could the next step run now? Try the lock without keeping it.
            if pc >= len(steps):
                conn.send(FINISHED)
            elif steps[pc].op == "lock":
                lock = locks[steps[pc].lock]
                if lock.acquire(block=False):
                    lock.release()
                    conn.send(STEPPED)
                else:
                    conn.send(BLOCKED)
            else:
                conn.send(STEPPED)
        elif word in ("reset", "stop"):
            for name in held:
                locks[name].release()
            held.clear()
            pc, register, flag = 0, 0, False
            conn.send("ok")
            if word == "stop":
                return


class Conductor:
    """A set of worker processes for one program, reusable for many schedules.

    >>> with Conductor(program, "spawn") as conductor:   # doctest: +SKIP
    ...     conductor.run([0, 1, 0, 1]).final
    1
    """

    def __init__(
        self, program: Program, start_method: str = "fork", timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        if not isinstance(program, Program):
            raise TypeError(f"Conductor needs a Program, got {type(program).__name__}")
        self.program = program
        self.start_method = require_start_method(start_method)
        self.timeout = require_timeout(timeout)
        self.ctx: BaseContext = multiprocessing.get_context(start_method)
        self.group = ProcessGroup(self.ctx)
        self.conns: list[Any] = []
        self.value: Any = None
        # Kept here, not only in the children's arguments: under spawn and forkserver a child
        # unpickles its locks after start() returns, and a lock the parent already dropped is gone.
        self.locks: dict[str, Any] = {}
        self._dirty = False

    def __enter__(self) -> Conductor:
        leftovers.warm_up(self.ctx)
        try:
            self.value = self.ctx.Value("q", self.program.initial)
            self.locks = {name: self.ctx.Lock() for name in self.program.lock_names}
            for index, steps in enumerate(self.program.workers):
                parent_end, child_end = self.ctx.Pipe()
                try:
                    self.group.start(
                        worker_main,
                        (steps, child_end, self.value, self.locks),
                        role=Role("explore-worker", index),
                    )
                except BaseException:
                    parent_end.close()
                    raise
                finally:
                    child_end.close()
                self.conns.append(parent_end)  # conns[i] always belongs to processes[i]
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Ask every worker to stop, then make sure of it (terminate, kill, join)."""
        deadline = Deadline(1.0)  # a healthy worker answers at once; the rest are terminated
        for index in range(len(self.conns)):
            try:
                self._ask(index, "stop", deadline)
            except (ConductorError, DeadlineExceeded, OSError):
                pass  # stop() below ends it anyway
        self.group.stop()
        for conn in self.conns:
            conn.close()
        self.conns = []
        self.locks = {}
        self.value = None

    def _ask(self, worker: int, word: str, deadline: Deadline) -> Any:
        """Send ``word`` to ``worker`` and wait for its reply, never past ``deadline``."""
        conn = self.conns[worker]
        process = self.group.processes[worker]
        try:
            conn.send(word)
        except OSError as exc:
            raise ConductorError(
                f"worker {worker} is gone ({exit_description(process.exitcode)})"
            ) from exc
        ready = connection.wait([conn, process.sentinel], deadline.remaining())
        if conn in ready:
            try:
                return conn.recv()
            except (EOFError, OSError):
                pass  # the worker died mid-answer; reported below
        if process.exitcode is not None or ready:
            process.join(1.0)
            raise ConductorError(f"worker {worker} died ({exit_description(process.exitcode)})")
        deadline.check(f"waiting for worker {worker} to answer {word!r}")
        raise DeadlineExceeded(f"worker {worker} did not answer {word!r} in time")

    def run(self, schedule: Sequence[int]) -> Run:
        """Grant turns in exactly the order of ``schedule`` and report what the workers did.

        If anything goes wrong (a worker died or did not answer in time), every worker is
        stopped: a half-answered conversation cannot be trusted for the next schedule.
        """
        if not self.conns:
            raise RuntimeError("use the Conductor in a with block (and not after a failed run)")
        schedule = require_schedule(self.program, schedule)
        try:
            return self._run(schedule)
        except BaseException:
            self.close()
            raise

    def _run(self, schedule: tuple[int, ...]) -> Run:
        deadline = Deadline(self.timeout)
        if self._dirty:
            for worker in range(self.program.procs):
                if self._ask(worker, "reset", deadline) != "ok":
                    raise ConductorError(f"worker {worker} did not reset")
        self.value.value = self.program.initial
        self._dirty = True
        pcs = [0] * self.program.procs
        turns = []
        for worker in schedule:
            status, read, wrote = self._ask(worker, "step", deadline)
            text = ""
            if status != FINISHED:
                text = str(self.program.workers[worker][pcs[worker]])
            if status == STEPPED:
                pcs[worker] += 1
            turns.append(Turn(worker, status, text, read, wrote))
        probes = {
            worker: self._ask(worker, "probe", deadline) for worker in range(self.program.procs)
        }
        final = self.value.value
        unfinished = [w for w, answer in probes.items() if answer != FINISHED]
        if not unfinished:
            return Run(tuple(turns), final, COMPLETE)
        if all(probes[w] == BLOCKED for w in unfinished):
            waiting = tuple((w, self.program.workers[w][pcs[w]].lock) for w in unfinished)
            return Run(tuple(turns), final, DEADLOCK, waiting)
        return Run(tuple(turns), final, INCOMPLETE)


def conduct(
    program: Program,
    schedule: Sequence[int],
    start_method: str = "fork",
    timeout: float = DEFAULT_TIMEOUT,
) -> Run:
    """Run one schedule on fresh worker processes (start them, run, stop and reap them)."""
    with Conductor(program, start_method, timeout) as conductor:
        return conductor.run(schedule)
