"""A stop signal inside a step that makes a named resource waits for the step; nothing is left.

Under spawn and forkserver, multiprocessing makes a lock's named semaphore in C and registers
the name for removal a few Python steps later; a segment and the file behind a ``Value``
likewise (``stopping.STEPS_TO_FINISH``), and so do the job's temporary directories
(``stopping.own_temp_dir``). An interrupt raised in between left the name for good. Random
signals hit that window rarely, so these tests make the step send its own SIGINT at the worst
moment, deterministically: the real call creates the resource, records its name, raises
SIGINT, and only then returns to the step. The real command must still exit 130 with its one
line, and that exact name must be gone.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import time

import pytest

from tests.sessions import run_in_own_session, session_members, stop_session
from tests.signalling import INTERRUPTED_LINE, VERDICTS
from tests.timing import seconds

pytestmark = [
    pytest.mark.processes,
    pytest.mark.signals,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names in /dev/shm"),
    pytest.mark.timeout(240),
]

# ``python DRIVER STEP RECORD ipccheck-arguments...``: the command, with one call of a step
# wrapped so that right after it created its resource, the name goes to RECORD and the process
# raises SIGINT on itself (the handler runs at once, inside the step).
DRIVER = textwrap.dedent(
    '''
    import os, signal, sys, tempfile
    import _multiprocessing, _posixshmem
    from ipccheck.cli import command

    STEP, RECORD = sys.argv[1], sys.argv[2]

    def then_signal(module, attribute, wanted, path_of):
        real = getattr(module, attribute)

        def made_then_signalled(*args, **kwargs):
            made = real(*args, **kwargs)
            if wanted(*args, **kwargs):
                setattr(module, attribute, real)  # once
                with open(RECORD, "w") as record:
                    record.write(path_of(made, *args))
                signal.raise_signal(signal.SIGINT)  # handled before this call returns
            return made

        setattr(module, attribute, made_then_signalled)

    if STEP == "semaphore":  # SemLock.__init__: a named one (not unlinked at once)
        then_signal(_multiprocessing, "SemLock", lambda *args: not args[4],
                    lambda made, *args: "/dev/shm/sem." + args[3].lstrip("/"))
    elif STEP == "segment":  # SharedMemory.__init__, creating
        then_signal(_posixshmem, "shm_open", lambda name, flags, **_: bool(flags & os.O_CREAT),
                    lambda made, name, *args: "/dev/shm/" + name.lstrip("/"))
    elif STEP == "arena":  # heap.Arena.__init__, the file behind a Value
        then_signal(tempfile, "mkstemp", lambda *_, **kw: str(kw.get("prefix")).startswith("pym-"),
                    lambda made, *args: made[1])
    elif STEP in ("pymp-dir", "job-dir"):  # the command's directories (stopping.own_temp_dir)
        prefix = {"pymp-dir": "pymp-", "job-dir": "ipccheck-"}[STEP]
        then_signal(tempfile, "mkdtemp", lambda *_, **kw: kw.get("prefix") == prefix,
                    lambda made, *args: made)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    sys.argv = ["ipccheck", *sys.argv[3:]]
    command()
    '''
)
QUICK = ["--procs", "1", "--base", "5", "--start-method", "spawn", "--timeout", "60"]
# step -> a command that goes through it in the command's own process, under spawn
STEPS = {
    "semaphore": ["run", "queue", *QUICK],
    "segment": ["run", "shared-memory", *QUICK],
    "arena": ["run", "value", *QUICK],
    "pymp-dir": ["run", "pipe", *QUICK],
    "job-dir": ["run", "pipe", *QUICK],
}


def remove(path: str) -> None:
    """Take away what a failing run left, so that the test leaves nothing either way."""
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


@pytest.mark.parametrize("step", list(STEPS))
def test_a_signal_inside_the_step_stops_the_command_and_leaves_no_name(
    step, tmp_path, monkeypatch
):
    driver, record, temp = tmp_path / "driver.py", tmp_path / "record", tmp_path / "tmp"
    driver.write_text(DRIVER)
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # for the command: its pymp-* directory goes here
    finished = run_in_own_session(
        [sys.executable, str(driver), step, str(record), *STEPS[step]], timeout=seconds(90)
    )
    name = record.read_text() if record.exists() else None
    try:
        give_up = time.monotonic() + seconds(10)  # the resource tracker sees EOF and exits
        while session_members(finished.pid) and time.monotonic() < give_up:
            time.sleep(0.05)
        assert name is not None, f"the step never ran:\n{finished.err}"
        left = os.path.lexists(name)
        assert (finished.returncode, left) == (130, False), (
            f"exit {finished.returncode}; {name} {'left' if left else 'gone'}\n{finished.err}"
        )
        assert finished.err.count(INTERRUPTED_LINE) == 1, finished.err
        assert not VERDICTS.search(finished.out), finished.out
    finally:
        stop_session(finished.pid)
        if name is not None:
            remove(name)
