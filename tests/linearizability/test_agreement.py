"""Every checker agrees with brute force on every generated history of up to 8 operations.

Brute force tries every order that respects real time, straight from the definition; the
checkers are what is fast. Agreement on thousands of small histories, linearizable ones and
near misses, for every model, is the evidence that the fast checkers are right. A witness
order a checker returns is checked too: it must respect real time and satisfy the model.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ipccheck.linearizability.brute import brute_force
from ipccheck.linearizability.checkers import linearize
from ipccheck.linearizability.history import History, precedes
from ipccheck.linearizability.models import Model
from ipccheck.linearizability.unique_queue import not_applicable

from ..depth import examples
from ..strategies import THOROUGH
from .strategies import MODELS, PUT_AND_GET, histories

SEARCHES = ("wing-gong", "wing-gong-lowe", "compositional")
# These tests start no process: the deep tier tries 5x the default run's examples, a night
# run (HYPOTHESIS_PROFILE=thorough) 10x that again.
SCALE = 10 if THOROUGH else 1


def assert_valid_order(history: History, model: Model, order: tuple) -> None:
    """``order`` holds every operation once, respects real time, and the model accepts it."""
    assert sorted(map(id, order)) == sorted(map(id, history.operations))
    for i, later in enumerate(order):
        assert not any(precedes(later, earlier) for earlier in order[:i])
    state = model.initial
    for op in order:
        ok, state = model.step(state, op)
        assert ok, op


@pytest.mark.parametrize("model_name", sorted(MODELS))
@examples(30 * SCALE, 150 * SCALE)
def test_searches_agree_with_brute_force(model_name, examples):
    model = MODELS[model_name]

    @settings(max_examples=examples, deadline=None)
    @given(data=st.data())
    def agree(data):
        history = data.draw(histories(model, unique=data.draw(st.booleans())))
        expected = brute_force(history, model).linearizable
        for checker in SEARCHES:
            verdict = linearize(history, model, checker=checker)
            assert verdict.linearizable is expected, (checker, history.operations)
            if verdict.linearizable and verdict.order:
                assert_valid_order(history, model, verdict.order)
            if not verdict.linearizable:
                assert verdict.culprit in history.operations

    agree()


@examples(120 * SCALE, 600 * SCALE)
def test_unique_queue_agrees_with_brute_force(examples):
    """The four patterns decide exactly what brute force decides, whenever they apply."""

    @settings(max_examples=examples, deadline=None)
    @given(history=histories(MODELS["queue"], unique=True, names=PUT_AND_GET))
    def agree(history):
        assume(not_applicable(history, MODELS["queue"]) is None)  # a mutated put raising: skip
        expected = brute_force(history, MODELS["queue"]).linearizable
        verdict = linearize(history, MODELS["queue"], checker="unique-queue")
        assert verdict.linearizable is expected, history.operations
        if not expected:
            assert verdict.culprit in verdict.evidence

    agree()


@examples(30 * SCALE, 150 * SCALE)
def test_auto_agrees_with_brute_force(examples):

    @settings(max_examples=examples, deadline=None)
    @given(history=histories(MODELS["queue"], unique=True))
    def agree(history):
        verdict = linearize(history, MODELS["queue"])
        assert verdict.linearizable is brute_force(history, MODELS["queue"]).linearizable

    agree()
