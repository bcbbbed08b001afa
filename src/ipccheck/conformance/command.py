"""``ipccheck check queue|pipe|counter MODULE:ATTR``: the conformance kit from the shell.

Exit codes: 0 conformant, 1 a promise was broken (the minimal case and the evidence are
printed), 2 a usage error (the factory cannot be imported, has the wrong shape, cannot be
sent to a child, or the ``conformance`` extra is missing), in one line on stderr.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..cli import EXIT_FAILED, EXIT_OK, UsageError, positive_seconds, start_methods
from ..workload import START_METHODS
from .checks import check_kind
from .factory import KINDS, load
from .verdict import ConformanceError

HELP = "check your own queue, pipe or counter against ipccheck's invariants"
EXAMPLES_HELP = (
    "queue/pipe: Hypothesis examples per start method (default: at most 20); "
    "counter: trials per start method (default 3)"
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("check", help=HELP, description=HELP + ".")
    parser.add_argument("kind", choices=KINDS, help="what the factory returns")
    parser.add_argument(
        "factory",
        metavar="MODULE:ATTR",
        help="a zero-argument callable returning the object (current directory on sys.path)",
    )
    parser.add_argument("--examples", type=int, default=None, help=EXAMPLES_HELP)
    parser.add_argument(
        "--start-method",
        choices=[*START_METHODS, "all"],
        default="all",
        help="how children start (default: all this platform supports)",
    )
    parser.add_argument(
        "--timeout", type=positive_seconds, default=None, help="deadline per run in seconds"
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.set_defaults(handler=handle_check)


def handle_check(args: argparse.Namespace) -> int:
    factory = load(args.factory)
    options: dict[str, Any] = {
        "start_methods": start_methods(args.start_method),
        "timeout": args.timeout,
    }
    if args.examples is not None:
        options["trials" if args.kind == "counter" else "max_examples"] = args.examples
    try:
        report = check_kind(args.kind, factory, **options)
    except ImportError as exc:  # the ``conformance`` extra (Hypothesis) is not installed
        raise UsageError(str(exc)) from None
    except ConformanceError as failure:
        print(json.dumps(failure.to_dict(), indent=2) if args.json else failure)
        return EXIT_FAILED
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return EXIT_OK
