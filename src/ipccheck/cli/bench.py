"""``ipccheck bench``: every channel, shared-state method and pool against the raw os.pipe limit.

Prints the tables, or with ``--json`` one document on stdout (its shape: ``bench.report``).
``--plot FILE.png`` also draws throughput against payload size, one row of panels per start
method in one figure. ``--from-json FILE`` prints (or plots) a saved ``--json`` run again
without measuring. Every path and the plotting extra are checked before anything is measured.
Exit 0 unless the input is bad: a row that fails is a note in the report, not a verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from .._validate import DEFAULT_TIMEOUT, platform_default_start_method, require_start_methods
from ..bench import (
    BYTE_BUDGET,
    CHANNEL_NAMES,
    DEFAULT_MESSAGES,
    DEFAULT_REPEAT,
    DEFAULT_SIZES,
    POOL_NAMES,
    QUICK,
    STATE_NAMES,
    BenchResults,
    BenchSettings,
    document_fields,
    parse_names,
    parse_sizes,
    read_document,
    render,
    run_bench,
)
from ..bench.plot import plot, require_matplotlib
from . import output
from .options import EXIT_OK, Job, UsageError, add_json, add_start_method, add_timeout, json_document

# Options that choose what to measure; with --from-json nothing is measured, so they are refused.
MEASURING = ("methods", "sizes", "messages", "repeat", "start_method", "timeout", "quick")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "bench",
        help="measure every channel, shared-state method and pool against the raw os.pipe limit",
        description="Pipe vs Queue vs the rest, in one run, against the raw os.pipe limit. "
        "Figures are medians over repeats with their min-max; compare ratios, not absolute "
        "figures, between machines.",
    )
    parser.add_argument(
        "--methods",
        metavar="A,B,...",
        help=f"channels, state methods and pools to measure (limits always run); default all: "
        f"{', '.join(CHANNEL_NAMES + STATE_NAMES + POOL_NAMES)}",
    )
    parser.add_argument(
        "--sizes", help=f"payload sizes in bytes, k or m (default {DEFAULT_SIZES})"
    )
    parser.add_argument(
        "--messages", type=int, help=f"items per run at small sizes (default {DEFAULT_MESSAGES})"
    )
    parser.add_argument("--repeat", type=int, help=f"repeats per row (default {DEFAULT_REPEAT})")
    add_start_method(
        parser,
        default=platform_default_start_method(),
        why="rates exclude start-up, so one start method answers; all measures each side by side",
    )
    add_timeout(parser, "measurement")
    # None means "not given": prepare fills in the defaults above, and --from-json can refuse
    # a measuring option it would otherwise ignore.
    parser.set_defaults(start_method=None, timeout=None)
    add_json(parser)
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw throughput vs size, every start method in one figure "
        "(needs ipccheck[plot])",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"fewer items and repeats (messages {QUICK['messages']}, repeat {QUICK['repeat']})",
    )
    parser.add_argument(
        "--from-json",
        metavar="FILE",
        help="print (or --plot) a saved `ipccheck bench --json` run again instead of measuring",
    )
    parser.set_defaults(prepare=prepare)


def settings_from(args: argparse.Namespace) -> BenchSettings:
    """Turn the command's options into validated settings (ValueError/TypeError on bad input)."""
    quick = QUICK if args.quick else {}
    messages = (
        args.messages if args.messages is not None else quick.get("messages", DEFAULT_MESSAGES)
    )
    repeat = args.repeat if args.repeat is not None else quick.get("repeat", DEFAULT_REPEAT)
    if args.methods:
        chosen = parse_names(args.methods, CHANNEL_NAMES + STATE_NAMES + POOL_NAMES)
        channels = tuple(n for n in chosen if n in CHANNEL_NAMES)
        state = tuple(n for n in chosen if n in STATE_NAMES)
        pools = tuple(n for n in chosen if n in POOL_NAMES)
    else:
        channels, state, pools = CHANNEL_NAMES, STATE_NAMES, POOL_NAMES
    start_method = args.start_method or platform_default_start_method()
    return BenchSettings(
        channels=channels,
        state=state,
        pools=pools,
        sizes=tuple(parse_sizes(args.sizes or DEFAULT_SIZES)),
        messages=int(messages),
        repeat=int(repeat),
        start_methods=require_start_methods(start_method),
        byte_budget=int(quick.get("byte_budget", BYTE_BUDGET)),
        state_scale=float(quick.get("state_scale", 1.0)),
        timeout=args.timeout if args.timeout is not None else DEFAULT_TIMEOUT,
    )


def require_plot_path(path: str) -> None:
    """A ``.png`` in a directory that exists and can be written, with matplotlib installed."""
    if not path.lower().endswith(".png"):
        raise UsageError(f"--plot writes a PNG; give a path ending in .png, got {path!r}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"--plot: directory {directory!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"--plot: directory {directory!r} is not writable")
    if os.path.isdir(path):
        raise UsageError(f"--plot: {path!r} is a directory")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise UsageError(f"--plot: {path!r} exists and is not writable")
    require_matplotlib()


def saved_run(path: str) -> tuple[BenchSettings, BenchResults]:
    """The settings and results in a saved ``--json`` document, or a one-line UsageError."""
    try:
        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
    except OSError as exc:
        raise UsageError(f"--from-json: cannot read {path!r}: {exc.strerror}") from None
    except ValueError as exc:  # json.JSONDecodeError, or bytes that are not UTF-8
        raise UsageError(f"--from-json: {path!r} is not JSON: {exc}") from None
    try:
        settings, results = read_document(document)
        render(results, settings)  # every figure computes: the job cannot fail on this input
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        what = f"{type(exc).__name__}: {exc}"
        raise UsageError(
            f"--from-json: {path!r} is not an `ipccheck bench --json` run ({what})"
        ) from None
    return settings, results


def prepare(args: argparse.Namespace) -> Job:
    if args.plot:
        require_plot_path(args.plot)  # fail in one line now, not after minutes of measuring
    if args.from_json:
        given = [name for name in MEASURING if getattr(args, name) not in (None, False)]
        if given:
            option = "--" + given[0].replace("_", "-")
            raise UsageError(f"--from-json measures nothing; {option} cannot apply to it")
        settings, results = saved_run(args.from_json)
        return lambda: report(settings, results, args, measured_for=None)
    settings = settings_from(args)

    def job() -> int:
        started = time.perf_counter()
        results = run_bench(settings, output.progress())
        return report(settings, results, args, measured_for=time.perf_counter() - started)

    return job


def report(
    settings: BenchSettings,
    results: BenchResults,
    args: argparse.Namespace,
    measured_for: float | None,
) -> int:
    """Plot first (its path was checked), then print the tables or the one JSON document."""
    if args.plot:
        plot(results.channels, args.plot)
    if args.json:
        document = json_document("bench", EXIT_OK, **document_fields(settings, results))
        output.final(json.dumps(document, indent=2))
    else:
        took = "" if measured_for is None else f"\n\nbench took {measured_for:.1f} s"
        output.final(render(results, settings) + took)
    return EXIT_OK
