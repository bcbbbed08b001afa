"""posix_ipc: a POSIX message queue as a queue, and a counter in POSIX shared memory guarded
by a POSIX semaphore. Each travels by name and is reopened in the child; ``close()`` closes this
process's handle, and the process that created the object also unlinks it."""

from __future__ import annotations

import mmap
import os
import pickle
import queue
import struct
from typing import Any

import posix_ipc


class MessageQueue:
    def __init__(self) -> None:
        self._mq = posix_ipc.MessageQueue(None, posix_ipc.O_CREX, max_message_size=256)
        self.name = self._mq.name
        self._creator = os.getpid()

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._mq = posix_ipc.MessageQueue(self.name)

    def put(self, item: Any) -> None:
        self._mq.send(pickle.dumps(item))

    def get(self, timeout: float | None = None) -> Any:
        try:
            message, _priority = self._mq.receive(timeout)
        except posix_ipc.BusyError:
            raise queue.Empty from None
        return pickle.loads(message)

    def close(self) -> None:
        self._mq.close()
        if os.getpid() == self._creator:
            self._mq.unlink()


class Counter:
    def __init__(self) -> None:
        memory = posix_ipc.SharedMemory(None, posix_ipc.O_CREX, size=8)
        lock = posix_ipc.Semaphore(None, posix_ipc.O_CREX, initial_value=1)
        self.names = (memory.name, lock.name)
        self._creator = os.getpid()
        self._attach(memory, lock)

    def _attach(self, memory: Any, lock: Any) -> None:
        self._map = mmap.mmap(memory.fd, 8)
        memory.close_fd()
        self._lock = lock

    def __getstate__(self) -> dict[str, Any]:
        return {"names": self.names, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        memory_name, lock_name = self.names
        self._attach(posix_ipc.SharedMemory(memory_name), posix_ipc.Semaphore(lock_name))

    def increment(self) -> None:
        with self._lock:
            (count,) = struct.unpack("q", self._map[:8])
            self._map[:8] = struct.pack("q", count + 1)

    @property
    def value(self) -> int:
        (count,) = struct.unpack("q", self._map[:8])
        return int(count)

    def close(self) -> None:
        self._map.close()
        self._lock.close()
        if os.getpid() == self._creator:
            posix_ipc.unlink_shared_memory(self.names[0])
            posix_ipc.unlink_semaphore(self.names[1])
