"""Test-only objects for the kit's contract: the producer-finished hook, counters that need
``close()``, fail deterministically, or are slow. Module level, so spawn children can import them."""

from __future__ import annotations

import ctypes
import fcntl
import itertools
import multiprocessing
import os
import struct
import tempfile
import time
from multiprocessing import shared_memory
from typing import Any

from ipccheck.conformance.examples import BatchingQueue
from ipccheck.leftovers import attach_untracked

# A counter that saturates here, as a semaphore stops at its documented maximum value.
CAP = 3000


class StrictBatchingQueue(BatchingQueue):
    """A BatchingQueue whose ``close()`` refuses to drop a batch: the kit must flush first."""

    def close(self) -> None:
        if self._batch:
            raise RuntimeError(f"closed with {len(self._batch)} item(s) never flushed")
        super().close()


class HookFreeBatchingQueue:
    """BatchingQueue's batching with neither ``flush()`` nor ``close()``: the kit has nothing to
    call, so each producer's last, partial batch is never sent."""

    def __init__(self, ctx: Any = multiprocessing) -> None:
        self._inner = BatchingQueue(ctx)

    def put(self, item: Any) -> None:
        self._inner.put(item)

    def get(self, timeout: float | None = None) -> Any:
        return self._inner.get(timeout)


class RaisingCloseQueue(BatchingQueue):
    """A queue whose ``close()`` raises in every process but the one that made it."""

    def __init__(self, ctx: Any = multiprocessing) -> None:
        super().__init__(ctx)
        self._maker = os.getpid()

    def close(self) -> None:
        if os.getpid() != self._maker:
            raise OSError("linger expired with data unsent")
        super().close()


class FileCounter:
    """A counter in a file of its own, locked with ``lockf``: each process opens the file and
    must close it; the process that made the file removes it in ``close()``."""

    def __init__(self) -> None:
        descriptor, self.path = tempfile.mkstemp(prefix="ipccheck-test-counter-")
        os.write(descriptor, struct.pack("q", 0))
        self._owner = os.getpid()
        self._fd = descriptor

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "_owner": self._owner}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._fd = os.open(self.path, os.O_RDWR)

    def increment(self) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_EX)
        try:
            (count,) = struct.unpack("q", os.pread(self._fd, 8, 0))
            os.pwrite(self._fd, struct.pack("q", count + 1), 0)
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)

    @property
    def value(self) -> int:
        (count,) = struct.unpack("q", os.pread(self._fd, 8, 0))
        return int(count)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if os.getpid() == self._owner and os.path.exists(self.path):
            os.unlink(self.path)


class CappedFileCounter(FileCounter):
    """A file counter that stops at 3, made without a context: wrong alike under every start method."""

    CAP = 3  # small, so that shrinking a failure takes only a few runs

    def increment(self) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_EX)
        try:
            (count,) = struct.unpack("q", os.pread(self._fd, 8, 0))
            os.pwrite(self._fd, struct.pack("q", min(count + 1, self.CAP)), 0)
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)


class CappedCounter:
    """A locked counter that stops at CAP: wrong with one worker as with four."""

    def __init__(self, ctx: Any = multiprocessing) -> None:
        self._value = ctx.Value("q", 0)

    def increment(self) -> None:
        with self._value.get_lock():
            if self._value.value < CAP:
                self._value.value += 1

    @property
    def value(self) -> int:
        return int(self._value.value)


class SlowCounter(CappedCounter):
    """A correct counter that takes a millisecond per increment."""

    def increment(self) -> None:
        time.sleep(0.001)
        with self._value.get_lock():
            self._value.value += 1


# ---- counters that leave a named resource behind (their close() never unlinks) ----------------

# Names each leaky counter made in this process, so that a test can remove them afterwards.
MADE: list[str] = []


class SegmentCounter:
    """A locked counter in a shared-memory segment of its own; ``close()`` closes the segment
    in every process but nobody ever unlinks it, so each run leaves it in /dev/shm."""

    def __init__(self, ctx: Any = multiprocessing) -> None:
        self._segment = shared_memory.SharedMemory(create=True, size=8)
        MADE.append(self._segment.name)
        self._lock = ctx.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self._segment.name, "_lock": self._lock}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._lock = state["_lock"]
        self._segment = attach_untracked(state["name"])  # the child must not unlink it either

    def increment(self) -> None:
        with self._lock:
            (count,) = struct.unpack_from("q", self._segment.buf)
            struct.pack_into("q", self._segment.buf, 0, count + 1)

    @property
    def value(self) -> int:
        return int(struct.unpack_from("q", self._segment.buf)[0])

    def close(self) -> None:
        self._segment.close()


_libc = ctypes.CDLL(None, use_errno=True)
_libc.sem_open.restype = ctypes.c_void_p
_SERIAL = itertools.count()


def _sem_open(name: str, create: bool) -> int:
    flags = os.O_CREAT | os.O_EXCL if create else 0
    handle = _libc.sem_open(name.encode(), flags, ctypes.c_uint(0o600), ctypes.c_uint(1))
    if handle is None or handle == ctypes.c_void_p(-1).value:  # SEM_FAILED
        raise OSError(ctypes.get_errno(), f"sem_open({name!r}) failed")
    return int(handle)


def sem_unlink(name: str) -> None:
    _libc.sem_unlink(name.encode())


class NamedSemaphoreCounter:
    """A counter locked by a named POSIX semaphore (``sem_open``); ``close()`` calls
    ``sem_close`` in every process but nobody calls ``sem_unlink``, so /dev/shm keeps it."""

    def __init__(self, ctx: Any = multiprocessing) -> None:
        self.name = f"/ipccheck-test-sem-{os.getpid()}-{next(_SERIAL)}"
        self._value = ctx.Value("q", 0, lock=False)
        self._sem = _sem_open(self.name, create=True)
        MADE.append(self.name)

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "_value": self._value}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._sem = _sem_open(self.name, create=False)

    def increment(self) -> None:
        _libc.sem_wait(ctypes.c_void_p(self._sem))
        try:
            self._value.value += 1
        finally:
            _libc.sem_post(ctypes.c_void_p(self._sem))

    @property
    def value(self) -> int:
        return int(self._value.value)

    def close(self) -> None:
        if self._sem:
            _libc.sem_close(ctypes.c_void_p(self._sem))
            self._sem = 0


IPC_CREAT, IPC_RMID, IPC_PRIVATE = 0o1000, 0, 0


class SysvSemaphoreCounter(CappedCounter):
    """A correct counter that also makes a System V semaphore set (``semget``) it keeps the id
    of and never removes (``IPC_RMID``): each run leaves one behind."""

    def __init__(self, ctx: Any = multiprocessing) -> None:
        super().__init__(ctx)
        self.semid = _libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600)
        if self.semid < 0:
            raise OSError(ctypes.get_errno(), "semget failed")
        MADE.append(f"sysv:{self.semid}")

    def increment(self) -> None:
        with self._value.get_lock():
            self._value.value += 1


def remove_made() -> None:
    """Unlink whatever the leaky counters made in this process (a test's cleanup)."""
    while MADE:
        name = MADE.pop()
        if name.startswith("sysv:"):
            _libc.semctl(int(name.removeprefix("sysv:")), 0, IPC_RMID)
            continue
        if name.startswith("/"):
            sem_unlink(name)
            continue
        try:
            segment = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            continue
        segment.close()
        segment.unlink()
