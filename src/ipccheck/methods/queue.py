"""``queue``: producers ``put`` into one ``multiprocessing.Queue``; the parent ``get``s.

A Queue's ``put`` hands the item to a feeder thread, and a producer does not exit until that
thread has written everything into the pipe. So the parent must drain before it joins
(the multiprocessing docs' "joining processes that use queues"), and close the queue after.

Every writer's feeder thread takes the queue's one write lock around each message. A producer
killed while its feeder holds that lock takes the lock with it: nothing releases it, every other
producer's feeder waits for it forever, and the docs' warning that such a queue "is liable to
become corrupted" comes true. ``WriteLockWatch`` notices that and reports it as ``ChannelBroken``
instead of waiting out the deadline.
"""

from __future__ import annotations

import queue as queue_module
import time
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

from ..channel import ChannelBroken, Message, collect, drain_leftovers, messages
from ..faults import Fault, process_index
from ..outcome import CHANNEL, Observation
from ..processes import Deadline, ProcessGroup, exit_description
from ..workload import Workload

NAME = "queue"
FAMILY = CHANNEL
DESCRIPTION = "producers put into one multiprocessing.Queue, the parent drains before joining"

# How long the write lock must stay taken, with nothing arriving, before the watch concludes
# that a dead producer holds it. A live writer holds it only while it writes one small message
# into a pipe the parent keeps empty, so a healthy hold lasts microseconds; README "Faults and
# trust boundaries" gives the longest one measured on a loaded machine.
LOCK_PATIENCE = 2.0


def producer(channel, producer_id: int, base: int, mode: str, fault: Fault | None = None) -> None:  # type: ignore[no-untyped-def]
    for message in messages(producer_id, base, mode, fault):
        channel.put(message)


def getter(channel):  # type: ignore[no-untyped-def]
    """A receive function for ``collect`` over anything with ``get(timeout=...)``."""

    def receive(timeout: float) -> Message | None:
        try:
            return channel.get(timeout=timeout)
        except queue_module.Empty:
            return None

    return receive


def ended_how(group: ProcessGroup, producers: list[int]) -> str:
    """``producer 1 (killed by SIGKILL)``: who ended without a sentinel, and how."""
    names = {f"producer-{p}" for p in producers}
    parts = [f"producer {process_index(p.name)} ({exit_description(p.exitcode)})"
             for p in group.processes if p.name in names]
    return ", ".join(parts)


class WriteLockWatch:
    """Notices a Queue whose write lock went down with a dead producer.

    ``collect`` calls it after each empty poll while a producer has died without its sentinel.
    It tries the lock without blocking (the parent must keep reading, or a live writer that
    filled the pipe would hold the lock for as long as the parent waited). The lock taken on
    every look for ``LOCK_PATIENCE`` seconds, with no message arriving in between, means
    nobody alive holds it.
    """

    def __init__(self, channel: Any, group: ProcessGroup, patience: float = LOCK_PATIENCE) -> None:
        self.lock = getattr(channel, "_wlock", None)  # None on Windows, where writes take no lock
        self.group = group
        self.patience = patience
        self.held_since: float | None = None

    def watching(
        self, receive: Callable[[float], Message | None]
    ) -> Callable[[float], Message | None]:
        """``receive`` that also tells the watch a message arrived: proof a writer is alive."""

        def receive_and_reset(timeout: float) -> Message | None:
            message = receive(timeout)
            if message is not None:
                self.held_since = None
            return message

        return receive_and_reset

    def __call__(self, dead: list[int]) -> None:
        if self.lock is None:
            return
        if self.lock.acquire(False):
            self.lock.release()
            self.held_since = None
            return
        now = time.monotonic()
        if self.held_since is None:
            self.held_since = now
        elif now - self.held_since >= self.patience:
            alive = ", ".join(p.name for p in self.group.alive())
            stuck = f"{alive} can never write again" if alive else "nobody can write to it again"
            raise ChannelBroken(
                f"{ended_how(self.group, dead)} died holding the queue's write lock: it has "
                f"stayed taken for {now - self.held_since:.1f} s with nothing arriving, so "
                f"{stuck} (a Queue whose writer is killed 'is liable "
                "to become corrupted', multiprocessing docs)"
            )


def execute(
    workload: Workload,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    channel = ctx.Queue()
    try:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, name=f"producer-{index}")
        watch = WriteLockWatch(channel, group)
        receive = watch.watching(getter(channel))
        collect(receive, workload.procs, group, deadline, observation, diagnose=watch)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        channel.close()
        channel.join_thread()
