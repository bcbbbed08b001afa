"""The ``ipccheck`` command: run the checks, list the methods, and the extra tools.

Every bad input ends in one line on stderr and exit code 2, checked before any process starts.
Subcommands other than ``run`` and ``list`` live in their own modules and register themselves
through ``register(subparsers)``; each sets ``handler`` to a function(args) -> exit code.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Sequence

from . import report
from .faults import Fault
from .invariants import check
from .methods import METHODS
from .runner import run
from .workload import (
    DEFAULT_TIMEOUT,
    MODES,
    START_METHODS,
    Workload,
    supported_start_methods,
)

# Modules that add a subcommand with ``register(subparsers)``.
EXTENSIONS: tuple[str, ...] = (
    "race",
    "hazards",
    "explore.command",
    "conformance.command",
    "bench",
)

# What bare ``ipccheck`` runs: every method under every start method, small enough to be quick.
DEFAULT_PROCS = 3
DEFAULT_BASE = 200
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad input found after parsing; reported in one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse quotes bad values with repr() except in "unrecognized arguments: ...";
        # a line break inside an argument must not break the message into two lines.
        one_line = "\\n".join(message.splitlines())
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line}\n")


def positive_seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds: {text!r}") from None


def fault_spec(text: str) -> Fault:
    try:
        return Fault.parse(text)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def start_methods(choice: str) -> list[str]:
    """``all`` means every start method this platform supports."""
    return list(supported_start_methods()) if choice == "all" else [choice]


def add_workload_options(parser: argparse.ArgumentParser, *, procs: int, base: int) -> None:
    parser.add_argument("--procs", type=int, default=procs, help=f"worker processes (default {procs})")
    parser.add_argument(
        "--base", type=int, default=base, help=f"items or increments per worker (default {base})"
    )
    parser.add_argument(
        "--start-method",
        choices=[*START_METHODS, "all"],
        default="all",
        help="how children start (default: all this platform supports)",
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="stream",
        help="channels only: send every item (stream, default) or one subtotal (summary)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"deadline per run in seconds (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON array instead of a table")


def build_parser() -> Parser:
    parser = Parser(
        prog="ipccheck",
        description="Check that multiprocessing channels and shared state keep their promises. "
        "With no command, runs every method under every start method.",
    )
    add_workload_options(parser, procs=DEFAULT_PROCS, base=DEFAULT_BASE)
    parser.set_defaults(handler=handle_run, methods=[])
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run_parser = commands.add_parser("run", help="run methods and check every invariant")
    run_parser.add_argument("methods", nargs="*", metavar="METHOD", help="default: every method")
    add_workload_options(run_parser, procs=DEFAULT_PROCS, base=1000)
    run_parser.add_argument(
        "--fault",
        type=fault_spec,
        metavar="KIND:PRODUCER@K",
        help="make producer PRODUCER die after K items; KIND is kill, term or raise",
    )
    run_parser.set_defaults(handler=handle_run)

    list_parser = commands.add_parser("list", help="list the methods, one per line")
    list_parser.set_defaults(handler=handle_list)

    for name in EXTENSIONS:
        importlib.import_module(f"ipccheck.{name}").register(commands)
    return parser


def handle_list(args: argparse.Namespace) -> int:
    width = max(len(name) for name in METHODS)
    for name, module in METHODS.items():
        print(f"{name:<{width}}  {module.DESCRIPTION}")
    return EXIT_OK


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
            fault=getattr(args, "fault", None),
        )
        for name in names
        for start_method in start_methods(args.start_method)
    ]


def handle_run(args: argparse.Namespace) -> int:
    workloads = workloads_from(args)
    started = time.perf_counter()
    results = []
    if not args.json:
        print(report.header(), flush=True)
    for workload in workloads:
        outcome = run(workload)
        violations = check(outcome)
        results.append((outcome, violations))
        if not args.json:
            print(report.row(outcome, violations), flush=True)
    if args.json:
        print(json.dumps([report.as_json(o, v) for o, v in results], indent=2))
    else:
        print(report.summary(results, time.perf_counter() - started))
    return EXIT_FAILED if any(violations for _, violations in results) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ipccheck`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, ValueError, TypeError) as exc:
        print(f"ipccheck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ipccheck: interrupted; every child process was stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``ipccheck run --json | head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
