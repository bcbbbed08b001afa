"""``ipccheck run [METHOD ...]`` (and bare ``ipccheck``): run methods, check every invariant.

Prints an aligned table with a row per run and its violations under it, or with ``--json`` one
document whose ``results`` hold a record per run. Exit 0 when every invariant held, 1 when any
was violated.
"""

from __future__ import annotations

import argparse
import json
import time

from .._validate import require_start_methods
from ..invariants import check
from ..methods import METHODS
from ..runner import run
from ..workload import ALL_MODES, DEFAULT_MODE, Workload
from . import output, report
from .options import (
    EXIT_FOUND,
    EXIT_OK,
    Job,
    add_json,
    add_start_method,
    add_timeout,
    fault_spec,
    json_document,
)

# What every run does unless told otherwise: small enough that all methods under all start
# methods finish in seconds, big enough that a stream really exercises each channel.
DEFAULT_PROCS = 3
DEFAULT_BASE = 1000


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``run``; bare ``ipccheck`` takes exactly these too."""
    parser.add_argument(
        "--procs", type=int, default=DEFAULT_PROCS, help=f"worker processes (default {DEFAULT_PROCS})"
    )
    parser.add_argument(
        "--base",
        type=int,
        default=DEFAULT_BASE,
        help=f"items or increments per worker, 0 allowed (default {DEFAULT_BASE})",
    )
    add_start_method(parser)
    parser.add_argument(
        "--mode",
        choices=ALL_MODES,
        default=DEFAULT_MODE,
        help="channels: send every item (stream, default) or one subtotal (summary); pools: the "
        "call style (pool: map, imap, imap-unordered, apply-async, starmap; process-pool: "
        "submit, map; the first is the default)",
    )
    parser.add_argument(
        "--chunksize", type=int, help="pools: tasks per chunk for map, starmap and the "
        "executor's map (default: the pool's own)"
    )
    parser.add_argument(
        "--max-tasks-per-child", type=int, metavar="N", help="pools: retire each worker after N "
        "tasks (process-pool: Python 3.11+, not with fork, N=1 only: CPython gh-115634)"
    )
    add_timeout(parser, "run")
    parser.add_argument(
        "--fault",
        type=fault_spec,
        metavar="KIND:PRODUCER@K",
        help="make producer PRODUCER die after K items; KIND is kill, term or raise (in a pool "
        "run task PRODUCER*base+K strikes, and KIND may also be unpicklable)",
    )
    add_json(parser)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("run", help="run methods and check every invariant")
    parser.add_argument("methods", nargs="*", metavar="METHOD", help="default: every method")
    add_run_options(parser)
    parser.set_defaults(prepare=prepare)


def workloads_from(args: argparse.Namespace) -> list[Workload]:
    """Every Workload the arguments ask for, all validated before anything starts."""
    names = args.methods or list(METHODS)
    return [
        Workload(
            method=name,
            procs=args.procs,
            base=args.base,
            start_method=start_method,
            mode=args.mode,
            timeout=args.timeout,
            fault=args.fault,
            chunksize=args.chunksize,
            max_tasks_per_child=args.max_tasks_per_child,
        )
        for name in names
        for start_method in require_start_methods(args.start_method)
    ]


def prepare(args: argparse.Namespace) -> Job:
    workloads = workloads_from(args)
    return lambda: run_all(workloads, as_json=args.json)


def run_all(workloads: list[Workload], *, as_json: bool) -> int:
    started = time.perf_counter()
    results = []
    if not as_json:
        output.part(report.header())
    for workload in workloads:
        output.step(f"{workload.method} under {workload.start_method}", total=len(workloads))
        outcome = run(workload)
        violations = check(outcome)
        results.append((outcome, violations))
        if not as_json:
            output.part(report.row(outcome, violations))
    code = EXIT_FOUND if any(violations for _, violations in results) else EXIT_OK
    if as_json:
        records = [report.as_json(o, v) for o, v in results]
        seconds = round(time.perf_counter() - started, 3)
        output.final(json.dumps(json_document("run", code, seconds=seconds, results=records), indent=2))
    else:
        output.final(report.summary(results, time.perf_counter() - started))
    return code
