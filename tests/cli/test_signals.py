"""Real signals to a real ``ipccheck``: each subcommand stops with 128 + the signal, no verdict, nothing left.

A few representative cells (marked ``signals``; ``pytest -m "not signals"`` leaves them out):
each subcommand once, SIGINT and SIGTERM (and SIGHUP once), sent to the command alone (as
``kill`` and a CI cancel do) or to its whole process group (as Ctrl-C in a terminal does), at
different moments: early, mid-run, during the shrinking of a failure, during a replay, during
a benchmark's handshake, and from inside a manager's start under each start method. The full
sweep (every subcommand, both signals, 20 random moments each) is ``tools/signal_sweep.py``.

Each cell checks the exit code, that no verdict reached stdout, the one line on stderr, and
that no process of the run, no /dev/shm file it had mapped and nothing in its TMPDIR is left
(``tests/signalling.py``). The time to exit is measured and reported (``seconds_to_exit`` in
the JUnit XML), never asserted: only a hang (60 s) fails a cell.
"""

from __future__ import annotations

import signal
import sys
import textwrap

import pytest

from tests.signalling import Moment, Stopped, by_the_run, once_children, once_said, stop

pytestmark = [
    pytest.mark.processes,
    pytest.mark.signals,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="follows processes in /proc"),
    pytest.mark.timeout(300),
]

SIGINT, SIGTERM, SIGHUP = signal.SIGINT, signal.SIGTERM, signal.SIGHUP
LONG = ["--timeout", "600"]  # nothing ends by its deadline before the signal

CELLS: list[tuple[str, list[str], int, Moment, str]] = [
    ("run, mid-run, fork", ["run", "shared-memory", "--procs", "2", "--base", "10000000",
                            "--start-method", "fork", *LONG], SIGINT, once_children(3), "group"),
    ("run, mid-run, spawn", ["run", "manager-tcp", "--procs", "2", "--base", "10000000",
                             "--start-method", "spawn", *LONG], SIGTERM, once_children(3), "command"),
    ("bare, at its first step", ["--procs", "2", "--base", "20000", "--json"], SIGTERM,
     once_said(r"\[1/"), "command"),
    ("race, mid-trial, forkserver", ["race", "--trials", "50", "--start-method", "forkserver"],
     SIGINT, once_children(3, then=0.5), "group"),
    ("hazards, mid-run", ["hazards"], SIGHUP, once_said(r"\[2/"), "command"),
    ("check, shrinking a failure, fork",
     ["check", "queue", "ipccheck.conformance.broken:DropOneQueue", "--start-method", "fork"],
     SIGINT, once_said("looking for a smaller one"), "group"),
    ("explore, replaying, spawn",
     ["explore", "unlocked-increment", "--iterations", "30", "--start-method", "spawn"],
     SIGTERM, once_said("replaying"), "command"),
    ("bench, mid-measuring", ["bench", "--quick", "--methods", "queue,manager-value"],
     SIGTERM, once_said(r"\[2/"), "command"),
]


def check_stopped(result: Stopped, record_property: pytest.RecordProperty) -> None:
    record_property("seconds_to_exit", result.seconds)
    print(f"{' '.join(result.argv)}: {signal.Signals(result.signum).name} to the {result.target} "
          f"at {result.sent_at}, exit {result.exit_code} after {result.seconds} s")
    assert result.interrupted, f"finished before the signal:\n{result.out}"
    assert not result.during_startup, "stopped before the command was running"
    assert result.problems(within=None) == [], result.err


# The default run sends SIGINT, SIGTERM and SIGHUP to five subcommands; the deep tier adds the
# rest (the sweep of every subcommand at random moments is tools/signal_sweep.py).
DEEP_CELLS = {"run, mid-run, spawn", "race, mid-trial, forkserver", "explore, replaying, spawn"}


@pytest.mark.parametrize(("argv", "signum", "when", "target"), [
    pytest.param(*cell[1:], id=cell[0], marks=[pytest.mark.deep] if cell[0] in DEEP_CELLS else [])
    for cell in CELLS
])
def test_a_signalled_subcommand_stops_cleanly(argv, signum, when, target, record_property):
    check_stopped(stop(argv, signum, when, target=target), record_property)


def test_a_second_signal_during_cleanup_still_leaves_nothing(record_property):
    """Two Ctrl-Cs 0.2 s apart, while manager queues come and go: a faster stop, no leak."""
    argv = ["check", "queue", "ipccheck.conformance.examples:manager_queue", "--start-method",
            "spawn"]
    result = stop(argv, SIGINT, once_children(4), target="group", again_after=0.2)
    check_stopped(result, record_property)


# A factory whose manager signals the command from inside ``SyncManager.start()``: the command
# is waiting there for the server's address, in the user's code, where nothing is deferred.
SIGNALLING_FACTORY = textwrap.dedent(
    """
    import os, time
    from multiprocessing.managers import SyncManager

    COMMAND = os.getpid()  # the command imports this module itself, before anything starts
    SIGNUM = int(os.environ["SIGNAL_DURING_MANAGER_START"])

    def signal_the_command(pid, signum):
        os.kill(pid, signum)
        time.sleep(0.5)  # the command is still inside start(), waiting for the address

    def manager_queue(ctx):
        manager = SyncManager(ctx=ctx)
        manager.start(signal_the_command, (COMMAND, SIGNUM))
        return manager.Queue()
    """
)


@pytest.mark.parametrize(
    ("start_method", "signum"),
    [("fork", SIGTERM), ("spawn", SIGINT), pytest.param("forkserver", SIGTERM, marks=pytest.mark.deep)],
)
def test_a_signal_during_a_managers_start_stops_the_manager_too(
    start_method, signum, tmp_path, record_property
):
    """The manager a user's factory starts ignores SIGINT and has no finalizer yet: stopped anyway."""
    (tmp_path / "signalling_factory.py").write_text(SIGNALLING_FACTORY)
    argv = ["check", "queue", "signalling_factory:manager_queue", "--start-method", start_method]
    result = stop(argv, signum, by_the_run("from inside the manager's start"), cwd=str(tmp_path),
                  environment={"SIGNAL_DURING_MANAGER_START": str(int(signum))})
    check_stopped(result, record_property)
