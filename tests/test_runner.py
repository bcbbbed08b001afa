"""How ``run`` turns what a method did into an Outcome, shown without starting a child.

``test_detectors`` and ``tests/methods`` run real methods; these tests hand ``run`` a method
that works in this process (it fills the observation, or raises) and a watch that reports
chosen leftovers, so every field of the Outcome can be traced to where it came from, in
milliseconds.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
from typing import Any

import pytest

from ipccheck import Workload, runner
from ipccheck.leftovers import Leftovers
from ipccheck.processes import Child, DeadlineExceeded, ProcessGroup, Role
from ipccheck.protocol import CHANNEL, END, POOL, STATE, ChannelBroken, Observation


class Scripted:
    """A method that does its work here: ``act(observation)`` fills the observation or raises."""

    def __init__(self, act: Any = None, family: str = CHANNEL) -> None:
        self.FAMILY = family
        self.act = act
        self.calls: list[tuple[Any, ...]] = []

    def execute(self, workload: Any, ctx: Any, group: Any, deadline: Any, observation: Any) -> None:
        self.calls.append((workload, ctx, group, deadline, observation))
        if self.act is not None:
            self.act(observation)


class KnownGroup(ProcessGroup):
    """A group with no process of its own that reports a chosen child and an unreaped name."""

    def children(self) -> tuple[Child, ...]:
        return (Child(Role("producer", 0), 0),)

    def stop(self) -> list[str]:
        self.unreaped = ["stuck (pid 1)"]
        return self.unreaped


class ChosenWatch:
    """Stands in for ``leftovers.Watch``: reports chosen leftovers and records what it was told."""

    LEFT = Leftovers(
        processes=("p",), threads=("t",), fds=("7 -> /x",), segments=("s",), paths=("/tmp/q",),
        ipc=("mq",),
    )
    made: list[ChosenWatch] = []

    def __init__(self) -> None:
        self.finished: list[tuple[Any, ...]] = []
        self.exited = False
        ChosenWatch.made.append(self)

    def group(self, ctx: Any) -> ProcessGroup:
        self.ctx = ctx
        return KnownGroup(ctx)

    def finish(self, unreaped: Any, shm_names: Any, paths: Any) -> Leftovers:
        self.finished.append((list(unreaped), list(shm_names), list(paths)))
        return self.LEFT

    def __enter__(self) -> ChosenWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.exited = True


class Clock:
    """``time`` for the runner: perf_counter reads 10.0, then 12.5, and so on."""

    def __init__(self) -> None:
        self.readings = itertools.cycle([10.0, 12.5])

    def perf_counter(self) -> float:
        return next(self.readings)


@pytest.fixture
def watched(monkeypatch):
    """The runner with a chosen watch and clock; yields the watches it made."""
    ChosenWatch.made = []
    monkeypatch.setattr(runner, "Watch", ChosenWatch)
    monkeypatch.setattr(runner, "time", Clock())
    return ChosenWatch.made


WORKLOAD = Workload("queue", procs=2, base=3, mode="stream", start_method="fork", timeout=7.0)


def filled(observation: Observation) -> None:
    observation.received.extend([(0, 0), (1, 0), (0, 1)])
    observation.sentinels.append((0, 3))
    observation.slots = [4, 5]
    observation.failed.append((None, "ValueError: v"))
    observation.lost.append((2, "worker died"))
    observation.children.append(Child(Role("pool-worker", 1), -9))
    observation.shm_names.append("psm_a")
    observation.paths.append("/tmp/b")


def test_every_field_of_the_outcome_comes_from_the_method_the_watch_or_the_clock(watched):
    method = Scripted(filled)
    outcome = runner.run(WORKLOAD, method)
    assert outcome.workload is WORKLOAD
    assert outcome.family == CHANNEL
    assert outcome.expected == WORKLOAD.expected_total
    assert outcome.observed == 3  # stream: one per item received
    assert outcome.received == ((0, 0), (1, 0), (0, 1))
    assert outcome.sentinels == ((0, 3),)
    assert outcome.slots == (4, 5)
    assert outcome.children == (Child(Role("producer", 0), 0), Child(Role("pool-worker", 1), -9))
    assert outcome.seconds == 2.5
    assert outcome.timed_out is False
    assert outcome.alive_at_deadline == ()
    assert outcome.left_processes == ("p",)
    assert outcome.left_threads == ("t",)
    assert outcome.left_shm == ("s",)
    assert outcome.left_paths == ("/tmp/q",)
    assert outcome.left_ipc == ("mq",)
    assert outcome.leaked_fds == ("7 -> /x",)
    assert outcome.error is None
    assert outcome.broken is None
    assert outcome.failed == ((None, "ValueError: v"),)
    assert outcome.lost == ((2, "worker died"),)
    assert outcome.died == ("pool-worker-1 killed by SIGKILL; 1 of its items arrived",)
    [watch] = watched
    assert watch.finished == [(["stuck (pid 1)"], ["psm_a"], ["/tmp/b"])]
    assert watch.exited


def test_the_method_gets_the_workload_the_context_its_group_and_the_workload_s_deadline(watched):
    method = Scripted()
    spawning = dataclasses.replace(WORKLOAD, start_method="spawn")
    outcome = runner.run(spawning, method)
    [(workload, ctx, group, deadline, observation)] = method.calls
    assert workload is spawning
    assert ctx.get_start_method() == "spawn"  # not the platform's default
    assert watched[0].ctx is ctx and isinstance(group, KnownGroup)
    assert deadline.seconds == 7.0
    assert isinstance(observation, Observation)
    assert outcome.slots is None  # a method without slots has none, not an empty tuple
    assert outcome.died == ()


def test_a_context_given_is_the_one_used(watched):
    ctx = multiprocessing.get_context("fork")
    method = Scripted()
    runner.run(WORKLOAD, method, ctx)
    assert method.calls[0][1] is ctx
    assert watched[0].ctx is ctx


def test_a_summary_run_observes_the_sum_and_a_state_run_its_final_state(watched):
    summary = Workload("queue", procs=2, base=3, mode="summary", start_method="fork")
    sums = Scripted(lambda o: o.received.extend([(0, 3), (1, 2)]))
    assert runner.run(summary, sums).observed == 5

    def final_state(observation: Observation) -> None:
        observation.state_total = 11

    state = runner.run(Workload("value", procs=2, base=3), Scripted(final_state, STATE))
    assert (state.family, state.observed) == (STATE, 11)


def test_the_method_of_the_workload_is_the_default(watched, monkeypatch):
    method = Scripted(family=POOL)
    monkeypatch.setitem(runner.METHODS, "queue", method)
    assert runner.run(WORKLOAD).family == POOL
    assert len(method.calls) == 1


def test_a_deadline_passed_is_a_timeout_naming_who_was_alive(watched):
    def late(observation: Observation) -> None:
        observation.received.append((0, 0))
        raise DeadlineExceeded("deadline of 7 s passed", ["producer-1 (pid 9)"])

    outcome = runner.run(WORKLOAD, Scripted(late))
    assert outcome.timed_out is True
    assert outcome.alive_at_deadline == ("producer-1 (pid 9)",)
    assert outcome.error == "deadline of 7 s passed"
    assert outcome.broken is None
    assert outcome.received == ((0, 0),)  # what arrived before the deadline is kept


def test_a_broken_channel_is_a_finding_not_an_error(watched):
    def broke(observation: Observation) -> None:
        observation.sentinels.append((1, 0))
        raise ChannelBroken("producer-0 died holding the write lock")

    outcome = runner.run(WORKLOAD, Scripted(broke))
    assert outcome.broken == "producer-0 died holding the write lock"
    assert (outcome.error, outcome.timed_out, outcome.alive_at_deadline) == (None, False, ())
    assert outcome.sentinels == ((1, 0),)
    assert outcome.left_processes == ("p",)  # the watch still ran


def test_a_method_that_raises_is_an_error_in_the_outcome(watched):
    def fails(observation: Observation) -> None:
        raise OSError("no pipes")

    outcome = runner.run(WORKLOAD, Scripted(fails))
    assert outcome.error == "OSError: no pipes"
    assert (outcome.timed_out, outcome.broken) == (False, None)
    assert watched[0].finished  # leftovers are looked for on this path too


def test_a_channel_method_s_deaths_say_how_much_of_its_work_arrived(watched):
    def died(observation: Observation) -> None:
        observation.received.extend([(0, 0), (0, 1)])
        observation.children.append(Child(Role("producer", 0), 1, "ValueError: x"))

    outcome = runner.run(WORKLOAD, Scripted(died))
    assert outcome.died == ("producer-0 exit code 1 (ValueError: x); 2 of its items arrived",)
    assert (0, END) not in outcome.received


@pytest.mark.parametrize(("workload", "named"), [(None, "NoneType"), ("queue", "str"), ({}, "dict")])
def test_anything_but_a_workload_is_refused(workload, named):
    with pytest.raises(TypeError, match=rf"^run\(\) needs a Workload, got {named}$"):
        runner.run(workload)  # type: ignore[arg-type]  # the wrong type is the point


class NoExecute:
    FAMILY = CHANNEL
    execute = None


class NoExecuteAtAll:
    FAMILY = CHANNEL


@pytest.mark.parametrize("method", [object(), NoExecute(), NoExecuteAtAll(), Scripted(family="other")])
def test_a_method_without_a_known_family_and_execute_is_refused(method):
    with pytest.raises(TypeError, match=r"^run\(\) needs a method with FAMILY and execute\(\), got "):
        runner.run(WORKLOAD, method)


class FakeGroup:
    """Stands in for the ProcessGroup of a warm-up: records the start, joins as told."""

    made: list[FakeGroup] = []
    join_raises = False

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.started: list[tuple[Any, str]] = []
        self.deadlines: list[Any] = []
        FakeGroup.made.append(self)

    def start(self, target: Any, role: str = "child") -> None:
        self.started.append((target, role))

    def join(self, deadline: Any) -> None:
        self.deadlines.append(deadline)
        if FakeGroup.join_raises:
            raise DeadlineExceeded("slow")

    def __enter__(self) -> FakeGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class Foreign:
    """Another library's context, as far as the runner can tell."""

    def get_start_method(self) -> str:
        return "fork"


