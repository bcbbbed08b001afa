"""``ipccheck hazards [NAME ...]``: each classic mistake shown happening, then its fix holding.

Exit 0 when every hazard was shown and every fix held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json

from .._validate import require_choice, require_start_methods
from ..lessons.hazards import HAZARDS, format_result, run_hazard
from .options import EXIT_FOUND, EXIT_OK, Job, add_json, add_start_method, json_document


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    chosen = list(args.names) or list(HAZARDS)
    for name in chosen:  # every name checked before the first demonstration starts
        require_choice("hazard", name, HAZARDS)
    methods = require_start_methods(args.start_method)

    def job() -> int:
        results = []
        for method in methods:
            for name in chosen:
                result = run_hazard(name, method)
                results.append(result)
                if not args.json:
                    print(format_result(result), end="\n\n", flush=True)
        code = EXIT_OK if all(result.ok for result in results) else EXIT_FOUND
        if args.json:
            records = [result.to_dict() for result in results]
            print(json.dumps(json_document("hazards", code, results=records), indent=2))
        else:
            shown = sum(result.shown for result in results)
            held = sum(result.fix_held for result in results)
            print(f"{shown} of {len(results)} hazards shown, {held} of {len(results)} fixes held")
        return code

    return job
