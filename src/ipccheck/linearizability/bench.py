"""The checker benchmark: memoised search, plain search and the unique-values queue check,
side by side on the same recorded histories.

Histories are recorded from real processes (``execute`` with one long scenario): a
``multiprocessing.Queue`` that every process puts unique values into and gets from in turn,
and a ``Value`` counter under its lock that every process increments, fetch-adds and reads.
Each checker then judges the same history in the same run, one after the other; a search
that does not finish within ``budget`` seconds is reported as such, not waited for.

    python -m ipccheck.linearizability.bench [--sizes 100,1000,10000,100000] [--procs 2,4,8]

This is not a timed test: the machine is shared and its speed varies, which is why only
ratios measured in one run are compared.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .._validate import require_choice, require_count, require_start_method
from ..processes import Deadline
from .checkers import linearize
from .execute import execute
from .history import History
from .kinds import KINDS
from .scenario import Call, Scenario
from .stdlib import LockedCounter, queue_factory, simple_queue_factory
from .verdict import Verdict

SIZES = (100, 1_000, 10_000, 100_000)
PROCESSES = (2, 4, 8)
BUDGET = 60.0  # seconds a search may take on one history before it is reported unfinished
RECORD_SECONDS = 600.0  # the deadline for recording one history
QUEUE_CHECKERS = ("unique-queue", "wing-gong-lowe", "wing-gong")
# Each kind of history: the object it is recorded from, its kind, and the checkers that apply.
OBJECTS = {
    "queue": (queue_factory, "queue", QUEUE_CHECKERS),
    "simple-queue": (simple_queue_factory, "queue", QUEUE_CHECKERS),
    "counter": (LockedCounter, "counter", ("wing-gong-lowe", "wing-gong")),
}


def workload(kind: str, processes: int, operations: int) -> Scenario:
    """Every process does its share of ``operations``: queue put/get in turn (unique values),
    counter fetch_add/increment/read in turn."""
    share = max(1, operations // processes)
    numbered = 0
    parts = []
    for _ in range(processes):
        calls = []
        for i in range(share):
            if kind == "queue":
                if i % 2 == 0:
                    numbered += 1
                    calls.append(Call("put", (numbered,)))
                else:
                    calls.append(Call("get"))
            else:
                calls.append([Call("fetch_add", (1,)), Call("increment"), Call("read")][i % 3])
        parts.append(tuple(calls))
    return Scenario(tuple(parts))


def record(name: str, processes: int, operations: int, start_method: str = "fork") -> History:
    """A real history of ``operations`` operations from ``processes`` processes on ``name``."""
    factory, kind, _ = OBJECTS[name]
    ctx = multiprocessing.get_context(start_method)
    return execute(workload(kind, processes, operations), KINDS[kind], factory, ctx,
                   Deadline(RECORD_SECONDS))


@dataclass(frozen=True)
class Row:
    kind: str
    processes: int
    history: History
    verdicts: dict[str, Verdict]


def measure(history: History, name: str, budget: float) -> dict[str, Verdict]:
    """Each checker on the same history, one after the other."""
    _, kind, checkers = OBJECTS[name]
    model = KINDS[kind].model
    return {checker: linearize(history, model, checker=checker, budget=budget)
            for checker in checkers}


def cell(verdict: Verdict) -> str:
    if verdict.linearizable is None:
        return f"did not finish in {verdict.seconds:.0f} s"
    answer = "ok" if verdict.linearizable else "NOT"
    return f"{verdict.seconds:9.3f} s {answer}"


def render(rows: Sequence[Row]) -> str:
    """A table: one row per history, one column per checker, then plain/memoised."""
    names = ("unique-queue", "wing-gong-lowe", "wing-gong")
    lines = [f"{'history of':<14}{'procs':>6}{'ops':>9}  " + "".join(f"{n:>26}" for n in names)
             + f"{'plain/memo':>12}"]
    for row in rows:
        cells = [cell(row.verdicts[n]) if n in row.verdicts else "-" for n in names]
        memo, plain = row.verdicts["wing-gong-lowe"], row.verdicts["wing-gong"]
        ratio = plain.seconds / memo.seconds if memo.seconds > 0 else float("inf")
        shown = f"{ratio:.1f}x" if plain.finished else f">{ratio:.0f}x"
        lines.append(f"{row.kind:<14}{row.processes:>6}{len(row.history):>9}  "
                     + "".join(f"{c:>26}" for c in cells) + f"{shown:>12}")
    return "\n".join(lines)


def benchmark(kinds: Sequence[str], sizes: Sequence[int], processes: Sequence[int],
              budget: float, start_method: str = "fork") -> list[Row]:
    rows = []
    for kind in kinds:
        for procs in processes:
            for size in sizes:
                history = record(kind, procs, size, start_method)
                rows.append(Row(kind, procs, history, measure(history, kind, budget)))
                print(render(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="queue,counter", help="queue,counter")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="operations per history")
    parser.add_argument("--procs", default=",".join(map(str, PROCESSES)), help="processes")
    parser.add_argument("--budget", type=float, default=BUDGET, help="seconds per search")
    parser.add_argument("--start-method", default="fork")
    args = parser.parse_args(argv)
    try:
        kinds = [require_choice("kind", k, OBJECTS) for k in args.kinds.split(",")]
        sizes = [require_count("size", int(s), minimum=1, maximum=1_000_000) for s in args.sizes.split(",")]
        procs = [require_count("procs", int(p), minimum=1, maximum=64) for p in args.procs.split(",")]
        method = require_start_method(args.start_method)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    print(render(benchmark(kinds, sizes, procs, args.budget, method)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
