"""Stop a real ``ipccheck`` with a real signal and see how it stopped (Linux: reads /proc).

Shared by ``tests/cli/test_signals.py`` (a few cells) and ``tools/signal_sweep.py`` (the full
sweep). ``stop(argv, signum, ...)`` starts ``python -m ipccheck ARGV`` in its own session with
its own empty TMPDIR, waits for a moment (``when``), sends the signal to the command or to its
whole process group, and returns a ``Stopped``: the exit code, the seconds from the signal to
the exit, what was printed, and what was left: processes that descended from the command
(followed through /proc while it ran), /dev/shm files that they had mapped, anything in the
TMPDIR. Nothing here asserts; ``Stopped.problems`` lists what broke the promise.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.timing import seconds

# What ipccheck promises: stopped within this long after the signal (the promise, not scaled).
STOP_SECONDS = 5.0
# The hang guard: a command still running this long after the signal is killed and reported.
HANG_SECONDS = seconds(60)
# How long a run gets to reach the moment of the signal; generous for a busy machine.
START_SECONDS = seconds(120)
# Orphaned helpers (resource tracker, forkserver) exit once they see EOF; allow them a moment.
REAP_SECONDS = seconds(10)
POLL_SECONDS = 0.05
# ``python -m ipccheck`` with SIGINT at its default action, as in a terminal. A program started
# as a background job of a non-interactive shell inherits SIGINT *ignored*, and Python then keeps
# ignoring it (as every Unix program should); the tests may run under such a shell, so the
# launcher restores the default and exec()s the command in the same process (same pid).
AS_FROM_A_TERMINAL = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'ipccheck', *sys.argv[1:]])",
]
# The last thing each command prints when it finishes: seen on stdout, it is a verdict.
VERDICTS = re.compile(
    r'"exit_code":'  # any --json document
    r"|^\d+ passed, \d+ failed in "  # run, bare
    r"|trials, every outcome acceptable|trials not acceptable"  # race
    r"|^\d+ hazard\(s\) under "  # hazards
    r"| conformed: | is not conformant"  # check
    r"|^no bad schedule|^minimal bad schedule"  # explore
    r"|^bench took ",  # bench
    re.MULTILINE,
)
INTERRUPTED_LINE = "ipccheck: interrupted by "
AFTER_VERDICT_LINE = "came after the verdict was printed"


@dataclass(frozen=True)
class Moment:
    """When to send the signal: once ``ready(seconds since start, stderr so far, descendants)``.

    ``sent_by_the_run``: the harness sends nothing; the run signals itself (a factory's manager
    does, from inside its start), and the seconds to exit are counted from the start.
    """

    name: str
    ready: Callable[[float, str, int], bool]
    sent_by_the_run: bool = False


def after(seconds: float) -> Moment:
    return Moment(f"after {seconds:g} s", lambda elapsed, _err, _n: elapsed >= seconds)


def once_children(count: int, then: float = 0.0) -> Moment:
    """``then`` seconds after the command first has ``count`` live descendants."""
    seen: list[float] = []

    def ready(elapsed: float, _err: str, descendants: int) -> bool:
        if not seen and descendants >= count:
            seen.append(elapsed)
        return bool(seen) and elapsed >= seen[0] + then

    return Moment(f"{then:g} s after {count} descendants", ready)


def by_the_run(what: str) -> Moment:
    return Moment(what, lambda _t, _err, _n: False, sent_by_the_run=True)


def once_said(pattern: str) -> Moment:
    """Once stderr (the progress line, one per step with IPCCHECK_PROGRESS_SECONDS=0) matches."""
    found = re.compile(pattern)
    return Moment(f"once stderr says {pattern!r}", lambda _t, err, _n: bool(found.search(err)))


@dataclass
class Stopped:
    """How one signalled run of the command ended."""

    argv: list[str]
    signum: int
    target: str  # "command" or "group"
    moment: str
    sent_at: float | None = None  # seconds after the start; None: it finished first
    exit_code: int | None = None  # None: it hung and was killed
    seconds: float | None = None  # from the (first) signal to the exit
    out: str = ""
    err: str = ""
    children_seen: int = 0  # descendants of the command seen while it ran
    # The verdict was on stdout already when the signal was sent (the command was exiting).
    verdict_before_signal: bool = False
    left_processes: list[str] = field(default_factory=list)
    left_segments: list[str] = field(default_factory=list)
    left_paths: list[str] = field(default_factory=list)

    @property
    def expected_code(self) -> int:
        return 128 + self.signum

    @property
    def shell_code(self) -> int | None:
        """The exit code as a shell reports it: 128 + N for a process killed by signal N."""
        if self.exit_code is None or self.exit_code >= 0:
            return self.exit_code
        return 128 - self.exit_code

    @property
    def during_startup(self) -> bool:
        """Killed by the signal while Python was still starting the command (importing it).

        Until the command has installed its handlers (about a second on a busy machine), a
        signal has its default effect: the process ends by it, before it started anything or
        printed a thing on stdout; the shell reports 128 + N as for any stop.
        """
        return (self.exit_code == -self.signum and self.children_seen == 0 and not self.out
                and INTERRUPTED_LINE not in self.err)

    @property
    def verdict(self) -> bool:
        return bool(VERDICTS.search(self.out))

    @property
    def finished_first(self) -> bool:
        """It had printed its verdict before the signal took effect: not an interrupted run."""
        if self.sent_at is None or self.verdict_before_signal:
            return True
        return self.verdict and self.exit_code in (0, 1) and AFTER_VERDICT_LINE in self.err

    @property
    def interrupted(self) -> bool:
        return not self.finished_first

    def problems(self, within: float | None = STOP_SECONDS) -> list[str]:
        """What broke the promise (empty: a clean stop, or a run that finished first).

        ``within=None`` leaves the time to exit out (a test asserts no timing; the hang guard
        still counts).
        """
        found = [f"left {what}: {', '.join(items)}" for what, items in (
            ("processes", self.left_processes),
            ("segments", self.left_segments),
            ("temp paths", self.left_paths),
        ) if items]
        if self.finished_first or self.during_startup:
            return found
        if self.exit_code is None:
            found.append(f"still running {HANG_SECONDS:g} s after the signal (killed)")
        elif self.shell_code != self.expected_code:
            found.append(f"exit code {self.shell_code}, expected {self.expected_code}")
        if self.verdict:
            found.append("printed a verdict")
        if within is not None and self.seconds is not None and self.seconds > within:
            found.append(f"took {self.seconds:.1f} s to stop")
        lines = [line for line in self.err.splitlines() if line.startswith(INTERRUPTED_LINE)]
        if len(lines) != 1:
            found.append(f"said {len(lines)} 'interrupted' lines on stderr")
        return found


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of ``pid`` from /proc, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every live descendant of ``pid`` -> its start time (zombies count as gone)."""
    parents: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[0] != "Z":
                parents[int(entry)] = (stat[1], stat[2])
    found: dict[int, int] = {}
    frontier = {pid}
    while frontier:
        frontier = {c for c, (parent, _) in parents.items() if parent in frontier} - set(found)
        found.update((c, parents[c][1]) for c in frontier)
    return found


