"""A child's exception, carried to the parent as one line instead of a traceback on stderr.

Every child ipccheck starts runs its target through ``run_reporting``. If the target raises, the
child sends ``"ValueError: bad item (at queue.py:12 in put)"`` down its own one-way pipe and
exits with code 1 *quietly*: ``SystemExit(1)`` makes multiprocessing skip the traceback it would
otherwise print. The parent reads the line once the child has ended, so the reason a child died
lands in the run's evidence and its JSON, where a reader (and a CI log) can find it.

A spawn or forkserver child can also fail *before* its target runs: while it rebuilds (unpickles)
its arguments, e.g. an object whose pickled form holds a descriptor that means nothing in the
child. The report pipe is therefore the first argument, followed by a ``RebuildWatch``: pickle
rebuilds a tuple left to right, so by the time the user's objects are rebuilt, the watch has made
``sys.excepthook`` report an exception on that pipe too (multiprocessing hands such an
exception to ``sys.excepthook``, in spawn and forkserver children alike).
A child that Ctrl-C reaches dies by SIGINT, just as quietly.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any


def summarize(exc: BaseException) -> str:
    """``Type: message (at file:line in function)``: the exception and its innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" (at {os.path.basename(last.filename)}:{last.lineno} in {last.name})"
    message = str(exc)
    return f"{type(exc).__name__}{': ' + message if message else ''}{where}"


def send_quietly(report: Connection, line: str) -> None:
    """Send ``line`` to the parent and close the pipe; a parent already gone is no matter."""
    try:
        report.send(line)
    except OSError:
        pass
    finally:
        report.close()


class RebuildWatch:
    """Travels to the child right after its report pipe and watches the rest being rebuilt.

    Under fork nothing is rebuilt and this object arrives as it is, unarmed. Under spawn and
    forkserver it is rebuilt by ``_armed`` (see ``__reduce__``), which arms it: until the
    target starts, an uncaught exception is sent to the parent instead of printed.
    """

    def __init__(self, report: Connection) -> None:
        self.report = report
        self.previous: Callable[..., Any] | None = None

    def __reduce__(self) -> tuple[Callable[[Connection], RebuildWatch], tuple[Connection]]:
        return (_armed, (self.report,))

    def arm(self) -> None:
        self.previous = sys.excepthook
        sys.excepthook = self.report_uncaught

    def disarm(self) -> None:
        """The arguments are rebuilt: from here on ``run_reporting`` reports what goes wrong."""
        if self.previous is not None:
            sys.excepthook = self.previous
            self.previous = None

    def report_uncaught(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        send_quietly(self.report, summarize(exc.with_traceback(tb)))


def _armed(report: Connection) -> RebuildWatch:
    """Child side, while the arguments are being unpickled: a watch that is already armed."""
    watch = RebuildWatch(report)
    watch.arm()
    return watch


def run_reporting(
    report: Connection, watch: RebuildWatch, target: Callable[..., Any], args: Sequence[Any]
) -> None:
    """Run ``target(*args)`` in the child; on an exception, report it and exit 1 quietly."""
    watch.disarm()
    try:
        target(*args)
    except KeyboardInterrupt:
        # Ctrl-C reaches every process of the terminal's group. End as a C program would,
        # killed by SIGINT, instead of printing one traceback per child; the parent stops
        # whatever else is left.
        report.close()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        raise  # only reached where SIGINT cannot end a process
    except Exception as exc:  # SystemExit keeps its own meaning
        send_quietly(report, summarize(exc))
        sys.exit(1)
    report.close()


def read_report(reader: Connection) -> str | None:
    """The line a child that has ended sent, if any (never blocks; closes the reader)."""
    try:
        if reader.poll(0):
            line: str = reader.recv()
            return line
        return None
    except (EOFError, OSError):
        return None
    finally:
        reader.close()
