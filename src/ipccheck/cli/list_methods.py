"""``ipccheck list``: the reference methods, one per line, with what each shows."""

from __future__ import annotations

import argparse
import json

from ..methods import METHODS
from . import output
from .options import EXIT_OK, Job, add_json, json_document


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("list", help="list the methods, one per line")
    add_json(parser)
    parser.set_defaults(prepare=prepare)


def prepare(args: argparse.Namespace) -> Job:
    return lambda: print_methods(as_json=args.json)


def print_methods(*, as_json: bool) -> int:
    if as_json:
        records = [
            {"method": name, "family": method.FAMILY, "description": method.DESCRIPTION}
            for name, method in METHODS.items()
        ]
        output.final(json.dumps(json_document("list", EXIT_OK, results=records), indent=2))
        return EXIT_OK
    width = max(len(name) for name in METHODS)
    output.final("\n".join(f"{name:<{width}}  {method.DESCRIPTION}" for name, method in METHODS.items()))
    return EXIT_OK
