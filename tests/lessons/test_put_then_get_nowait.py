"""queue-put-get-nowait: shown under every start method, fixed, and the check discriminates.

The demonstration claims "shown" only when the linearizability checker rejects a recorded
history; the fix claims "held" only when every take got the item in an accepted history.
A queue whose put writes before returning must not be "shown", and a "fix" that does not
wait must not "hold". Each uses a fork child, so the queues defined here need no import.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import queue
import threading
from multiprocessing.context import BaseContext
from typing import Any

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.lessons import hazards
from ipccheck.lessons.hazards import put_then_get_nowait as lesson

pytestmark = pytest.mark.processes  # most tests here start child processes

NAME = "queue-put-get-nowait"


class WrittenBeforeReturn:
    """A queue whose put writes the item to the pipe before it returns (a SimpleQueue inside)."""

    def __init__(self, ctx: BaseContext) -> None:
        self._queue = ctx.SimpleQueue()
        self._lock = ctx.Lock()

    def put(self, item: Any) -> None:
        self._queue.put(item)

    def get_nowait(self) -> Any:
        with self._lock:
            if self._queue.empty():
                raise queue.Empty
            return self._queue.get()

    def get(self, timeout: float | None = None) -> Any:
        return self._queue.get()

    def close(self) -> None:
        self._queue.close()

    def cancel_join_thread(self) -> None:
        """Nothing to cancel: there is no feeder thread."""

    def join_thread(self) -> None:
        """Nothing to join: there is no feeder thread."""


SLOW_FEEDER = 1.0  # seconds; the parent's waiting get (after the Empty) waits longer


def no_wait(ctx: BaseContext) -> Any:
    """A Queue whose get(timeout=...) does not wait in the child: the "fix" that fixes nothing.

    The parent's own get (taking an item back after an Empty) still waits, as it must.
    """
    channel = ctx.Queue()
    waiting_get, parent = channel.get, os.getpid()

    def get(timeout: float | None = None) -> Any:
        # (get_nowait itself calls self.get(False), so the child calls the original that way)
        return waiting_get(timeout=timeout) if os.getpid() == parent else waiting_get(False)

    channel.get = get  # the broken fix
    # A feeder slower than any child's take: the item reaches the pipe a second after put()
    # returned, so the child's non-waiting get finds it empty every time, not now and then.
    real_put = channel.put

    def slow_put(item: Any, block: bool = True, timeout: float | None = None) -> None:
        threading.Timer(SLOW_FEEDER, real_put, (item,)).start()

    channel.put = slow_put
    return channel


@pytest.mark.parametrize("start_method", supported_start_methods())
def test_shown_and_fixed_under_every_start_method(start_method):
    result = hazards.run_hazard(NAME, start_method)
    assert result.shown, result.evidence
    assert result.fix_held, result.fix_evidence
    assert "raised Empty" in result.evidence
    assert "no valid linearization point for get_nowait(): raised Empty" in result.evidence
    assert f"all {lesson.FIX_TRIES} tries" in result.fix_evidence


def test_a_queue_whose_put_writes_first_is_not_shown(monkeypatch):
    """Small items into a queue that writes before put returns: every get_nowait finds its item."""
    monkeypatch.setattr(lesson, "PAYLOAD", 10)  # 200,000 ints would not fit the pipe: put would block
    monkeypatch.setattr(lesson, "attempt", functools.partial(lesson.attempt, make_queue=WrittenBeforeReturn))
    finding = lesson.demo_get_nowait(multiprocessing.get_context("fork"))
    assert not finding.held
    assert f"found the item in all {lesson.TRIES} tries" in finding.evidence


def test_a_fix_that_does_not_wait_does_not_hold(monkeypatch):
    monkeypatch.setattr(lesson, "attempt", functools.partial(lesson.attempt, make_queue=no_wait))
    finding = lesson.fix_get_with_timeout(multiprocessing.get_context("fork"))
    assert not finding.held
    assert "get(): raised Empty even with get(timeout=...)" in finding.evidence
