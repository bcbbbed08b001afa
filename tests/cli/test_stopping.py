"""The command's handlers, in this process: Interrupted raised, swallowed ones raised again, put back.

tests/cli/test_signals.py sends real signals to a real command; these pin the pieces down.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import tempfile
import time
from multiprocessing.managers import SyncManager

import pytest

from ipccheck import interrupts
from ipccheck.cli import main, stopping
from ipccheck.cli import run as run_command
from ipccheck.cli.options import EXIT_TERMINATED
from ipccheck.interrupts import Interrupted


def test_the_command_handlers_raise_interrupted_and_are_put_back():
    before = {signum: signal.getsignal(signum) for signum in interrupts.STOP_SIGNALS}
    with stopping.watching_signals():
        with pytest.raises(Interrupted) as raised:
            signal.raise_signal(signal.SIGTERM)
            time.sleep(1)  # the handler runs at the next bytecode
        assert raised.value.signum == signal.SIGTERM
        assert interrupts.stopped_by() == signal.SIGTERM
    assert {signum: signal.getsignal(signum) for signum in interrupts.STOP_SIGNALS} == before
    assert interrupts.stopped_by() is None


def test_a_signal_ignored_at_start_stays_ignored():
    """A background job's SIGINT, nohup's SIGHUP: the command does not take them over."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with stopping.watching_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            signal.raise_signal(signal.SIGHUP)
        assert interrupts.stopped_by() is None
    finally:
        signal.signal(signal.SIGHUP, previous)


class Swallower:
    """Sends a signal from a finalizer: the handler's exception is swallowed ("Exception ignored")."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)
        sum(range(10))  # a few bytecodes: the handler runs (and raises) in here


def test_an_interrupt_swallowed_by_a_finalizer_is_raised_again(capsys):
    """The way Ctrl-C used to be lost in a Hypothesis GC callback or a manager's finalizer."""
    with stopping.watching_signals():
        with pytest.raises(Interrupted):
            Swallower(signal.SIGINT)  # dropped at once: __del__ runs, its Interrupted is swallowed
            gc.collect()
            give_up = time.monotonic() + 10
            while time.monotonic() < give_up:  # the job goes on, as if nothing happened...
                time.sleep(0.01)  # ...until the interrupt is raised again here
        assert not interrupts.hurrying()  # raised again, not counted as a second signal
    assert "Exception ignored" not in capsys.readouterr().err


def slow_step(signums: list[int], seconds: float) -> bool:
    """A stand-in for one of ``STEPS_TO_FINISH``: signals land in it, and it runs on a while.

    Returns whether the command was hurrying once the signals had come.
    """
    for signum in signums:
        signal.raise_signal(signum)  # handled here, inside the step
    hurrying = interrupts.hurrying()
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:  # several AGAIN_SECONDS: the signal comes back, waits again
        time.sleep(0.01)
    return hurrying


def test_a_signal_inside_a_step_to_finish_waits_for_it_and_a_second_one_still_hurries(
    monkeypatch,
):
    monkeypatch.setitem(stopping.STEPS_TO_FINISH, slow_step.__code__, "a test's step")
    finished = []
    with stopping.watching_signals():
        with pytest.raises(Interrupted) as raised:
            finished.append(slow_step([signal.SIGTERM, signal.SIGINT], 10 * interrupts.AGAIN_SECONDS))
            give_up = time.monotonic() + 10
            while time.monotonic() < give_up:  # the job goes on...
                time.sleep(0.01)  # ...until the waiting signal is raised here
        # Never cut: it returned before the interrupt came; and the second signal counted at
        # once (not taken for the re-delivery of the first, which was due).
        assert finished == [True]
        assert raised.value.signum == signal.SIGTERM  # the first signal decides
        assert interrupts.hurrying()


def test_the_interrupted_line_says_what_was_stopped_and_the_exit_code():
    line = stopping.interrupted_line(signal.SIGTERM, "check", "queue under spawn: run 3", 1)
    assert line.startswith("ipccheck: interrupted by SIGTERM during `ipccheck check`")
    assert "(queue under spawn: run 3)" in line and "no verdict" in line
    assert "\n" not in line
    assert [stopping.exit_code(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == [
        130, 143, 129
    ]


def test_the_job_gets_its_own_temp_dir_removed_with_what_is_left_in_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    with stopping.own_temp_dir() as root:
        assert os.path.dirname(root) == str(tmp_path)
        assert tempfile.gettempdir() == root and os.environ["TMPDIR"] == root
        leftover = tempfile.mkdtemp(prefix="pymp-")  # as a killed manager's server leaves it
        open(os.path.join(leftover, "listener-x"), "w").close()
    assert not os.path.exists(root)
    assert os.environ["TMPDIR"] == str(tmp_path) and tempfile.tempdir is None




@pytest.mark.processes
def test_a_swallowed_signal_still_ends_the_run_with_no_verdict(monkeypatch, capsys):
    """A signal whose interrupt never reached main: the run went on, and main still refuses.

    (The way a Ctrl-C swallowed in a GC callback used to end in "conformed" or in a false
    "not conformant: left-behind" verdict.)
    """
    real_run = run_command.run

    def run_swallowing(workload):  # type: ignore[no-untyped-def]
        outcome = real_run(workload)
        interrupts.note(signal.SIGTERM)  # the handler ran; its exception got lost
        return outcome

    monkeypatch.setattr(run_command, "run", run_swallowing)
    code = main(["run", "value", "--base", "5", "--start-method", "fork"])
    captured = capsys.readouterr()
    assert code == EXIT_TERMINATED
    assert "passed" not in captured.out and "ok" not in captured.out.splitlines()[-1]
    assert captured.err.startswith("ipccheck: interrupted by SIGTERM during `ipccheck run`")
    assert "(value under fork)" in captured.err


def signal_the_parent(signum: int) -> None:
    """A manager initializer: signal the parent while it waits inside ``start()`` for the address."""
    os.kill(os.getppid(), signum)
    time.sleep(0.2)  # let the signal land before the server answers


@pytest.mark.processes
def test_under_the_command_a_signal_inside_a_managers_start_waits_until_it_can_be_shut_down():
    """SIGTERM held back by running_manager under the command's own handlers, then raised."""
    started = []

    def start() -> SyncManager:
        manager = SyncManager(ctx=multiprocessing.get_context("fork"))
        try:
            manager.start(signal_the_parent, (signal.SIGTERM,))
        finally:
            started.append(manager._process)  # type: ignore[attr-defined]
        return manager

    with stopping.watching_signals():
        with pytest.raises(Interrupted) as raised:
            with interrupts.running_manager(start):
                pytest.fail("the block must not run once the signal came")
    assert raised.value.signum == signal.SIGTERM
    assert len(started) == 1 and not started[0].is_alive()
    assert multiprocessing.active_children() == []


@pytest.mark.processes
def test_a_manager_left_by_a_users_factory_is_stopped_by_the_command():
    """A server that ignores SIGINT and was never shut down: stop_everything ends it."""
    manager = SyncManager(ctx=multiprocessing.get_context("fork"))
    manager.start()
    server = manager._process  # type: ignore[attr-defined]
    assert stopping.stop_everything() == 1
    assert not server.is_alive()
    assert multiprocessing.active_children() == []
