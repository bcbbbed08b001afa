"""Threads and child processes still running after a run, each named.

Both belong to this process, so a before/after comparison needs no attribution. Threads are
compared as objects (a thread id can be reused once its thread ended). Child processes are
found two ways: ``multiprocessing.active_children()`` knows the ones multiprocessing started
here, with their names; on Linux ``/proc`` also knows children started any other way
(``subprocess``, ``os.fork``), and those a finished ``Process`` left unreaped.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterable
from multiprocessing.process import BaseProcess

# How long threads new since the snapshot get, all together, to end on their own (a Queue's
# feeder thread flushing after close()) before each one still running is reported.
THREAD_GRACE = 1.0


def threads_now() -> frozenset[threading.Thread]:
    """Every live thread of this process."""
    return frozenset(threading.enumerate())


def new_threads(before: frozenset[threading.Thread], grace: float = THREAD_GRACE) -> tuple[str, ...]:
    """Threads started since ``before`` and still running after ``grace`` seconds, named."""
    started = [thread for thread in threading.enumerate() if thread not in before]
    give_up = time.monotonic() + grace
    for thread in started:
        thread.join(max(0.0, give_up - time.monotonic()))
    return tuple(describe_thread(thread) for thread in started if thread.is_alive())


def describe_thread(thread: threading.Thread) -> str:
    """``feeder (daemon)``: enough to find it in a ``faulthandler`` dump."""
    return f"{thread.name} ({'daemon' if thread.daemon else 'non-daemon'})"


def _proc_children(pid: int) -> set[int] | None:
    """Children of ``pid`` as /proc lists them, or None where /proc cannot say."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    children: set[int] = set()
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listing:
                children.update(int(word) for word in listing.read().split())
        except OSError:
            return None  # a kernel without CONFIG_PROC_CHILDREN: do not guess
    return children


def _proc_field(pid: int, name: str) -> str:
    """One ``Name:``/``State:`` line of /proc/PID/status, or ``?``."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key == name:
                    return value.strip()
    except OSError:
        pass
    return "?"


def child_pids() -> frozenset[int]:
    """Every child process of this process now (multiprocessing's, and /proc's where it has one).

    ``active_children()`` also reaps the multiprocessing children that have finished.
    """
    pids = {process.pid for process in multiprocessing.active_children() if process.pid}
    return frozenset(pids | (_proc_children(os.getpid()) or set()))


def describe_pid(pid: int, known: dict[int, BaseProcess]) -> str:
    """``name (pid N)``; a child multiprocessing did not start is named by its program."""
    if pid in known:
        return f"{known[pid].name} (pid {pid})"
    state = _proc_field(pid, "State")
    unreaped = ", exited but never reaped" if state.startswith("Z") else ""
    return f"{_proc_field(pid, 'Name')} (pid {pid}{unreaped})"


def new_children(before: frozenset[int], own: Iterable[int | None] = ()) -> dict[int, str]:
    """Children alive now that were not before, except ``own`` (reported by their group), named."""
    known = {p.pid: p for p in multiprocessing.active_children() if p.pid}
    excluded = set(before) | {pid for pid in own if pid is not None}
    return {pid: describe_pid(pid, known) for pid in sorted(child_pids() - excluded)}
