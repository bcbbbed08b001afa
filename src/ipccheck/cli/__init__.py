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
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from .. import interrupts
from .._version import __version__
from . import bench, check, explore, hazards, list_methods, output, race, run, stopping
from .options import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_USAGE,
    Job,
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
        "130/143/129 stopped by SIGINT/SIGTERM/SIGHUP (no verdict, every child stopped), "
        "141 the reader of stdout went away.",
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
    """Entry point of the ``ipccheck`` command; returns the exit code.

    While it runs, SIGINT, SIGTERM and SIGHUP stop the command as ``stopping`` describes.
    """
    with stopping.watching_signals():
        return _main(sys.argv[1:] if argv is None else list(argv))


def command() -> NoReturn:
    """The ``ipccheck`` program (and ``python -m ipccheck``): ``main``, then exit with its code.

    Unlike a caller of ``main``, the program keeps its handlers until the interpreter is gone,
    recording signals and raising none: one that comes after the job cannot cut short
    multiprocessing's own cleanup at exit (its ``pymp-*`` directory, its finalizers), nor,
    once Python itself shuts down, turn the exit code into a death by that signal.
    """
    with stopping.watching_signals(restore=False):
        try:
            code = _main(sys.argv[1:])
        finally:
            interrupts.settle()  # also when argparse exits (--help, a usage error)
            stopping.ignore_late_signals()
    sys.exit(code)


def _main(argv: list[str]) -> int:
    args = argparse.Namespace(command=None)
    try:
        args = parse(argv)
        log_seconds = output.log_seconds()
        job = args.prepare(args)  # validates everything; starts no process
    except (UsageError, ValueError, TypeError) as exc:
        return usage_error(exc)
    except KeyboardInterrupt as exc:
        return interrupted(args.command, signal_of(exc), stopped=0)
    code: int | None = None
    stopped = 0
    try:
        output.begin(args.command, log_seconds)
        with stopping.own_temp_dir():
            try:
                code = run_job(job)
            finally:
                interrupts.settle()  # from here on a signal is recorded, never raised
                stopped_by = interrupts.stopped_by()
                if code is None or (stopped_by is not None and not interrupts.verdict_printed()):
                    stopped = stopping.stop_everything()  # before the directory goes
    except KeyboardInterrupt:
        pass  # stopped_by() says by what; a plain KeyboardInterrupt counts as SIGINT
    finally:
        interrupts.settle()  # also when the signal came while the job's directory was made
        signum = interrupts.stopped_by()
        doing = output.doing()
        output.end()
    if signum is not None and interrupts.verdict_printed():
        print(stopping.after_verdict_line(signum), file=sys.stderr)
        signum = None
    if code is None or signum is not None:
        return interrupted(args.command, signum or signal.SIGINT, stopped, doing)
    return code


def run_job(job: Job) -> int:
    """Run the job; its exit code, or the code of the error it ended with (not an interrupt)."""
    try:
        return int(job())
    except UsageError as exc:
        return usage_error(exc)
    except BrokenPipeError:
        # The reader went away (``ipccheck run --json | head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # a bug in ipccheck: say so, with what is needed to report it
        if interrupts.stopped_by() is not None:
            raise KeyboardInterrupt from exc  # it broke because it was stopped: no bug to report
        print(f"ipccheck: internal error (a bug in ipccheck): {type(exc).__name__}: {exc}",
              file=sys.stderr)
        traceback.print_exc()
        return EXIT_INTERNAL


def signal_of(exc: KeyboardInterrupt) -> int:
    """The signal behind an interrupt: the command's own say which; any other is Ctrl-C."""
    recorded = interrupts.stopped_by()
    if recorded is not None:
        return recorded
    return exc.signum if isinstance(exc, interrupts.Interrupted) else signal.SIGINT


def usage_error(exc: Exception) -> int:
    print(f"ipccheck: error: {exc}", file=sys.stderr)
    return EXIT_USAGE


def interrupted(command: str | None, signum: int, stopped: int, doing: str = "") -> int:
    """Say in one line what was interrupted; the exit code, 128 + the signal."""
    print(stopping.interrupted_line(signum, command or "", doing, stopped), file=sys.stderr)
    return stopping.exit_code(signum)
