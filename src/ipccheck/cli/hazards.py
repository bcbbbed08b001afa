"""``ipccheck hazards [NAME ...]``: each classic mistake shown happening, then its fix holding.

Under ``--start-method all`` (the default) a hazard that depends on how children start runs once
per start method; one that does not (a typecode, a second program) runs once and says so.
Exit 0 when every hazard was shown and every fix held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json

from .._validate import require_start_methods
from ..lessons.hazards import HAZARDS, HazardResult, format_hazard, plan_hazards, run_hazard
from . import output
from .options import EXIT_FOUND, EXIT_OK, Job, add_json, add_start_method, json_document


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "hazards",
        help="show each classic multiprocessing mistake happening, then its fix holding",
        description="Run each hazard's demonstration and its fixed pattern. Exit 0 when every "
        "hazard was shown and every fix held. Hazards: " + ", ".join(HAZARDS),
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="default: every hazard")
    add_start_method(parser)
    add_json(parser)
    parser.set_defaults(prepare=prepare)


def prepare(args: argparse.Namespace) -> Job:
    plan = plan_hazards(args.names, args.start_method)  # every name checked before anything runs
    methods = require_start_methods(args.start_method)

    def job() -> int:
        results: list[HazardResult] = []
        total = sum(len(chosen) for _, chosen in plan)
        for name, chosen in plan:
            ran = []
            for method in chosen:
                output.step(f"{name} under {method}", total=total)
                ran.append(run_hazard(name, method))
            results += ran
            if not args.json:
                output.part(format_hazard(ran) + "\n")
        code = EXIT_OK if all(result.ok for result in results) else EXIT_FOUND
        if args.json:
            records = [result.to_dict() for result in results]
            document = json_document("hazards", code, start_methods=list(methods), results=records)
            output.final(json.dumps(document, indent=2))
        else:
            output.final(summary(methods, plan, results))
        return code

    return job


def summary(
    methods: tuple[str, ...], plan: list[tuple[str, tuple[str, ...]]], results: list[HazardResult]
) -> str:
    """One line for the whole run: how many were shown and held, under which start methods."""
    shown = sum(result.shown for result in results)
    held = sum(result.fix_held for result in results)
    line = (
        f"{len(plan)} hazard(s) under {', '.join(methods)}: {shown} of {len(results)} "
        f"demonstrations shown, {held} of {len(results)} fixes held"
    )
    once = [result.name for result in results if not result.per_start_method]
    if once and len(methods) > 1:
        line += f"; run once, the same under every start method: {', '.join(once)}"
    return line
