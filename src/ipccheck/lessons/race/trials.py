"""Running the race: workers that increment one shared counter, and the record of each trial.

The racy workers live here, apart from the reference implementations in ``ipccheck.methods``,
so nobody mistakes them for a pattern to copy. Every trial starts its workers in a
``ProcessGroup`` under a deadline, on a context it was given (never the process-wide default).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import asdict, dataclass
from multiprocessing.synchronize import Barrier
from typing import Any, Protocol

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
from .theory import ACCEPTABLE, FAILED, RACE_MODES, exact_value, grade

COUNTERS: tuple[str, ...] = ("value", "raw-value", "manager-value")
MAX_TRIALS = 10_000

# Defaults chosen so one trial takes well under a second here yet the free race shows (measured
# with ``ipccheck race --mode free``); a barrier round costs ~1 ms, so ``forced`` does fewer.
DEFAULT_PROCS = 4
DEFAULT_TRIALS = 3  # ``ipccheck race`` runs 3 modes x every start method: keep the lesson quick
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


class SharedCounter(Protocol):
    """What all three counters offer: a ``value`` read and a ``value`` write, two steps."""

    value: int


# A lock as the workers use it: ``with lock:``. A context's Lock, a Value's own lock and a
# manager's Lock proxy all fit.
LockLike = AbstractContextManager[object]


def default_iterations(mode: str, counter: str) -> int:
    """Increments per worker that make one trial of ``mode`` on ``counter`` quick but telling."""
    return _DEFAULT_ITERATIONS[
        require_choice("mode", mode, RACE_MODES), require_choice("counter", counter, COUNTERS)
    ]


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


def free_worker(counter: SharedCounter, iterations: int) -> None:
    """The racy pattern the tutorials show: read, add one, write, with nothing held."""
    for _ in range(iterations):
        counter.value += 1


def forced_worker(counter: SharedCounter, barrier: Barrier, iterations: int, timeout: float) -> None:
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


def locked_worker(counter: SharedCounter, lock: LockLike, iterations: int) -> None:
    """The fix: the read and the write happen while holding one lock, so nobody slips between."""
    for _ in range(iterations):
        with lock:
            counter.value += 1


# --- running trials ---------------------------------------------------------------------------


def require_race(
    mode: object,
    counter: object,
    procs: object,
    iterations: object,
    start_method: object,
    timeout: object,
) -> tuple[str, str, int, int, str, float]:
    """Validate the parameters of a trial (one-line ValueError/TypeError); fill in defaults."""
    checked_mode = require_choice("mode", mode, RACE_MODES)
    checked_counter = require_choice("counter", counter, COUNTERS)
    if iterations is None:
        iterations = default_iterations(checked_mode, checked_counter)
    if start_method is None:
        start_method = platform_default_start_method()  # read, never fixed process-wide
    return (
        checked_mode,
        checked_counter,
        require_count("procs", procs, minimum=1, maximum=MAX_PROCS),
        require_count("iterations", iterations, minimum=1, maximum=MAX_BASE),
        require_start_method(start_method),
        require_timeout(timeout),
    )


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
    shared: SharedCounter
    lock: LockLike
    with ExitStack() as stack:
        if counter == "manager-value":
            manager = stack.enter_context(running_manager(ctx.Manager))  # shut down on leaving the block
            shared = manager.Value("q", 0)
            lock = manager.Lock()
        elif counter == "raw-value":
            shared = ctx.RawValue("q", 0)  # 'q': 64 bits, so no total here can wrap
            lock = ctx.Lock()
        else:
            value = ctx.Value("q", 0)
            shared, lock = value, value.get_lock()
        group = stack.enter_context(ProcessGroup(ctx))
        deadline = Deadline(timeout)
        target: Callable[..., None]
        args: tuple[object, ...]
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


def run_trials(
    mode: str,
    counter: str = "value",
    procs: int = DEFAULT_PROCS,
    iterations: int | None = None,
    trials: int = DEFAULT_TRIALS,
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
    require_race("free", counter, procs, iterations, start_method, DEFAULT_TIMEOUT)
    done: list[Trial] = []
    for _ in range(attempts):
        trial = run_trial("free", counter, procs, min(iterations, MAX_BASE), start_method)
        done.append(trial)
        if trial.lost > 0 or trial.error is not None:
            break
        iterations *= growth
    return done
