"""Being stopped from outside: a signal kept as state, safe points, and steps never cut in half.

The command (``ipccheck.cli``) owns the policy: it alone installs handlers for SIGINT, SIGTERM
and SIGHUP, and decides what is printed and how the process exits. Library code only
cooperates, and changes no process-wide setting of a user's program:

- A stop signal is *state* (``stopped_by``), not only an exception. A KeyboardInterrupt can be
  swallowed ("Exception ignored in ...", raised inside a GC callback or a finalizer), and the
  run would then go on and print a verdict it cannot back. So long loops call
  ``raise_if_stopped`` at safe points, and the command prints a verdict only through
  ``verdict_printing``, which refuses once a signal came.
- ``sigint_deferred`` holds stop signals back across a step that must not be cut in half
  (recording a started child, starting a manager, stopping a group), then raises.
- A second signal means hurry (``hurrying``): cleanup stops waiting politely, but still runs.
"""

from __future__ import annotations

import _thread
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.managers import BaseManager
from typing import Any, TypeVar

from .default_context import left_unchosen

AnyManager = TypeVar("AnyManager", bound=BaseManager)
Handler = Callable[[int, Any], Any] | int | signal.Handlers | None

# The signals that stop the command: Ctrl-C, ``kill`` (and CI cancels), a closed terminal.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
# How long a manager's server gets to exit after being asked, then after SIGTERM.
MANAGER_GRACE = 1.0
# A swallowed or waiting interrupt is raised this much later, once the code in the way is done.
AGAIN_SECONDS = 0.05


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread when the command was told to stop by signal ``signum``.

    A KeyboardInterrupt, so everything that already lets Ctrl-C through (``except Exception``
    clauses, Hypothesis, multiprocessing) lets SIGTERM and SIGHUP through the same way.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class _State:
    """What the command's handlers have seen; all False/empty outside the command."""

    watching: bool = False  # the command's handlers are installed (``watch``)
    saved: dict[int, Handler] = field(default_factory=dict)  # handlers a forked child gets back
    received: list[int] = field(default_factory=list)  # stop signals, in the order they came
    deferring: int = 0  # depth of sigint_deferred / verdict_printing blocks
    held: bool = False  # a signal came inside such a block and was not raised yet
    settled: bool = False  # past raising: the verdict is printed, or the command is cleaning up
    verdict_printed: bool = False  # the verdict is out: a signal now comes after the run ended
    echoes: int = 0  # re-deliveries of the first signal sent, not yet handled (not new signals)
    again: bool = False  # a re-delivery is due (``raise_again``): one at a time is enough
    swapped: bool = False  # outside the command: Ctrl-C's handler is sigint_deferred's for now


_state = _State()


def watch(saved: dict[int, Handler] | None) -> None:
    """Start (with the handlers being replaced) or stop being the command's signal state.

    Only the command calls this, right after installing its handlers and right after putting
    the old ones back; every call starts from a clean state.
    """
    global _state
    _state = _State(watching=saved is not None, saved=dict(saved or {}))


def _forget_in_child() -> None:
    """A forked child is not the command: it gets the handlers of a plain Python program back."""
    global _state
    saved = _state.saved if _state.watching else {}
    if _state.swapped:  # forked inside sigint_deferred: Ctrl-C must not be swallowed in the child
        saved = {signal.SIGINT: signal.default_int_handler}
    _state = _State()
    for signum, handler in saved.items():
        try:
            signal.signal(signum, handler)
        except (ValueError, OSError):  # not the main thread, or a handler we cannot set
            pass


os.register_at_fork(after_in_child=_forget_in_child)


def stopped_by() -> int | None:
    """The first stop signal the command received, or None."""
    return _state.received[0] if _state.received else None


def hurrying() -> bool:
    """A second signal came: cleanup should stop waiting politely (it still runs to the end)."""
    return len(_state.received) >= 2


def verdict_printed() -> bool:
    """The verdict was printed (so any stop signal came once the run had ended)."""
    return _state.verdict_printed


def settle() -> None:
    """From now on a signal is only recorded: the command is cleaning up or has reported."""
    _state.settled = True
    _state.held = False


