"""What a subcommand prints: its report on stdout, one progress line on stderr.

Every subcommand prints through here, so one rule holds for all of them: once the command was
told to stop, it prints no more results, and never a verdict (``interrupts.verdict_printing``).
A part of the report (a table row, one race's table) goes out with ``part`` as soon as it is
known; the verdict (the summary, the one JSON document, the conformance report) with ``final``,
once. ``step`` moves the progress line on, and is a safe point: a stop signal whose interrupt
was swallowed somewhere is raised again there. The progress line is taken off the terminal
before anything is printed, so the two never share a line.
"""

from __future__ import annotations

import io
import math
import os
import sys

from .. import interrupts
from ..progress import LOG_SECONDS, Progress

# The command's progress line while a job runs (``begin`` .. ``end``); one command at a time.
_progress: Progress | None = None
# Outside a command (a job called from a test): a progress line that is never shown.
_UNSHOWN = Progress("ipccheck", stream=io.StringIO(), log_seconds=math.inf)
# Seconds between two progress lines in a log (not a terminal); 0 writes one per step.
LOG_SECONDS_VARIABLE = "IPCCHECK_PROGRESS_SECONDS"


def log_seconds(environ: dict[str, str] | os._Environ[str] = os.environ) -> float:
    """How often a progress line may go to a log: IPCCHECK_PROGRESS_SECONDS, else LOG_SECONDS."""
    text = environ.get(LOG_SECONDS_VARIABLE, "").strip()
    if not text:
        return LOG_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(
            f"{LOG_SECONDS_VARIABLE} must be a number of seconds, 0 or more, got {text!r}"
        )
    return value


def begin(command: str, log_seconds: float = LOG_SECONDS) -> Progress:
    """Start the progress line of ``ipccheck COMMAND``; ``end`` takes it off again."""
    global _progress
    _progress = Progress(f"ipccheck {command}", log_seconds=log_seconds)
    return _progress


def progress() -> Progress:
    """The running command's progress line (one never shown outside a command, e.g. in a test)."""
    return _progress if _progress is not None else _UNSHOWN


def step(label: str, total: int | None = None) -> None:
    """One more step of the job: a safe point, then the progress line says what it is."""
    interrupts.raise_if_stopped()
    line = progress()
    if total is not None:
        line.total = total
    line.step(label)


def doing() -> str:
    """What the job was doing at its last step ("" before the first)."""
    return _progress.label if _progress is not None else ""


def part(text: str) -> None:
    """Print a part of the report now (nothing once the command was told to stop)."""
    interrupts.raise_if_stopped()
    progress().clear()
    print(text, flush=True)


def final(text: str) -> None:
    """Print the verdict, whole, only if no stop signal came first."""
    progress().clear()
    with interrupts.verdict_printing():
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def end() -> None:
    global _progress
    if _progress is not None:
        _progress.close()
    _progress = None

