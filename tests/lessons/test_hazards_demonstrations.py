"""The real demonstrations: every hazard is shown, every fix holds, nothing is left behind."""

from __future__ import annotations

import multiprocessing

import pytest

from ipccheck import leftovers
from ipccheck._validate import platform_default_start_method, supported_start_methods
from ipccheck.lessons import hazards
from ipccheck.lessons.hazards import HAZARDS, join_before_drain, shared_memory_tracker, terminate_producer

pytestmark = pytest.mark.processes  # every test here starts child processes

DEFAULT = platform_default_start_method()
# Every hazard under the default start method; the channel hazards under the others too (the
# unlocked counters are the race's, tested per start method in test_race_trials, and
# terminate-producer runs under every start method in test_hazards_command).
OTHER_METHODS = ("join-before-drain-queue", "join-before-drain-pipe")
CASES = [(name, DEFAULT) for name in HAZARDS] + [
    (name, method) for name in OTHER_METHODS for method in supported_start_methods() if method != DEFAULT
]


@pytest.mark.parametrize(("name", "start_method"), CASES)
def test_hazard_is_shown_and_its_fix_holds(name, start_method):
    """The demonstration shows the mistake, and the fixed pattern holds, with evidence for both."""
    result = hazards.run_hazard(name, start_method)
    assert result.shown, result.evidence
    assert result.fix_held, result.fix_evidence
    assert result.evidence and result.fix_evidence
    assert result.start_method == start_method


def test_queue_below_the_pipe_capacity_is_not_shown(monkeypatch):
    """With 10 items the Queue's pipe holds them all, so join() returns: the check discriminates."""
    monkeypatch.setattr(join_before_drain, "QUEUE_ITEMS", 10)
    monkeypatch.setattr(join_before_drain, "JOIN_WAIT", 30.0)  # a child that can exit does so long before
    finding = join_before_drain.demo_queue(multiprocessing.get_context(DEFAULT))
    assert not finding.held
    assert "returned" in finding.evidence


def test_pipe_below_the_buffer_is_not_shown(monkeypatch):
    """With 10 messages every send() returns and join() succeeds: no hazard is claimed."""
    monkeypatch.setattr(join_before_drain, "PIPE_ITEMS", 10)
    monkeypatch.setattr(join_before_drain, "JOIN_WAIT", 30.0)  # a child that can exit does so long before
    finding = join_before_drain.demo_pipe(multiprocessing.get_context(DEFAULT))
    assert not finding.held
    assert "10 of 10 send() calls done" in finding.evidence


def test_terminated_producer_delivers_an_in_order_prefix():
    """What arrives after terminate() is items 0..k-1 for some k below the total."""
    got, code = terminate_producer._stream(multiprocessing.get_context(DEFAULT), kill=True)
    assert code is not None and code < 0  # killed by a signal, not exited
    assert got == list(range(len(got)))
    assert terminate_producer.RECEIVE_BEFORE_STOP <= len(got) < terminate_producer.STREAM_ITEMS


def test_shared_memory_demo_leaves_no_segment():
    """Both the unlinked-early and the fixed run leave no segment in /dev/shm."""
    for code, should_warn in (
        (shared_memory_tracker.ATTACH, True),
        (shared_memory_tracker.ATTACH_UNTRACKED, False),
    ):
        seen = shared_memory_tracker._attach_from_other_program(code)
        assert seen.warned is should_warn
        assert seen.byte == 42
        assert not leftovers.shm_exists(seen.name)
