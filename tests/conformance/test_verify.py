"""The kit catches every shipped broken implementation, shrunk, and passes the correct ones."""

from __future__ import annotations

import multiprocessing
import queue
import sys
from typing import Any

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.conformance import (
    ConformanceError,
    Report,
    broken,
    examples,
    verify_counter,
    verify_kind,
    verify_pipe,
    verify_queue,
)
from ipccheck.conformance.factory import OBJECT_KINDS
from ipccheck.conformance.verify import VERIFIERS

from .. import strategies

pytestmark = pytest.mark.processes  # most tests here start child processes

START_METHODS = supported_start_methods()
# Small bounds keep shrinking and the passing searches cheap; the kit's defaults are larger.
# A spawn child costs ~30 ms on an idle machine and 10x that under load, so the searches under
# spawn and forkserver use one producer and at most two items: every bug below shows there.
SMALL = dict(max_procs=3, max_items=30)
TINY = dict(max_procs=1, max_items=2)
FEW = dict(max_examples=1, max_procs=2, max_items=20)  # lowered: each example starts processes
QUICK_COUNTER = dict(procs=3, increments=2000, trials=1)


LOST = ("total", "exactly-once")  # a lost or extra item breaks both promises


def bounds(start_method: str) -> dict[str, int]:
    """SMALL under fork, where processes are cheap; TINY under spawn and forkserver."""
    return SMALL if start_method == "fork" else TINY


BROKEN_QUEUES = [
    pytest.param(broken.DropOneQueue, LOST, "producer 0, item 1: never received", (1, 2), id="drop-one"),
    pytest.param(broken.DropLastQueue, LOST, "producer 0, item 0: never received", (1, 1), id="drop-last"),
    pytest.param(broken.DuplicatingQueue, LOST, "item (0, 0) received 2 times", (1, 1), id="duplicate"),
    pytest.param(broken.ReorderingQueue, ("order",), "producer 0: item 1 arrived before item 0", (1, 2),
                 id="reorder"),
]


def fork_and_one_other(cases: list[Any]) -> list[Any]:
    """Each case under fork and under one other start method, the others taking turns.

    The broken queues' bugs are in ``put``, whatever the start method, so running each under
    all three repeats work: fork (cheap, larger bounds) plus one other shows that the kit hands
    the factory the context under test, and every chosen start method still sees some bug.
    """
    chosen = strategies.selected_start_methods()
    others = [method for method in chosen if method != "fork"]
    cells = []
    for i, case in enumerate(cases):
        methods = ["fork"] if "fork" in chosen else []
        methods += [others[i % len(others)]] if others else []
        cells += [pytest.param(*case.values, method, id=f"{case.id}-{method}") for method in methods]
    return cells


@pytest.mark.parametrize(("factory", "invariants", "evidence", "case", "start_method"),
                         fork_and_one_other(BROKEN_QUEUES))
