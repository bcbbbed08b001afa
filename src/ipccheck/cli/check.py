"""``ipccheck check queue|pipe|counter MODULE:ATTR``: the conformance kit from the shell.

Exit codes: 0 conformant, 1 a promise was broken (the minimal case and the evidence are
printed), 2 a usage error (the factory cannot be imported, has the wrong shape, cannot be
sent to a child, or the ``conformance`` extra is missing), in one line on stderr.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._validate import require_start_methods
from ..conformance.factory import OBJECT_KINDS, load
from ..conformance.verdict import ConformanceError
from ..conformance.verify import verify_kind
from . import output
from .options import (
    EXIT_FOUND,
    EXIT_OK,
    Job,
    UsageError,
    add_json,
    add_start_method,
    add_timeout,
    json_document,
)

HELP = "check your own queue, pipe or counter against ipccheck's invariants"
EXAMPLES_HELP = (
    "queue/pipe: Hypothesis examples per start method (default: at most 20); "
    "counter: trials per start method (default 3)"
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("check", help=HELP, description=HELP + ".")
    parser.add_argument("kind", choices=OBJECT_KINDS, help="what the factory returns")
    parser.add_argument(
        "factory",
        metavar="MODULE:ATTR",
        help="a callable returning the object, given the start method's context if it takes "
        "a ctx parameter (current directory on sys.path)",
    )
    parser.add_argument("--examples", type=int, default=None, help=EXAMPLES_HELP)
    add_start_method(parser)
    add_timeout(parser, "run")
    add_json(parser)
    parser.set_defaults(prepare=prepare)


def prepare(args: argparse.Namespace) -> Job:
    factory = load(args.factory)
    options: dict[str, Any] = {
        "start_methods": require_start_methods(args.start_method),
        "timeout": args.timeout,
    }
    if args.examples is not None:
        options["trials" if args.kind == "counter" else "max_examples"] = args.examples

    def job() -> int:
        try:
            report = verify_kind(args.kind, factory, progress=output.step, **options)
        except ConformanceError as failure:
            if args.json:
                document = json_document("check", EXIT_FOUND, results=[failure.to_dict()])
                output.final(json.dumps(document, indent=2))
            else:
                output.final(str(failure))
            return EXIT_FOUND
        except (ImportError, ValueError, TypeError) as exc:  # a bad factory, or no Hypothesis
            raise UsageError(str(exc)) from None
        if args.json:
            document = json_document("check", EXIT_OK, results=[report.to_dict()])
            output.final(json.dumps(document, indent=2))
        else:
            output.final(str(report))
        return EXIT_OK

    return job
