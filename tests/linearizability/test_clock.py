"""time.monotonic_ns() is one clock for every process on the machine, under every start method.

The recorder compares call and return times taken in different processes, which is only
meaningful if they read the same clock. Here each reading travels with a message: the parent
reads, sends, the child reads on receipt and replies, the parent reads on receipt. On one clock
the three readings must come in that order, every time. (This asserts an order that message
passing causes, not a duration.)
"""

from __future__ import annotations

import multiprocessing
import sys
import time

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.processes import Deadline, ProcessGroup

ROUNDS = 50
SECONDS = 60.0


def echo_clock(connection, rounds):
    """Child: on every message, reply with this process's clock reading."""
    for _ in range(rounds):
        connection.recv()
        connection.send(time.monotonic_ns())
    connection.close()


@pytest.mark.parametrize("start_method", supported_start_methods())
def test_readings_from_another_process_fall_between_send_and_reply(start_method):
    ctx = multiprocessing.get_context(start_method)
    deadline = Deadline(SECONDS)
    ours, theirs = ctx.Pipe()
    try:
        with ProcessGroup(ctx) as group:
            group.start(echo_clock, (theirs, ROUNDS), role="clock")
            theirs.close()
            for _ in range(ROUNDS):
                sent = time.monotonic_ns()
                ours.send(None)
                assert ours.poll(deadline.remaining()), "the child did not reply in time"
                read_there = ours.recv()
                replied = time.monotonic_ns()
                assert sent < read_there < replied
            group.join(deadline)
    finally:
        ours.close()


@pytest.mark.skipif(sys.platform != "linux", reason="names the Linux clock")
def test_on_linux_the_clock_is_clock_monotonic():
    """CLOCK_MONOTONIC counts from boot for every process: the clock the recorder relies on."""
    info = time.get_clock_info("monotonic")
    assert info.implementation == "clock_gettime(CLOCK_MONOTONIC)"
    assert info.monotonic and not info.adjustable