def alive(pid: int, started: int) -> bool:
    """Is the process that had this pid and start time still running?"""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z" and stat[2] == started


def mapped_segments(pids: list[int]) -> set[str]:
    """The /dev/shm files these processes have mapped and not yet unlinked."""
    paths = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps") as maps:
                lines = maps.read().splitlines()
        except OSError:
            continue
        paths |= {
            line.split(maxsplit=5)[5]
            for line in lines
            if "/dev/shm/" in line and not line.endswith("(deleted)")
        }
    return paths


def stop(
    argv: list[str],
    signum: int,
    when: Moment,
    *,
    target: str = "command",
    again_after: float | None = None,
    cwd: str | None = None,
    environment: dict[str, str] | None = None,
) -> Stopped:
    """Run ``ipccheck ARGV``, signal it at ``when`` (again ``again_after`` s later), report."""
    result = Stopped(list(argv), signum, target, when.name)
    work = tempfile.mkdtemp(prefix="ipccheck-signal-")
    tmpdir = os.path.join(work, "tmp")
    os.mkdir(tmpdir)
    environment = {**os.environ, **(environment or {}), "TMPDIR": tmpdir,
                   "IPCCHECK_PROGRESS_SECONDS": "0"}
    out_path, err_path = os.path.join(work, "out"), os.path.join(work, "err")
    seen: dict[int, int] = {}
    segments: set[str] = set()
    try:
        with open(out_path, "w") as out, open(err_path, "w") as err:
            process = subprocess.Popen([*AS_FROM_A_TERMINAL, *argv], stdout=out, stderr=err,
                                       env=environment, cwd=cwd, start_new_session=True)
        try:
            started = time.monotonic()
            sent: float | None = started if when.sent_by_the_run else None
            if when.sent_by_the_run:
                result.sent_at = 0.0
            again_sent = again_after is None
            while True:
                now = time.monotonic()
                tree = descendants(process.pid)
                seen.update(tree)
                segments |= mapped_segments([process.pid, *tree])
                if process.poll() is not None:
                    break
                if sent is None:
                    with open(err_path) as err_so_far:
                        said = err_so_far.read()
                    if when.ready(now - started, said, len(tree)):
                        with open(out_path) as out_so_far:
                            result.verdict_before_signal = bool(VERDICTS.search(out_so_far.read()))
                        sent = _send(process.pid, signum, target)
                        if sent is not None:
                            result.sent_at = sent - started
                    elif now - started > START_SECONDS:
                        raise RuntimeError(f"{when.name} never came within {START_SECONDS:g} s")
                elif not again_sent and now >= sent + (again_after or 0.0):
                    _send(process.pid, signum, target)
                    again_sent = True
                elif now - sent > HANG_SECONDS:
                    break  # hung: killed below, exit code left None
                time.sleep(POLL_SECONDS)
            if process.returncode is not None:
                result.exit_code = process.returncode
                if sent is not None:
                    result.seconds = time.monotonic() - sent
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with open(out_path) as out, open(err_path) as err:
            result.out, result.err = out.read(), err.read()
        give_up = time.monotonic() + REAP_SECONDS
        while any(alive(p, t) for p, t in seen.items()) and time.monotonic() < give_up:
            time.sleep(0.05)
        result.children_seen = len(seen)
        result.left_processes = [str(p) for p, t in seen.items() if alive(p, t)]
        for pid in result.left_processes:
            os.kill(int(pid), signal.SIGKILL)  # never leave one behind, even when reporting it
        result.left_segments = sorted(path for path in segments if os.path.exists(path))
        result.left_paths = sorted(os.listdir(tmpdir))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _send(pid: int, signum: int, target: str) -> float | None:
    """Send the signal; the time it was sent, or None if the command had already exited."""
    try:  # WNOWAIT: only look, so that Popen still reaps it
        exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return None
    if exited is not None:
        return None
    sent = time.monotonic()
    if target == "group":
        os.killpg(pid, signum)
    else:
        os.kill(pid, signum)
    return sent
