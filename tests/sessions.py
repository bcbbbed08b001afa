"""Run a command in a session of its own, so that everything it starts can be found and stopped.

What a command starts (pool workers, a forkserver, the resource tracker) is not the test's
child, so the leak guard cannot see it; the command's session can. ``run_in_own_session`` waits
inside pytest's own timeout (which fires only once) and kills the whole session of a command that
hung; ``stop_session`` is for every path after it, so nothing outlives the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Finished:
    """A command that ran in its own session: ``pid`` is also the session's id."""

    pid: int
    returncode: int
    out: str
    err: str


def run_in_own_session(argv: list[str], timeout: float) -> Finished:
    """Run ``argv`` in a new session; one still running after ``timeout`` s dies with its session."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:  # it hung: stop its whole session, then reap it
            stop_session(process.pid)
            process.communicate()
    return Finished(process.pid, process.returncode, out, err)


def session_members(session: int) -> list[int]:
    """Processes still in ``session`` (Linux: reads /proc)."""
    members = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.getsid(int(name)) == session:
                    members.append(int(name))
            except (ProcessLookupError, PermissionError):
                continue
    return members


def stop_session(session: int) -> None:
    """SIGKILL whatever is left of the session's process group (nothing, if all went well)."""
    try:
        os.killpg(session, signal.SIGKILL)
    except ProcessLookupError:
        pass
