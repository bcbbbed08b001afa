"""sysv_ipc: a System V message queue as a queue, and a System V semaphore as a counter (each
increment a V operation, the value read back). Each travels by key; the creator removes it."""

from __future__ import annotations

import os
import pickle
import queue
import time
from typing import Any

import sysv_ipc

NAP_SECONDS = 0.001  # sysv_ipc's receive() cannot time out: poll without blocking


class MessageQueue:
    def __init__(self) -> None:
        self._mq = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
        self.key = self._mq.key
        self._creator = os.getpid()

    def __getstate__(self) -> dict[str, Any]:
        return {"key": self.key, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._mq = sysv_ipc.MessageQueue(self.key)

    def put(self, item: Any) -> None:
        self._mq.send(pickle.dumps(item))

    def get(self, timeout: float | None = None) -> Any:
        give_up = time.monotonic() + (timeout or 0.0)
        while True:
            try:
                message, _type = self._mq.receive(block=False)
                return pickle.loads(message)
            except sysv_ipc.BusyError:
                if time.monotonic() >= give_up:
                    raise queue.Empty from None
                time.sleep(NAP_SECONDS)

    def close(self) -> None:
        if os.getpid() == self._creator:
            self._mq.remove()


class SemaphoreCounter:
    def __init__(self) -> None:
        self._semaphore = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=0)
        self.key = self._semaphore.key
        self._creator = os.getpid()

    def __getstate__(self) -> dict[str, Any]:
        return {"key": self.key, "_creator": self._creator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._semaphore = sysv_ipc.Semaphore(self.key)

    def increment(self) -> None:
        self._semaphore.release()

    @property
    def value(self) -> int:
        return int(self._semaphore.value)

    def close(self) -> None:
        if os.getpid() == self._creator:
            self._semaphore.remove()