@pytest.fixture
def library(monkeypatch):
    """A ``Foreign`` context counts as another library's; warm-ups start in a FakeGroup."""
    FakeGroup.made = []
    FakeGroup.join_raises = False
    monkeypatch.setattr(
        runner, "library_of", lambda ctx: multiprocessing if isinstance(ctx, Foreign) else None
    )
    monkeypatch.setattr(runner, "ProcessGroup", FakeGroup)
    monkeypatch.setattr(runner, "_WARMED", {})
    return FakeGroup


def test_another_library_s_context_is_warmed_up_once(library):
    ctx = Foreign()
    runner._warm_up_library(ctx)  # type: ignore[arg-type]  # any object stands for a context
    runner._warm_up_library(ctx)  # type: ignore[arg-type]
    [group] = library.made
    assert group.ctx is ctx
    assert group.started == [(runner._nothing, "warm-up")]
    assert [deadline.seconds for deadline in group.deadlines] == [runner.WARM_UP_SECONDS]
    assert runner._WARMED == {id(ctx): ctx}
    assert runner._nothing() is None


def test_a_warm_up_past_its_deadline_is_tried_again_next_time(library):
    library.join_raises = True
    ctx = Foreign()
    runner._warm_up_library(ctx)  # type: ignore[arg-type]  # any object stands for a context
    assert runner._WARMED == {}
    runner._warm_up_library(ctx)  # type: ignore[arg-type]
    assert len(library.made) == 2


def test_the_standard_library_s_context_needs_no_warm_up(library):
    runner._warm_up_library(multiprocessing.get_context("fork"))
    assert library.made == []


def test_a_run_in_another_library_s_context_warms_it_up_first(library, watched):
    ctx = Foreign()
    method = Scripted()
    runner.run(WORKLOAD, method, ctx)  # type: ignore[arg-type]  # any object stands for a context
    assert [group.ctx for group in library.made] == [ctx]
    assert method.calls[0][1] is ctx
