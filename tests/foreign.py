"""A stand-in for a multiprocessing fork (billiard, multiprocess): a library with its own
``Process`` and objects that only work with it, for testing the kit's ``context``.

Like those libraries, this module has ``get_context(start_method)`` and ``Process``, and its
objects:

- refuse to be pickled for a child that is not one of its own processes (billiard's and
  multiprocess's queues say "should only be shared between processes through inheritance" when
  a standard-library spawn or forkserver child is started with them);
- deliver what a child put only when that child exits through its own library's exit hook,
  which a standard-library child (ending in ``os._exit``) never runs: so under fork, with the
  standard library's ``Process``, every item is lost (as multiprocess's Queue loses them).

``ForeignProcess.started`` counts the starts of this library's processes in this interpreter.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing import context as stdlib
from typing import Any

_state = threading.local()  # ``starting`` is True while one of our processes is being started
_at_exit: list[Any] = []  # in a child of ours: what to run as it exits (this library's finalizers)


class ForeignProcess:
    """Mixed into each standard-library Process class: starts allow our objects, exits run our hooks."""

    started = 0  # how many of this library's processes this interpreter has started

    def start(self) -> None:
        _state.starting = True
        try:
            super().start()  # type: ignore[misc]
            type(self).started += 1
            ForeignProcess.started += 1
        finally:
            _state.starting = False

    def run(self) -> None:
        try:
            super().run()  # type: ignore[misc]
        finally:
            while _at_exit:
                _at_exit.pop()()


class ForkProcess(ForeignProcess, stdlib.ForkProcess):
    pass


class SpawnProcess(ForeignProcess, stdlib.SpawnProcess):
    pass


class ForkServerProcess(ForeignProcess, stdlib.ForkServerProcess):
    pass


PROCESSES = {"fork": ForkProcess, "spawn": SpawnProcess, "forkserver": ForkServerProcess}


class ForeignContext:
    """One start method's context: this library's Process, everything else the standard library's."""

    def __init__(self, start_method: str) -> None:
        self.start_method = start_method
        self.inner = multiprocessing.get_context(start_method)
        self.Process = PROCESSES[start_method]

    def get_context(self, start_method: str) -> ForeignContext:
        return ForeignContext(start_method)

    def get_start_method(self) -> str:
        return self.start_method

    def __getattr__(self, name: str) -> Any:  # Pipe, Barrier, Queue...: the standard library's
        return getattr(self.inner, name)


def get_context(start_method: str) -> ForeignContext:
    """As ``billiard.get_context``: this library's context for ``start_method``."""
    return ForeignContext(start_method)


Process = ForkProcess  # the module-level Process every such library has


def standard(ctx: Any) -> Any:
    """The standard-library context behind ``ctx`` (ours or the standard library's own)."""
    return ctx.inner if isinstance(ctx, ForeignContext) else ctx


class ForeignQueue:
    """A queue of this library: puts are buffered, and written out when its process exits."""

    def __init__(self, ctx: Any = None) -> None:
        self._queue = standard(ctx or multiprocessing.get_context("fork")).Queue()
        self._buffer: list[Any] = []
        self._hooked = False

    def __getstate__(self) -> dict[str, Any]:
        if not getattr(_state, "starting", False):
            raise RuntimeError(
                "ForeignQueue objects should only be shared between processes through inheritance"
            )
        return {"_queue": self._queue, "_buffer": [], "_hooked": False}

    def put(self, item: Any) -> None:
        if not self._hooked:
            _at_exit.append(self._write_out)
            self._hooked = True
        self._buffer.append(item)

    def _write_out(self) -> None:
        for item in self._buffer:
            self._queue.put(item)
        self._buffer.clear()
        self._queue.close()
        self._queue.join_thread()

    def get(self, timeout: float | None = None) -> Any:
        return self._queue.get(timeout=timeout)

    def close(self) -> None:
        """As multiprocess's: no more puts from this process (the buffer still waits for exit)."""
        if not self._hooked:  # the parent's copy: release the queue now
            self._queue.close()
            self._queue.join_thread()


def make_queue(ctx: Any) -> ForeignQueue:
    """The factory the tests hand the kit: a queue of this library, built from ``ctx``."""
    return ForeignQueue(ctx)
