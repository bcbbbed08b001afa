"""Bounded receiving for the demonstrations: take what arrives, but never wait past a deadline.

A demonstration that hangs would teach nothing and block CI, so every read here has a timeout
and stops at the deadline, when the channel goes quiet, or at EOF.
"""

from __future__ import annotations

import queue as queue_module
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from typing import Any

from ...processes import Deadline

QUIET = 0.2  # an empty channel this long after the producer died holds nothing more


def take(channel: Queue[Any], count: int | None, deadline: Deadline, until: object = None) -> list[Any]:
    """Get from a Queue until ``count`` items (or the tuple ``(until, ...)``) arrived, or it went quiet.

    With ``count`` None and no ``until``, stops after the queue stayed empty for QUIET seconds.
    Never waits past ``deadline``.
    """
    got: list[Any] = []
    while not deadline.expired():
        if count is not None and len(got) >= count:
            break
        try:
            item = channel.get(timeout=min(QUIET, deadline.remaining()))
        except queue_module.Empty:
            if count is None and until is None:
                break
            continue
        got.append(item)
        if until is not None and isinstance(item, tuple) and item[:1] == (until,):
            break
    return got


def receive_all(reader: Connection[Any, Any], count: int, deadline: Deadline) -> list[Any]:
    """Receive from a Connection until ``count`` messages, EOF, or the deadline."""
    got: list[Any] = []
    while len(got) < count and not deadline.expired():
        if not reader.poll(min(QUIET, deadline.remaining())):
            continue
        try:
            got.append(reader.recv())
        except EOFError:
            break
    return got


def close_queue(channel: Queue[Any]) -> None:
    """Close a Queue and wait for its feeder thread, so no thread or fd outlives the hazard."""
    channel.close()
    channel.join_thread()
