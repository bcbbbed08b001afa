"""Put, then get_nowait: a Queue can look empty after a put has returned.

``Queue.put`` appends the item to a buffer and returns; a feeder thread pickles it and writes
it to the pipe later (the docs' "infinitesimal delay"). A process told "it is in" as soon as
the put returns may call ``get_nowait()`` before the first byte arrived, and get ``Empty``: no
instant inside the put can be its linearization point (docs/linearizability.md).

The demonstration: one child is started first and waits for word on a Pipe; the parent puts a
large item (PAYLOAD ints, so the feeder takes a while to pickle it), then tells the child,
which calls ``get_nowait()`` at once. Both calls are recorded with the system-wide clock and
judged by the linearizability checker, so "after the put returned" is measured, not assumed.
Up to TRIES tries, stopping at the first history the checker rejects; the stress budget and
how often it missed are in docs/linearizability.md. The fix, ``get(timeout=...)``, waits for
the feeder: FIX_TRIES tries must each get the item, in a history the checker accepts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.queues import Queue
from typing import Any

from ...linearizability import MAIN, History, Operation, QueueModel, Recorder, linearize
from ...linearizability.scenario import Bulk
from ...processes import Deadline, ProcessGroup
from .hazard import HAZARD_TIMEOUT, Finding, Hazard

PAYLOAD = 200_000  # ints per item: pickling them keeps the feeder busy for milliseconds
TRIES = 20  # the demonstration's stress budget (docs/linearizability.md: how often it missed)
FIX_TRIES = 5
GET_WAIT = 5.0  # the fix's get(timeout=...); the item arrives in milliseconds
CHILD = 0  # the taker's process number in the recorded history
READY, STOP = "ready", None


def taker(channel: Queue[Any], orders: Connection, results: Connection, wait: bool) -> None:
    """Child: on each order, take at once (get_nowait) or wait (get); send back what happened."""
    recorder = Recorder(CHILD)
    results.send(READY)
    while orders.recv() is not STOP:
        if wait:
            op = recorder.record("get", (), lambda: channel.get(timeout=GET_WAIT))
        else:
            op = recorder.record("get_nowait", (), channel.get_nowait)
        if isinstance(op.result, Bulk):  # send back the item's tag, not its 200,000 ints
            op = dataclasses.replace(op, result=op.result.tag)
        results.send(op)
    results.close()


@dataclasses.dataclass(frozen=True)
class Tries:
    """What the tries saw: how many ran, and the first history the checker rejected."""

    made: int
    rejected: History | None = None
    culprit: Operation | None = None
    error: str = ""


def attempt(ctx: BaseContext, wait: bool, tries: int,
            make_queue: Callable[[BaseContext], Any] | None = None) -> Tries:
    """Put, tell the child, let it take; up to ``tries`` times, until a history is rejected.

    ``make_queue(ctx)`` makes the queue (default ``ctx.Queue()``; the tests give others).
    """
    deadline = Deadline(HAZARD_TIMEOUT)
    channel: Queue[Any] = ctx.Queue() if make_queue is None else make_queue(ctx)
    orders_reader, orders = ctx.Pipe(duplex=False)
    results, results_writer = ctx.Pipe(duplex=False)
    parent = Recorder(MAIN)
    clean = False
    try:
        with ProcessGroup(ctx) as group:
            group.start(taker, (channel, orders_reader, results_writer, wait), role="taker")
            results_writer.close()
            if not results.poll(deadline.remaining()) or results.recv() != READY:
                return Tries(0, error="the child did not start in time")
            found = Tries(0)
            for number in range(1, tries + 1):
                item = Bulk(number, PAYLOAD)
                put = parent.record("put", (number,), lambda: channel.put(item))  # noqa: B023
                orders.send(number)  # "it is in": the put has returned
                if not results.poll(deadline.remaining()):
                    return Tries(number, error=f"no answer from the child to try {number} in time")
                got: Operation = results.recv()
                if got.error is not None:  # take the item back, so the next try starts empty
                    channel.get(timeout=deadline.remaining())
                history = History([put, got])
                verdict = linearize(history, QueueModel())
                found = Tries(number)
                if verdict.linearizable is False:
                    found = Tries(number, history, verdict.culprit)
                    break
            orders.send(STOP)
            group.join(deadline)
            clean = True
            return found
    finally:
        for end in (orders, orders_reader, results):
            end.close()
        if not clean:
            channel.cancel_join_thread()  # an item may still wait for a reader that is gone
        channel.close()
        channel.join_thread()


def _interval(op: Operation, start: int) -> str:
    return f"{(op.call - start) / 1000:.0f}-{(op.ret - start) / 1000:.0f} µs"


def demo_get_nowait(ctx: BaseContext) -> Finding:
    found = attempt(ctx, wait=False, tries=TRIES)
    if found.error:
        return Finding(False, found.error)
    if found.rejected is None or found.culprit is None:
        return Finding(False, f"get_nowait() found the item in all {found.made} tries "
                              f"(a budget of {TRIES}; items of {PAYLOAD:,} ints)")
    put, got = sorted(found.rejected, key=lambda op: op.call)
    start = put.call
    return Finding(True, (
        f"try {found.made} of up to {TRIES}: the parent's put of {PAYLOAD:,} ints returned "
        f"({_interval(put, start)}), then the child's get_nowait() raised Empty "
        f"({_interval(got, start)}): no valid linearization point for {got}"
    ))


def fix_get_with_timeout(ctx: BaseContext) -> Finding:
    found = attempt(ctx, wait=True, tries=FIX_TRIES)
    if found.error:
        return Finding(False, found.error)
    if found.rejected is not None:
        return Finding(False, f"try {found.made}: {found.culprit} even with get(timeout=...)")
    return Finding(True, f"get(timeout={GET_WAIT:g}) took the item in all {found.made} tries, "
                         "each history linearizable")


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "queue-put-get-nowait",
        "after `q.put(item)` returns, another process told so can still find the Queue empty: "
        "`get_nowait()` raises Empty (and `empty()` says True) until the feeder thread has "
        "written the item",
        "take with `q.get(timeout=...)`, which waits for the item; never read `Empty` from "
        "get_nowait/empty as 'nothing was put' (or use a SimpleQueue, whose put writes before "
        "returning)",
        demo_get_nowait,
        fix_get_with_timeout,
    ),
)
