"""ProcessGroup and Deadline: children never outlive their group, waits never outlive the deadline."""

from __future__ import annotations

import multiprocessing
import signal
import time

import pytest

from ipccheck import interrupts
from ipccheck.processes import (
    Deadline,
    DeadlineExceeded,
    ProcessGroup,
    end_processes,
    exit_description,
)

pytestmark = pytest.mark.processes  # most tests here start child processes


def test_deadline_counts_down_and_raises_when_passed():
    """remaining() shrinks to zero and check() raises once the time is up."""
    generous = Deadline(30)
    assert 0 < generous.remaining() <= 30
    generous.check("starting")
    assert not generous.expired()
    short = Deadline(0.05)
    time.sleep(0.06)
    assert short.expired() and short.remaining() == 0
    with pytest.raises(DeadlineExceeded, match="deadline of 0.05 s passed while waiting"):
        short.check("waiting")


def test_group_kills_a_child_that_ignores_its_deadline():
    """A child that would run for a minute is stopped when the group's block ends."""
    ctx = multiprocessing.get_context("fork")
    with ProcessGroup(ctx) as group:
        pid = group.start(time.sleep, (60,), role="sleeper").pid
        with pytest.raises(DeadlineExceeded, match=r"still alive: sleeper \(pid \d+\)"):
            group.join(Deadline(0.2))
    assert group.unreaped == []
    assert group.exitcodes()["sleeper"] in (-15, -9)  # SIGTERM, or SIGKILL on a swamped machine
    assert pid not in {p.pid for p in multiprocessing.active_children()}


def test_group_cleans_up_when_the_block_raises():
    """An exception inside the block still terminates and reaps every child."""
    ctx = multiprocessing.get_context("spawn")
    with pytest.raises(RuntimeError), ProcessGroup(ctx) as group:
        group.start(time.sleep, (60,), role="sleeper")
        raise RuntimeError("the run failed")
    assert group.exitcodes()["sleeper"] is not None
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("code", "words"), [(0, "exit code 0"), (3, "exit code 3"), (-9, "killed by SIGKILL"),
                        (None, "still running"), (-200, "killed by signal 200")]
)
def test_exit_description_reads_like_words(code, words):
    """Exit codes become words: a number, a signal name, or still running."""
    assert exit_description(code) == words


def deaf(started) -> None:  # type: ignore[no-untyped-def]
    """A child that ignores SIGTERM, as a manager's server ignores SIGINT."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    started.set()
    time.sleep(60)


def test_a_child_deaf_to_sigterm_is_killed_and_a_second_signal_skips_the_grace():
    """end_processes: SIGTERM, a grace shared by all, then SIGKILL; hurrying skips the grace."""
    ctx = multiprocessing.get_context("fork")
    for hurry in (False, True):
        started = ctx.Event()
        with ProcessGroup(ctx) as group:
            group.start(deaf, (started,), role="deaf")
            assert started.wait(30)
            interrupts.watch({})
            try:
                if hurry:
                    interrupts.note(signal.SIGINT)
                    interrupts.note(signal.SIGINT)  # a second signal: hurry
                began = time.monotonic()
                assert end_processes(group.processes) == []
                took = time.monotonic() - began
            finally:
                interrupts.watch(None)
        assert group.exitcodes()["deaf"] == -signal.SIGKILL
        print(f"hurry={hurry}: stopped a SIGTERM-deaf child in {took:.2f} s")


def interrupted() -> None:
    """A child that Ctrl-C reaches (KeyboardInterrupt in its target)."""
    raise KeyboardInterrupt


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_child_that_ctrl_c_reaches_dies_by_sigint_quietly(start_method, capfd):
    """No traceback per child on the terminal: it ends as a C program would, by SIGINT."""
    with ProcessGroup(multiprocessing.get_context(start_method)) as group:
        group.start(interrupted, role="worker")
        group.join(Deadline(60))
    (child,) = group.children()
    assert (child.exitcode, child.error) == (-signal.SIGINT, None)
    assert "Traceback" not in capfd.readouterr().err


def test_join_notices_a_stop_signal_whose_interrupt_was_swallowed():
    """join() waits in slices: a recorded signal ends the wait long before the deadline."""
    ctx = multiprocessing.get_context("fork")
    interrupts.watch({})
    try:
        with ProcessGroup(ctx) as group:
            group.start(time.sleep, (60,), role="sleeper")
            interrupts.note(signal.SIGTERM)  # as if the handler's exception had been lost
            with pytest.raises(interrupts.Interrupted):
                group.join(Deadline(60))
    finally:
        interrupts.watch(None)
    assert group.exitcodes()["sleeper"] is not None
