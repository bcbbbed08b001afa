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


def orphan_a_worker(handshake: Handshake, report: Connection) -> None:
    """Start a worker that waits for go, say its pid, then die at once as a SIGKILLed parent would."""
    worker = multiprocessing.get_context("fork").Process(target=wait_for_go, args=(handshake,))
    worker.start()
    # Die only once the worker is waiting: it reads its parent's pid as it starts to wait, so
    # a parent gone before that is a different case (see the note in handshake.arrive).
    handshake.ready.acquire(timeout=30)
    report.send(worker.pid)
    os._exit(0)  # no cleanup: nothing stops the worker, and no one will ever say go


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_waiting_for_go_exits_once_its_parent_is_gone():
    """Before, such a worker waited the full 600 s for a go that could never come."""
    ctx = multiprocessing.get_context("fork")
    handshake = Handshake(ctx)
    reader, writer = ctx.Pipe(duplex=False)
    middle = ctx.Process(target=orphan_a_worker, args=(handshake, writer))
    middle.start()
    pid = None
    try:
        assert reader.poll(30)
        pid = reader.recv()
        middle.join(30)
        give_up = time.monotonic() + 30
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
