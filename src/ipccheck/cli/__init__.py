"""The ``ipccheck`` command: one table of subcommands, one contract for all of them.

Every subcommand module has ``register(commands)``, which adds its parser and sets
``prepare(args) -> job``. ``prepare`` validates everything (a ``ValueError``/``TypeError`` there
is bad input: one line on stderr, exit 2, before any process starts); the job then runs and
returns the exit code (see ``options`` for the table). Bare ``ipccheck [options]`` is
``ipccheck run [options]``; options written before a subcommand are refused, never dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from .._version import __version__
from . import bench, check, explore, hazards, list_methods, race, run
from .options import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    Parser,
    UsageError,
)

# name -> how it adds itself; the order is the order of ``ipccheck --help``.
SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {  # type: ignore[type-arg]
    "run": run.register,
    "list": list_methods.register,
    "race": race.register,
    "hazards": hazards.register,
    "check": check.register,
    "explore": explore.register,
    "bench": bench.register,
}
BEFORE = "before_"  # dest prefix of options given before the subcommand


def build_parser() -> Parser:
    parser = Parser(
        prog="ipccheck",
        description="Check that multiprocessing channels and shared state keep their promises. "
        "With no command, the same as `ipccheck run` (every method, every start method).",
        epilog="Exit codes: 0 held, 1 violated or found, 2 bad input, 3 internal error, "
        "130 interrupted (SIGINT), 141 the reader of stdout went away.",
    )
    parser.add_argument("--version", action="version", version=f"ipccheck {__version__}")
    # Bare ``ipccheck`` takes run's options; kept under other names so that one written before
    # a subcommand can be told apart from the subcommand's own (and refused).
    bare = argparse.ArgumentParser(add_help=False)
    run.add_run_options(bare)
    for action in bare._actions:
        if action.metavar is None and action.choices is None and action.nargs != 0:
            action.metavar = action.dest.upper()
        action.dest, action.default = BEFORE + action.dest, argparse.SUPPRESS
        parser._add_action(action)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for register in SUBCOMMANDS.values():
        register(commands)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; bare options mean ``run``, options before a subcommand are refused."""
    parser = build_parser()
    args = parser.parse_args(argv)
    before = sorted(name[len(BEFORE):] for name in vars(args) if name.startswith(BEFORE))
    if args.command is None:
        return parser.parse_args(["run", *argv])
    if before:
        options = ", ".join("--" + name.replace("_", "-") for name in before)
        parser.error(f"options go after the command: move {options} after {args.command!r}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ipccheck`` command; returns the exit code."""
    args = parse(sys.argv[1:] if argv is None else list(argv))
    try:
        job = args.prepare(args)
    except (UsageError, ValueError, TypeError) as exc:
        return usage_error(exc)
    except KeyboardInterrupt:
        return interrupted()
    try:
        return int(job())
    except UsageError as exc:
        return usage_error(exc)
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:
        # The reader went away (``ipccheck run --json | head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # a bug in ipccheck: say so, with what is needed to report it
        print(f"ipccheck: internal error (a bug in ipccheck): {type(exc).__name__}: {exc}",
              file=sys.stderr)
        traceback.print_exc()
        return EXIT_INTERNAL


def usage_error(exc: Exception) -> int:
    print(f"ipccheck: error: {exc}", file=sys.stderr)
    return EXIT_USAGE


def interrupted() -> int:
    print("ipccheck: interrupted; every child process was stopped", file=sys.stderr)
    return EXIT_INTERRUPTED
