"""The two halves every message-passing method shares: what producers send, how the parent collects.

Producers send ``(producer, n)`` pairs and finally ``(producer, END)``. The parent collects
until every producer's sentinel has arrived, and never waits forever: it gives up when the
deadline passes, or when every producer it still waits for has exited and the channel has stayed
empty. A method whose channel a dead producer can break (a ``Queue`` whose writer died holding
its lock) passes a ``diagnose`` hook that raises ``ChannelBroken`` instead of waiting it out.
"""

from __future__ import annotations

import queue as queue_module
from collections.abc import Callable, Iterator
from typing import Any

from .faults import Fault, strike
from .interrupts import raise_if_stopped
from .processes import Deadline, ProcessGroup
from .protocol import END, Message, Observation, producer_role

# Longest single wait for a message; short so a dead producer or the deadline is noticed soon.
POLL_SECONDS = 0.05

Receive = Callable[[float], "Message | None"]


def messages(producer_id: int, base: int, mode: str, fault: Fault | None = None) -> Iterator[Message]:
    """Everything one producer sends, in order, ending with its sentinel.

    A ``fault`` strikes when the producer asks for its next message after sending ``after``.
    """
    if mode == "stream":
        for seq in range(base):
            strike(fault, producer_id, seq)
            yield (producer_id, seq)
    else:
        subtotal = 0
        for _ in range(base):
            strike(fault, producer_id, subtotal)
            subtotal += 1
    strike(fault, producer_id, base)
    if mode == "summary":
        yield (producer_id, subtotal)
    yield (producer_id, END)


def put_producer(channel: Any, producer_id: int, base: int, mode: str, fault: Fault | None = None) -> None:
    """A producer for anything with ``put(item)``: a Queue, a SimpleQueue, a manager queue."""
    for message in messages(producer_id, base, mode, fault):
        channel.put(message)


def getter(channel: Any) -> Receive:
    """A receive function for ``collect`` over anything with ``get(timeout=...)``."""

    def receive(timeout: float) -> Message | None:
        try:
            message: Message = channel.get(timeout=timeout)
        except queue_module.Empty:
            return None
        return message

    return receive


def record(observation: Observation, message: Message) -> None:
    """Add one received message to the observation, keeping items and sentinels apart."""
    producer_id, n = message
    if n == END:
        observation.sentinels.append((producer_id, len(observation.received)))
    else:
        observation.received.append((producer_id, n))


def collect(
    receive: Receive,
    procs: int,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
    diagnose: Callable[[list[int]], None] | None = None,
) -> None:
    """Receive until all ``procs`` sentinels arrived, the awaited producers died, or time is up.

    ``receive(timeout)`` returns the next message, or None if none came within ``timeout``.
    Producers are the group's children with the roles ``producer_role(0..procs-1)``.
    ``diagnose(dead)``, if given, is called after each empty poll while some producers ``dead``
    have ended without their sentinel and others are still running; it raises ``ChannelBroken``
    if their death broke the channel.
    """
    waiting_for = set(range(procs))
    quiet_polls_after_exit = 0
    while waiting_for:
        raise_if_stopped()  # a swallowed Ctrl-C must not leave the parent collecting until the deadline
        deadline.check(f"waiting for the sentinels of producers {sorted(waiting_for)}", group)
        message = receive(min(POLL_SECONDS, deadline.remaining()))
        if message is not None:
            quiet_polls_after_exit = 0
            record(observation, message)
            producer_id, n = message
            if n == END:
                waiting_for.discard(producer_id)
            continue
        dead = sorted(p for p in waiting_for if group.has_ended(producer_role(p)))
        if len(dead) < len(waiting_for):
            if dead and diagnose is not None:
                diagnose(dead)
            continue
        # Every producer still awaited has exited, so all it sent is already in the channel;
        # two empty polls in a row mean the missing sentinels are never coming.
        quiet_polls_after_exit += 1
        if quiet_polls_after_exit >= 2:
            return


def drain_leftovers(receive: Receive, observation: Observation) -> None:
    """After the producers exited, take whatever is still queued (it should be nothing)."""
    while True:
        message = receive(0.0)
        if message is None:
            return
        record(observation, message)
