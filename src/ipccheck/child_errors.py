"""A child's exception, carried to the parent as one line instead of a traceback on stderr.

Every child ipccheck starts runs its target through ``run_reporting``. If the target raises, the
child sends ``"ValueError: bad item (at queue.py:12 in put)"`` down its own one-way pipe and
exits with code 1 *quietly*: ``SystemExit(1)`` makes multiprocessing skip the traceback it would
otherwise print. The parent reads the line once the child has ended, so the reason a child died
lands in the run's evidence and its JSON, where a reader (and a CI log) can find it. A child
that Ctrl-C reaches dies by SIGINT, just as quietly.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
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


def run_reporting(target: Callable[..., Any], args: Sequence[Any], report: Connection) -> None:
    """Run ``target(*args)`` in the child; on an exception, report it and exit 1 quietly."""
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
        try:
            report.send(summarize(exc))
        finally:
            report.close()
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
