"""Known-answer histories, linearizable and not, after the classic examples of Herlihy & Wing
("Linearizability: a correctness condition for concurrent objects", 1990) and the usual queue,
counter and register puzzles. Every checker that applies must give the known answer, and on a
non-linearizable history name the operation that has no valid linearization point.
"""

from __future__ import annotations

import pytest

from ipccheck.linearizability.checkers import CHECKERS, linearize
from ipccheck.linearizability.models import CounterModel, DictModel, QueueModel
from ipccheck.linearizability.unique_queue import not_applicable

from .known import history, op

QUEUE, BOUNDED, COUNTER, DICT = QueueModel(), QueueModel(maxsize=1), CounterModel(), DictModel()

# (name, model, history, linearizable, index in the history of the culprit when not; when two
# overlapping operations are symmetric, either may be named)
CASES = [
    ("overlapping puts may come out in either order", QUEUE, history(
        op(0, 0, 10, "put(1)"), op(1, 1, 11, "put(2)"),
        op(2, 12, 13, "get() -> 2"), op(2, 14, 15, "get() -> 1")), True, None),
    ("a put that returned is ahead of one called later", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(1, 2, 3, "put(2)"), op(2, 4, 5, "get() -> 2")), False, 2),
    ("one process's puts are ahead of each other", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(0, 2, 3, "put(2)"), op(1, 4, 5, "get_nowait() -> 2")), False, 2),
    ("a get overlapping the put may take the value", QUEUE, history(
        op(0, 0, 10, "put(1)"), op(1, 5, 6, "get() -> 1")), True, None),
    ("a get cannot return a value before it is put", QUEUE, history(
        op(1, 0, 1, "get() -> 1"), op(0, 2, 3, "put(1)")), False, 0),
    ("a value cannot be taken twice", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(1, 2, 3, "get() -> 1"), op(2, 4, 5, "get() -> 1")), False, 2),
    ("get_nowait cannot find empty a queue a returned put filled", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(1, 2, 3, "get_nowait() raises Empty")), False, 1),
    ("get_nowait overlapping the put may find the queue empty", QUEUE, history(
        op(0, 0, 5, "put(1)"), op(1, 1, 2, "get_nowait() raises Empty")), True, None),
    ("two values together cover an empty get", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(0, 2, 8, "get_nowait() raises Empty"), op(1, 4, 5, "put(2)"),
        op(2, 6, 10, "get() -> 1"), op(2, 20, 21, "get() -> 2")), False, 1),
    ("an empty get in a gap between two values", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(0, 2, 8, "get_nowait() raises Empty"), op(1, 7, 9, "put(2)"),
        op(2, 3, 5, "get() -> 1"), op(2, 20, 21, "get() -> 2")), True, None),
    ("qsize cannot miss a returned put", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(1, 2, 3, "qsize() -> 0")), False, 1),
    ("empty() cannot say True after a returned put", QUEUE, history(
        op(0, 0, 1, "put(1)"), op(1, 2, 3, "empty() -> True"), op(1, 4, 5, "get() -> 1")), False, 1),
    ("a full bounded queue refuses put_nowait", BOUNDED, history(
        op(0, 0, 1, "put(1)"), op(1, 2, 3, "put_nowait(2) raises Full"), op(1, 4, 5, "full() -> True")),
        True, None),
    ("an empty bounded queue cannot be full", BOUNDED, history(
        op(0, 0, 1, "put_nowait(2) raises Full")), False, 0),
    ("overlapping fetch_adds cannot both return 0", COUNTER, history(
        op(0, 0, 3, "fetch_add(1) -> 0"), op(1, 1, 2, "fetch_add(1) -> 0")), False, (0, 1)),
    ("overlapping fetch_adds return 0 and 1 in either order", COUNTER, history(
        op(0, 0, 3, "fetch_add(1) -> 1"), op(1, 1, 2, "fetch_add(1) -> 0")), True, None),
    ("a read after two increments returned cannot miss one", COUNTER, history(
        op(0, 0, 1, "increment()"), op(1, 0, 2, "increment()"), op(2, 3, 4, "read() -> 1")), False, 2),
    ("a read overlapping an increment may miss it", COUNTER, history(
        op(0, 0, 1, "increment()"), op(1, 0, 9, "increment()"), op(2, 3, 4, "read() -> 1")), True, None),
    ("a read after a write returned cannot be stale", DICT, history(
        op(0, 0, 1, "set('x', 1)"), op(1, 2, 3, "get('x') -> None")), False, 1),
    ("new-old inversion: reads overlapping a write", DICT, history(
        op(0, 0, 10, "set('x', 1)"), op(1, 1, 2, "get('x') -> 1"), op(2, 3, 4, "get('x') -> None")),
        False, 2),
    ("reads overlapping a write may go old then new", DICT, history(
        op(0, 0, 10, "set('x', 1)"), op(1, 1, 2, "get('x') -> None"), op(2, 3, 4, "get('x') -> 1")),
        True, None),
    ("two overlapping compare-and-sets cannot both win", DICT, history(
        op(0, 0, 5, "cas('x', None, 1) -> True"), op(1, 1, 4, "cas('x', None, 2) -> True")),
        False, (0, 1)),
    ("one compare-and-set wins, the other sees its value", DICT, history(
        op(0, 0, 5, "cas('x', None, 1) -> False"), op(1, 1, 4, "cas('x', None, 2) -> True"),
        op(1, 6, 7, "get('x') -> 2")), True, None),
    ("keys are independent: only key b is broken", DICT, history(
        op(0, 0, 1, "set('a', 1)"), op(0, 2, 3, "set('b', 1)"), op(1, 4, 5, "get('a') -> 1"),
        op(1, 6, 7, "get('b') -> 0")), False, 3),
]


def applicable(model, hist):
    names = ["wing-gong", "wing-gong-lowe", "compositional", "brute-force"]
    if not_applicable(hist, model) is None:
        names.append("unique-queue")
    return names


@pytest.mark.parametrize(("name", "model", "hist", "expected", "culprit"), CASES,
                         ids=[case[0] for case in CASES])
def test_every_checker_gives_the_known_answer(name, model, hist, expected, culprit):
    for checker in applicable(model, hist):
        verdict = linearize(hist, model, checker=checker)
        assert verdict.linearizable is expected, checker
        if expected:
            continue
        allowed = [hist.operations[i] for i in (culprit if isinstance(culprit, tuple) else (culprit,))]
        assert any(verdict.culprit is op for op in allowed), (checker, verdict.culprit)
        assert verdict.culprit in verdict.evidence
        assert "no valid linearization point for" in verdict.summary()


def test_each_checker_is_seen_to_fail():
    """No checker may be a rubber stamp: each says "not linearizable" to some known history."""
    failed = {
        checker
        for _, model, hist, expected, _ in CASES
        if not expected
        for checker in applicable(model, hist)
        if linearize(hist, model, checker=checker).linearizable is False
    }
    assert failed == set(CHECKERS)
