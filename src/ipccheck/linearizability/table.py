"""The standard library's own table: which operations of which object are linearizable here.

Each row is one object and one operation set. ``verify_linearizable`` searches scenarios on
it (the budget is in the table); for a row that is not linearizable, the minimal scenario it
found is run again ``rate_runs`` times to say how often it fails. One known case, a parent's
``Queue.put`` of a large item followed by a child's ``get_nowait``, is run as written.

    python -m ipccheck.linearizability.table [--start-method fork] [--rows queue-get_nowait,...]
    python -m ipccheck.linearizability.table --put-then-get-nowait 200 --payload 200000

Manager-made objects share one manager per start method, started with Ctrl-C deferred and
always shut down (``running_manager``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._validate import require_choice, require_count, require_start_method
from ..interrupts import running_manager
from .kinds import KINDS
from .report import NotLinearizable
from .scenario import scenario
from .stdlib import (
    LockedCounter,
    UnlockedCounter,
    joinable_queue_factory,
    manager_factory,
    queue_factory,
    simple_queue_factory,
)
from .stress import Rate, failure_rate
from .timeline import render
from .verify import verify_linearizable

# (row name, object, kind, operations); a factory name starting "manager:" needs the manager.
ROWS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("queue-get", "Queue", "queue", ("put", "get")),
    ("queue-get_nowait", "Queue", "queue", ("put", "get_nowait")),
    ("queue-empty", "Queue", "queue", ("put", "get", "empty")),
    ("queue-qsize", "Queue", "queue", ("put", "get", "qsize")),
    ("simple-queue", "SimpleQueue", "queue", ("put", "get", "empty")),
    ("joinable-queue", "JoinableQueue", "queue", ("put", "get", "get_nowait")),
    ("manager-queue", "manager:queue", "queue", ("put", "get", "get_nowait", "empty", "qsize")),
    ("locked-value", "LockedCounter", "counter", ("increment", "read", "fetch_add")),
    ("unlocked-value", "UnlockedCounter", "counter", ("increment", "read", "fetch_add")),
    ("manager-dict", "manager:dict", "dict", ("get", "set")),
    ("manager-dict-cas", "manager:composed-dict", "dict", ("get", "set", "cas")),
    ("manager-dict-locked", "manager:locked-dict", "dict", ("get", "set", "cas")),
)
FACTORIES: dict[str, Callable[..., Any]] = {
    "Queue": queue_factory,
    "SimpleQueue": simple_queue_factory,
    "JoinableQueue": joinable_queue_factory,
    "LockedCounter": LockedCounter,
    "UnlockedCounter": UnlockedCounter,
}
EXAMPLES, STRESS, RATE_RUNS = 20, 20, 200


@dataclass(frozen=True)
class Result:
    row: str
    obj: str
    operations: tuple[str, ...]
    start_method: str
    runs: int
    seconds: float
    failure: NotLinearizable | None = None
    rate: Rate | None = None

    def line(self) -> str:
        verdict = "linearizable" if self.failure is None else "NOT linearizable"
        counts = f"{self.runs} runs" if self.rate is None else f"{self.rate}"
        return (f"{self.row:<20} {self.obj:<22} {','.join(self.operations):<34} "
                f"{self.start_method:<11} {verdict:<17} {counts} ({self.seconds:.0f} s)")


def run_row(row: str, factory: Callable[..., Any], start_method: str, *, examples: int,
            stress_runs: int, rate_runs: int) -> Result:
    """Search one row; when it fails, measure how often its minimal scenario fails."""
    _, obj, kind, operations = next(r for r in ROWS if r[0] == row)
    started = time.perf_counter()
    try:
        passed = verify_linearizable(factory, kind, operations=operations,
                                     start_methods=[start_method], max_examples=examples,
                                     stress_runs=stress_runs)
    except NotLinearizable as failure:
        rate = failure_rate(failure.trial.scenario, KINDS[kind], factory, start_method,
                            runs=rate_runs)
        return Result(row, obj, operations, start_method, failure.trial.runs,
                      time.perf_counter() - started, failure, rate)
    return Result(row, obj, operations, start_method, passed.runs, time.perf_counter() - started)


def table(rows: Sequence[str], start_method: str, *, examples: int = EXAMPLES,
          stress_runs: int = STRESS, rate_runs: int = RATE_RUNS) -> list[Result]:
    ctx = multiprocessing.get_context(start_method)
    results = []
    with running_manager(ctx.Manager) as manager:
        for row in rows:
            obj = next(r for r in ROWS if r[0] == row)[1]
            factory = (manager_factory(manager, obj.split(":", 1)[1]) if obj.startswith("manager:")
                       else FACTORIES[obj])
            result = run_row(row, factory, start_method, examples=examples,
                             stress_runs=stress_runs, rate_runs=rate_runs)
            print(result.line(), file=sys.stderr, flush=True)
            results.append(result)
    return results


def put_then_get_nowait(start_method: str, runs: int, payload: int) -> Rate:
    """The parent puts one item (``payload`` ints), then a child calls ``get_nowait``."""
    case = scenario(["get_nowait"], setup=["put"], payload=payload)
    return failure_rate(case, KINDS["queue"], queue_factory, start_method, runs=runs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start-method", default="fork")
    parser.add_argument("--rows", default=",".join(r[0] for r in ROWS))
    parser.add_argument("--examples", type=int, default=EXAMPLES, help="scenarios per row")
    parser.add_argument("--stress", type=int, default=STRESS, help="runs per scenario")
    parser.add_argument("--rate-runs", type=int, default=RATE_RUNS,
                        help="runs of a failing row's minimal scenario, to count failures")
    parser.add_argument("--put-then-get-nowait", type=int, metavar="RUNS",
                        help="only run the Queue put -> get_nowait case RUNS times")
    parser.add_argument("--payload", type=int, default=200_000, help="ints per item (that case)")
    args = parser.parse_args(argv)
    try:
        method = require_start_method(args.start_method)
        rows = [require_choice("row", row, [r[0] for r in ROWS]) for row in args.rows.split(",")]
        for name in ("examples", "stress", "rate_runs", "payload"):
            require_count(name, getattr(args, name), minimum=0 if name == "payload" else 1,
                          maximum=10_000_000)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    if args.put_then_get_nowait:
        rate = put_then_get_nowait(method, args.put_then_get_nowait, args.payload)
        print(f"{rate.scenario}\n{rate}")
        if rate.example and rate.example.history and rate.example.verdict:
            print(render(rate.example.history, rate.example.verdict.culprit))
            print(rate.example.verdict.report(rate.example.history.start))
        return 1 if rate.failures else 0
    results = table(rows, method, examples=args.examples, stress_runs=args.stress,
                    rate_runs=args.rate_runs)
    for result in results:
        print(result.line())
        if result.failure is not None:
            print("\n".join(f"    {line}" for line in str(result.failure).splitlines()[:40]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
