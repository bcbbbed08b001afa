"""Test-only objects for the kit's contract: the producer-finished hook, counters that need
``close()``, fail deterministically, or are slow. Module level, so spawn children can import them."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import struct
import tempfile
import time
from typing import Any

from ipccheck.conformance.examples import BatchingQueue

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
