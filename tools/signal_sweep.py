"""Send SIGINT and SIGTERM at random moments to every subcommand and count the clean stops.

For each subcommand and each signal, ``--tries`` runs (default 20). Each run starts the command
(every start method: none of these runs passes ``--start-method``), waits a random moment
between 0.1 s and its window (how long the command runs undisturbed, measured first, at most
``--max-window`` seconds), then sends the signal to the command alone (as ``kill`` and a CI
cancel do) or to its whole process group (as Ctrl-C in a terminal does), in turn. The stop is
judged by ``tests/signalling.py``: clean means exit 128 + the signal within 5 s, no verdict on
stdout, one "interrupted" line on stderr, and no process, /dev/shm file or temp path of the run
left. A run that printed its verdict before the signal took effect counts as "finished first",
not as interrupted. A signal in the first second or so, while Python is still importing the
command (its handlers not yet installed), ends the process by the signal's default action: it
counts as interrupted (the shell sees 128 + N; nothing was started or printed) and is also
shown on its own, as "in start-up".

Usage: python tools/signal_sweep.py [--tries N] [--seed S] [--only run,check] [--max-window S]
Prints a table (tries, interrupted, clean, finished first, median and max seconds to exit per
subcommand and signal) and every problem seen. Exit 1 if any interrupted run was not clean.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.signalling import STOP_SECONDS, Stopped, after, stop  # noqa: E402 - after the path

# What each subcommand runs; each list alternates run by run (check: a failure to shrink, and
# a manager started for every run).
COMMANDS: dict[str, list[list[str]]] = {
    "run": [["run", "manager-queue", "shared-memory", "manager", "queue", "file",
             "--base", "100000"]],
    "bare": [["--procs", "2", "--base", "2000"]],
    "race": [["race", "--trials", "2"]],
    "hazards": [["hazards"]],
    "check": [["check", "queue", "ipccheck.conformance.broken:DropOneQueue"],
              ["check", "queue", "ipccheck.conformance.examples:manager_queue"]],
    "explore": [["explore", "unlocked-increment", "--iterations", "20"]],
    "bench": [["bench", "--quick", "--sizes", "8,64k",
               "--methods", "queue,manager-queue,file,locked-value,manager-value"]],
}
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}
TARGETS = ("command", "group")


def window_of(argv: list[str], cap: float) -> float:
    """How long ``argv`` runs undisturbed (at most ``cap``): a SIGTERM sent after that finds it done."""
    began = time.monotonic()
    result = stop(argv, signal.SIGTERM, after(cap), target="command")
    took = time.monotonic() - began
    if result.sent_at is None:  # it finished on its own
        return min(cap, max(0.5, took))
    return cap


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20, help="runs per subcommand and signal")
    parser.add_argument("--seed", type=int, default=None, help="for the random moments")
    parser.add_argument("--only", help="comma-separated subcommands (default: all)")
    parser.add_argument("--signals", default="SIGINT,SIGTERM", help="default SIGINT,SIGTERM")
    parser.add_argument("--max-window", type=float, default=20.0,
                        help="latest moment of a signal, in seconds (default 20)")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(COMMANDS)
    signals = [SIGNALS[name] for name in args.signals.split(",")]
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    chance = random.Random(seed)
    print(f"signal sweep: {args.tries} tries per cell, seed {seed}, windows at most "
          f"{args.max_window:g} s, Python {sys.version.split()[0]}", flush=True)

    rows = []
    problems: list[str] = []
    began = time.monotonic()
    for name in names:
        windows = [window_of(command, args.max_window) for command in COMMANDS[name]]
        print(f"{name}: windows {', '.join(f'{w:.1f} s' for w in windows)}", flush=True)
        for signum in signals:
            results: list[Stopped] = []
            for attempt in range(args.tries):
                which = attempt % len(COMMANDS[name])
                moment = chance.uniform(0.1, windows[which])
                target = TARGETS[attempt % len(TARGETS)]
                result = stop(COMMANDS[name][which], signum, after(moment), target=target)
                results.append(result)
                for problem in result.problems(within=STOP_SECONDS):
                    problems.append(
                        f"{name} {signal.Signals(signum).name} to the {target} at "
                        f"{moment:.2f} s ({' '.join(result.argv)}): {problem}"
                    )
            rows.append((name, signal.Signals(signum).name, results))
            print(row_text(*rows[-1]), flush=True)

    print()
    print(header())
    for row in rows:
        print(row_text(*row))
    print(f"({time.monotonic() - began:.0f} s in all; command: python tools/signal_sweep.py "
          f"--tries {args.tries} --seed {seed} --max-window {args.max_window:g})")
    if problems:
        print("\nproblems:")
        for problem in problems:
            print(f"  {problem}")
    return 1 if problems else 0


def header() -> str:
    return (f"{'subcommand':<10} {'signal':<7} {'tries':>5} {'interrupted':>11} {'clean':>5} "
            f"{'in start-up':>11} {'finished first':>14} {'median s':>8} {'max s':>6}")


def row_text(name: str, signal_name: str, results: list[Stopped]) -> str:
    interrupted = [r for r in results if r.interrupted]
    clean = [r for r in interrupted if not r.problems(within=STOP_SECONDS)]
    startup = sum(r.during_startup for r in interrupted)
    finished = len(results) - len(interrupted)
    seconds = [r.seconds for r in interrupted if r.seconds is not None]
    median = f"{statistics.median(seconds):.2f}" if seconds else "-"
    longest = f"{max(seconds):.2f}" if seconds else "-"
    return (f"{name:<10} {signal_name:<7} {len(results):>5} {len(interrupted):>11} "
            f"{len(clean):>5} {startup:>11} {finished:>14} {median:>8} {longest:>6}")


if __name__ == "__main__":
    raise SystemExit(main())
