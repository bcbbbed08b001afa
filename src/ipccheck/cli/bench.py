"""``ipccheck bench``: every channel and shared-state method against the raw ``os.pipe`` limit.

Prints the tables, or with ``--json`` one document whose ``results`` hold every figure of each
start method measured. ``--plot FILE.png`` also draws throughput against payload size; its path
and the plotting extra are checked before anything is measured. Exit 0 unless the input is bad.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict

from .._validate import platform_default_start_method, require_start_methods
from ..bench import (
    BYTE_BUDGET,
    CHANNEL_NAMES,
    DEFAULT_MESSAGES,
    DEFAULT_REPEAT,
    DEFAULT_SIZES,
    QUICK,
    STATE_NAMES,
    BenchSettings,
    machine,
    render,
    run_bench,
    stats,
)
from ..bench.plot import plot, require_matplotlib
from .options import EXIT_OK, Job, UsageError, add_json, add_start_method, add_timeout, json_document


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "bench",
        help="measure every channel and shared-state method against the raw os.pipe limit",
        description="Pipe vs Queue vs the rest, in one run, against the raw os.pipe limit. "
        "Figures are medians over repeats with their min-max; compare ratios, not absolute "
        "figures, between machines.",
    )
    parser.add_argument(
        "--methods",
        metavar="A,B,...",
        help=f"channels and state methods to measure (limits always run); default all: "
        f"{', '.join(CHANNEL_NAMES + STATE_NAMES)}",
    )
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"payload sizes in bytes, k or m (default {DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--messages", type=int, help=f"items per run at small sizes (default {DEFAULT_MESSAGES})"
    )
    parser.add_argument("--repeat", type=int, help=f"repeats per row (default {DEFAULT_REPEAT})")
    add_start_method(
        parser,
        default=platform_default_start_method(),
        why="every measurement starts fresh children, and spawn costs ~25x fork",
    )
    add_timeout(parser, "measurement")
    add_json(parser)
    parser.add_argument(
        "--plot", metavar="FILE.png", help="also draw throughput vs size (needs ipccheck[plot])"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"fewer items and repeats (messages {QUICK['messages']}, repeat {QUICK['repeat']})",
    )
    parser.set_defaults(prepare=prepare)


def settings_from(args: argparse.Namespace, start_method: str) -> BenchSettings:
    """Turn the command's options into validated settings (ValueError/TypeError on bad input)."""
    quick = QUICK if args.quick else {}
    messages = (
        args.messages if args.messages is not None else quick.get("messages", DEFAULT_MESSAGES)
    )
    repeat = args.repeat if args.repeat is not None else quick.get("repeat", DEFAULT_REPEAT)
    if args.methods:
        chosen = stats.parse_names(args.methods, CHANNEL_NAMES + STATE_NAMES)
        channels = tuple(n for n in chosen if n in CHANNEL_NAMES)
        state = tuple(n for n in chosen if n in STATE_NAMES)
    else:
        channels, state = CHANNEL_NAMES, STATE_NAMES
    return BenchSettings(
        channels=channels,
        state=state,
        sizes=tuple(stats.parse_sizes(args.sizes)),
        messages=int(messages),
        repeat=int(repeat),
        start_method=start_method,
        byte_budget=int(quick.get("byte_budget", BYTE_BUDGET)),
        state_scale=float(quick.get("state_scale", 1.0)),
        timeout=args.timeout,
    )


def require_plot_path(path: str) -> None:
    """A ``.png`` in a directory that exists and can be written, with matplotlib installed."""
    if not path.lower().endswith(".png"):
        raise UsageError(f"--plot writes a PNG; give a path ending in .png, got {path!r}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"--plot: directory {directory!r} does not exist")
    if not os.access(directory, os.W_OK):
        raise UsageError(f"--plot: directory {directory!r} is not writable")
    require_matplotlib()


def prepare(args: argparse.Namespace) -> Job:
    all_settings = [settings_from(args, m) for m in require_start_methods(args.start_method)]
    if args.plot:
        require_plot_path(args.plot)  # fail in one line now, not after minutes of measuring

    def job() -> int:
        started = time.perf_counter()
        documents = []
        for settings in all_settings:
            results = run_bench(settings)
            if not args.json:
                print(render(results, settings), end="\n\n", flush=True)
            documents.append(
                stats.report_json(
                    machine() | {"start_method": settings.start_method},
                    asdict(settings),
                    results.channels,
                    results.state,
                    results.starts,
                    results.notes,
                )
            )
            if args.plot:
                plot(results.channels, args.plot, title=f"start method {settings.start_method}")
        if args.json:
            print(json.dumps(json_document("bench", EXIT_OK, results=documents), indent=2))
        else:
            print(f"bench took {time.perf_counter() - started:.1f} s")
        return EXIT_OK

    return job
