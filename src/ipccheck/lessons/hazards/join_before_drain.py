"""Join before drain: a producer cannot exit while what it sent still waits for a reader.

Shown for a Queue (its feeder thread holds the items the pipe cannot take, and the child waits
for that thread before exiting) and for a Pipe (``send()`` itself blocks once the buffer is
full). Each demonstration stands in for "join() hangs forever" with a ``join(JOIN_WAIT)`` that
times out, then drains, so the producer exits cleanly and proves it was only waiting.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from ...processes import Deadline, ProcessGroup
from .. import race
from .hazard import HAZARD_TIMEOUT, Finding, Hazard
from .receive import close_queue, receive_all, take

# Sizes past the thresholds measured here (docs/races.md): a child that sent small ints blocks its
# parent's join() from 279 messages on the default Pipe() and from 3,575 on a Queue.
QUEUE_ITEMS = 10_000
PIPE_ITEMS = 2_000
JOIN_WAIT = 1.0  # the short join() that stands in for "join() hangs forever"


# --- Queue ------------------------------------------------------------------------------------


def queue_producer(channel: Queue[int], items: int, done_putting: Event) -> None:
    """Put ``items`` ints, then say so. put() only hands them to a feeder thread."""
    for seq in range(items):
        channel.put(seq)
    done_putting.set()


def demo_queue(ctx: BaseContext) -> Finding:
    """Join a producer whose Queue is still full: it cannot exit until someone reads."""
    deadline = Deadline(HAZARD_TIMEOUT)
    channel: Queue[int] = ctx.Queue()
    done_putting = ctx.Event()
    try:
        with ProcessGroup(ctx) as group:
            producer = group.start(queue_producer, (channel, QUEUE_ITEMS, done_putting), role="producer")
            if not done_putting.wait(deadline.remaining()):
                return Finding(False, "the producer did not finish its put() calls in time")
            producer.join(JOIN_WAIT)  # the mistake: join before draining
            stuck = producer.is_alive()
            got = take(channel, QUEUE_ITEMS, deadline)  # clean up: drain, then it can exit
            producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        close_queue(channel)
    evidence = (
        f"the producer returned from all {QUEUE_ITEMS} put() calls, yet join({JOIN_WAIT:g} s) "
        f"{'timed out with it still alive' if stuck else 'returned'}; after the parent drained "
        f"{len(got)} items it exited with code {code}"
    )
    return Finding(stuck and len(got) == QUEUE_ITEMS and code == 0, evidence)


def fix_queue(ctx: BaseContext) -> Finding:
    """Drain everything first, then join: the producer is already free to exit."""
    deadline = Deadline(HAZARD_TIMEOUT)
    channel: Queue[int] = ctx.Queue()
    done_putting = ctx.Event()
    try:
        with ProcessGroup(ctx) as group:
            producer = group.start(queue_producer, (channel, QUEUE_ITEMS, done_putting), role="producer")
            got = take(channel, QUEUE_ITEMS, deadline)
            producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        close_queue(channel)
    held = got == list(range(QUEUE_ITEMS)) and code == 0
    return Finding(
        held,
        f"drained {len(got)} of {QUEUE_ITEMS} items in order, then join() "
        f"returned at once: exit code {code}",
    )


# --- Pipe -------------------------------------------------------------------------------------


def pipe_producer(writer: Connection[int, Any], items: int, sent: race.SharedCounter) -> None:
    """Send ``items`` ints on a Pipe, counting every send() that returned."""
    with writer:
        for seq in range(items):
            writer.send(seq)
            sent.value = seq + 1


def _pipe_run(ctx: BaseContext, join_first: bool) -> tuple[bool, int, list[Any], int | None]:
    """One producer on the default duplex Pipe(); returns (stuck, sent at join, received, code)."""
    deadline = Deadline(HAZARD_TIMEOUT)
    reader, writer = ctx.Pipe()
    sent: race.SharedCounter = ctx.RawValue("q", 0)
    stuck, sent_at_join = False, 0
    try:
        with ProcessGroup(ctx) as group:
            producer = group.start(pipe_producer, (writer, PIPE_ITEMS, sent), role="producer")
            writer.close()  # the producer holds the only write end now
            if join_first:
                producer.join(JOIN_WAIT)  # the mistake: join before receiving
                stuck, sent_at_join = producer.is_alive(), sent.value
            got = receive_all(reader, PIPE_ITEMS, deadline)
            producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        reader.close()
    return stuck, sent_at_join, got, code


def demo_pipe(ctx: BaseContext) -> Finding:
    """Join a producer that is still sending: send() blocks once the pipe's buffer is full."""
    stuck, sent_at_join, got, code = _pipe_run(ctx, join_first=True)
    evidence = (
        f"join({JOIN_WAIT:g} s) {'timed out' if stuck else 'returned'} with only {sent_at_join} "
        f"of {PIPE_ITEMS} send() calls done: the producer is blocked in send() because nobody "
        f"reads; after the parent received {len(got)} messages it exited with code {code}"
    )
    shown = stuck and sent_at_join < PIPE_ITEMS and len(got) == PIPE_ITEMS and code == 0
    return Finding(shown, evidence)


def fix_pipe(ctx: BaseContext) -> Finding:
    """Receive every message first, then join."""
    _stuck, _sent, got, code = _pipe_run(ctx, join_first=False)
    held = got == list(range(PIPE_ITEMS)) and code == 0
    return Finding(
        held,
        f"received {len(got)} of {PIPE_ITEMS} messages in order, then join() "
        f"returned: exit code {code}",
    )


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "join-before-drain-queue",
        "a child that put more than the pipe holds cannot exit until the items are read: "
        "join() before draining the Queue hangs (its feeder thread still holds the data)",
        "drain every item, then join()",
        demo_queue,
        fix_queue,
    ),
    Hazard(
        "join-before-drain-pipe",
        "send() on a Pipe blocks once the buffer is full, so join() before recv() hangs",
        "recv() until every message (or EOF) arrived, then join()",
        demo_pipe,
        fix_pipe,
    ),
)
