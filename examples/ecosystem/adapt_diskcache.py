"""diskcache: ``Cache.incr`` (an SQLite transaction) as a counter, and ``Deque`` as a queue.
Both live in a directory: the creator removes it in ``close()``."""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import time
from typing import Any

import diskcache

NAP_SECONDS = 0.001  # Deque has no blocking get: poll


class IncrCounter:
    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="ipccheck-diskcache-")
        self._creator = os.getpid()
        self._cache = diskcache.Cache(self.directory)

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = diskcache.Cache(self.directory)

    def increment(self) -> None:
        self._cache.incr("count")

    @property
    def value(self) -> int:
        return int(self._cache.get("count", 0))

    def close(self) -> None:
        self._cache.close()
        if os.getpid() == self._creator:
            shutil.rmtree(self.directory, ignore_errors=True)


class DequeQueue:
    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="ipccheck-diskcache-")
        self._creator = os.getpid()
        self._deque = diskcache.Deque(directory=self.directory)

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._deque = diskcache.Deque(directory=self.directory)

    def put(self, item: Any) -> None:
        self._deque.append(item)

    def get(self, timeout: float | None = None) -> Any:
        give_up = time.monotonic() + (timeout or 0.0)
        while True:
            try:
                return self._deque.popleft()
            except IndexError:
                if time.monotonic() >= give_up:
                    raise queue.Empty from None
                time.sleep(NAP_SECONDS)

    def close(self) -> None:
        self._deque.directory  # noqa: B018 - Deque has no close; its cache does
        self._deque._cache.close()
        if os.getpid() == self._creator:
            shutil.rmtree(self.directory, ignore_errors=True)
