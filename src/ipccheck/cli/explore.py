"""``ipccheck explore``: find the minimal bad schedule of a program and replay it on real processes.

The search runs on the pure model (Hypothesis, or every interleaving with ``--exhaustive``); the
schedule it finds is then run by the conductor on real worker processes under each start method,
and the real run must match the model step for step before it is printed.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from typing import Any

from .._validate import require_count, require_start_methods
from ..explore import timeline
from ..explore.conductor import ConductorError, conduct
from ..explore.model import Run, run, serial_finals
from ..explore.search import (
    DEFAULT_EXAMPLES,
    MAX_EXAMPLES,
    exhaustive,
    find_bad,
    judge,
    require_hypothesis,
)
from ..explore.steps import DESCRIPTIONS, READY, Program, ready_program, user_program
from ..processes import DeadlineExceeded
from . import output
from .options import (
    EXIT_FOUND,
    EXIT_INTERNAL,
    EXIT_OK,
    Job,
    UsageError,
    add_json,
    add_start_method,
    add_timeout,
    json_document,
)

PROGRAM_HELP = (
    "a ready program ("
    + ", ".join(READY)
    + '), a JSON file, or an inline JSON/Python list of steps such as \'["read", "write"]\''
)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "explore",
        help="find and shrink a bad interleaving, then replay it on real processes",
        description="Search the schedules of a small worker program for a lost update, a broken "
        "check-then-act or a deadlock; print the minimal one as a timeline. "
        "Exit 1 when a bad schedule was found, 0 when none was, 2 on bad input, "
        "3 if the real processes did not replay what the model predicted (a bug in ipccheck).",
    )
    parser.add_argument("program", metavar="PROGRAM", help=PROGRAM_HELP)
    parser.add_argument(
        "--procs", type=int, default=None, help="workers (default 2, or one per listed program)"
    )
    parser.add_argument(
        "--iterations", type=int, default=1, help="times each worker runs its steps (default 1)"
    )
    parser.add_argument(
        "--exhaustive", action="store_true", help="run every interleaving and print the table"
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        help=f"schedules Hypothesis tries before it gives up (default {DEFAULT_EXAMPLES})",
    )
    add_start_method(parser)
    add_timeout(parser, "replay")
    add_json(parser)
    parser.set_defaults(prepare=prepare)


def load_program(text: str, procs: int | None, iterations: int) -> Program:
    """A ready program by name, or a user's program from a file or inline JSON/Python literal."""
    if text in READY:
        return ready_program(text, 2 if procs is None else procs, iterations)
    if os.path.isfile(text):
        with open(text, encoding="utf-8") as handle:
            source = handle.read()
    elif text.lstrip().startswith(("[", "{")):
        source = text
    else:
        raise ValueError(
            f"unknown program {text!r}; give one of {', '.join(READY)}, "
            "a JSON file, or an inline JSON list of steps"
        )
    return user_program(parse_literal(source), procs, iterations)


def parse_literal(source: str) -> object:
    """JSON, or failing that a Python literal (so single-quoted lists work too)."""
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        try:
            return ast.literal_eval(source)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ValueError(f"cannot read the program as JSON: {exc}") from None


def prepare(args: argparse.Namespace) -> Job:
    methods = list(require_start_methods(args.start_method))
    program = load_program(args.program, args.procs, args.iterations)
    require_count("examples", args.examples, minimum=1, maximum=MAX_EXAMPLES)
    if not args.exhaustive:
        try:
            require_hypothesis()
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    return lambda: explore(program, methods, args)


