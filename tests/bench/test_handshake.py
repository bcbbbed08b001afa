"""The ready/go handshake: a worker whose parent is gone stops waiting for go."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from multiprocessing.connection import Connection

import pytest

from ipccheck.bench.handshake import Handshake

pytestmark = pytest.mark.processes  # every test here starts child processes


def running(pid: int) -> bool:
    """Is ``pid`` alive (a zombie counts as gone)?"""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for_go(handshake: Handshake) -> None:
    handshake.arrive()


def orphan_a_worker(report: Connection) -> None:
    """Start a worker that waits for go, say its pid, then die at once as a SIGKILLed parent would."""
    handshake = Handshake(multiprocessing.get_context("fork"))
    worker = multiprocessing.get_context("fork").Process(target=wait_for_go, args=(handshake,))
    worker.start()
    handshake.ready.acquire(timeout=30)  # die only once the worker is waiting
    report.send(worker.pid)
    os._exit(0)  # no cleanup: nothing stops the worker, and no one will ever say go


def arrive_once_the_parent_is_gone(handshake: Handshake, parent_alive: Connection,
                                   held_by_parent: Connection) -> None:
    held_by_parent.close()  # the fork copied it: only the parent may keep the pipe open
    try:
        parent_alive.recv_bytes()
    except EOFError:  # the parent exited: only now start to wait for go
        handshake.arrive()


def die_before_the_worker_arrives(report: Connection) -> None:
    """Start a worker that will arrive only after this parent is gone, say its pid, then die."""
    ctx = multiprocessing.get_context("fork")
    handshake = Handshake(ctx)  # made here, as the benchmark makes it: this process is the parent
    parent_alive, held_by_parent = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=arrive_once_the_parent_is_gone,
                         args=(handshake, parent_alive, held_by_parent))
    worker.start()
    report.send(worker.pid)
    os._exit(0)




@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("when", ["while-it-waits", "before-it-arrives"])
def test_a_worker_waiting_for_go_exits_once_its_parent_is_gone(when):
    """Before, such a worker waited the full 600 s for a go that could never come; one whose
    parent died before it arrived did so until the handshake kept the parent's own pid."""
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    target = orphan_a_worker if when == "while-it-waits" else die_before_the_worker_arrives
    middle = ctx.Process(target=target, args=(writer,))
    middle.start()
    pid = None
    try:
        assert reader.poll(30)
        pid = reader.recv()
        give_up = time.monotonic() + 30
        # Reap the dead parent as a shell would. Not join(timeout): that waits for the parent's
        # sentinel pipe, which the worker inherited, and a worker waiting for go keeps it open.
        while middle.exitcode is None and time.monotonic() < give_up:
            time.sleep(0.05)
        while running(pid) and time.monotonic() < give_up:
            time.sleep(0.05)
        assert not running(pid), "the orphaned worker is still waiting for go"
    finally:
        if middle.is_alive():
            middle.kill()
            middle.join(5)
        if pid is not None and running(pid):
            os.kill(pid, signal.SIGKILL)
        reader.close()
        writer.close()
