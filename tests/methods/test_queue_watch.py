"""A producer killed mid-run can break a Queue for everyone: ipccheck reports it, never hangs.

The two ways, both shown deterministically here and found by the generated runs in
``test_faults``: a dead process holding the queue's write lock (``queue_watch.WriteLockWatch``), and a
JoinableQueue counting items a dead producer put but never wrote (``joinable_queue``).
"""

from __future__ import annotations

import multiprocessing
import re
import signal
import threading

import pytest

from ipccheck import Workload, check, queue_watch, run
from ipccheck.faults import Fault
from ipccheck.methods.joinable_queue import unfinished_tasks
from ipccheck.processes import ProcessGroup
from ipccheck.protocol import ChannelBroken
from ipccheck.queue_watch import WriteLockWatch

from ..badmethods import QueueWhoseWriterDiedHoldingTheLock
from ..timing import seconds

PATIENCE = seconds(0.5)


@pytest.mark.processes
def test_a_write_lock_taken_by_a_dead_producer_is_reported_not_waited_out():
    """Producer 0 can never write; the run says why within the watch's patience and cleans up."""
    workload = Workload("queue", procs=2, base=20, fault=Fault("kill", 1, 0), timeout=seconds(60))
    outcome = run(workload, method=QueueWhoseWriterDiedHoldingTheLock(PATIENCE))
    assert not outcome.timed_out
    assert outcome.broken is not None
    assert outcome.broken.startswith("producer 1 (killed by SIGKILL) died holding the queue's "
                                     "write lock")
    assert "producer-0 can never write again" in outcome.broken
    assert [v.invariant for v in check(outcome)] == ["channel-broken"]
    assert outcome.received == () and outcome.sentinels == ()
    assert outcome.exitcodes == {"producer-1": -signal.SIGKILL, "producer-0": -signal.SIGTERM}
    assert outcome.died == (
        "producer-1 killed by SIGKILL; 0 of its items arrived",
        "producer-0 killed by SIGTERM; 0 of its items arrived; ipccheck stopped it once the "
        "channel broke",
    )
    assert outcome.left_processes == () and outcome.leaked_fds == ()


class FakeQueue:
    """Just the attribute the watch reads: a write lock the test holds or frees."""

    def __init__(self) -> None:
        self._wlock = threading.Lock()