def explore(program: Program, methods: list[str], args: argparse.Namespace) -> int:
    """Search, replay on real processes under each start method, print; the exit code."""
    started = time.perf_counter()
    census = None
    output.step("running every interleaving on the model" if args.exhaustive
                else "searching schedules on the model")
    if args.exhaustive:
        try:
            census = exhaustive(program)
        except ValueError as exc:  # too many interleavings to count: lower the size
            raise UsageError(str(exc)) from None
        schedule = census.first_bad
    else:
        schedule = find_bad(program, args.examples)
    searched = time.perf_counter() - started
    serial = serial_finals(program)

    replayed: Run | None = None
    if schedule is not None:
        predicted = run(program, schedule)
        for method in methods:
            output.step(f"replaying the schedule on real processes under {method}")
            try:
                real = conduct(program, schedule, method, args.timeout)
            except (ConductorError, DeadlineExceeded) as exc:
                print(f"ipccheck: internal error: the replay under {method} failed: {exc}",
                      file=sys.stderr)
                return EXIT_INTERNAL
            if real != predicted:
                print(
                    f"ipccheck: internal error: the real processes under {method} did not do "
                    f"what the model predicted for schedule {list(schedule)} (a bug in ipccheck)",
                    file=sys.stderr,
                )
                return EXIT_INTERNAL
            replayed = real
    verdict = judge(program, replayed, serial) if replayed is not None else None
    seconds = time.perf_counter() - started
    code = EXIT_FOUND if schedule is not None else EXIT_OK
    if args.json:
        fields = as_json(program, args, methods, replayed, verdict, census, seconds)
        output.final(json.dumps(json_document("explore", code, **fields), indent=2))
    else:
        output.final(as_text(program, args, methods, replayed, verdict, census, searched, seconds))
    return code


def describe(program: Program, args: argparse.Namespace) -> str:
    what = DESCRIPTIONS.get(program.name, "your program")
    times = "" if args.iterations == 1 else f", {args.iterations} times"
    return f"{program.name}: {program.procs} workers{times} ({what}), {program.total_steps} steps"


def as_text(
    program: Program,
    args: argparse.Namespace,
    methods: list[str],
    replayed: Run | None,
    verdict: Any,
    census: Any,
    searched: float,
    seconds: float,
) -> str:
    lines = [describe(program, args)]
    if census is not None:
        lines.append(f"every interleaving: {census.total} schedules, {census.bad} bad")
        lines.append("final value  schedules")
        for outcome, count in census.table.items():
            lines.append(f"{outcome:>11}  {count:>9}")
        lines.append("")
    if replayed is None:
        where = (
            f"among all {census.total} interleavings"
            if census is not None
            else f"in {args.examples} schedules tried by Hypothesis"
        )
        lines.append(f"no bad schedule {where}")
    else:
        how = (
            "first" if census is not None else f"found and shrunk by Hypothesis in {searched:.2f} s"
        )
        order = " ".join(str(w) for w in replayed.schedule)
        lines.append(f"minimal bad schedule ({how}): {order}")
        lines.append("")
        lines.append(timeline.render(replayed, program.procs))
        lines.append("")
        reason = verdict.reason
        if replayed.status == timeline.DEADLOCK:
            reason = timeline.deadlock_line(replayed)
        lines.append(f"outcome: {reason}")
        lines.append(
            f"replayed on real processes ({', '.join(methods)}): every step read and "
            "wrote what the model predicted"
        )
    lines.append(f"({seconds:.2f} s)")
    return "\n".join(lines)


def as_json(
    program: Program,
    args: argparse.Namespace,
    methods: list[str],
    replayed: Run | None,
    verdict: Any,
    census: Any,
    seconds: float,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "program": program.name,
        "procs": program.procs,
        "iterations": args.iterations,
        "steps": [[str(step) for step in steps] for steps in program.workers],
        "start_methods": methods,
        "exhaustive": bool(args.exhaustive),
        "schedule": None if replayed is None else timeline.as_json(replayed),
        "outcome": {
            "bad": False,
            "reason": "no bad schedule found",
            "serial_finals": sorted(serial_finals(program)),
        },
        "seconds": round(seconds, 3),
    }
    if replayed is not None:
        result["outcome"] = {
            "status": replayed.status,
            "final": replayed.final,
            "bad": verdict.bad,
            "reason": timeline.deadlock_line(replayed)
            if replayed.status == timeline.DEADLOCK
            else verdict.reason,
            "serial_finals": sorted(serial_finals(program)),
            "waiting": [{"worker": w, "lock": lock} for w, lock in replayed.waiting],
        }
    if census is not None:
        result["table"] = census.table
        result["total"] = census.total
        result["bad"] = census.bad
    else:
        result["examples"] = args.examples
    return result
