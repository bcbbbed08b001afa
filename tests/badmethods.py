"""Known-bad methods: each breaks exactly one promise, so a test can show its detector firing.

Each is a ``protocol.Method`` the runner runs in a reference method's place
(``run(workload, method=...)``). The leaky ones are the ``queue`` method plus one leak that
they do not report in the Observation; they keep what they leaked (``self.leaked``) so the
test can clean it up. The data bugs are ``queue`` methods whose producer 1 misbehaves.
Everything a child runs is a module-level function, so spawn and forkserver children can
import it (``tests`` is a package on ``sys.path``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import tempfile
import threading
import time
from multiprocessing import shared_memory
from multiprocessing.context import BaseContext
from typing import Any

from ipccheck.channel import collect, drain_leftovers, getter, put_producer
from ipccheck.methods import queue as queue_method
from ipccheck.methods.shared_memory_segment import worker as segment_worker
from ipccheck.processes import Deadline, ProcessGroup
from ipccheck.protocol import CHANNEL, END, STATE, Observation, WorkSpec, producer_role, worker_role
from ipccheck.queue_watch import WriteLockWatch

# Every name a bad method gives what it leaks starts with this, so a test can find it.
PREFIX = "ipccheck-bad-"
# Long enough to outlast any run; the run's cleanup or the test stops it first.
FOREVER = 3600


class QueueMethod:
    """The reference ``queue`` method, as a class the leaky methods extend."""

    FAMILY = CHANNEL

    def __init__(self) -> None:
        self.leaked: list[Any] = []

    def execute(
        self,
        workload: WorkSpec,
        ctx: BaseContext,
        group: ProcessGroup,
        deadline: Deadline,
        observation: Observation,
    ) -> None:
        queue_method.execute(workload, ctx, group, deadline, observation)


class LeaksFd(QueueMethod):
    """Opens a file in the parent and never closes it."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        self.leaked.append(os.open(os.devnull, os.O_RDONLY))
        super().execute(workload, ctx, group, deadline, observation)


class LeavesSegment:
    """The ``shared-memory`` method, except that it never unlinks its segment nor reports it."""

    FAMILY = STATE

    def __init__(self) -> None:
        self.leaked: list[str] = []

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        segment = shared_memory.SharedMemory(create=True, size=8 * workload.procs)
        self.leaked.append(segment.name)
        try:
            segment.buf[:] = bytes(segment.size)
            for index in range(workload.procs):
                group.start(segment_worker, (segment.name, index, workload.base),
                            role=worker_role(index))
            group.join(deadline)
            slots = segment.buf.cast("q")
            observation.slots = list(slots[: workload.procs])
            slots.release()
            observation.state_total = sum(observation.slots)
        finally:
            segment.close()  # closed, but never unlinked: the segment stays in /dev/shm


# The segment a LeavesInheritedSegment run's forked children would inherit (never by name).
INHERITED: list[shared_memory.SharedMemory] = []


class LeavesInheritedSegment(QueueMethod):
    """Holds a segment while it starts its producers, never names it to them, never unlinks it.

    A forked child inherits the mapping without being told its name; the only sign of the
    segment is that the parent held it when the children started.
    """

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        segment = shared_memory.SharedMemory(create=True, size=8)
        INHERITED.append(segment)
        self.leaked.append(segment.name)
        try:
            super().execute(workload, ctx, group, deadline, observation)
        finally:
            INHERITED.remove(segment)
            segment.close()


class LeavesSegmentOpen(QueueMethod):
    """After its run, makes a segment and keeps it open (a cache that is never released)."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        super().execute(workload, ctx, group, deadline, observation)
        self.leaked.append(shared_memory.SharedMemory(create=True, size=8))


class ReportsButKeeps(QueueMethod):
    """Makes a temp directory in the parent, reports it, and forgets to remove it."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        directory = tempfile.mkdtemp(prefix=PREFIX)
        observation.paths.append(directory)
        self.leaked.append(directory)
        super().execute(workload, ctx, group, deadline, observation)


def put_and_touch(path: str, channel: Any, producer_id: int, base: int, mode: str) -> None:
    """A producer that also appends a line to a file it was handed by name."""
    with open(path, "a", encoding="ascii") as log:
        log.write(f"producer {producer_id}\n")
    put_producer(channel, producer_id, base, mode)


class LeavesTempFile:
    """Makes a temp file in the parent, hands its path to the producers, and never removes it."""

    FAMILY = CHANNEL

    def __init__(self) -> None:
        self.leaked: list[str] = []

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        descriptor, path = tempfile.mkstemp(prefix=PREFIX)
        os.close(descriptor)
        self.leaked.append(path)
        channel = ctx.Queue()
        try:
            for index in range(workload.procs):
                args = (path, channel, index, workload.base, workload.mode)
                group.start(put_and_touch, args, role=producer_role(index))
            receive = getter(channel)
            collect(receive, workload.procs, group, deadline, observation)
            group.join(deadline)
            drain_leftovers(receive, observation)
        finally:
            channel.close()
            channel.join_thread()


def put_and_make_directory(channel: Any, producer_id: int, base: int, mode: str) -> None:
    """A producer that makes a temp directory and leaves it (producer 0 only)."""
    if producer_id == 0:
        tempfile.mkdtemp(prefix=PREFIX)
    put_producer(channel, producer_id, base, mode)


