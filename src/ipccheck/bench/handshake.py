"""Ready, go, done: keep process start-up out of a benchmark's clock.

Starting a process costs 1 ms (fork) to 30 ms (spawn) here, more than sending thousands of
small messages. So every benchmark worker first says "ready" and waits for "go"; the parent
starts its clock only when all workers are ready, and stops it when the last item arrived (or,
for workers that report nothing, when every worker said "done"). The start cost is measured
too, from ``Process.start()`` to "ready", and reported on its own.
"""

from __future__ import annotations

import os
import time
from multiprocessing.context import BaseContext
from multiprocessing.synchronize import Semaphore

from ..interrupts import raise_if_stopped
from ..processes import Deadline, DeadlineExceeded, ProcessGroup

# A worker never waits longer than this for "go"; the parent's deadline is far shorter.
GO_TIMEOUT = 600.0
# How often a waiting parent looks whether its workers are still alive, and a waiting worker
# whether its parent still is.
POLL_SECONDS = 0.05


def exists(pid: int) -> bool:
    """Is there a process ``pid`` (a zombie not yet reaped still counts)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


class Handshake:
    """The three signals between a parent and ``workers`` benchmark workers.

    Pass the whole object to each worker as a Process argument (its semaphores and event are
    inherited under every start method); the worker calls ``arrive()`` and, if it has no other
    way to say it finished, ``finish()``.
    """

    def __init__(self, ctx: BaseContext, workers: int = 1) -> None:
        self.workers = workers
        self.parent_pid = os.getpid()  # the process that makes the handshake starts the workers
        self.ready = ctx.Semaphore(0)
        self.go = ctx.Event()
        self.done = ctx.Semaphore(0)

    # --- the worker's side ---

    def arrive(self) -> None:
        """Say ready, then wait for go; give up as soon as the parent is gone (or after GO_TIMEOUT).

        A parent killed outright (SIGKILL, or a crash) never says go and never stops its
        workers; each one notices that it was orphaned and exits: its parent process id changes
        (under forkserver its parent is the server, which exits with the command), or the
        process that started it no longer exists, which also covers a parent gone before this
        call (then the worker's parent was already its new one).
        """
        parent = os.getppid()
        self.ready.release()
        give_up = time.monotonic() + GO_TIMEOUT
        while not self.go.wait(POLL_SECONDS):
            if os.getppid() != parent or not exists(self.parent_pid):
                raise SystemExit("benchmark worker: the parent is gone")
            if time.monotonic() > give_up:
                raise SystemExit("benchmark worker never got the go signal")

    def finish(self) -> None:
        self.done.release()

    # --- the parent's side ---

    def _collect(
        self, semaphore: Semaphore, what: str, group: ProcessGroup, deadline: Deadline
    ) -> None:
        for _ in range(self.workers):
            while not semaphore.acquire(timeout=min(POLL_SECONDS, deadline.remaining())):
                raise_if_stopped()
                if deadline.expired():
                    passed = f"deadline of {deadline.seconds:g} s passed"
                    raise DeadlineExceeded(f"{passed} waiting for workers to be {what}")
                if not group.any_alive():
                    # One last look: a worker may have signalled just before it exited.
                    if semaphore.acquire(block=False):
                        break
                    raise RuntimeError(f"a benchmark worker exited before it was {what}")

    def wait_ready(self, group: ProcessGroup, deadline: Deadline) -> None:
        self._collect(self.ready, "ready", group, deadline)

    def start_clock(self) -> float:
        """Let every worker go; returns the ``perf_counter`` time at which they were let go."""
        started = time.perf_counter()
        self.go.set()
        return started

    def wait_done(self, group: ProcessGroup, deadline: Deadline) -> None:
        self._collect(self.done, "done", group, deadline)


def idle() -> None:
    """A child that does nothing: what is left to time is starting and joining it."""


def start_join_seconds(ctx: BaseContext, deadline: Deadline) -> float:
    """How long ``start()`` + ``join()`` of a process that does nothing takes under ``ctx``."""
    with ProcessGroup(ctx) as group:
        began = time.perf_counter()
        group.start(idle, role="bench-idle")
        group.join(deadline)
        return time.perf_counter() - began
