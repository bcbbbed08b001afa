"""How often a killed producer breaks a Queue, and how close a healthy writer came to looking dead.

Runs ``queue`` and ``joinable-queue`` with one producer killed part way, many times, and counts
the outcomes: survived, ``channel-broken`` (and why), or anything else (which would be a bug).
Then it runs healthy workloads (no fault) whose producers pause briefly after every put, so the
parent finds the pipe empty again and again while live writers come and go: the worst case for
the watch. There the watch is armed after *every* empty poll, not only once a producer has
died, and the tool records each stretch in which the watch
found the write lock taken with nothing arriving that then ended because the lock came free or
a message arrived: a live writer's hold. The longest of those, set against ``LOCK_PATIENCE``, is
the watch's margin against calling a slow writer dead; any finding in a healthy run would be a
false one. Run it on a loaded machine to see the margin shrink.

Usage: python tools/queue_kills.py [--runs N] [--healthy-runs N] [--procs P] [--base B] [--after K]
(fork only: the pausing producers are patched in, and forked children inherit the patch)
"""

from __future__ import annotations

import argparse
import collections
import time

from ipccheck import Workload, check, queue_watch, run
from ipccheck.channel import messages
from ipccheck.faults import Fault
from ipccheck.methods import joinable_queue
from ipccheck.methods import queue as queue_method

# The pause after each put in a healthy run: longer than the parent's 50 ms poll, so its polls
# keep coming back empty (and the watch keeps looking) while live writers come and go.
PAUSE_SECONDS = 0.06


def pausing_producer(channel, producer_id: int, base: int, mode: str, fault=None) -> None:  # type: ignore[no-untyped-def]
    for message in messages(producer_id, base, mode, fault):
        channel.put(message)
        time.sleep(PAUSE_SECONDS)


def pausing_joinable_producer(channel, producer_id: int, base: int, mode: str, fault=None) -> None:  # type: ignore[no-untyped-def]
    pausing_producer(channel, producer_id, base, mode, fault)
    channel.join()


class MeasuredWatch(queue_method.WriteLockWatch):
    """The real watch, also noting how long each hold that ended without a finding lasted."""

    healthy_holds: list[float] = []
    looks = 0
    always_armed = False

    def watching(self, receive):  # type: ignore[no-untyped-def]
        inner = super().watching(receive)

        def receive_and_note(timeout: float):  # type: ignore[no-untyped-def]
            started = self.held_since
            message = inner(timeout)
            if started is not None and self.held_since is None:
                MeasuredWatch.healthy_holds.append(time.monotonic() - started)
            if message is None and MeasuredWatch.always_armed:
                self([])  # look at the lock after every empty poll, as if a producer had died
            return message

        return receive_and_note

    def __call__(self, dead: list[int]) -> None:
        MeasuredWatch.looks += 1
        started = self.held_since
        super().__call__(dead)
        if started is not None and self.held_since is None:
            MeasuredWatch.healthy_holds.append(time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per method and kind")
    parser.add_argument("--healthy-runs", type=int, default=50,
                        help="healthy runs per method with the watch always armed")
    parser.add_argument("--healthy-procs", type=int, default=4)
    parser.add_argument("--healthy-base", type=int, default=30)
    parser.add_argument("--procs", type=int, default=3)
    parser.add_argument("--base", type=int, default=1000)
    parser.add_argument("--after", type=int, default=500)
    args = parser.parse_args(argv)
    queue_method.WriteLockWatch = MeasuredWatch  # type: ignore[misc]  # both methods look it up here
    joinable_queue.WriteLockWatch = MeasuredWatch  # type: ignore[misc]
    bad = 0
    for method in ("queue", "joinable-queue"):
        for kind in ("kill", "term"):
            tally: collections.Counter[str] = collections.Counter()
            slowest = 0.0
            arrived: list[int] = []
            for _ in range(args.runs):
                workload = Workload(method, procs=args.procs, base=args.base,
                                    start_method="fork",
                                    fault=Fault(kind, 1, args.after), timeout=60)
                outcome = run(workload)
                slowest = max(slowest, outcome.seconds)
                arrived.append(sum(1 for producer, _ in outcome.received if producer == 1))
                invariants = sorted({v.invariant for v in check(outcome)})
                if not invariants:
                    tally["survived"] += 1
                elif invariants == ["channel-broken"] and outcome.broken is not None:
                    why = "write lock" if "write lock" in outcome.broken else "stranded join()"
                    tally[f"broken ({why})"] += 1
                else:
                    bad += 1
                    tally["OTHER: " + ", ".join(invariants)] += 1
            print(f"{method:15} {kind}:1@{args.after}  {dict(tally)}  victim's items arrived "
                  f"{min(arrived)}-{max(arrived)}, slowest run {slowest:.2f} s", flush=True)
    MeasuredWatch.always_armed = True
    queue_method.put_producer = pausing_producer  # type: ignore[assignment]  # the queue method looks it up here
    joinable_queue.producer = pausing_joinable_producer
    for method in ("queue", "joinable-queue"):
        tally = collections.Counter()
        for _ in range(args.healthy_runs):
            workload = Workload(method, procs=args.healthy_procs, base=args.healthy_base,
                                start_method="fork", timeout=60)
            invariants = sorted({v.invariant for v in check(run(workload))})
            tally[", ".join(invariants) or "ok"] += 1
            bad += bool(invariants)
        print(f"{method:15} healthy, {args.healthy_procs} x {args.healthy_base}, watch always "
              f"armed: {dict(tally)}", flush=True)
    holds = MeasuredWatch.healthy_holds
    longest = max(holds, default=0.0)
    print(f"the watch looked at the lock {MeasuredWatch.looks} times; live writer holds seen: "
          f"{len(holds)}, longest {longest * 1000:.1f} ms "
          f"(LOCK_PATIENCE {queue_watch.LOCK_PATIENCE:g} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
