"""The pytest base classes, run as a user would: one test per start method, both factory forms.

The passing classes below are collected by pytest like a user's; the failing and misused ones
are named without ``Test`` (not collected) and called directly, to see what they raise.
"""

from __future__ import annotations

import functools
import unittest

import pytest

from ipccheck.linearizability import (
    LinearizableCounterTest,
    LinearizableDictTest,
    LinearizableQueueTest,
    LinearizableTest,
    NotLinearizable,
    testing,
    verify_linearizable,
)
from ipccheck.linearizability.broken import LaneQueue, RacyCounter
from ipccheck.linearizability.stdlib import LockedCounter
from tests.linearizability.test_command import ArrayDict

pytestmark = pytest.mark.processes  # most tests here start child processes


class TestLockedCounterIsLinearizable(LinearizableCounterTest):
    """``factory(self, ctx)``: built from the context under test, checked under each start method."""

    max_examples, stress_runs, max_calls = 2, 2, 2

    def factory(self, ctx):
        return LockedCounter(ctx)


class TestSimpleQueueIsLinearizable(LinearizableQueueTest):
    operations = ("put", "get", "empty")
    max_examples, stress_runs, max_calls = 2, 2, 2

    def factory(self, ctx):
        return ctx.SimpleQueue()


class ArrayDictUnderFork(LinearizableDictTest):
    max_examples, stress_runs, max_calls = 3, 2, 2

    def factory(self, ctx):
        return ArrayDict(ctx)


class RacyCounterCase(LinearizableCounterTest):
    """``factory(self)`` without ctx: a fork child inherits what the parent made."""

    operations = ("fetch_add",)
    stress_runs = 5

    def factory(self):
        return RacyCounter()


class LaneQueueCase(LinearizableQueueTest):
    operations = ("put", "get")
    max_examples, stress_runs = 20, 3

    def factory(self, ctx):
        return LaneQueue(ctx)


class NoFactory(LinearizableQueueTest):
    pass


class NoKind(LinearizableTest):
    def factory(self, ctx):
        return ctx.SimpleQueue()


def test_a_dictionary_passes_under_fork():
    passed = ArrayDictUnderFork().verify_under("fork")
    assert passed.kind == "dict" and passed.operations == ("get", "set", "cas")
    assert passed.start_methods == ("fork",) and passed.stress == 2


def test_a_racy_counter_fails_with_its_timeline():
    with pytest.raises(NotLinearizable) as caught:
        RacyCounterCase().test_linearizable_under_fork()
    text = str(caught.value)
    assert "is not linearizable under fork" in text
    assert "no valid linearization point for" in text and "fetch_add(" in text
    assert "<-- X" in text


# About 40 s of shrinking on real processes. The default tier still sees the base class fail with
# a timeline (the racy counter above) and the lane queue fail (test_broken's minimal scenario).
@pytest.mark.deep
def test_the_lane_queue_fails_and_is_shrunk(monkeypatch):
    # The real search with a fixed seed, so the shrinking asserted here is repeatable.
    monkeypatch.setattr(testing, "verify_linearizable",
                        functools.partial(verify_linearizable, derandomize=True))
    with pytest.raises(NotLinearizable) as caught:
        LaneQueueCase().test_linearizable_under_fork()
    # How far the shrink gets on real processes depends on the machine's load (test_broken
    # says why); what the base class must do is fail with the culprit marked in the timeline.
    assert caught.value.trial.verdict.culprit.name == "get"
    assert "<-- X" in str(caught.value)


def test_a_class_without_factory_or_kind_says_what_to_define():
    with pytest.raises(TypeError, match="must define factory"):
        NoFactory().verify_under("fork")
    with pytest.raises(TypeError, match="must set kind"):
        NoKind().verify_under("fork")


def test_an_unavailable_start_method_is_skipped(monkeypatch):
    monkeypatch.setattr(testing, "supported_start_methods", lambda: ("fork",))
    with pytest.raises(unittest.SkipTest, match="'spawn' is not available here"):
        TestLockedCounterIsLinearizable().test_linearizable_under_spawn()


def test_pytest_collects_a_subclass_and_reports_the_failure(pytester):
    """As a user's test file: one test per start method, and NotLinearizable as the failure."""
    pytester.makepyfile(test_user="""
        from ipccheck.linearizability import LinearizableCounterTest
        from ipccheck.linearizability.broken import RacyCounter
        from ipccheck.linearizability.stdlib import LockedCounter

        class TestLocked(LinearizableCounterTest):
            max_examples, stress_runs, max_calls = 2, 2, 2

            def factory(self, ctx):
                return LockedCounter(ctx)

        class TestRacy(LinearizableCounterTest):
            operations = ("fetch_add",)
            stress_runs = 5

            def factory(self, ctx):
                return RacyCounter(ctx)
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "fork and not forkserver")
    result.assert_outcomes(passed=1, failed=1, deselected=4)
    result.stdout.fnmatch_lines(["*no valid linearization point for*fetch_add(*",
                                 "FAILED*TestRacy::test_linearizable_under_fork*"])
