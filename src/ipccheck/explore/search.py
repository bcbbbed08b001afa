"""Finding bad schedules: Hypothesis search and shrinking, or exhaustive enumeration.

A schedule is *bad* when it deadlocks, or ends with a value that no serial order of the workers
gives (each worker running start to end alone). Serial runs are what the programmer had in mind;
anything else is a bug the interleaving exposed -- a lost update, a broken check-then-act.

Hypothesis does not draw schedules directly: it draws a list of *choices*, one per step, and
``resolve`` turns choice ``c`` into "the first worker at or after ``c`` (cyclically) that can
step". Every list of choices is then a complete, valid schedule, and Hypothesis's shrinker --
shorter lists, smaller numbers -- pushes toward worker 0 running as long as it can: the fewest
context switches. The shrunk choices resolve to the minimal bad schedule, e.g. ``0 1 0 1`` for
unlocked-increment (read, read, write, write).

All searching runs on the pure model (microseconds per schedule); the command then confirms the
schedule it found on real processes with the conductor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .._validate import require_count
from .model import COMPLETE, DEADLOCK, Machine, Run, run, serial_finals
from .steps import Program

DEFAULT_EXAMPLES = 300
MAX_EXAMPLES = 100_000
MAX_SCHEDULES = 100_000  # exhaustive mode gives up (with a clear error) beyond this


def resolve(program: Program, choices: Sequence[int]) -> tuple[int, ...]:
    """The complete schedule ``choices`` stand for (every entry a worker that can step).

    After the choices run out, the lowest-numbered worker that can step goes next, until every
    worker finished or none can step (a deadlock).
    """
    machine = Machine(program)
    procs = program.procs
    schedule: list[int] = []
    position = 0
    while True:
        choice = choices[position] % procs if position < len(choices) else 0
        position += 1
        for offset in range(procs):
            worker = (choice + offset) % procs
            if machine.can_step(worker):
                machine.turn(worker)
                schedule.append(worker)
                break
        else:
            return tuple(schedule)  # all finished, or deadlock


@dataclass(frozen=True)
class Verdict:
    """Whether a run is bad, and why in words."""

    bad: bool
    reason: str


def judge(program: Program, result: Run, serial: frozenset[int] | None = None) -> Verdict:
    """Bad if ``result`` deadlocked or ended with a value no serial order gives."""
    serial = serial_finals(program) if serial is None else serial
    expected = " or ".join(str(v) for v in sorted(serial))
    if result.status == DEADLOCK:
        waits = ", ".join(f"worker {w} waits for lock {lock}" for w, lock in result.waiting)
        return Verdict(True, f"deadlock: {waits}")
    if result.status != COMPLETE:
        return Verdict(False, "the schedule ended before every worker finished")
    if result.final not in serial:
        return Verdict(
            True,
            f"{program.breaks}: final value {result.final}, every serial order gives {expected}",
        )
    return Verdict(False, f"final value {result.final}, as a serial order gives")


def find_bad(program: Program, examples: int = DEFAULT_EXAMPLES) -> tuple[int, ...] | None:
    """Let Hypothesis search ``examples`` schedules and shrink the first bad one; None if none.

    Derandomized, with no example database: the same program gives the same answer every time,
    which a CI gate needs.
    """
    require_count("examples", examples, minimum=1, maximum=MAX_EXAMPLES)
    try:
        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis import strategies as st
        from hypothesis.errors import NoSuchExample
    except ImportError:
        raise MissingHypothesis(HYPOTHESIS_MISSING) from None
    serial = serial_finals(program)
    steps = program.total_steps
    choices = st.lists(
        st.integers(min_value=0, max_value=program.procs - 1), min_size=steps, max_size=steps
    )

    def is_bad(candidate: list[int]) -> bool:
        return judge(program, run(program, resolve(program, candidate)), serial).bad

    search_settings = settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    try:
        found = find(choices, is_bad, settings=search_settings)
    except NoSuchExample:
        return None
    return resolve(program, found)


class MissingHypothesis(ImportError):
    """Hypothesis is not installed; the command turns this into one line and exit code 2."""


HYPOTHESIS_MISSING = (
    "the explorer's search needs Hypothesis: pip install 'ipccheck[explore]' (or use --exhaustive)"
)


def require_hypothesis() -> None:
    """Raise MissingHypothesis now if the search could not run (Hypothesis is an extra)."""
    try:
        import hypothesis  # noqa: F401  (optional extra: imported only to see it is there)
    except ImportError:
        raise MissingHypothesis(HYPOTHESIS_MISSING) from None


def all_schedules(program: Program, limit: int | None = None) -> Iterator[tuple[int, ...]]:
    """Every complete or deadlocked schedule, in lexicographic order (depth first).

    Only workers that can step are branched on, so each schedule is a distinct interleaving of
    the workers' steps. Raises ValueError once more than ``limit`` have been produced.
    """
    for schedule, _ in _leaves(program, limit):
        yield schedule


def _leaves(program: Program, limit: int | None) -> Iterator[tuple[tuple[int, ...], Machine]]:
    """(schedule, machine at its end) for every interleaving, depth first."""
    limit = MAX_SCHEDULES if limit is None else limit
    count = 0
    stack: list[tuple[tuple[int, ...], Machine]] = [((), Machine(program))]
    while stack:
        prefix, machine = stack.pop()
        movable = [w for w in range(program.procs) if machine.can_step(w)]
        if not movable:
            count += 1
            if count > limit:
                raise ValueError(
                    f"more than {limit} interleavings; lower --procs or --iterations "
                    "for --exhaustive"
                )
            yield prefix, machine
            continue
        for worker in reversed(movable):  # pushed in reverse, so popped in worker order
            branch = machine.copy()
            branch.turn(worker)
            stack.append(((*prefix, worker), branch))


@dataclass(frozen=True)
class Census:
    """What exhaustive mode found: outcome -> number of schedules, and the minimal bad one.

    The minimal bad schedule is the shortest, and among the shortest the first in worker
    order: the same idea of "small" as Hypothesis's shrinker.
    """

    table: dict[str, int]  # final value (as text) or "deadlock" -> schedules
    total: int
    bad: int
    first_bad: tuple[int, ...] | None


def exhaustive(program: Program, limit: int | None = None) -> Census:
    """Run every interleaving on the model and count outcomes."""
    serial = serial_finals(program)
    table: dict[str, int] = {}
    total = bad = 0
    first_bad = None
    for schedule, machine in _leaves(program, limit):
        status, waiting = machine.status()
        result = Run((), machine.value, status, waiting)
        key = "deadlock" if result.status == DEADLOCK else str(result.final)
        table[key] = table.get(key, 0) + 1
        total += 1
        if judge(program, result, serial).bad:
            bad += 1
            if first_bad is None or len(schedule) < len(first_bad):
                first_bad = schedule  # schedules come in lexicographic order
    ordered = dict(sorted(table.items(), key=lambda kv: (kv[0] == "deadlock", _as_int(kv[0]))))
    return Census(ordered, total, bad, first_bad)


def _as_int(text: str) -> int:
    return int(text) if text != "deadlock" else 0
