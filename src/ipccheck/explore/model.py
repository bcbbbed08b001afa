"""The pure model: what a program does under a schedule, computed without any process.

The model and the conductor are written independently and must agree turn by turn (the
conductor is faithful: ``tests/explore/test_conductor.py``). The explorer searches schedules on
the model (it is thousands of times cheaper than processes) and confirms what it found on real
processes.

A *schedule* is a sequence of worker ids; each id grants that worker one turn. A turn either
takes the worker's next step, or reports that the worker is ``blocked`` (its next step takes a
lock someone holds; nothing changes) or ``finished`` (no steps left).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import permutations

from .steps import Program

STEPPED, BLOCKED, FINISHED = "stepped", "blocked", "finished"
COMPLETE, DEADLOCK, INCOMPLETE = "complete", "deadlock", "incomplete"


@dataclass(frozen=True)
class Turn:
    """What one granted turn did: the step taken (or tried), the value read and written."""

    worker: int
    status: str  # STEPPED, BLOCKED or FINISHED
    step: str  # the step's text ("" when FINISHED)
    read: int | None = None  # the shared value this step saw (read, check, act)
    wrote: int | None = None  # the shared value this step stored (write, act that fired)


@dataclass(frozen=True)
class Run:
    """Everything one schedule did, in a form both the model and the conductor produce."""

    turns: tuple[Turn, ...]
    final: int  # the shared value at the end
    status: str  # COMPLETE (all finished), DEADLOCK (no one can step) or INCOMPLETE
    waiting: tuple[tuple[int, str], ...] = ()  # DEADLOCK: (worker, lock it waits for)

    @property
    def schedule(self) -> tuple[int, ...]:
        return tuple(turn.worker for turn in self.turns)


class Machine:
    """The state of a program part-way through a schedule; ``turn(w)`` advances it."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.value = program.initial
        self.pc = [0] * program.procs
        self.register = [0] * program.procs
        self.flag = [False] * program.procs
        self.holder: dict[str, int] = {}  # lock name -> worker holding it

    def copy(self) -> Machine:
        """An independent copy, so a search can branch without replaying from the start."""
        twin = Machine.__new__(Machine)
        twin.program = self.program
        twin.value = self.value
        twin.pc = list(self.pc)
        twin.register = list(self.register)
        twin.flag = list(self.flag)
        twin.holder = dict(self.holder)
        return twin

    def finished(self, worker: int) -> bool:
        return self.pc[worker] >= len(self.program.workers[worker])

    def waits_for(self, worker: int) -> str | None:
        """The lock ``worker``'s next step needs and someone holds, or None if it can step."""
        if self.finished(worker):
            return None
        step = self.program.workers[worker][self.pc[worker]]
        if step.op == "lock" and step.lock in self.holder:
            return step.lock
        return None

    def can_step(self, worker: int) -> bool:
        return not self.finished(worker) and self.waits_for(worker) is None

    def turn(self, worker: int) -> Turn:
        """Grant ``worker`` one turn."""
        if self.finished(worker):
            return Turn(worker, FINISHED, "")
        step = self.program.workers[worker][self.pc[worker]]
        if self.waits_for(worker) is not None:
            return Turn(worker, BLOCKED, str(step))
        read = wrote = None
        if step.op == "read":
            read = self.register[worker] = self.value
        elif step.op == "write":
            wrote = step.number if step.absolute else self.register[worker] + step.number
        elif step.op == "lock":
            self.holder[step.lock] = worker
        elif step.op == "unlock":
            del self.holder[step.lock]
        elif step.op == "check":
            read = self.value
            self.flag[worker] = self.value == step.number
        elif step.op == "act":
            read = self.value
            if self.flag[worker]:
                wrote = self.value + step.number
        if wrote is not None:
            self.value = wrote
        self.pc[worker] += 1
        return Turn(worker, STEPPED, str(step), read, wrote)

    def status(self) -> tuple[str, tuple[tuple[int, str], ...]]:
        """COMPLETE, DEADLOCK (with who waits for what) or INCOMPLETE, as of now."""
        unfinished = [w for w in range(self.program.procs) if not self.finished(w)]
        if not unfinished:
            return COMPLETE, ()
        waiting = [(w, self.waits_for(w)) for w in unfinished]
        if all(lock is not None for _, lock in waiting):
            return DEADLOCK, tuple((w, str(lock)) for w, lock in waiting)
        return INCOMPLETE, ()


def require_schedule(program: Program, schedule: Iterable[object]) -> tuple[int, ...]:
    """The schedule as a tuple of valid worker ids, or a one-line error."""
    result = []
    for item in schedule:
        if isinstance(item, bool) or not isinstance(item, int):
            raise TypeError(f"a schedule holds worker ids, got {type(item).__name__} {item!r}")
        if not 0 <= item < program.procs:
            raise ValueError(f"worker {item} does not exist; the program has {program.procs}")
        result.append(item)
    return tuple(result)


def run(program: Program, schedule: Sequence[int]) -> Run:
    """Predict what ``schedule`` does to ``program``: every turn, the final value, the status."""
    machine = Machine(program)
    turns = tuple(machine.turn(worker) for worker in require_schedule(program, schedule))
    status, waiting = machine.status()
    return Run(turns, machine.value, status, waiting)


def serial_finals(program: Program) -> frozenset[int]:
    """The final values of every serial order (each worker runs alone, start to end).

    These are the results a correct program must be limited to; anything else (or a deadlock)
    is what an interleaving broke. Workers with identical programs give identical orders, so
    only distinct orders are run.
    """
    finals = set()
    seen = set()
    for order in permutations(range(program.procs)):
        key = tuple(program.workers[w] for w in order)
        if key in seen:
            continue
        seen.add(key)
        schedule = [w for w in order for _ in program.workers[w]]
        result = run(program, schedule)
        assert result.status == COMPLETE, "validated programs always finish when run serially"
        finals.add(result.final)
    return frozenset(finals)
