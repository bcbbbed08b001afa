"""Ctrl-C during ``ipccheck``: exit 130 within 5 s, and no process or segment of its own left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ..timing import seconds

# How long the command may take to stop after SIGINT (the promise).
STOP_SECONDS = seconds(5)
# How long a run gets to get going before we interrupt it; generous for a busy machine.
START_SECONDS = seconds(60)
# Orphaned helpers (resource tracker, forkserver) exit when they see EOF; allow them a moment.
REAP_SECONDS = seconds(10)
# ``python -m ipccheck`` with SIGINT at its default action, as in a terminal. A program started
# as a background job of a non-interactive shell inherits SIGINT *ignored*, and Python then keeps
# ignoring it (as every Unix program should); this suite may run under such a shell, so the
# launcher restores the default and exec()s the command in the same process (same pid).
AS_FROM_A_TERMINAL = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'ipccheck', *sys.argv[1:]])",
]


def children_of(pid: int) -> set[int]:
    """Every live descendant of ``pid``, from /proc (zombies count as gone)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def is_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def shm_in_use(pid: int) -> set[str]:
    """The /dev/shm files ``pid`` has mapped and not yet unlinked."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            lines = maps.read().splitlines()
    except OSError:
        return set()
    return {
        line.split(maxsplit=5)[5]
        for line in lines
        if "/dev/shm/" in line and not line.endswith("(deleted)")
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("target", ["command", "process group"])
@pytest.mark.parametrize(
    ("method", "start_method"), [("shared-memory", "fork"), ("manager-tcp", "spawn")]
)
def test_ctrl_c_exits_130_quickly_and_leaves_nothing(method, start_method, target):
    """SIGINT to the command (or its whole group, as Ctrl-C does) stops it cleanly within 5 s."""
    command = [*AS_FROM_A_TERMINAL, "run", method, "--procs", "2",
               "--base", "10000000", "--start-method", start_method, "--timeout", "600"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        seen_children: set[int] = set()
        seen_shm: set[str] = set()
        give_up = time.monotonic() + START_SECONDS
        while len(children_of(process.pid)) < 3 and time.monotonic() < give_up:
            time.sleep(0.05)  # resource tracker plus at least two workers: the run is under way
        seen_children |= children_of(process.pid)
        seen_shm |= shm_in_use(process.pid)
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert len(seen_children) >= 3, "the run never got going"
        if method == "shared-memory":
            assert seen_shm, "expected the run's segment to be mapped"

        sent = time.monotonic()
        if target == "command":
            os.kill(process.pid, signal.SIGINT)
        else:
            os.killpg(process.pid, signal.SIGINT)
        _out, err = process.communicate(timeout=STOP_SECONDS + 30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()  # reap it and close its pipes

    assert process.returncode == 130, err.decode()
    assert took < STOP_SECONDS, f"took {took:.1f} s to stop"
    assert b"ipccheck: interrupted" in err
    give_up = time.monotonic() + REAP_SECONDS
    while any(map(is_alive, seen_children)) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert [pid for pid in seen_children if is_alive(pid)] == []
    assert [path for path in seen_shm if os.path.exists(path)] == []


@pytest.mark.skipif(
    signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="needs Python's own SIGINT handler",
)
def test_ctrl_c_while_a_child_starts_is_raised_after_it_is_recorded():
    """sigint_deferred() lets the block finish, then raises KeyboardInterrupt."""
    from ipccheck.interrupts import sigint_deferred

    finished = False
    with pytest.raises(KeyboardInterrupt):
        with sigint_deferred():
            signal.raise_signal(signal.SIGINT)
            finished = True
    assert finished
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler



def interrupt_the_parent() -> None:
    """A manager initializer: Ctrl-C the parent while it waits inside ``start()`` for the address."""
    os.kill(os.getppid(), signal.SIGINT)
    time.sleep(0.2)  # let the signal land before the server answers


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
    import multiprocessing
    from multiprocessing.managers import SyncManager

    from ipccheck.interrupts import running_manager

    started = []

    def start():  # type: ignore[no-untyped-def]
        manager = SyncManager(ctx=multiprocessing.get_context("spawn"))
        try:
            manager.start(interrupt_the_parent)
        finally:
            started.append(manager._process)
        return manager

    with pytest.raises(KeyboardInterrupt):
        with running_manager(start):
            pytest.fail("the block must not run once Ctrl-C was pressed")
    assert len(started) == 1
    assert not started[0].is_alive()
    assert multiprocessing.active_children() == []
