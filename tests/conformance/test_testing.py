"""The pytest base classes, run as a user would: one test per start method, both factory forms."""

from __future__ import annotations

import multiprocessing

import pytest

from ipccheck.conformance import (
    ConformanceError,
    CounterConformance,
    PipeConformance,
    QueueConformance,
    broken,
    examples,
)

pytestmark = pytest.mark.processes  # most tests here start child processes


class TestQueueConformanceOnQueue(QueueConformance):
    """``make_queue(self, ctx)``: built from the context under test."""

    max_examples = 1
    max_procs = 1
    max_items = 10

    def make_queue(self, ctx):
        return ctx.Queue()


class TestPipeConformanceOnPipe(PipeConformance):
    """``make_pipe(self)``: a factory without ctx keeps working (a Pipe holds no lock)."""

    max_examples = 1
    max_procs = 1
    max_items = 10

    def make_pipe(self):
        return multiprocessing.Pipe()


class TestCounterConformanceOnLockedValue(CounterConformance):
    """The counter base class on a locked Value built from the context under test."""

    procs = 2
    increments = 500
    trials = 1

    def make_counter(self, ctx):
        return examples.LockedCounter(ctx)


def test_base_class_fails_on_a_broken_queue():
    """A subclass whose factory makes a broken queue fails its test with ConformanceError."""

    class Broken(QueueConformance):
        max_procs = 2
        max_items = 10

        def make_queue(self, ctx):
            return broken.DuplicatingQueue(ctx)

    with pytest.raises(ConformanceError, match="received 2 times"):
        Broken().test_queue_conforms_under_fork()


def test_base_class_without_factory_says_what_to_define():
    """Forgetting the factory method is a TypeError naming both forms it may take."""
    with pytest.raises(TypeError, match=r"define make_queue\(self\) or make_queue\(self, ctx\)"):
        QueueConformance().test_queue_conforms_under_fork()
