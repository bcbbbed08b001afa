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

Around each run /dev/shm is listed too: a name that is new after the run (and after its
helpers, the resource tracker included, are gone) and that no process holds is debris, whether
or not a process of the run was seen to map it; a named semaphore (``sem.*``) is counted on its
own. A listing cannot tell whose a name is: a neighbour's live semaphore or segment is held
(mapped) by its owner, so it is not blamed, but a neighbour's own leak would be. Run the sweep
alone (``flock /tmp/ipccheck-heavy.lock ...``, with no other test run on the machine).

Usage: python tools/signal_sweep.py [--tries N] [--seed S] [--only run,check] [--max-window S]
       [--command "race --trials 50 --start-method spawn" ...] [--signals SIGINT,SIGTERM]
Prints a table (tries, interrupted, clean, finished first, median and max seconds to exit,
exit codes and new /dev/shm names per subcommand and signal) and every problem seen.
``--command`` (repeatable) sweeps the given command lines instead of the table below.
Exit 1 if any interrupted run was not clean or any run left a name in /dev/shm.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import signal
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ipccheck.leftovers.entries import (  # noqa: E402 - after the path
    NAMED_SEMAPHORE_PREFIX,
    SHM_DIR,
    Listing,
    listing,
)
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
# A new name held by no process is looked at again this much later: a neighbour's may be on its
# way out (its owner exited, its resource tracker is unlinking it).
SETTLE_SECONDS = 1.0


@dataclass
class Try:
    """One signalled run and the names it left in /dev/shm."""

    result: Stopped
    new_in_shm: list[str]

    @property
    def new_semaphores(self) -> list[str]:
        return [name for name in self.new_in_shm if name.startswith(NAMED_SEMAPHORE_PREFIX)]


def signalled(argv: list[str], signum: int, moment: float, target: str) -> Try:
    """``stop`` with /dev/shm listed before and after: see ``left_in_shm``."""
    before = listing(SHM_DIR)
    result = stop(argv, signum, after(moment), target=target)
    return Try(result, left_in_shm(before))


def left_in_shm(before: Listing) -> list[str]:
    """Names new in /dev/shm since ``before`` that are still there and held by no process."""
    if not listing(SHM_DIR) - before:
        return []
    time.sleep(SETTLE_SECONDS)
    held = held_in_shm()
    return sorted(name for name, inode in listing(SHM_DIR) - before if inode not in held)


def held_in_shm() -> set[int]:
    """Inodes of the /dev/shm files some process has mapped or open now.

    By inode, not by name: glibc makes a named semaphore under a temporary name, maps it and
    only then links it to its real name, so /proc shows the mapping as ``sem.XXXXXX (deleted)``.
    """
    inodes: set[int] = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/maps") as maps:
                for line in maps:
                    parts = line.split(maxsplit=5)
                    if len(parts) == 6 and parts[5].startswith(SHM_DIR + "/"):
                        inodes.add(int(parts[4]))
            for fd in os.listdir(f"/proc/{pid}/fd"):
                path = f"/proc/{pid}/fd/{fd}"
                if os.readlink(path).startswith(SHM_DIR + "/"):
                    inodes.add(os.stat(path).st_ino)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return inodes


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
    parser.add_argument("--command", action="append", default=[], metavar="ARGS",
                        help="an ipccheck command line to sweep instead of the table (repeatable)")
    args = parser.parse_args(argv)
    commands = custom_commands(args.command) if args.command else COMMANDS
    names = args.only.split(",") if args.only else list(commands)
    signals = [SIGNALS[name] for name in args.signals.split(",")]
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    chance = random.Random(seed)
    print(f"signal sweep: {args.tries} tries per cell, seed {seed}, windows at most "
          f"{args.max_window:g} s, Python {sys.version.split()[0]}", flush=True)

    rows = []
    problems: list[str] = []
    began = time.monotonic()
    for name in names:
        windows = [window_of(command, args.max_window) for command in commands[name]]
        print(f"{name}: windows {', '.join(f'{w:.1f} s' for w in windows)} "
              f"({'; '.join(' '.join(command) for command in commands[name])})", flush=True)
        for signum in signals:
            tries: list[Try] = []
            for attempt in range(args.tries):
                which = attempt % len(commands[name])
                moment = chance.uniform(0.1, windows[which])
                target = TARGETS[attempt % len(TARGETS)]
                done = signalled(commands[name][which], signum, moment, target)
                tries.append(done)
                found = done.result.problems(within=STOP_SECONDS)
                if done.new_in_shm:
                    found.append(f"left in {SHM_DIR}: {', '.join(done.new_in_shm)}")
                for problem in found:
                    problems.append(
                        f"{name} {signal.Signals(signum).name} to the {target} at "
                        f"{moment:.2f} s ({' '.join(done.result.argv)}): {problem}"
                    )
            rows.append((name, signal.Signals(signum).name, tries))
            print(row_text(*rows[-1]), flush=True)

    print()
    print(header())
    for row in rows:
        print(row_text(*row))
    print(f"({time.monotonic() - began:.0f} s in all; command: python tools/signal_sweep.py "
          f"{shlex.join(reproduce(args, seed))})")
    if problems:
        print("\nproblems:")
        for problem in problems:
            print(f"  {problem}")
    return 1 if problems else 0


def custom_commands(lines: list[str]) -> dict[str, list[list[str]]]:
    """``--command`` lines as cells, each named by its subcommand (``race``, ``race-2``, ...)."""
    cells: dict[str, list[list[str]]] = {}
    for line in lines:
        argv = shlex.split(line)
        name, number = argv[0], 1
        while name in cells:
            number += 1
            name = f"{argv[0]}-{number}"
        cells[name] = [argv]
    return cells


def reproduce(args: argparse.Namespace, seed: int) -> list[str]:
    """The arguments that run this sweep again, the seed included."""
    again = ["--tries", str(args.tries), "--seed", str(seed), "--max-window", f"{args.max_window:g}",
             "--signals", args.signals]
    if args.only:
        again += ["--only", args.only]
    for line in args.command:
        again += ["--command", line]
    return again


def header() -> str:
    return (f"{'subcommand':<10} {'signal':<7} {'tries':>5} {'interrupted':>11} {'clean':>5} "
            f"{'in start-up':>11} {'finished first':>14} {'median s':>8} {'max s':>6} "
            f"{'new sem.*':>9} {'new other':>9}  exit codes")


def row_text(name: str, signal_name: str, tries: list[Try]) -> str:
    results = [done.result for done in tries]
    interrupted = [r for r in results if r.interrupted]
    clean = [r for r in interrupted if not r.problems(within=STOP_SECONDS)]
    startup = sum(r.during_startup for r in interrupted)
    finished = len(results) - len(interrupted)
    seconds = [r.seconds for r in interrupted if r.seconds is not None]
    median = f"{statistics.median(seconds):.2f}" if seconds else "-"
    longest = f"{max(seconds):.2f}" if seconds else "-"
    semaphores = sum(len(done.new_semaphores) for done in tries)
    others = sum(len(done.new_in_shm) for done in tries) - semaphores
    codes = Counter("hung" if r.shell_code is None else str(r.shell_code) for r in results)
    exits = " ".join(f"{code}:{count}" for code, count in sorted(codes.items()))
    return (f"{name:<10} {signal_name:<7} {len(results):>5} {len(interrupted):>11} "
            f"{len(clean):>5} {startup:>11} {finished:>14} {median:>8} {longest:>6} "
            f"{semaphores:>9} {others:>9}  {exits}")


if __name__ == "__main__":
    raise SystemExit(main())
