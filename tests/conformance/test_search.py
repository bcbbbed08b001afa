"""The search engine on its own: fake runs, no processes, so every branch is cheap to show."""

from __future__ import annotations

import pytest

from ipccheck.conformance import search as search_module
from ipccheck.conformance.search import FLAKY, NOT_SHRUNK, Bounds, search
from ipccheck.invariants import Violation

LIMITS = Bounds(procs=4, items=200, payloads=(0, 2**16, 2**20, 2**22))
TYPICAL = Bounds(procs=2, items=20, payloads=(0, 2**16, 2**20))
LOST = (Violation("total", "lost one"),)


def runs_of(predicate):
    """A fake run_case that records every case and fails exactly when ``predicate(case)``."""
    cases = []

    def run_case(case):
        cases.append(dict(case))
        return LOST if predicate(case) else ()

    return run_case, cases


def test_typical_case_runs_first_then_the_search_shrinks():
    """A failure found by the typical case is shrunk to the smallest case, fields in order."""
    run_case, cases = runs_of(lambda case: case["items"] >= 3 and case["payload"] >= 2**16)
    found = search(run_case, LIMITS, TYPICAL, max_examples=5, derandomize=True).finding
    assert cases[0] == {"procs": 2, "items": 20, "payload": 2**20}  # the typical case
    assert found is not None and found.note == ""
    assert found.smallest.case == {"procs": 1, "items": 3, "payload": 2**16}
    assert found.smallest.violations == LOST
    assert found.first_case == cases[0]


def test_after_a_typical_failure_the_search_stays_within_it():
    """Confined: no case bigger than the typical one, and at least 25 examples to shrink with."""
    run_case, cases = runs_of(lambda case: case["items"] >= 3)
    found = search(run_case, LIMITS, TYPICAL, max_examples=1, derandomize=True).finding
    assert all(c["procs"] <= 2 and c["items"] <= 20 and c["payload"] <= 2**20 for c in cases)
    # one example asked for, yet enough ran to find and shrink the failure
    assert found is not None and found.smallest.case == {"procs": 1, "items": 3, "payload": 0}


def test_a_passing_search_covers_the_limits():
    """Without a failure, Hypothesis draws from everything up to the limits."""
    run_case, cases = runs_of(lambda case: False)
    searched = search(run_case, LIMITS, TYPICAL, max_examples=30, derandomize=True)
    assert searched.finding is None and searched.runs == len(cases) == 31
    assert any(c["items"] > 20 or c["procs"] > 2 or c["payload"] > 2**20 for c in cases)


def test_a_failure_the_search_cannot_find_again_is_replayed():
    """The typical case failed and nothing smaller did: it runs again and is reported unshrunk."""
    run_case, cases = runs_of(lambda case: case == {"procs": 2, "items": 20, "payload": 2**20})
    found = search(run_case, LIMITS, TYPICAL, max_examples=1, derandomize=True).finding
    assert found is not None and found.smallest.case == cases[0]
    assert found.note in ("", NOT_SHRUNK)  # "" only if Hypothesis drew that very case


def test_a_failure_that_does_not_repeat_is_reported_as_timing():
    """Only the very first run fails: the report keeps it and says it depends on timing."""
    run_case, cases = runs_of(lambda case: len(cases) == 1)
    found = search(run_case, LIMITS, TYPICAL, max_examples=3, derandomize=True).finding
    assert found is not None and found.note == FLAKY
    assert found.smallest.case == cases[0]


def test_hypothesis_flaky_keeps_the_smallest_failure_seen():
    """A failure inside the search that does not replay ends in Flaky; the failure is still shown."""
    run_case, cases = runs_of(lambda case: len(cases) == 3)  # typical passes; the 2nd example fails
    found = search(run_case, LIMITS, TYPICAL, max_examples=10, derandomize=True).finding
    assert found is not None and found.note == FLAKY
    assert found.smallest.case == cases[2]


def test_shrinking_stops_at_the_time_limit(monkeypatch):
    """Past SHRINK_SECONDS no further case runs; the smallest failure so far is reported."""
    monkeypatch.setattr(search_module, "SHRINK_SECONDS", -1.0)  # already past, once one failed
    run_case, cases = runs_of(lambda case: case["items"] >= 1)
    found = search(run_case, LIMITS, TYPICAL, max_examples=1, derandomize=True).finding
    searched = cases[1:]  # after the typical case
    assert found is not None and searched[-1]["items"] >= 1  # nothing ran after its failure
    assert all(case["items"] == 0 for case in searched[:-1])
    assert found.smallest.case == searched[-1]


@pytest.mark.parametrize("max_examples", [0, 10_001, "5"])
def test_bad_max_examples_is_refused(max_examples):
    with pytest.raises((ValueError, TypeError)):
        search_module.examples_for(max_examples)
