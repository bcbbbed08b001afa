"""Scenarios on real processes: histories come back whole, and every failure is reported, not hung.

Every test here starts processes under a deadline; ``execute`` stops them through its
``ProcessGroup`` on every path, and the suite's autouse fixture fails any test that leaves a
child behind. These run under fork, the cheapest start method; test_broken.py covers spawn.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import os
import time

import pytest

from ipccheck.linearizability import (
    MAIN,
    QUEUE,
    ScenarioError,
    execute,
    linearize,
    scenario,
    verify_linearizable,
)
from ipccheck.linearizability.execute import takes_ctx
from ipccheck.linearizability.stdlib import simple_queue_factory
from ipccheck.processes import Deadline, DeadlineExceeded

FORK = multiprocessing.get_context("fork")
SECONDS = 30.0


class CrashingQueue:
    """Its put kills the calling process outright, as a segfault in an extension would."""

    def __init__(self, ctx):
        self._queue = ctx.SimpleQueue()

    def put(self, item):
        os._exit(3)

    def get(self):
        return self._queue.get()


class HangingQueue(CrashingQueue):
    """Its put never returns."""

    def put(self, item):
        time.sleep(3600)


class TypeErrorQueue(CrashingQueue):
    """Its put raises an exception no queue model expects."""

    def put(self, item):
        raise TypeError("put() takes no item today")


def test_a_history_holds_every_call_of_every_part():
    """Setup and teardown run in the parent (``main``), each parallel part in its own child."""
    plan = scenario(["put", "get"], ["put", "empty"], setup=["put"], teardown=["get"])
    history = execute(plan, QUEUE, simple_queue_factory, FORK, Deadline(SECONDS))
    assert len(history) == 6
    assert [op.name for op in history.lanes[MAIN]] == ["put", "get"]
    assert [op.name for op in history.lanes[0]] == ["put", "get"]
    assert [op.name for op in history.lanes[1]] == ["put", "empty"]
    setup, teardown = history.lanes[MAIN]
    children = [op for op in history if op.process != MAIN]
    assert all(setup.ret < op.call and op.ret < teardown.call for op in children)
    assert linearize(history, QUEUE.model).linearizable is True  # SimpleQueue writes on put


def test_a_child_that_dies_is_named_with_its_exit_code():
    with pytest.raises(ScenarioError, match=r"P0 ended without sending its history \(exit code 3\)"):
        execute(scenario(["put"]), QUEUE, CrashingQueue, FORK, Deadline(SECONDS))


def test_an_unexpected_exception_is_an_error_not_a_verdict():
    with pytest.raises(ScenarioError, match=r"P0 put\(1\) raised TypeError: put\(\) takes no item"):
        execute(scenario(["put"]), QUEUE, TypeErrorQueue, FORK, Deadline(SECONDS))


def test_a_call_that_never_returns_ends_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="waiting for P0"):
        execute(scenario(["put"]), QUEUE, HangingQueue, FORK, Deadline(1.0))
    assert time.monotonic() - started < SECONDS  # and the child was stopped (autouse fixture)


def test_a_factory_gets_the_context_only_if_it_takes_one():
    assert takes_ctx(multiprocessing.queues.Queue)  # Queue(maxsize=0, *, ctx)
    assert takes_ctx(simple_queue_factory)
    assert not takes_ctx(multiprocessing.Queue)  # the default context's bound method
    assert not takes_ctx(lambda: None)


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        (dict(kind="stack"), ValueError, "unknown kind 'stack'"),
        (dict(kind="queue", operations=["pop"]), ValueError, "unknown queue operation"),
        (dict(kind="queue", operations=["get"]), ValueError, "must include put"),
        (dict(kind="queue", stress_runs=0), ValueError, "stress_runs must be at least 1"),
        (dict(kind="queue", start_methods=["thread"]), ValueError, "unknown start method"),
        (dict(kind="queue", operations=["put", "get_nowait"]), TypeError, "cannot do get_nowait"),
    ],
)
def test_bad_input_is_refused_before_any_process_starts(options, error, words):
    with pytest.raises(error, match=words):
        verify_linearizable(simple_queue_factory, **options)
    assert multiprocessing.active_children() == []