class FakeClock:
    """``time.monotonic`` for the watch, moved by hand: timing tests that a loaded machine
    cannot slow into a false failure."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    fake = FakeClock()
    monkeypatch.setattr(queue_watch, "time", fake)
    return fake


def test_the_watch_needs_the_lock_taken_and_nothing_arriving_for_its_whole_patience(clock):
    """A free lock, or a message in between, restarts the clock; only an unbroken hold trips it."""
    channel = FakeQueue()
    watch = WriteLockWatch(channel, ProcessGroup(multiprocessing.get_context("fork")), patience=2.0)
    arrivals = iter([(0, 0)])
    receive = watch.watching(lambda timeout: next(arrivals))
    watch([1])  # the lock is free: nothing to see
    assert channel._wlock.acquire(False)  # the look gave it back; now the test holds it
    watch([1])  # taken: the clock starts
    clock.now += 3.0
    assert receive(0.0) == (0, 0)  # a message arrived, so a writer is alive: the clock restarts
    watch([1])
    clock.now += 1.9
    watch([1])  # taken for 1.9 s only
    clock.now += 0.1
    with pytest.raises(ChannelBroken, match=r"died holding the queue's write lock: it has stayed "
                                             r"taken for 2\.0 s with nothing arriving, so "
                                             r"nobody can write to it again"):
        watch([1])


def test_a_live_writer_that_holds_the_lock_less_than_the_patience_is_never_reported(clock):
    """A slow writer that lets go of the lock before the patience is up only restarts the clock."""
    channel = FakeQueue()
    watch = WriteLockWatch(channel, ProcessGroup(multiprocessing.get_context("fork")), patience=2.0)
    for _ in range(5):  # five slow writes in a row, each held 1.5 s, 10 s in all
        channel._wlock.acquire()
        watch([1])
        assert watch.held_since == clock.now  # the clock started
        clock.now += 1.5
        watch([1])
        channel._wlock.release()
        watch([1])
        assert watch.held_since is None


def test_the_watch_does_nothing_without_a_write_lock(clock):
    """A queue without ``_wlock`` (Windows writes take none) is never reported as broken.

    With no patience at all, a watch that looked at anything would raise on its second look.
    """
    watch = WriteLockWatch(object(), ProcessGroup(multiprocessing.get_context("fork")),
                           patience=0.0)
    assert watch.lock is None
    for _ in range(3):
        watch([1])
        clock.now += 1.0
        assert watch.held_since is None


@pytest.mark.processes
@pytest.mark.parametrize("after", [0, 1, pytest.param(50, marks=pytest.mark.deep)])
def test_a_joinable_queue_counts_exactly_what_a_killed_producer_never_wrote(after):
    """Unfinished = put - arrived: the count join() waits on is reported, and it adds up.

    How far the victim's feeder got before the kill differs run to run, so each run is judged
    by what it reports: nothing (nothing stranded, or nobody left waiting for it), stranded
    items (the usual case; their count must add up), or, now and then, the write lock taken
    with the victim (a kill that landed while its feeder was writing; 2 in 100 measured).
    """
    for _ in range(2):
        outcome = run(Workload("joinable-queue", procs=2, base=100, fault=Fault("kill", 1, after)))
        arrived = sum(1 for producer, _ in outcome.received if producer == 1)
        assert not outcome.timed_out and outcome.left_processes == ()
        assert arrived <= after
        if outcome.broken is None:
            assert check(outcome) == []
            continue
        assert [v.invariant for v in check(outcome)] == ["channel-broken"]
        if "died holding the queue's write lock" in outcome.broken:
            assert after > 0  # a victim that put nothing never ran a feeder to hold the lock
            continue
        stranded = re.search(r"put (\d+) item\(s\) that were never written", outcome.broken)
        assert stranded is not None, outcome.broken
        assert int(stranded.group(1)) + arrived == after
        assert "join() can never return in producer-0" in outcome.broken


@pytest.mark.processes
@pytest.mark.parametrize("method", ["queue", "joinable-queue"])
def test_a_queue_survives_a_producer_killed_before_its_first_put(method):
    """Summary mode puts nothing before the subtotal: no feeder ever ran, nothing can break."""
    outcome = run(Workload(method, procs=3, base=200, mode="summary", fault=Fault("kill", 1, 150)))
    assert outcome.broken is None
    assert check(outcome) == []


def test_unfinished_tasks_counts_puts_not_yet_marked_done():
    """The count join() waits on, read the same way the method reads it."""
    channel = multiprocessing.get_context().JoinableQueue()
    try:
        assert unfinished_tasks(channel) == 0
        for n in range(3):
            channel.put(n)
        assert unfinished_tasks(channel) == 3
        channel.get(timeout=seconds(10))
        channel.task_done()
        assert unfinished_tasks(channel) == 2
    finally:
        while unfinished_tasks(channel):
            channel.get(timeout=seconds(10))
            channel.task_done()
        channel.close()
        channel.join_thread()


class SemaphoreWithoutGetValue:
    """A semaphore as macOS offers it: ``get_value()`` raises NotImplementedError."""

    def __init__(self, value: int) -> None:
        self.inner = threading.Semaphore(value)

    def get_value(self) -> int:
        raise NotImplementedError

    def acquire(self, block: bool = True) -> bool:
        return self.inner.acquire(block)

    def release(self) -> None:
        self.inner.release()


@pytest.mark.parametrize("value", [0, 1, 5])
def test_unfinished_tasks_counts_without_sem_getvalue_and_gives_every_one_back(value):
    """Where sem_getvalue is missing, each is taken and given back: the count is unchanged."""

    class Channel:
        _unfinished_tasks = SemaphoreWithoutGetValue(value)

    assert unfinished_tasks(Channel) == value
    assert unfinished_tasks(Channel) == value
