"""shared-memory-dict and UltraDict: a counter kept under one key of a dict in shared memory.

shared-memory-dict documents no cross-process lock; UltraDict offers ``shared_lock=True``, and
its ``lock`` guards the read and the write. Each dict travels by name; the creator unlinks it.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from shared_memory_dict import SharedMemoryDict
from UltraDict import UltraDict


class SharedMemoryDictCounter:
    def __init__(self) -> None:
        self.name = f"ipccheck-{uuid.uuid4().hex[:12]}"
        self._creator = os.getpid()
        self._dict = SharedMemoryDict(name=self.name, size=1024)
        self._dict["count"] = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._dict = SharedMemoryDict(name=self.name, size=1024)

    def increment(self) -> None:
        self._dict["count"] += 1

    @property
    def value(self) -> int:
        return int(self._dict["count"])

    def close(self) -> None:
        if os.getpid() == self._creator:
            self._dict.shm.unlink()
        self._dict.shm.close()


class UltraDictCounter:
    def __init__(self) -> None:
        self._creator = os.getpid()
        self._dict = UltraDict(shared_lock=True, auto_unlink=False)
        self.name = self._dict.name
        self._dict["count"] = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._dict = UltraDict(name=self.name, shared_lock=True, auto_unlink=False)

    def increment(self) -> None:
        with self._dict.lock:
            self._dict["count"] += 1

    @property
    def value(self) -> int:
        return int(self._dict["count"])

    def close(self) -> None:
        if os.getpid() == self._creator:
            self._dict.unlink()
        else:
            self._dict.cleanup()
