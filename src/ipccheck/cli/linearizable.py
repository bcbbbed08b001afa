"""``ipccheck check queue|counter|dict MODULE:ATTR --linearizable``: the linearizability search.

Not a subcommand of its own: ``check`` hands over to this module when ``--linearizable`` is
given, so one command checks a user's object either way. Everything is validated in
``prepare`` (kind, operation names, counts, start methods, the Hypothesis extra, and one object
from the factory per start method, made in the parent, that must have every operation), so bad
input is exit 2 before any child starts.

Exit 0: every history of every run tried was linearizable. Exit 1: a history was not (the
smallest scenario found, its per-process timeline and the operation with no valid
linearization point are printed), or a run gave no history to judge (a child died, a call
outlived ``--timeout``, a call raised an exception the model does not expect).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._validate import require_count, require_start_methods
from ..conformance.factory import OBJECT_KINDS, load
from ..linearizability import KINDS, NotLinearizable, ScenarioError, verify_linearizable
from ..linearizability.stress import MAX_RUNS
from ..linearizability.verify import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_STRESS,
    MAX_EXAMPLES,
    probe,
    require_hypothesis,
    require_kind,
    require_operations,
)
from ..processes import DeadlineExceeded
from . import output
from .options import EXIT_FOUND, EXIT_OK, Job, UsageError, json_document

# The kinds a linearizability check has a sequential model for.
LINEARIZABLE_KINDS: tuple[str, ...] = tuple(KINDS)
# Options that only mean something with --linearizable (dest, as written).
ONLY_LINEARIZABLE = (("ops", "--ops"), ("stress", "--stress"))
# What --examples means here, for the check parser's help.
EXAMPLES_NOTE = f"with --linearizable: scenarios per start method (default {DEFAULT_MAX_EXAMPLES})"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``--linearizable``, ``--ops`` and ``--stress`` on the ``check`` parser."""
    parser.add_argument(
        "--linearizable",
        action="store_true",
        help="check that every history of generated scenarios is linearizable against the "
        "kind's sequential model (queue, counter or dict), instead of the conformance kit",
    )
    parser.add_argument(
        "--ops",
        metavar="A,B,...",
        help="with --linearizable: the operations scenarios may use (queue: "
        f"{','.join(KINDS['queue'].operations)}; counter: {','.join(KINDS['counter'].operations)}; "
        f"dict: {','.join(KINDS['dict'].operations)}); default: the kind's usual set",
    )
    parser.add_argument(
        "--stress",
        type=int,
        metavar="N",
        help=f"with --linearizable: runs of each scenario on fresh objects (default {DEFAULT_STRESS})",
    )


def refuse_without(args: argparse.Namespace) -> None:
    """Without --linearizable, its own options and the ``dict`` kind are bad input."""
    for dest, option in ONLY_LINEARIZABLE:
        if getattr(args, dest) is not None:
            raise UsageError(f"{option} only applies with --linearizable")
    if args.kind not in OBJECT_KINDS:
        raise UsageError(f"kind {args.kind!r} is only checked with --linearizable")


def operations_from(args: argparse.Namespace, kind: Any) -> tuple[str, ...]:
    if args.ops is None:
        return require_operations(kind, None)
    names = [name.strip() for name in args.ops.split(",")]
    return require_operations(kind, [name for name in names if name] or [""])


def prepare(args: argparse.Namespace) -> Job:
    """Validate everything, probe the factory under each start method, return the search."""
    if args.kind not in LINEARIZABLE_KINDS:
        raise UsageError(f"--linearizable checks {', '.join(LINEARIZABLE_KINDS)}; "
                         f"a {args.kind} has no sequential model here")
    kind = require_kind(args.kind)
    operations = operations_from(args, kind)
    stress = require_count("--stress", DEFAULT_STRESS if args.stress is None else args.stress,
                           minimum=1, maximum=MAX_RUNS)
    examples = require_count("--examples",
                             DEFAULT_MAX_EXAMPLES if args.examples is None else args.examples,
                             minimum=1, maximum=MAX_EXAMPLES)
    methods = require_start_methods(args.start_method)
    try:
        require_hypothesis()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    factory = load(args.factory)
    for method in methods:
        probe(factory, kind, operations, method)  # one object in the parent, no child

    def job() -> int:
        try:
            passed = verify_linearizable(
                factory, kind, operations=operations, start_methods=methods,
                max_examples=examples, stress_runs=stress, timeout=args.timeout,
            )
        except NotLinearizable as failure:
            show(args, EXIT_FOUND, failure.to_dict(), str(failure))
            return EXIT_FOUND
        except (ScenarioError, DeadlineExceeded) as exc:
            said = f"no history to judge: {type(exc).__name__}: {exc}"
            show(args, EXIT_FOUND, {"ok": False, "kind": kind.name, "error": said}, said)
            return EXIT_FOUND
        except (ImportError, ValueError, TypeError) as exc:  # the factory failed on a later call
            raise UsageError(str(exc)) from None
        show(args, EXIT_OK, passed.to_dict(), str(passed))
        return EXIT_OK

    return job


def show(args: argparse.Namespace, code: int, record: dict[str, Any], text: str) -> None:
    """The one JSON document (its one record under ``results``), or the text report."""
    if args.json:
        document = json_document("check", code, linearizable=True, results=[record])
        output.final(json.dumps(document, indent=2, default=str))
    else:
        output.final(text)
