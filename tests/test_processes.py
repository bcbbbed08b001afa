"""ProcessGroup and Deadline: children never outlive their group, waits never outlive the deadline."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from ipccheck.processes import Deadline, DeadlineExceeded, ProcessGroup, exit_description

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
