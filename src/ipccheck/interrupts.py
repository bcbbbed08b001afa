"""Ctrl-C held back across the few steps that must not be cut in half.

A KeyboardInterrupt that lands between ``fork()`` and the line that records the child, or
inside ``BaseManager.start()`` before the manager can be shut down, would leave a process that
nothing stops. ``sigint_deferred`` lets such a step finish, then raises the interrupt;
``running_manager`` uses it so every manager ipccheck starts is always shut down.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.managers import BaseManager
from typing import TypeVar

from .default_context import left_unchosen

AnyManager = TypeVar("AnyManager", bound=BaseManager)

# True while sigint_deferred() holds Ctrl-C back; a child forked meanwhile must not inherit that.
_deferring = False


def _restore_sigint_in_child() -> None:
    global _deferring
    if _deferring:
        _deferring = False
        signal.signal(signal.SIGINT, signal.default_int_handler)


os.register_at_fork(after_in_child=_restore_sigint_in_child)


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends, then raise KeyboardInterrupt.

    A KeyboardInterrupt raised just after ``fork()`` returns, before ``Process.start`` has
    recorded the child, leaves a child that no one tracks and no one stops (ipccheck's SIGINT
    test hit it in 3 of 15 runs). Only the main thread with Python's default handler defers.
    """
    global _deferring
    default = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if threading.current_thread() is not threading.main_thread() or not default:
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if caught:
            raise KeyboardInterrupt


@contextmanager
def running_manager(start: Callable[[], AnyManager]) -> Iterator[AnyManager]:
    """Start a manager with Ctrl-C held back until it is running; always shut it down after.

    ``start()`` (e.g. ``ctx.Manager``) starts the manager's server process and waits for its
    address. A KeyboardInterrupt in between would leave a server that nothing shuts down; it
    ignores SIGINT and is not a daemon, so the interpreter's exit would wait for it forever.
    """
    manager: AnyManager | None = None
    try:
        with sigint_deferred(), left_unchosen():
            manager = start()
        yield manager
    finally:
        if manager is not None:
            manager.shutdown()
