"""The known-bad objects: the conformance kit passes the lane queue, linearizability does not.

``LaneQueue`` keeps each producer's items in order and delivers each once, which is all the
conformance kit checks; it serves the newest producer's lane first, so an item put after
another has returned can come out first. ``RacyCounter``'s fetch_add can return one value
twice. Each check below must fail on them with a shrunk scenario and a timeline.
"""

from __future__ import annotations

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.conformance import verify_queue
from ipccheck.linearizability import (
    COUNTER,
    QUEUE,
    NotLinearizable,
    scenario,
    stress,
    verify_linearizable,
)
from ipccheck.linearizability.broken import LaneQueue, RacyCounter
from ipccheck.linearizability.stdlib import LockedCounter, simple_queue_factory

pytestmark = pytest.mark.processes  # every test here starts child processes

START_METHODS = supported_start_methods()


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_lane_queue_passes_the_conformance_kit(start_method):
    """Exactly once, in order per producer, sentinel last: every promise the kit checks holds."""
    bounds = dict(max_procs=3, max_items=30) if start_method == "fork" else dict(max_procs=2, max_items=2)
    report = verify_queue(LaneQueue, start_methods=[start_method], max_examples=3, **bounds)
    assert report.runs >= 1


@pytest.mark.deep
def test_the_lane_queue_is_not_linearizable_and_its_timeline_marks_the_get():
    with pytest.raises(NotLinearizable) as caught:
        verify_linearizable(LaneQueue, "queue", operations=["put", "get"], start_methods=["fork"],
                            max_examples=20, stress_runs=3, derandomize=True)
    failure = caught.value
    trial = failure.trial
    # The search shrinks what it found, but a smaller candidate is kept only if it fails again
    # within its stress runs: on real processes how far it gets depends on the machine's load
    # (often 3 calls, the least that can fail; 8 has been seen). So the size is not asserted
    # here; the 3-call case is asserted deterministically below.
    assert trial.verdict.culprit.name == "get"
    assert trial.verdict.checker == "unique-queue"
    assert trial.verdict.explanation.startswith("order:")
    text = str(failure)
    assert "no valid linearization point for" in text
    assert "<-- X" in text and "minimal scenario:" in text
    assert f"failed in run {trial.runs} of up to 3" in text


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_lane_queue_fails_the_minimal_scenario_under_every_start_method(start_method):
    """The parent puts, a child puts then gets: the child's own, later item comes out first."""
    trial = stress(scenario(["put", "get"], setup=["put"]), QUEUE, LaneQueue, start_method, runs=1)
    assert trial.failed
    assert str(trial.verdict.culprit) == "get(): 2"


def test_the_racy_counter_repeats_a_fetch_add_and_is_shrunk_to_two_calls():
    with pytest.raises(NotLinearizable) as caught:
        verify_linearizable(RacyCounter, "counter", operations=["fetch_add"],
                            start_methods=["fork"], max_examples=10, stress_runs=5,
                            derandomize=True)
    trial = caught.value.trial
    assert [len(part) for part in trial.scenario.parallel] == [1, 1]
    assert not trial.scenario.setup and not trial.scenario.teardown
    results = sorted(op.result for op in trial.history)
    assert results[0] == results[1]  # the same old value, twice


@pytest.mark.parametrize("start_method", START_METHODS)
def test_correct_objects_pass(start_method):
    """A counter under its lock and a SimpleQueue: linearizable in every run tried."""
    small = dict(start_methods=[start_method], max_examples=3, stress_runs=2, max_procs=2,
                 max_calls=2, derandomize=True)
    assert verify_linearizable(LockedCounter, COUNTER, **small).runs >= 3
    assert verify_linearizable(simple_queue_factory, QUEUE, operations=["put", "get", "empty"],
                               **small).runs >= 3