def test_broken_queue_is_caught_and_shrunk(factory, invariants, evidence, case, start_method):
    """Each broken queue fails naming exactly its invariants, shrunk to the smallest case."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(factory, start_methods=[start_method], **bounds(start_method))
    error = caught.value
    assert error.invariants == invariants
    assert (error.case["procs"], error.case["items"]) == case
    assert error.case["start_method"] == start_method
    assert evidence in str(error)
    assert "takes no ctx" not in str(error)  # the factory took the context under test
    assert isinstance(error, AssertionError)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_dropping_pipe_is_caught(start_method):
    """A pipe end that loses item 1 is caught as exactly-once, shrunk to one producer, two items."""
    with pytest.raises(ConformanceError) as caught:
        verify_pipe(broken.dropping_pipe, start_methods=[start_method], **bounds(start_method))
    error = caught.value
    assert "exactly-once" in error.invariants
    assert (error.case["procs"], error.case["items"], error.case["payload"]) == (1, 2, 0)
    assert "producer 0, item 1: never received" in str(error)


def test_truncated_large_message_is_caught():
    """A pipe that cuts messages to 64 KiB is caught on the smallest payload above that."""
    with pytest.raises(ConformanceError) as caught:
        verify_pipe(broken.truncating_pipe, start_methods=["fork"], **SMALL)
    error = caught.value
    assert "error" in error.invariants
    assert error.case["payload"] == 2**20
    assert "a 1048576-byte payload arrived as 65536 bytes" in str(error)


def test_missing_eof_is_caught():
    """A sending end whose close() does nothing leaves the reader without EOF, and that is named."""
    with pytest.raises(ConformanceError) as caught:
        verify_pipe(broken.never_closing_pipe, start_methods=["fork"], max_procs=1, max_items=2)
    assert "never raised EOFError" in str(caught.value)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_unlocked_counter_is_caught(start_method):
    """An unlocked Value loses updates under the barrier-started workload."""
    with pytest.raises(ConformanceError) as caught:
        verify_counter(broken.UnlockedCounter, start_methods=[start_method])
    error = caught.value
    assert error.invariants == ("total",)
    assert "lost" in str(error)


@pytest.mark.parametrize(
    "factory",
    [  # Queue in the default run; the others are the deep tier's (each starts a run per method)
        pytest.param(multiprocessing.Queue, id="Queue"),
        pytest.param(multiprocessing.SimpleQueue, id="SimpleQueue", marks=pytest.mark.deep),
        pytest.param(multiprocessing.JoinableQueue, id="JoinableQueue", marks=pytest.mark.deep),
        pytest.param(examples.manager_queue, id="manager-queue", marks=pytest.mark.deep),
    ],
)
def test_correct_queues_pass(factory):
    """Every multiprocessing queue keeps every promise under every start method."""
    report = verify_queue(factory, **FEW)
    assert isinstance(report, Report)
    assert report.start_methods == START_METHODS
    assert report.runs == len(START_METHODS) * 3  # the probe, the typical case, one example
    assert "evidence, not proof" in str(report)


def test_pipe_passes():
    """``multiprocessing.Pipe`` keeps order, exactly-once, large messages and EOF everywhere."""
    report = verify_pipe(multiprocessing.Pipe, **FEW)
    assert report.start_methods == START_METHODS


def test_locked_counter_passes():
    """A Value incremented under its lock loses nothing under every start method."""
    report = verify_counter(examples.LockedCounter, **QUICK_COUNTER)
    assert report.runs == len(START_METHODS) * 2  # the probe and one trial each


def test_a_thread_queue_is_not_an_ipc_queue():
    """``queue.Queue`` under fork: each child puts into its own copy, so nothing arrives."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(queue.Queue, start_methods=["fork"], **SMALL)
    assert caught.value.invariants == ("total", "exactly-once", "sentinel")
    assert (caught.value.case["procs"], caught.value.case["items"]) == (1, 1)  # the probe's case
    assert "The probe (one item through one fork child) failed" in caught.value.note
    assert "producer 0: sentinel never received" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (dict(start_methods=["nope"]), ValueError),
        (dict(start_methods=[]), ValueError),
        (dict(max_examples=0), ValueError),
        (dict(max_procs=0), ValueError),
        (dict(max_items=-1), ValueError),
        (dict(timeout=-1), ValueError),
        (dict(timeout="soon"), TypeError),
    ],
)
@pytest.mark.parametrize("verify", [verify_queue, verify_pipe], ids=["queue", "pipe"])
def test_bad_options_are_refused(verify, options, error):
    """Queue and pipe share one validation path: the core's one-line errors, before any process."""
    with pytest.raises(error):
        verify(multiprocessing.Pipe if verify is verify_pipe else multiprocessing.Queue, **options)


@pytest.mark.parametrize("verify", [verify_queue, verify_pipe, verify_counter])
def test_a_progress_that_cannot_be_called_is_refused_by_name(verify):
    """Named in the error, not found later as "'str' object is not callable" mid-run."""
    with pytest.raises(TypeError, match="progress must be a callable"):
        verify(examples.LockedCounter, progress="stderr")


@pytest.mark.parametrize(
    "options",
    [dict(procs=0), dict(increments=-1), dict(trials=0), dict(start_methods=["nope"]), dict(timeout=0)],
)
def test_bad_counter_options_are_refused(options):
    """The counter's own options and the shared ones are validated before any process starts."""
    with pytest.raises(ValueError):
        verify_counter(examples.LockedCounter, **options)


def test_missing_hypothesis_is_one_clear_line(monkeypatch):
    """Without the ``conformance`` extra, verify_queue says how to install it."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError, match=r"pip install 'ipccheck\[conformance\]'"):
        verify_queue(multiprocessing.Queue)


def test_verify_kind_has_one_entry_point_per_kind():
    """The command dispatches by kind; an unknown kind is a one-line ValueError."""
    assert tuple(VERIFIERS) == OBJECT_KINDS
    with pytest.raises(ValueError, match="unknown kind 'stack'; choose from: queue, pipe, counter"):
        verify_kind("stack", multiprocessing.Queue)
