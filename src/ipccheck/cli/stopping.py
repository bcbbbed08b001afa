"""The command's one policy for being stopped from outside: SIGINT, SIGTERM and SIGHUP.

For every subcommand, while ``main`` runs it (``watching_signals``):

1. Each stop signal is recorded (``ipccheck.interrupts``) and raised in the main thread as
   ``Interrupted``, a KeyboardInterrupt, so the job unwinds through its own cleanup: groups
   stop their children, managers shut down, segments are unlinked. A signal that was ignored
   when the command started (SIGINT of a background job, SIGHUP under ``nohup``) stays ignored.
2. If that interrupt is swallowed on the way (Python says "Exception ignored in ..." when it
   lands inside a GC callback or a finalizer), it is raised again; and whatever happens, no
   verdict is printed once a signal came (``output.final``).
3. ``main`` then stops every child still running, the managers a user's factory started
   included (``stop_everything``); the job's temporary directory (``own_temp_dir``) goes with
   all that its children left in it, multiprocessing's ``pymp-*`` directories too; one line
   on stderr says what was interrupted; the exit code is 128 + the signal: 130 for SIGINT,
   143 for SIGTERM, 129 for SIGHUP.
4. A second signal makes that cleanup skip its polite waits; it never skips the cleanup.
5. A signal that lands inside one of ``STEPS_TO_FINISH`` (multiprocessing making a named
   semaphore, a segment or a file in /dev/shm) waits until that step has returned, then is
   raised: an interrupt in the middle would leave the name behind. The job's temporary
   directories are made the same way (``own_temp_dir``).

Library code installs no handler: only ``main`` calls ``watching_signals``, and puts back what
was there before when it returns (so ``main`` can be called from a test, too).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import heap, shared_memory, synchronize, util
from types import CodeType, FrameType
from typing import Any

from .. import interrupts
from ..processes import end_processes

SIGNAL_EXIT_BASE = 128  # a command stopped by signal N exits 128 + N, as the shell reports it

# Steps of CPython's multiprocessing (the same in 3.10-3.13) that create a name in /dev/shm and
# arrange for its removal only a few Python steps later. An interrupt raised in between leaves
# the name for good (nothing ties it to the run any more), so a stop signal that lands inside
# one of them lets it finish first. Each maps to what an interrupt there would leave.
STEPS_TO_FINISH: dict[CodeType, str] = {
    # sem_open(), then resource_tracker.register() and a finalizer (spawn and forkserver)
    synchronize.SemLock.__init__.__code__: "a lock's named semaphore, /dev/shm/sem.mp-*",
    # shm_open(), then resource_tracker.register()
    shared_memory.SharedMemory.__init__.__code__: "a shared memory segment, /dev/shm/psm_*",
    # mkstemp() in /dev/shm, then os.unlink()
    heap.Arena.__init__.__code__: "the file behind a Value or an Array, /dev/shm/pym-*",
}


def exit_code(signum: int) -> int:
    """130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
    return SIGNAL_EXIT_BASE + signum


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if not interrupts.note(signum):
        return
    if inside_a_step_to_finish(frame):
        interrupts.raise_again()  # shortly: by then the step has returned, its name is safe
        return
    raise interrupts.Interrupted(signum)


def inside_a_step_to_finish(frame: FrameType | None) -> bool:
    """Is the main thread, where the handler runs, inside one of ``STEPS_TO_FINISH``?

    The handler runs between two steps of the interrupted frame; that frame or any frame that
    called it may be the step (the step's own calls, ``register`` say, are part of it).
    """
    while frame is not None:
        if frame.f_code in STEPS_TO_FINISH:
            return True
        frame = frame.f_back
    return False


def _unraisable_hook(previous: Callable[[Any], object]) -> Callable[[Any], None]:
    """A hook that raises a swallowed interrupt again instead of printing "Exception ignored"."""

    def hook(unraisable: Any) -> None:
        if issubclass(unraisable.exc_type, KeyboardInterrupt) and interrupts.stopped_by():
            interrupts.raise_again()
            return
        previous(unraisable)

    return hook


