"""What the checkers cost: the plain search is exponential where memoisation is not, a search
can be given a budget, and ``auto`` picks the fast path that applies."""

from __future__ import annotations

import pytest

from ipccheck.linearizability import (
    CounterModel,
    DictModel,
    QueueModel,
    linearize,
    wing_gong,
    wing_gong_lowe,
)
from ipccheck.linearizability.brute import real_time_orders
from ipccheck.linearizability.checkers import choose

from .known import history, op

OVERLAPPING = 10


def overlapping_increments_then_a_wrong_read():
    """Ten increments at once, then a read of 11: no order explains it.

    The plain search tries all 10! orders of the increments before giving up; with
    memoisation, every order of the same k increments is one configuration: 2^10 of them.
    """
    ops = [op(p, 0, 10, "increment()") for p in range(OVERLAPPING)]
    return history(*ops, op(OVERLAPPING, 20, 21, f"read() -> {OVERLAPPING + 1}"))


def test_memoisation_is_what_finishes_the_search():
    h = overlapping_increments_then_a_wrong_read()
    memoised = wing_gong_lowe(h, CounterModel(), budget=30)
    assert memoised.linearizable is False
    assert memoised.explored <= OVERLAPPING * 2**OVERLAPPING  # a few per subset, not per order
    plain = wing_gong(h, CounterModel(), budget=0.2)
    assert plain.linearizable is None  # 10! orders do not fit in 0.2 s
    assert "did not finish in" in plain.summary()


def test_a_search_that_runs_out_of_budget_gives_no_verdict():
    h = overlapping_increments_then_a_wrong_read()
    verdict = linearize(h, CounterModel(), checker="wing-gong", budget=0.0)
    assert verdict.linearizable is None and not verdict.finished


def test_auto_picks_the_pattern_check_for_unique_queues_and_parts_for_dicts():
    unique = history(op(0, 0, 1, "put(1)"), op(1, 2, 3, "get() -> 1"))
    repeated = history(op(0, 0, 1, "put(1)"), op(1, 0, 1, "put(1)"))
    with_size = history(op(0, 0, 1, "put(1)"), op(1, 2, 3, "qsize() -> 1"))
    keys = history(op(0, 0, 1, "set('a', 1)"), op(1, 2, 3, "get('b') -> None"))
    assert choose(unique, QueueModel()) == "unique-queue"
    assert choose(repeated, QueueModel()) == "wing-gong-lowe"
    assert choose(with_size, QueueModel()) == "wing-gong-lowe"
    assert choose(unique, QueueModel(maxsize=4)) == "wing-gong-lowe"
    assert choose(keys, DictModel()) == "compositional"
    assert linearize(keys, DictModel()).checker == "compositional(wing-gong-lowe)"


def test_bad_input_to_the_checkers():
    h = history(op(0, 0, 1, "push(1)"))
    with pytest.raises(ValueError, match="the queue model has no operation push"):
        linearize(h, QueueModel())
    with pytest.raises(ValueError, match="unknown checker 'fast'"):
        linearize(history(), QueueModel(), checker="fast")
    with pytest.raises(TypeError, match="model must be a linearizability Model"):
        linearize(history(), object())
    with pytest.raises(ValueError, match="does not apply"):
        linearize(history(op(0, 0, 1, "qsize() -> 0")), QueueModel(), checker="unique-queue")
    with pytest.raises(ValueError, match="brute force enumerates every order"):
        list(real_time_orders(history(*[op(p, 0, 1, "increment()") for p in range(13)])))


def test_an_empty_history_is_linearizable_to_every_checker():
    for checker in ("wing-gong", "wing-gong-lowe", "compositional", "unique-queue", "brute-force"):
        assert linearize(history(), QueueModel(), checker=checker).linearizable is True


def test_a_user_model_is_a_small_class():
    """The docs' example: a stack, in six lines."""
    from ipccheck.linearizability import Model

    class Stack(Model):
        initial = ()
        operations = frozenset({"push", "pop"})

        def step(self, state, op):
            if op.name == "push":
                return True, state + op.args
            return bool(state) and op.result == state[-1], state[:-1]

    lifo = history(op(0, 0, 1, "push(1)"), op(0, 2, 3, "push(2)"), op(1, 4, 5, "pop() -> 2"))
    fifo = history(op(0, 0, 1, "push(1)"), op(0, 2, 3, "push(2)"), op(1, 4, 5, "pop() -> 1"))
    assert linearize(lifo, Stack()).linearizable is True
    assert linearize(fifo, Stack()).linearizable is False
