"""What producers send and how the parent collects it, shown in this process.

The producers' side (``messages``, ``put_producer``) normally runs in children; here it runs
in the test, into a list. The parent's side (``collect``, ``drain_leftovers``) is fed scripted
receives, a group whose producers end when told, and a deadline that expires when told, so
each way out of the collecting loop is shown without a child or a wait.
"""

from __future__ import annotations

import queue
from typing import Any

import pytest

from ipccheck import channel
from ipccheck.channel import collect, drain_leftovers, getter, messages, put_producer, record
from ipccheck.faults import Fault, InjectedFault
from ipccheck.processes import DeadlineExceeded
from ipccheck.protocol import END, Observation, producer_role


def test_a_stream_producer_sends_each_item_then_its_sentinel():
    assert list(messages(2, 3, "stream")) == [(2, 0), (2, 1), (2, 2), (2, END)]


def test_a_summary_producer_sends_its_count_then_its_sentinel():
    assert list(messages(1, 4, "summary")) == [(1, 4), (1, END)]
    assert list(messages(1, 0, "summary")) == [(1, 0), (1, END)]


def test_a_fault_strikes_when_its_victim_asks_for_the_message_after_its_count():
    sent: list[object] = []
    with pytest.raises(InjectedFault):
        for message in messages(1, 3, "stream", Fault("raise", victim=1, after=2)):
            sent.append(message)
    assert sent == [(1, 0), (1, 1)]
    counted: list[object] = []
    with pytest.raises(InjectedFault):
        counted.extend(messages(0, 3, "summary", Fault("raise", victim=0, after=2)))
    assert counted == []
    with pytest.raises(InjectedFault):  # after == base: the sentinel never goes
        counted.extend(messages(0, 3, "summary", Fault("raise", victim=0, after=3)))
    assert counted == []
    with pytest.raises(InjectedFault):
        sent.extend(messages(0, 2, "stream", Fault("raise", victim=0, after=2)))
    assert sent == [(1, 0), (1, 1), (0, 0), (0, 1)]


def test_a_fault_for_another_producer_changes_nothing():
    fault = Fault("raise", victim=1, after=0)
    assert list(messages(0, 2, "stream", fault)) == [(0, 0), (0, 1), (0, END)]


class Channel:
    """Anything with put and get: a list and a script of what get returns or raises."""

    def __init__(self, script: list[Any] = ()) -> None:  # type: ignore[assignment]  # read only
        self.put_items: list[Any] = []
        self.script = list(script)
        self.timeouts: list[float] = []

    def put(self, item: Any) -> None:
        self.put_items.append(item)

    def get(self, timeout: float) -> Any:
        self.timeouts.append(timeout)
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


def test_a_put_producer_puts_every_message_in_order():
    sink = Channel()
    put_producer(sink, 0, 2, "stream")
    assert sink.put_items == [(0, 0), (0, 1), (0, END)]
    with pytest.raises(InjectedFault):
        put_producer(sink, 1, 2, "summary", Fault("raise", victim=1, after=2))
    assert sink.put_items == [(0, 0), (0, 1), (0, END)]


def test_a_getter_passes_the_timeout_and_turns_empty_into_none():
    source = Channel([(0, 1), queue.Empty()])
    receive = getter(source)
    assert receive(0.25) == (0, 1)
    assert receive(0.5) is None
    assert source.timeouts == [0.25, 0.5]


def test_an_item_and_a_sentinel_are_recorded_apart():
    observation = Observation()
    record(observation, (0, 5))
    record(observation, (1, END))
    record(observation, (0, END))
    assert observation.received == [(0, 5)]
    assert observation.sentinels == [(1, 1), (0, 1)]  # how many items had arrived before it


