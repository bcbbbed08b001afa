"""Noticing a Queue that a dead producer broke for everyone else, instead of waiting it out.

Every writer's feeder thread takes a ``multiprocessing.Queue``'s one write lock around each
message. A producer killed while its feeder holds that lock takes the lock with it: nothing
releases it, every other producer's feeder waits for it forever, and the docs' warning that
such a queue "is liable to become corrupted" comes true. ``WriteLockWatch`` notices that and
raises ``ChannelBroken``. The ``queue`` and ``joinable-queue`` methods use it.
"""

from __future__ import annotations

import time
from typing import Any

from .channel import Receive
from .processes import ProcessGroup, exit_description
from .protocol import PRODUCER, ChannelBroken, Message

# How long the write lock must stay taken, with nothing arriving, before the watch concludes
# that a dead producer holds it. A live writer holds it only while it writes one small message
# into a pipe the parent keeps empty, so a healthy hold lasts microseconds; docs/faults.md gives
# the longest one measured on a loaded machine.
LOCK_PATIENCE = 2.0


def ended_how(group: ProcessGroup, producers: list[int]) -> str:
    """``producer 1 (killed by SIGKILL)``: who ended without a sentinel, and how."""
    parts = [
        f"producer {role.index} ({exit_description(process.exitcode)})"
        for role, process in group.members
        if role.kind == PRODUCER and role.index in producers
    ]
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

    def watching(self, receive: Receive) -> Receive:
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