@contextmanager
def watching_signals(restore: bool = True) -> Iterator[None]:
    """Install the command's handlers for the stop signals; put the old ones back after.

    ``restore=False`` leaves them in place (the program keeps them until it has exited).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can handle signals; a caller in a thread keeps its own
        return
    saved: dict[int, interrupts.Handler] = {}
    for stop_signal in interrupts.STOP_SIGNALS:
        handler = signal.getsignal(stop_signal)
        if handler is signal.SIG_IGN or handler is None:  # ignored on purpose, or not Python's
            continue
        saved[stop_signal] = handler
    previous_hook = sys.unraisablehook
    interrupts.watch(saved)
    try:
        for signum in saved:
            signal.signal(signum, _on_signal)
        sys.unraisablehook = _unraisable_hook(previous_hook)
        yield
    finally:
        if restore:
            for signum, handler in saved.items():
                signal.signal(signum, handler)
            sys.unraisablehook = previous_hook
            interrupts.watch(None)


def ignore_late_signals() -> None:
    """The command has decided how it exits: from now on its stop signals change nothing.

    While Python shuts down it puts the default action back in place of every Python handler;
    a signal in those last moments would then kill the process and replace the exit code just
    decided (a second Ctrl-C, say, turning a SIGTERM's 143 into 130). Every child was stopped
    before this point, so nothing is left for a signal to hurry.
    """
    for signum in interrupts.STOP_SIGNALS:
        if signal.getsignal(signum) is _on_signal:
            signal.signal(signum, signal.SIG_IGN)


@contextmanager
def own_temp_dir() -> Iterator[str]:
    """A fresh temporary directory for the job and every process it starts; removed after.

    ``tempfile`` and ``TMPDIR`` point into it while the job runs, so whatever a child leaves
    when it is killed (a manager's ``pymp-*`` directory, a benchmark's file) is removed with
    it. The command's own ``pymp-*`` directory is made first, where it was going to be:
    multiprocessing removes that one itself at exit.

    Each directory is made with stop signals held back until its removal is arranged: an
    interrupt between ``mkdtemp`` and the line that records it would leave it for good.
    """
    saved_tempdir, saved_variable = tempfile.tempdir, os.environ.get("TMPDIR")
    root = ""
    try:
        with interrupts.sigint_deferred():
            util.get_temp_dir()  # registers its own removal before it returns
            root = tempfile.mkdtemp(prefix="ipccheck-")
        tempfile.tempdir = root
        os.environ["TMPDIR"] = root
        yield root
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_variable is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_variable
        if root:
            shutil.rmtree(root, ignore_errors=True)


def stop_everything() -> int:
    """Stop every child process this command still has; how many there were.

    ``multiprocessing.active_children`` knows every child started through multiprocessing in
    this process, whichever start method, so also a manager that a user's factory started and
    an interrupt kept from being shut down (its server ignores SIGINT, and the interpreter's
    exit would wait for it forever).
    """
    children = multiprocessing.active_children()
    end_processes(children)
    return len(children)


def interrupted_line(signum: int, command: str, doing: str, stopped: int) -> str:
    """The one line an interrupted command prints: which signal, what it was doing, what was done."""
    what = f" during `ipccheck {command}`" if command else ""
    if doing:
        what += f" ({doing})"
    stray = f" ({stopped} still running at the end)" if stopped else ""
    return (
        f"ipccheck: interrupted by {signal.Signals(signum).name}{what}: no verdict; every child "
        f"process was stopped{stray} and its temporary files removed"
    )


def after_verdict_line(signum: int) -> str:
    """What a command says when a signal came once its verdict was out: the verdict stands."""
    return f"ipccheck: {signal.Signals(signum).name} came after the verdict was printed; it stands"