class Script:
    """A receive function: each call returns the next scripted message (None: nothing came)."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.timeouts: list[float] = []

    def __call__(self, timeout: float) -> Any:
        self.timeouts.append(timeout)
        return self.replies.pop(0) if self.replies else None


class Producers:
    """A group whose producers have ended when the test says so."""

    def __init__(self, ended: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.ended = set(ended)
        self.asked: list[object] = []

    def has_ended(self, role: object) -> bool:
        self.asked.append(role)
        return any(role == producer_role(p) for p in self.ended)

    def alive(self) -> list[object]:
        return []


class Clock:
    """A deadline that has ``remaining`` seconds left and passes after ``checks`` checks."""

    def __init__(self, remaining: float = 10.0, checks: int = 1000) -> None:
        self.left = remaining
        self.checks = checks
        self.checked: list[tuple[str, object]] = []

    def remaining(self) -> float:
        return self.left

    def check(self, doing: str, group: object = None) -> None:
        self.checked.append((doing, group))
        if len(self.checked) > self.checks:
            raise DeadlineExceeded(doing)


def run_collect(receive: Script, procs: int, group: Producers, deadline: Clock | None = None,
                diagnose: Any = None) -> Observation:
    observation = Observation()
    collect(receive, procs, group, deadline or Clock(), observation, diagnose)  # type: ignore[arg-type]
    return observation


def test_collecting_ends_when_every_sentinel_arrived():
    receive = Script((0, 0), (1, END), (0, 1), (0, END), (0, 9))
    observation = run_collect(receive, 2, Producers())
    assert observation.received == [(0, 0), (0, 1)]
    assert observation.sentinels == [(1, 1), (0, 2)]
    assert receive.replies == [(0, 9)]  # nothing is taken after the last sentinel


def test_each_wait_is_one_poll_or_what_is_left_of_the_deadline():
    receive = Script((0, END))
    run_collect(receive, 1, Producers(), Clock(remaining=10.0))
    assert receive.timeouts == [channel.POLL_SECONDS]
    receive = Script((0, END))
    run_collect(receive, 1, Producers(), Clock(remaining=0.01))
    assert receive.timeouts == [0.01]


def test_the_deadline_is_checked_before_each_wait_naming_the_producers_awaited():
    group = Producers()
    deadline = Clock(checks=1)
    with pytest.raises(DeadlineExceeded):
        run_collect(Script((1, END)), 2, group, deadline)
    assert deadline.checked == [
        ("waiting for the sentinels of producers [0, 1]", group),
        ("waiting for the sentinels of producers [0]", group),
    ]


def test_two_empty_polls_after_every_awaited_producer_ended_give_up():
    receive = Script(None, (0, 1), None, None, (0, 2))
    observation = run_collect(receive, 1, Producers({0}))
    assert observation.received == [(0, 1)]
    assert len(receive.timeouts) == 4  # the item reset the count of empty polls
    assert receive.replies == [(0, 2)]


def test_while_any_awaited_producer_runs_collecting_goes_on_and_diagnoses_the_dead():
    group = Producers({1})
    diagnosed: list[list[int]] = []
    receive = Script(None, None, (0, END))
    observation = run_collect(receive, 2, group, diagnose=diagnosed.append)
    assert diagnosed == [[1], [1]]
    assert observation.sentinels == [(0, 0)]
    assert group.asked[:2] == [producer_role(0), producer_role(1)]


def test_no_diagnosis_without_a_dead_producer_or_a_hook():
    diagnosed: list[list[int]] = []
    run_collect(Script(None, (0, END)), 1, Producers(), diagnose=diagnosed.append)
    assert diagnosed == []
    observation = run_collect(Script(None, None, (1, END), (0, END)), 2, Producers({1}))
    assert observation.sentinels == [(1, 0), (0, 0)]


def test_a_producer_that_ended_after_its_sentinel_is_not_awaited():
    group = Producers({0})
    receive = Script((0, END))
    with pytest.raises(DeadlineExceeded):  # producer 1 runs on: no giving up before the deadline
        run_collect(receive, 2, group, Clock(checks=4))
    assert len(receive.timeouts) == 4
    assert producer_role(0) not in group.asked


def test_draining_takes_everything_still_queued_without_waiting():
    receive = Script((0, 3), (1, END), None, (0, 4))
    observation = Observation()
    drain_leftovers(receive, observation)
    assert (observation.received, observation.sentinels) == ([(0, 3)], [(1, 1)])
    assert receive.timeouts == [0.0, 0.0, 0.0]
