"""pyzmq: PUSH sockets in the producers, one PULL socket in the parent, over an ipc:// endpoint.

Sockets cannot be pickled or shared across a fork, so each process opens its own on first use;
only the endpoint travels. ZeroMQ sends in a background I/O thread: ``close()`` closes this
process's socket with a linger, so what was queued is sent before the producer exits.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
from typing import Any

import zmq

LINGER_MS = 10_000


class PushPull:
    def __init__(self) -> None:
        self._directory = tempfile.mkdtemp(prefix="ipccheck-zmq-")
        self.endpoint = f"ipc://{self._directory}/queue"
        self._creator = os.getpid()
        self._context: Any = None
        self._socket: Any = None
        self._pid = -1

    def __getstate__(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "_creator": self._creator, "_directory": self._directory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init_from(state)

    def __init_from(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._context = self._socket = None
        self._pid = -1

    def _open(self, kind: int) -> Any:
        if self._pid != os.getpid():  # a fork child inherits the parent's objects: start afresh
            self._context = zmq.Context()
            self._socket = self._context.socket(kind)
            if kind == zmq.PULL:
                self._socket.bind(self.endpoint)
            else:
                self._socket.connect(self.endpoint)
            self._pid = os.getpid()
        return self._socket

    def put(self, item: Any) -> None:
        self._open(zmq.PUSH).send_pyobj(item)

    def get(self, timeout: float | None = None) -> Any:
        socket = self._open(zmq.PULL)
        if not socket.poll(None if timeout is None else int(timeout * 1000)):
            raise queue.Empty
        return socket.recv_pyobj()

    def close(self) -> None:
        if self._pid == os.getpid():
            self._socket.close(linger=LINGER_MS)
            self._context.term()
            self._pid = -1
        if os.getpid() == self._creator:
            shutil.rmtree(self._directory, ignore_errors=True)


def make_queue() -> PushPull:
    queue_ = PushPull()
    queue_._open(zmq.PULL)  # bind before any producer connects
    return queue_
