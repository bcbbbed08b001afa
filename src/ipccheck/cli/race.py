"""``ipccheck race``: lost updates on a shared counter, forced, free-running and fixed.

One outcome table per race (mode, counter, start method); under ``--start-method all`` (the
default) every race runs under each start method this platform supports. Exit 1 if any trial
is not acceptable (a FORBIDDEN value, or a forced or locked run that missed its one exact
value, or a trial that failed); 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from .._validate import ALL, MAX_PROCS, require_count, require_start_methods
from ..lessons.race import (
    COUNTERS,
    DEFAULT_PROCS,
    DEFAULT_TRIALS,
    FIX,
    MAX_TRIALS,
    RACE_MODES,
    WHY,
    Trial,
    format_race,
    require_race,
    run_trials,
)
from . import output
from .options import EXIT_FOUND, EXIT_OK, Job, add_json, add_start_method, add_timeout, json_document


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "race",
        help="show lost updates on an unlocked counter: forced, free-running, and fixed",
        description="Race workers on one shared counter and grade every final value "
        "(exact / lost updates / FORBIDDEN). Exit 1 if a value is FORBIDDEN or a forced or "
        "locked run missed its exact value.",
    )
    parser.add_argument(
        "--procs", type=int, default=DEFAULT_PROCS, help=f"workers (default {DEFAULT_PROCS})"
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="increments per worker (default depends on mode and counter: forced 200, or 100 on "
        "manager-value; free and locked 20000 on value, 200000 on raw-value, 1000 on manager-value)",
    )
    parser.add_argument(
        "--trials", type=int, default=DEFAULT_TRIALS, help=f"runs per race (default {DEFAULT_TRIALS})"
    )
    parser.add_argument("--mode", choices=[*RACE_MODES, ALL], default=ALL, help="default: all")
    parser.add_argument(
        "--counter", choices=[*COUNTERS, ALL], default="value", help="default: value"
    )
    add_start_method(parser)
    add_timeout(parser, "trial")
    add_json(parser)
    parser.set_defaults(prepare=prepare)


def prepare(args: argparse.Namespace) -> Job:
    modes = list(RACE_MODES) if args.mode == ALL else [args.mode]
    counters = list(COUNTERS) if args.counter == ALL else [args.counter]
    methods = require_start_methods(args.start_method)
    require_count("procs", args.procs, minimum=1, maximum=MAX_PROCS)
    require_count("trials", args.trials, minimum=1, maximum=MAX_TRIALS)
    races = [(m, c, s) for c in counters for s in methods for m in modes]
    for mode, counter, method in races:  # validate everything before the first process starts
        require_race(mode, counter, args.procs, args.iterations, method, args.timeout)

    def job() -> int:
        every: list[Trial] = []
        for mode, counter, method in races:
            output.step(f"{mode} race on {counter} under {method}", total=len(races))
            trials = run_trials(
                mode, counter, args.procs, args.iterations, args.trials, method, args.timeout
            )
            every.extend(trials)
            if not args.json:
                output.part(format_race(trials) + "\n")
        bad = [trial for trial in every if not trial.ok]
        code = EXIT_FOUND if bad else EXIT_OK
        if args.json:
            results = [trial.to_dict() for trial in every]
            document = json_document("race", code, start_methods=list(methods), results=results)
            output.final(json.dumps(document, indent=2))
            return code
        lines = [WHY, *(FIX[counter] for counter in counters)]
        if bad:
            grades = Counter(trial.grade for trial in bad)
            what = ", ".join(f"{count} {grade}" for grade, count in sorted(grades.items()))
            lines.append(f"{len(bad)} of {len(every)} trials not acceptable: {what}")
        else:
            lines.append(f"{len(every)} trials, every outcome acceptable (nothing FORBIDDEN).")
        output.final("\n".join(lines))
        return code

    return job
