"""A stop signal kept as state: safe points, deferral, hurry, and the verdict refused.

These run in this process with ``interrupts.watch`` (the state the command's handlers keep);
tests/cli/test_stopping.py installs the command's real handlers, and tests/cli/test_signals.py
sends real signals to a real command.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.managers import SyncManager

import pytest

from ipccheck import interrupts
from ipccheck.cli import output
from ipccheck.interrupts import Interrupted


@pytest.fixture
def watched():
    """The command's signal state, as if its handlers were installed (none are)."""
    interrupts.watch({})
    yield
    interrupts.watch(None)


def test_a_signal_is_state_that_every_safe_point_raises_until_settled(watched):
    """Swallowing the first Interrupted changes nothing: the next safe point raises it again."""
    assert interrupts.note(signal.SIGTERM) is True  # the handler raises now...
    for _ in range(2):  # ...and if that was swallowed, every safe point raises it again
        with pytest.raises(Interrupted) as raised:
            interrupts.raise_if_stopped()
        assert raised.value.signum == signal.SIGTERM
        assert isinstance(raised.value, KeyboardInterrupt)
    assert interrupts.stopped_by() == signal.SIGTERM and not interrupts.hurrying()
    interrupts.settle()  # the command is cleaning up: record, never raise
    interrupts.raise_if_stopped()
    assert interrupts.note(signal.SIGINT) is False
    assert interrupts.hurrying()  # a second signal: cleanup stops waiting politely
    assert interrupts.stopped_by() == signal.SIGTERM  # the first one names the exit code


def test_a_signal_inside_a_deferred_step_is_raised_when_the_step_is_done(watched):
    finished = []
    with pytest.raises(Interrupted):
        with interrupts.sigint_deferred():
            with interrupts.sigint_deferred():  # nested: only the outermost raises
                assert interrupts.note(signal.SIGHUP) is False
                interrupts.raise_if_stopped()  # held back inside the step
                finished.append("inner")
            finished.append("outer")
    assert finished == ["inner", "outer"]


def test_a_verdict_is_refused_once_a_signal_came(watched, capsys):
    """The guard main relies on: an interrupted run never prints a verdict, however it got there."""
    interrupts.note(signal.SIGINT)
    with pytest.raises(Interrupted):
        output.final("1 passed, 0 failed in 0.1 s: every invariant held")
    with pytest.raises(Interrupted):
        output.part("a table row")
    assert capsys.readouterr().out == ""
    assert not interrupts.verdict_printed()


def test_a_signal_after_the_verdict_changes_nothing_printed(watched, capsys):
    output.final("the verdict")
    assert interrupts.verdict_printed()
    assert interrupts.note(signal.SIGTERM) is False  # recorded, never raised: the run had ended
    assert capsys.readouterr().out == "the verdict\n"


def test_outside_the_command_nothing_is_recorded_and_ctrl_c_is_deferred_as_before():
    """A user's program keeps Python's own Ctrl-C; sigint_deferred swaps it only for the block."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("needs Python's own SIGINT handler")
    finished = False
    with pytest.raises(KeyboardInterrupt) as raised:
        with interrupts.sigint_deferred():
            signal.raise_signal(signal.SIGINT)
            finished = True
    assert finished and not isinstance(raised.value, Interrupted)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert interrupts.stopped_by() is None


def interrupt_the_parent() -> None:
    """A manager initializer: Ctrl-C the parent while it waits inside ``start()`` for the address."""
    os.kill(os.getppid(), signal.SIGINT)
    time.sleep(0.2)  # let the signal land before the server answers


@pytest.mark.processes
@pytest.mark.skipif(
    signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="needs Python's own SIGINT handler",
)
def test_ctrl_c_while_a_manager_starts_still_shuts_it_down():
    """Ctrl-C that lands inside ``BaseManager.start()`` is raised only once it can be shut down.

    Without the deferral the KeyboardInterrupt would escape ``start()`` before the manager
    registered its own shutdown, leaving its server (which ignores SIGINT and is not a daemon)
    running, and the interpreter's exit waiting for it.
    """
    started = []

    def start():  # type: ignore[no-untyped-def]
        manager = SyncManager(ctx=multiprocessing.get_context("spawn"))
        try:
            manager.start(interrupt_the_parent)
        finally:
            started.append(manager._process)
        return manager

    with pytest.raises(KeyboardInterrupt):
        with interrupts.running_manager(start):
            pytest.fail("the block must not run once Ctrl-C was pressed")
    assert len(started) == 1
    assert not started[0].is_alive()
    assert multiprocessing.active_children() == []
