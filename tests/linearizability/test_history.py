"""Histories are validated, the recorder records what happened, and the timeline shows it."""

from __future__ import annotations

import queue

import pytest

from ipccheck.linearizability import MAIN, History, Operation, Recorder, render
from ipccheck.linearizability.history import describe

from .known import history, op


def test_an_operation_reads_like_a_call_and_its_outcome():
    assert str(op(0, 0, 1, "put(1)")) == "put(1): None"
    assert str(op(0, 0, 1, "get_nowait() raises Empty")) == "get_nowait(): raised Empty"
    assert describe(op(2, 1500, 4000, "get() -> 7"), start=1000) == "P2 get(): 7 [0.5-3.0 µs]"
    assert describe(op(MAIN, 0, 1, "put(1)")).startswith("main put(1)")


def test_a_history_refuses_a_return_before_its_call():
    with pytest.raises(ValueError, match="returned before it was called"):
        history(op(0, 5, 4, "put(1)"))


def test_a_history_refuses_a_process_with_two_calls_at_once():
    with pytest.raises(ValueError, match="one call at a time"):
        history(op(0, 0, 5, "put(1)"), op(0, 5, 9, "put(2)"))  # called as the first returned


def test_a_history_holds_only_operations():
    with pytest.raises(TypeError, match="Operation records"):
        History(["put(1)"])


def test_the_recorder_keeps_results_and_exceptions_in_order():
    recorder = Recorder(3)
    q: queue.Queue[int] = queue.Queue()
    recorder.record("put", (1,), lambda: q.put(1))
    recorder.record("get_nowait", (), q.get_nowait)
    failed = recorder.record("get_nowait", (), q.get_nowait)
    assert [str(o) for o in recorder.operations] == [
        "put(1): None", "get_nowait(): 1", "get_nowait(): raised Empty"]
    assert failed.error == "Empty" and failed.process == 3
    ops = recorder.operations
    assert all(o.call <= o.ret for o in ops)
    assert all(ops[i].ret < ops[i + 1].call for i in range(len(ops) - 1))  # strictly after
    History(recorder.operations)  # well formed


def test_the_timeline_has_a_column_per_process_and_marks_the_culprit():
    h = history(op(MAIN, 0, 1000, "put(1)"), op(0, 2000, 3000, "put(2)"),
                op(1, 2500, 4000, "get() -> 2"))
    text = render(h, h.operations[2])
    lines = text.splitlines()
    assert lines[0].split() == ["µs", "main", "P0", "P1"]
    assert len(lines) == 2 + 2 * len(h)
    assert lines[-1].rstrip().endswith("get(): 2  <-- X")
    assert lines[-1].split()[0] == "4.0"  # µs after the first call
    returned = next(line for line in lines if "put(2): None" in line)
    assert returned.index("put(2)") == lines[0].index("P0")  # in P0's column


def test_a_recorded_operation_is_a_value():
    a = Operation(0, "put", (1,), None, None, 0, 1)
    assert a == Operation(0, "put", (1,), None, None, 0, 1, detail="ignored in comparisons")
