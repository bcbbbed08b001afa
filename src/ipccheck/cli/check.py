"""``ipccheck check queue|pipe|counter MODULE:ATTR``: the conformance kit from the shell.

With ``--linearizable`` (kinds queue, counter, dict) the linearizability search runs instead;
``linearizable`` holds that path and its options.

Exit codes: 0 conformant under every start method, 1 a promise was broken under at least one
(each start method's verdict, minimal case and evidence are printed), 2 a usage error (the
factory or context cannot be imported, the factory has the wrong shape, an option does not
apply to the kind, or the ``conformance`` extra is missing), in one line on stderr.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._validate import require_start_methods
from ..conformance.factory import OBJECT_KINDS, load, load_object
from ..conformance.verdict import ConformanceError
from ..conformance.verify import verify_kind
from . import linearizable, output
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
# Options that only one kind takes: option -> (the kind's keyword, the kinds it applies to).
KIND_OPTIONS = {
    "examples": ("max_examples", ("queue", "pipe")),
    "procs": ("procs", ("counter",)),
    "increments": ("increments", ("counter",)),
    "trials": ("trials", ("counter",)),
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("check", help=HELP, description=HELP + ".")
    kinds = dict.fromkeys([*OBJECT_KINDS, *linearizable.LINEARIZABLE_KINDS])
    parser.add_argument("kind", choices=list(kinds), help="what the factory returns")
    parser.add_argument(
        "factory",
        metavar="MODULE:ATTR",
        help="a callable returning the object, given the start method's context if it takes "
        "a ctx parameter (current directory on sys.path)",
    )
    parser.add_argument(
        "--context",
        metavar="MODULE[:ATTR]",
        default=None,
        help="where the children come from: anything with get_context(start_method), e.g. "
        "billiard or multiprocess for an object of that library (default: multiprocessing)",
    )
    parser.add_argument(
        "--examples", type=int, default=None,
        help="queue/pipe: Hypothesis examples per start method (default: at most 20); "
        + linearizable.EXAMPLES_NOTE,
    )
    parser.add_argument("--procs", type=int, default=None, help="counter: workers (default 4)")
    parser.add_argument(
        "--increments", type=int, default=None, help="counter: increments per worker (default 100000)"
    )
    parser.add_argument(
        "--trials", type=int, default=None, help="counter: trials per start method (default 3)"
    )
    linearizable.add_options(parser)
    add_start_method(parser)
    add_timeout(parser, "run")
    add_json(parser)
    parser.set_defaults(prepare=prepare)


def prepare(args: argparse.Namespace) -> Job:
    if args.linearizable:
        refuse_conformance_options(args)
        return linearizable.prepare(args)
    linearizable.refuse_without(args)
    factory = load(args.factory)
    options: dict[str, Any] = {
        "start_methods": require_start_methods(args.start_method),
        "timeout": args.timeout,
        "context": None if args.context is None else load_object(args.context),
    }
    for option, (keyword, kinds) in KIND_OPTIONS.items():
        value = getattr(args, option)
        if value is None:
            continue
        if args.kind not in kinds:
            takes = ", ".join(f"--{name}" for name, (_, k) in KIND_OPTIONS.items() if args.kind in k)
            raise UsageError(f"--{option} does not apply to a {args.kind}; it takes {takes}")
        options[keyword] = value

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


def refuse_conformance_options(args: argparse.Namespace) -> None:
    """The conformance kit's own options mean nothing to the linearizability search: refuse them."""
    # --examples has a meaning there (scenarios per start method); every other kit option has none.
    kit_only = ["context", *(option for option in KIND_OPTIONS if option != "examples")]
    given = [option for option in kit_only if getattr(args, option) is not None]
    if given:
        raise UsageError(f"--{given[0]} does not apply with --linearizable")
