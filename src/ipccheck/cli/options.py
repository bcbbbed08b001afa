"""What every subcommand shares: its exit codes, its error style and its common options.

Each option that more than one subcommand takes is defined here once, with one meaning:

- ``--start-method fork|spawn|forkserver|all`` (default ``all``: every one this platform has);
- ``--timeout SECONDS``: the deadline of one run, trial, replay or measurement;
- ``--json``: print one JSON document on stdout instead of the text report.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import NoReturn

from .._validate import ALL, DEFAULT_TIMEOUT, MAX_TIMEOUT, START_METHODS
from ..faults import Fault

# One exit-code table for every subcommand.
EXIT_OK = 0  # every promise held, nothing found
EXIT_FOUND = 1  # a promise was broken, or a bad schedule found
EXIT_USAGE = 2  # bad input, refused before any process started
EXIT_INTERNAL = 3  # a bug in ipccheck itself
EXIT_INTERRUPTED = 130  # stopped by SIGINT (Ctrl-C), as 128 + SIGINT; no verdict printed
EXIT_TERMINATED = 143  # stopped by SIGTERM (``kill``, a CI cancel), as 128 + SIGTERM
EXIT_HUNG_UP = 129  # stopped by SIGHUP (the terminal closed), as 128 + SIGHUP
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (``| head``), as 128 + SIGPIPE

# What a subcommand's ``prepare(args)`` returns: the validated job, run by ``main``.
Job = Callable[[], int]


class UsageError(Exception):
    """Bad input found after parsing; reported in one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        # argparse quotes bad values with repr() except in "unrecognized arguments: ...";
        # a line break inside an argument must not break the message into two lines.
        one_line = "\\n".join(message.splitlines())
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line}\n")


def seconds(text: str) -> float:
    """A positive, finite number of seconds no larger than MAX_TIMEOUT."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds: {text!r}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT):
        raise argparse.ArgumentTypeError(
            f"timeout must be above 0 and at most {MAX_TIMEOUT:g} seconds, got {text!r}"
        )
    return value


def fault_spec(text: str) -> Fault:
    try:
        return Fault.parse(text)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_start_method(parser: argparse.ArgumentParser, default: str = ALL, why: str = "") -> None:
    """``--start-method``; every subcommand defaults to ``all`` unless it says ``why`` not."""
    said = "all this platform supports" if default == ALL else f"{default}; {why}"
    parser.add_argument(
        "--start-method",
        choices=[*START_METHODS, ALL],
        default=default,
        help=f"how children start (default: {said})",
    )


def add_timeout(parser: argparse.ArgumentParser, per: str, default: float = DEFAULT_TIMEOUT) -> None:
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=default,
        metavar="SECONDS",
        help=f"deadline per {per} in seconds (default {default:g})",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout instead of text"
    )


def json_document(command: str, exit_code: int, **fields: object) -> dict[str, object]:
    """The one shape of every ``--json`` document: which command, whether it held, the details.

    ``ok`` is true exactly when the exit code is 0; ``fields`` are the command's own (a list of
    records is always called ``results``).
    """
    return {"command": command, "ok": exit_code == EXIT_OK, "exit_code": exit_code, **fields}
