"""The bench leaves the process-wide start method alone: a user can still choose their own.

``multiprocessing.get_start_method()`` (without ``allow_none``) and ``get_context()`` (without
a name) *fix* the global start method, after which ``set_start_method()`` raises RuntimeError.
Only a fresh interpreter shows it: in this one, some other test may have fixed it already.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ..timing import seconds

pytestmark = pytest.mark.processes  # every test here starts child processes

SCRIPT = textwrap.dedent(
    """
    import contextlib, io, multiprocessing
    from ipccheck.bench import BenchSettings, run_bench
    from ipccheck.progress import Progress
    from ipccheck.cli import main

    BenchSettings()  # the default start method is looked up here
    tiny = BenchSettings(
        channels=("pipe-send",), state=("raw-array-slots",), sizes=(8,), messages=20,
        repeat=1, state_scale=0.0001, state_procs=(2,), start_repeat=1,
    )
    results = run_bench(tiny, Progress("bench", 1, io.StringIO()))
    assert not results.notes, results.notes
    argv = ["bench", "--methods", "pipe-send", "--sizes", "8", "--messages", "20",
            "--repeat", "1", "--json"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
    assert multiprocessing.get_start_method(allow_none=True) is None, "the start method was fixed"
    multiprocessing.set_start_method("spawn")  # RuntimeError if anything above fixed it
    print("still free")
    """
)


@pytest.mark.deep  # the library half runs in the default tier (tests/test_no_global_state.py)
def test_settings_and_a_run_leave_set_start_method_working():
    """BenchSettings(), run_bench and the command, then set_start_method("spawn") succeeds."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=seconds(120)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "still free"
