"""The Wing–Gong search for a linearization, plain and with Lowe's memoisation.

A history is linearizable when its operations can be put in one order that respects real
time (an operation that returned before another was called comes first) and that the
sequential model accepts, step by step. Wing and Gong search for that order depth first: at
each point any operation that no waiting operation must precede may go next; apply it to the
model; on a dead end, undo the last choice and try the next one. In the worst case that is
exponential in the number of overlapping operations.

Lowe's improvement remembers every configuration already explored: the set of operations
linearized so far and the model state after them. Reaching the same configuration by another
route cannot succeed where the first failed, so the search skips it. Here the set is kept as
one counter per process ("the first k operations of process p have taken effect"): a process
makes one call at a time, so its operations always take effect in its own order, and those
counters name exactly the same set as Lowe's bitset, in a few bytes.

Both searches are iterative (a real history is far deeper than Python's recursion limit) and
stop after ``budget`` seconds with no verdict rather than run on. Among the operations that
may go next they try first the one that returned earliest: it has the least room to wait,
while an operation whose process was descheduled mid-call (its interval spans many others)
is tried late, near where it most likely took effect. On 8-process queue histories that
order finished in seconds where earliest-call-first did not finish in minutes.
"""

from __future__ import annotations

import time
from typing import Any

from .history import History, Operation, describe
from .models import Model
from .verdict import Verdict

# How many steps between two looks at the clock.
CLOCK_EVERY = 1024

# A return time later than any real one: what a finished process is waiting for.
_NEVER = 2**63

# A path through the search, newest step first: (operation, rest of the path), or None.
Path = tuple[Operation, Any] | None


def _unwind(path: Path) -> tuple[Operation, ...]:
    ops: list[Operation] = []
    while path is not None:
        op, path = path
        ops.append(op)
    return tuple(reversed(ops))


def wing_gong(history: History, model: Model, *, budget: float | None = None) -> Verdict:
    """The plain Wing–Gong search: correct, exponential when operations overlap a lot."""
    return _search(history, model, memoise=False, budget=budget, checker="wing-gong")


def wing_gong_lowe(history: History, model: Model, *, budget: float | None = None) -> Verdict:
    """Wing–Gong with Lowe's memoisation of (linearized set, state): the default checker."""
    return _search(history, model, memoise=True, budget=budget, checker="wing-gong-lowe")


def _search(
    history: History, model: Model, *, memoise: bool, budget: float | None, checker: str
) -> Verdict:
    started = time.perf_counter()
    give_up = None if budget is None else time.monotonic() + budget
    lanes = [history.lanes[p] for p in history.processes]
    ends = tuple(len(lane) for lane in lanes)
    calls = [[op.call for op in lane] + [0] for lane in lanes]  # + a sentinel past the end
    rets = [[op.ret for op in lane] + [_NEVER] for lane in lanes]
    indices = range(len(lanes))

    def candidates(frontier: tuple[int, ...]) -> list[int]:
        """Processes whose next operation may take effect now, the one that returned first first.

        An operation may go next unless a waiting operation returned before it was called:
        so unless its call is later than the earliest return among the waiting operations.
        """
        horizon = min([rets[p][frontier[p]] for p in indices], default=_NEVER)
        ready = [p for p in indices if frontier[p] < ends[p] and calls[p][frontier[p]] <= horizon]
        ready.sort(key=lambda p: rets[p][frontier[p]])
        return ready

    start = tuple(0 for _ in lanes)
    seen: set[tuple[tuple[int, ...], Any]] = set()
    deepest: tuple[int, tuple[int, ...], Any, Path] = (0, start, model.initial, None)
    # Each frame: [frontier, state, candidates, next candidate to try, path to here].
    stack: list[list[Any]] = [[start, model.initial, candidates(start), 0, None]]
    steps = 0
    while stack:
        frame = stack[-1]
        frontier, state, ready, tried, path = frame
        if tried == len(ready):
            stack.pop()
            continue
        frame[3] = tried + 1
        process = ready[tried]
        op = lanes[process][frontier[process]]
        steps += 1
        if give_up is not None and steps % CLOCK_EVERY == 0 and time.monotonic() > give_up:
            return Verdict(None, checker, len(history), explored=steps,
                           seconds=time.perf_counter() - started)
        ok, after = model.step(state, op)
        if not ok:
            continue
        advanced = frontier[:process] + (frontier[process] + 1,) + frontier[process + 1:]
        if memoise:
            key = (advanced, after)
            if key in seen:
                continue
            seen.add(key)
        here: Path = (op, path)
        if advanced == ends:
            return Verdict(True, checker, len(history), order=_unwind(here), explored=steps,
                           seconds=time.perf_counter() - started)
        if len(stack) > deepest[0]:
            deepest = (len(stack), advanced, after, here)
        stack.append([advanced, after, candidates(advanced), 0, here])
    if not lanes or all(end == 0 for end in ends):  # nothing to order
        return Verdict(True, checker, 0, seconds=time.perf_counter() - started)
    return _failure(history, model, lanes, deepest, checker, steps, time.perf_counter() - started)


def _failure(
    history: History,
    model: Model,
    lanes: list[tuple[Operation, ...]],
    deepest: tuple[int, tuple[int, ...], Any, Path],
    checker: str,
    steps: int,
    seconds: float,
) -> Verdict:
    """Explain a failed search from its deepest point.

    There, every operation that could go next was rejected by the model (one it accepted would
    have led deeper). The culprit is the waiting operation that returned first: every later
    call must follow it, and it cannot take effect in the state the longest valid order left.
    """
    _, frontier, state, path = deepest
    waiting = [lanes[p][i] for p, i in enumerate(frontier) if i < len(lanes[p])]
    culprit = min(waiting, key=lambda op: op.ret)
    prefix = _unwind(path)
    explanation = (
        f"The longest valid order has {len(prefix)} of {len(history)} operations and leaves "
        f"the {model.describe(state)}; {describe(culprit, history.start)} cannot take effect "
        "there, and neither can any other operation that could go before it."
    )
    return Verdict(False, checker, len(history), order=prefix, culprit=culprit,
                   evidence=prefix + (culprit,), explanation=explanation, state=state,
                   explored=steps, seconds=seconds)
