"""Lost updates on a shared counter, shown three ways: forced, free-running, and fixed with a lock.

``v.value += 1`` is two steps, a read and then a write. Between them another worker can read
the same number; both then write ``read + 1`` and one increment is gone (read, read, write,
write). This module is a *demonstration*: the racy workers live here, apart from the reference
implementations in ``ipccheck.methods``, so nobody mistakes them for a pattern to copy.

Three modes over ``procs`` workers doing ``iterations`` increments each:

- ``forced``: every worker reads, all meet at a ``Barrier``, every worker writes ``read + 1``.
  The interleaving is no longer up to the scheduler, so the result is exact: ``iterations``,
  a loss of exactly ``(procs - 1) * iterations``, every run, under every start method.
- ``free``: real, unsynchronized ``counter.value += 1``. Whether and how much it loses depends
  on the OS scheduler; a run may lose nothing. Trials are graded like jcstress outcomes.
- ``locked``: the fix, ``with lock: counter.value += 1``; always ``procs * iterations``.

Three counters: ``value`` (``Value``: its read and its write each take the built-in lock, but
not the pair), ``raw-value`` (``RawValue``: no lock at all) and ``manager-value`` (a manager's
``Value``: a remote read then a remote write; it has no ``get_lock()``, so the fix is a
manager ``Lock``).

Which final values are possible? (``lowest_reachable``)
  Model each increment as an atomic read of the counter followed by an atomic write of
  ``read + 1`` (true for all three counters: ``Value`` locks each step, a manager serializes
  each call, and an aligned 8-byte ``RawValue`` load or store is not torn). The counter
  starts at 0 and there are ``W = procs * iterations`` writes.

  * Upper bound ``W``: every write stores one more than a value written earlier (or the
    initial 0), so the k-th write in the counter's order stores at most k.
  * One worker (``procs == 1``): nothing interleaves, the result is exactly ``iterations``.
  * Lower bound 1: the last write stores ``read + 1 >= 1``.
  * ``iterations == 1``: 1 is reachable: every worker reads 0, then every worker writes 1.
  * ``iterations >= 2`` (and ``procs >= 2``): the lowest value is 2, not 1. Whoever writes
    last, worker A say, did so in its final iteration, and the read of that iteration comes
    after A's own earlier write. From then on the counter holds at least 1 (every write stores
    at least 1), so A read at least 1 and wrote at least 2.
    And 2 is reachable: A reads 0; the other workers run all but B's last increment; A writes 1
    (wiping them out); B reads 1; A runs its remaining ``iterations - 1`` increments; B writes 2.

  So a final value outside ``[lowest_reachable, procs * iterations]`` is FORBIDDEN: no
  interleaving produces it, and seeing one means the counter itself is broken (torn or
  wrapped values, or a lost write of a kind ``+=`` cannot explain).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any

from ..._validate import (
    DEFAULT_TIMEOUT,
    MAX_BASE,
    MAX_PROCS,
    platform_default_start_method,
    require_choice,
    require_count,
    require_start_method,
    require_timeout,
)
from ...interrupts import running_manager
from ...processes import Deadline, DeadlineExceeded, ProcessGroup, Role

RACE_MODES: tuple[str, ...] = ("forced", "free", "locked")
COUNTERS: tuple[str, ...] = ("value", "raw-value", "manager-value")
MAX_TRIALS = 10_000

# Grades of one final value, after jcstress: the first three are acceptable outcomes.
EXACT = "exact"  # no update lost
LOST_UPDATES = "lost updates"  # free mode: reachable by some interleaving; the interesting result
AS_FORCED = "as forced"  # forced mode: exactly the loss the barrier forces
UNEXPECTED = "UNEXPECTED"  # reachable by a race, but this mode must not race
FORBIDDEN = "FORBIDDEN"  # no interleaving of read-then-write can produce this value
FAILED = "FAILED"  # the trial did not finish (deadline) or raised
ACCEPTABLE: frozenset[str] = frozenset({EXACT, LOST_UPDATES, AS_FORCED})

# Defaults chosen so one trial takes well under a second here yet the free race shows (measured
# with ``ipccheck race --mode free``); a barrier round costs ~1 ms, so ``forced`` does fewer.
DEFAULT_PROCS = 4
_DEFAULT_ITERATIONS = {
    ("forced", "value"): 200,
    ("forced", "raw-value"): 200,
    ("forced", "manager-value"): 100,
    ("free", "value"): 20_000,
    ("free", "raw-value"): 200_000,
    ("free", "manager-value"): 1_000,
    ("locked", "value"): 20_000,
    ("locked", "raw-value"): 200_000,
    ("locked", "manager-value"): 1_000,
}

WHY = (
    "why: `v.value += 1` is a read then a write; two workers read the same number, both write "
    "it + 1, and one increment is lost (read, read, write, write)."
)
FIX = {
    "value": "fix: `with v.get_lock(): v.value += 1` makes the read and the write one step.",
    "raw-value": "fix: a RawValue has no lock; share a Lock and do `with lock: v.value += 1`.",
    "manager-value": (
        "fix: a manager Value has no get_lock(); use `lock = manager.Lock()` and "
        "`with lock: v.value += 1`."
    ),
}


def default_iterations(mode: str, counter: str) -> int:
    """Increments per worker that make one trial of ``mode`` on ``counter`` quick but telling."""
    return _DEFAULT_ITERATIONS[
        require_choice("mode", mode, RACE_MODES), require_choice("counter", counter, COUNTERS)
    ]


def lowest_reachable(procs: int, iterations: int) -> int:
    """The smallest final value any interleaving of unlocked ``+= 1`` can leave (see above)."""
    if procs == 1 or iterations == 0:
        return iterations
    if iterations == 1:
        return 1
    return 2


def exact_value(mode: str, procs: int, iterations: int) -> int | None:
    """The one value ``mode`` must produce; None for ``free``, where any reachable value may."""
    if mode == "forced":
        return iterations
    if mode == "locked":
        return procs * iterations
    return None


def grade(mode: str, procs: int, iterations: int, observed: int) -> str:
    """Judge one final value: exact, lost updates, as forced, UNEXPECTED or FORBIDDEN."""
    if not lowest_reachable(procs, iterations) <= observed <= procs * iterations:
        return FORBIDDEN
    if mode == "forced":
        return AS_FORCED if observed == iterations else UNEXPECTED
    if observed == procs * iterations:
        return EXACT
    return LOST_UPDATES if mode == "free" else UNEXPECTED


@dataclass(frozen=True)
class Trial:
    """One run of the race: what was asked, the final counter value, and how long it took."""

    mode: str
    counter: str
    start_method: str
    procs: int
    iterations: int
    observed: int
    seconds: float = 0.0
    error: str | None = None

    @property
    def expected(self) -> int:
        """What a correct counter ends with: every increment counted."""
        return self.procs * self.iterations

    @property
    def lost(self) -> int:
        return self.expected - self.observed

    @property
    def exact(self) -> int | None:
        return exact_value(self.mode, self.procs, self.iterations)

    @property
    def grade(self) -> str:
        if self.error is not None:
            return FAILED
        return grade(self.mode, self.procs, self.iterations, self.observed)

    @property
    def ok(self) -> bool:
        """Acceptable: never FORBIDDEN, and forced/locked gave their one exact value."""
        return self.grade in ACCEPTABLE

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            expected=self.expected,
            lost=self.lost,
            exact=self.exact,
            grade=self.grade,
            ok=self.ok,
            seconds=round(self.seconds, 6),
        )
        return data


# --- workers: module-level so spawn and forkserver children can import them -----------------


def free_worker(counter, iterations: int) -> None:  # type: ignore[no-untyped-def]
    """The racy pattern the tutorials show: read, add one, write, with nothing held."""
    for _ in range(iterations):
        counter.value += 1


def forced_worker(counter, barrier, iterations: int, timeout: float) -> None:  # type: ignore[no-untyped-def]
    """Read, wait until every worker has read, then write what was read plus one.

    In round k every worker reads k: each read follows the reader's own write of round k - 1
    (so it sees at least k), and no write of round k can happen before every worker has passed
    the barrier, i.e. has read. So all write k + 1, and each round counts once instead of
    ``procs`` times. One barrier per round is enough.
    """
    for _ in range(iterations):
        seen = counter.value
        barrier.wait(timeout)
        counter.value = seen + 1


def locked_worker(counter, lock, iterations: int) -> None:  # type: ignore[no-untyped-def]
    """The fix: the read and the write happen while holding one lock, so nobody slips between."""
    for _ in range(iterations):
        with lock:
            counter.value += 1


# --- running trials ---------------------------------------------------------------------------


def run_trial(
    mode: str,
    counter: str = "value",
    procs: int = DEFAULT_PROCS,
    iterations: int | None = None,
    start_method: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Trial:
    """Run ``procs`` workers racing on one fresh counter and return its final value.

    Never hangs: the workers run under a deadline and are stopped on every path; a trial that
    does not finish comes back with ``error`` set (graded FAILED) instead of raising.
    """
    mode, counter, procs, iterations, start_method, timeout = require_race(
        mode, counter, procs, iterations, start_method, timeout
    )
    ctx = multiprocessing.get_context(start_method)
    started = time.perf_counter()
    error: str | None = None
    observed = 0
    with ExitStack() as stack:
        if counter == "manager-value":
            manager = stack.enter_context(running_manager(ctx.Manager))  # shut down on leaving the block
            shared = manager.Value("q", 0)
            lock = manager.Lock()
        elif counter == "raw-value":
            shared = ctx.RawValue("q", 0)  # 'q': 64 bits, so no total here can wrap
            lock = ctx.Lock()
        else:
            shared = ctx.Value("q", 0)
            lock = shared.get_lock()
        group = stack.enter_context(ProcessGroup(ctx))
        deadline = Deadline(timeout)
        if mode == "free":
            target, args = free_worker, (shared, iterations)
        elif mode == "forced":
            target, args = forced_worker, (shared, ctx.Barrier(procs), iterations, timeout)
        else:
            target, args = locked_worker, (shared, lock, iterations)
        try:
            for index in range(procs):
                group.start(target, args, role=Role(f"{mode}-worker", index))
            group.join(deadline)
            bad = {name: code for name, code in group.exitcodes().items() if code != 0}
            if bad:
                error = f"workers did not exit cleanly: {bad}"
        except DeadlineExceeded as exc:
            error = str(exc)
        observed = shared.value
    return Trial(
        mode=mode,
        counter=counter,
        start_method=start_method,
        procs=procs,
        iterations=iterations,
        observed=observed,
        seconds=time.perf_counter() - started,
        error=error,
    )


def require_race(
    mode: object,
    counter: object,
    procs: object,
    iterations: object,
    start_method: object,
    timeout: object,
) -> tuple[str, str, int, int, str, float]:
    """Validate the parameters of a trial (one-line ValueError/TypeError); fill in defaults."""
    require_choice("mode", mode, RACE_MODES)
    require_choice("counter", counter, COUNTERS)
    require_count("procs", procs, minimum=1, maximum=MAX_PROCS)
    if iterations is None:
        iterations = default_iterations(mode, counter)  # type: ignore[arg-type]
    require_count("iterations", iterations, minimum=1, maximum=MAX_BASE)
    if start_method is None:
        start_method = platform_default_start_method()
    require_start_method(start_method)
    return (mode, counter, procs, iterations, start_method, require_timeout(timeout))  # type: ignore[return-value]


def run_trials(
    mode: str,
    counter: str = "value",
    procs: int = DEFAULT_PROCS,
    iterations: int | None = None,
    trials: int = 5,
    start_method: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Trial]:
    """``trials`` independent trials of the same race, each on a fresh counter."""
    require_race(mode, counter, procs, iterations, start_method, timeout)
    require_count("trials", trials, minimum=1, maximum=MAX_TRIALS)
    return [
        run_trial(mode, counter, procs, iterations, start_method, timeout) for _ in range(trials)
    ]


def loses_within(
    counter: str = "value",
    procs: int = DEFAULT_PROCS,
    start_method: str | None = None,
    first: int | None = None,
    attempts: int = 6,
    growth: int = 4,
) -> list[Trial]:
    """Free-run bigger and bigger races until one loses an update; return the trials run.

    A free-running race can lose nothing on any single run, so instead of asserting on one run
    this grows the work per worker (``first``, ``first * growth``, ...) for at most ``attempts``
    runs. The last trial in the list lost updates, unless the budget ran out.
    """
    require_count("attempts", attempts, minimum=1, maximum=20)
    require_count("growth", growth, minimum=1, maximum=100)
    iterations = first if first is not None else default_iterations("free", counter)
    done: list[Trial] = []
    for _ in range(attempts):
        trial = run_trial("free", counter, procs, min(iterations, MAX_BASE), start_method)
        done.append(trial)
        if trial.lost > 0 or trial.error is not None:
            break
        iterations *= growth
    return done


@dataclass(frozen=True)
class OutcomeRow:
    """One line of the outcome table: a final value, how often it came, and its grade."""

    observed: int
    lost: int
    count: int
    grade: str


def outcome_table(trials: Iterable[Trial]) -> list[OutcomeRow]:
    """Each distinct final value of ``trials`` (all of one race), highest first, with its count."""
    counts = Counter((t.observed, t.lost, t.grade) for t in trials)
    return [
        OutcomeRow(observed, lost, count, grade)
        for (observed, lost, grade), count in sorted(counts.items(), key=lambda item: -item[0][0])
    ]


def format_race(trials: Sequence[Trial]) -> str:
    """The human report of one race: a title line and its outcome table."""
    first = trials[0]
    title = (
        f"{first.mode} · {first.counter} · {first.start_method} · "
        f"{first.procs} procs × {first.iterations} increments · {len(trials)} trial(s)"
    )
    exact = first.exact
    must = (
        f"must end at {exact}"
        if exact is not None
        else (f"reachable: {lowest_reachable(first.procs, first.iterations)}..{first.expected}")
    )
    lines = [title, f"  expected {first.expected} if nothing is lost; {must}"]
    lines.append(f"  {'observed':>10}  {'lost':>10}  {'trials':>6}  grade")
    for row in outcome_table(trials):
        lines.append(f"  {row.observed:>10}  {row.lost:>10}  {row.count:>6}  {row.grade}")
    for trial in trials:
        if trial.error is not None:
            lines.append(f"  error: {trial.error}")
    return "\n".join(lines)