def note(signum: int) -> bool:
    """Record a stop signal (the command's handler calls this); True if it should raise now."""
    if _state.echoes:
        _state.echoes -= 1  # the same interrupt again, not a new signal
    else:
        _state.received.append(signum)
    if _state.settled:
        return False
    if _state.deferring:
        _state.held = True
        return False
    return True


def raise_again() -> None:
    """Raise the stop shortly, from where the main thread will be then, not from here.

    Two cases need it: a raised interrupt was swallowed (the command saw "Exception ignored"
    from a GC callback or a finalizer), or the signal landed in a step that must finish first
    (the command's handler knows which). Raising it from where the command learns of it would
    be swallowed again, or cut the step in half; so a timer hands the main thread the first
    signal once more, AGAIN_SECONDS later, when that code is done (if it is not, the handler
    can wait again). ``note`` does not count it as a second signal.
    """
    if stopped_by() is None or _state.settled or _state.again:
        return
    _state.again = True
    timer = threading.Timer(AGAIN_SECONDS, _echo, (_state,))
    timer.daemon = True
    timer.start()


def _echo(state: _State) -> None:
    """The timer's end: send the first signal again, unless the command is past raising.

    It is counted as an echo only now, as it is sent: a real signal that came while it was
    due is a new signal (the second, which hurries the cleanup), not this echo.
    """
    state.again = False
    if state is _state and state.watching and not state.settled:  # still the same command
        state.echoes += 1
        _thread.interrupt_main(signal.Signals(state.received[0]))


def raise_if_stopped() -> None:
    """A safe point: raise Interrupted if a stop signal came and nothing holds it back."""
    if _state.received and not _state.settled and not _state.deferring:
        raise Interrupted(_state.received[0])


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold stop signals back until the block ends, then raise.

    A KeyboardInterrupt raised just after ``fork()`` returns, before ``Process.start`` has
    recorded the child, leaves a child that no one tracks and no one stops (ipccheck's SIGINT
    test hit it in 3 of 15 runs). Under the command every stop signal is held back (and raised
    as Interrupted); in a user's program, only Ctrl-C, and only while Python's default handler
    is in place. Only the main thread defers: signals are handled there.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    swap = not _state.watching and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if swap:
        signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
        _state.swapped = True
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
        if swap:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _state.swapped = False
        if caught:
            raise KeyboardInterrupt
        if _state.held and not _state.deferring and not _state.settled:
            _state.held = False
            raise Interrupted(_state.received[0])


@contextmanager
def verdict_printing() -> Iterator[None]:
    """Let the block print the verdict only if no stop signal came first; never cut it in half.

    A signal that comes while the block runs, or after it, is recorded and changes nothing that
    was printed: the run had finished. (Outside the command this only holds the block together.)
    """
    raise_if_stopped()
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
    if _state.watching:
        _state.verdict_printed = True
        settle()


@contextmanager
def running_manager(start: Callable[[], AnyManager]) -> Iterator[AnyManager]:
    """Start a manager with stop signals held back until it is running; always shut it down.

    ``start()`` (e.g. ``ctx.Manager``) starts the manager's server process and waits for its
    address. An interrupt in between would leave a server that nothing shuts down; it ignores
    SIGINT and is not a daemon, so the interpreter's exit would wait for it forever.
    """
    manager: AnyManager | None = None
    try:
        with sigint_deferred(), left_unchosen():
            manager = start()
        yield manager
    finally:
        if manager is not None:
            shut_down(manager)


def shut_down(manager: BaseManager) -> None:
    """Ask the server to exit (terminate it first when hurrying); make sure it is gone after.

    ``shutdown()`` waits for the server; if an interrupt cuts that wait short, the server is
    still stopped here rather than left for the interpreter's exit to wait on.
    """
    # The server's Process; BaseManager keeps no public handle on it.
    server = getattr(manager, "_process", None)
    try:
        if server is not None and hurrying():
            server.terminate()
        manager.shutdown()
    finally:
        if server is not None and server.is_alive():
            server.terminate()
            server.join(MANAGER_GRACE)
            if server.is_alive():
                server.kill()
                server.join(MANAGER_GRACE)
