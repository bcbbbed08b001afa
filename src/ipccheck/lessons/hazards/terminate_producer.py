"""terminate() of a producer mid-stream: whatever was still in its feeder thread is lost.

``put()`` returning does not mean the item left the process: a Queue's feeder thread writes it
into the pipe later. Killing the producer loses those items; what arrived is an in-order prefix.
The fix asks the producer to stop and reads until its end marker.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from ...processes import Deadline, ProcessGroup, exit_description
from .hazard import HAZARD_TIMEOUT, Finding, Hazard
from .receive import close_queue, take

STREAM_ITEMS = 20_000  # far more than the pipe under a Queue can hold
RECEIVE_BEFORE_STOP = 100  # items the parent takes before it stops the producer
END = "end"  # the producer's last message is (END, how many items it put)


def stream_producer(channel: Queue[object], items: int, stop: Event, done_putting: Event) -> None:
    """Put up to ``items`` ints (fewer once ``stop`` is set), then (END, how many were put)."""
    sent = 0
    for seq in range(items):
        if stop.is_set():
            break
        channel.put(seq)
        sent += 1
    channel.put((END, sent))
    done_putting.set()


def _stream(ctx: BaseContext, kill: bool) -> tuple[list[Any], int | None]:
    """Take RECEIVE_BEFORE_STOP items, then stop the producer: ``kill`` it, or ask it to stop."""
    deadline = Deadline(HAZARD_TIMEOUT)
    channel: Queue[object] = ctx.Queue()
    stop, done_putting = ctx.Event(), ctx.Event()
    try:
        with ProcessGroup(ctx) as group:
            args = (channel, STREAM_ITEMS, stop, done_putting)
            producer = group.start(stream_producer, args, role="producer")
            got = take(channel, RECEIVE_BEFORE_STOP, deadline)
            if kill:
                # Every put() has returned, so the producer believes everything was sent; the
                # pipe holds only a few thousand items, the rest wait in its feeder thread.
                if not done_putting.wait(deadline.remaining()):
                    raise TimeoutError("the producer did not finish its put() calls in time")
                producer.terminate()  # the mistake: kill a producer with items in flight
                producer.join(deadline.remaining())
                got += take(channel, None, deadline)  # what had reached the pipe still arrives
            else:
                stop.set()  # the fix: ask; the producer finishes its current put and says so
                got += take(channel, None, deadline, until=END)
                producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        close_queue(channel)
    return got, code


def demo_terminate_producer(ctx: BaseContext) -> Finding:
    """terminate() a producer mid-stream: what was still in its feeder thread is gone."""
    got, code = _stream(ctx, kill=True)
    items = [item for item in got if isinstance(item, int)]
    prefix = items == list(range(len(items)))
    marker = len(items) != len(got)
    if prefix:
        arrived = f"exactly items 0..{len(items) - 1}, an in-order prefix"
    else:
        arrived = "NOT an in-order prefix"
    evidence = (
        f"put() had returned for all {STREAM_ITEMS} items; after terminate() "
        f"({exit_description(code)}) {len(items)} arrived and {STREAM_ITEMS - len(items)} were "
        f"lost in flight; what arrived was {arrived}; the end marker "
        f"{'arrived' if marker else 'never arrived'}"
    )
    return Finding(len(items) < STREAM_ITEMS and prefix and not marker, evidence)


def fix_terminate_producer(ctx: BaseContext) -> Finding:
    """Ask the producer to stop (an Event), then read until its end marker, then join."""
    got, code = _stream(ctx, kill=False)
    items = [item for item in got if isinstance(item, int)]
    ends = [item[1] for item in got if isinstance(item, tuple)]
    held = len(ends) == 1 and items == list(range(ends[0])) and code == 0
    said = ends[0] if ends else "an unknown number of"
    return Finding(
        held,
        f"stop requested after {RECEIVE_BEFORE_STOP} arrived; the producer "
        f"had put {said} items by then and every one arrived, in order, before its "
        f"end marker; exit code {code}",
    )


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "terminate-producer",
        "terminate() kills a producer with items still in flight: they are lost, and what "
        "arrived is only an in-order prefix (the docs warn the queue may even be corrupted)",
        "signal the producer to stop (an Event), read until its end marker, then join()",
        demo_terminate_producer,
        fix_terminate_producer,
    ),
)