class LeavesTempDirectory:
    """Producer 0 makes a temp directory of its own and never removes it."""

    FAMILY = CHANNEL

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        channel = ctx.Queue()
        try:
            for index in range(workload.procs):
                args = (channel, index, workload.base, workload.mode)
                group.start(put_and_make_directory, args, role=producer_role(index))
            receive = getter(channel)
            collect(receive, workload.procs, group, deadline, observation)
            group.join(deadline)
            drain_leftovers(receive, observation)
        finally:
            channel.close()
            channel.join_thread()


class StartsStrayChild(QueueMethod):
    """Starts a process of its own, outside the run's group, and leaves it running."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        stray = ctx.Process(target=time.sleep, args=(FOREVER,), name=PREFIX + "stray", daemon=True)
        stray.start()
        self.leaked.append(stray)
        super().execute(workload, ctx, group, deadline, observation)


class ForgetsManager(QueueMethod):
    """Starts a manager (keeping it, as a cache would) and never shuts it down."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        self.leaked.append(ctx.Manager())
        super().execute(workload, ctx, group, deadline, observation)


class LeavesThread(QueueMethod):
    """Starts a thread in the parent that waits for an event nobody sets."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=self.release.wait, name=PREFIX + "thread", daemon=True)
        thread.start()
        self.leaked.append(thread)
        super().execute(workload, ctx, group, deadline, observation)


# System V shared memory through libc (the standard library has no binding for it): a new
# keyless segment (IPC_PRIVATE, IPC_CREAT) and its removal (IPC_RMID).
IPC_PRIVATE = 0
IPC_CREAT = 0o1000
IPC_RMID = 0
LIBC = ctypes.CDLL(None, use_errno=True)


class LeavesSysvSegment(QueueMethod):
    """Makes a System V shared-memory segment in the parent and never removes it."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        ident = LIBC.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600)
        if ident < 0:
            raise OSError(ctypes.get_errno(), "shmget")
        self.leaked.append(ident)
        super().execute(workload, ctx, group, deadline, observation)


def remove_sysv_segment(ident: int) -> None:
    if LIBC.shmctl(ident, IPC_RMID, None) < 0:
        raise OSError(ctypes.get_errno(), "shmctl(IPC_RMID)")


def send(channel: Any, producer_id: int, items: list[int]) -> None:
    """Put ``(producer_id, n)`` for each n, then the sentinel."""
    for n in items:
        channel.put((producer_id, n))
    channel.put((producer_id, END))


def misbehaving_producer(channel: Any, producer_id: int, base: int, mode: str, bug: str) -> None:
    """Producer 1 has ``bug``; every other producer is ``put_producer``."""
    if producer_id != 1:
        put_producer(channel, producer_id, base, mode)
        return
    items = list(range(base))
    if bug == "exits-3":
        put_producer(channel, producer_id, base, mode)
        sys.exit(3)
    elif bug == "hangs":
        put_producer(channel, producer_id, base, mode)
        channel.close()
        channel.join_thread()  # everything, the sentinel too, is in the pipe; now never exit
        time.sleep(FOREVER)
    elif bug == "loses":
        send(channel, producer_id, items[:2] + items[3:])
    elif bug == "duplicates":
        send(channel, producer_id, items[:3] + items[2:])
    elif bug == "reorders":
        send(channel, producer_id, [1, 0] + items[2:])
    else:
        raise ValueError(f"unknown bug {bug!r}")


BUGS = ("exits-3", "hangs", "loses", "duplicates", "reorders")


class Misbehaves:
    """The ``queue`` method whose producer 1 has ``bug`` (one of ``BUGS``); needs base >= 3."""

    FAMILY = CHANNEL

    def __init__(self, bug: str) -> None:
        self.bug = bug

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        channel = ctx.Queue()
        try:
            for index in range(workload.procs):
                args = (channel, index, workload.base, workload.mode, self.bug)
                group.start(misbehaving_producer, args, role=producer_role(index))
            receive = getter(channel)
            collect(receive, workload.procs, group, deadline, observation)
            group.join(deadline)
            drain_leftovers(receive, observation)
        finally:
            channel.close()
            channel.join_thread()


def die_holding_write_lock(channel: Any) -> None:
    """Take the queue's write lock, as a feeder thread does around each message, and be killed."""
    channel._wlock.acquire()
    os.kill(os.getpid(), signal.SIGKILL)


class QueueWhoseWriterDiedHoldingTheLock:
    """The ``queue`` method, except that producer 1 is killed holding the write lock first.

    A real ``kill`` fault lands there only sometimes (when the victim's feeder thread is mid
    write); this puts it there every time, so the watch's finding can be tested exactly.
    """

    FAMILY = CHANNEL

    def __init__(self, patience: float) -> None:
        self.patience = patience

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        channel = ctx.Queue()
        try:
            thief = group.start(die_holding_write_lock, (channel,), role=producer_role(1))
            thief.join(deadline.remaining())
            group.start(put_producer, (channel, 0, workload.base, workload.mode),
                        role=producer_role(0))
            watch = WriteLockWatch(channel, group, patience=self.patience)
            receive = watch.watching(getter(channel))
            collect(receive, workload.procs, group, deadline, observation, diagnose=watch)
            group.join(deadline)
        finally:
            channel.close()
            channel.join_thread()

