"""Calling ipccheck never fixes the process-wide start method.

``multiprocessing.get_start_method()`` and ``get_context()`` without a name *set* the default the
first time they run; afterwards a user's own ``set_start_method("spawn")`` raises RuntimeError.
A checker meant to be imported into other projects' test suites must not do that, so each public
entry point runs here in a fresh interpreter, which then must still be free to choose.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .timing import seconds

pytestmark = pytest.mark.processes  # every test here starts child processes

# Each entry: what it calls (Python source run in a fresh interpreter after ``import ipccheck``).
ENTRY_POINTS = {
    "Workload, run, check": """
        from ipccheck import Workload, check, run
        for start_method in ("fork", "spawn"):  # a spawn start reads the default
            for method in ("value", "queue", "manager"):
                workload = Workload(method, procs=1, base=3, start_method=start_method)
                assert check(run(workload)) == []
    """,
    "run with a fault": """
        from ipccheck import Fault, Workload, check, run
        assert check(run(Workload("pipe", procs=2, base=3, fault=Fault("raise", 1, 1)))) == []
    """,
    "the command, in process": """
        from ipccheck.cli import main
        assert main(["run", "value", "--procs", "1", "--base", "1", "--start-method", "fork"]) == 0
        assert main(["list"]) == 0
    """,
    "the explorer": """
        from ipccheck.explore import conduct, exhaustive, find_bad, ready_program
        program = ready_program("unlocked-increment", procs=2)
        schedule = find_bad(program, 20)
        assert exhaustive(program).bad > 0
        assert conduct(program, schedule, "spawn").final == 1
    """,
    "the bench, as a library": """
        import io
        from ipccheck.bench import BenchSettings, run_bench
        from ipccheck.progress import Progress
        BenchSettings()  # the default start method is looked up here
        tiny = BenchSettings(
            channels=("pipe-send",), state=("raw-array-slots",), sizes=(8,), messages=20,
            repeat=1, state_scale=0.0001, state_procs=(2,), start_repeat=1,
        )
        assert not run_bench(tiny, Progress("bench", 1, io.StringIO())).notes
    """,
}

# After each entry point, in the same interpreter: a fixed start method names the first culprit.
STILL_FREE = """
import multiprocessing
chosen = multiprocessing.get_start_method(allow_none=True)
assert chosen is None, f"{NAME}: the start method was fixed to {chosen!r}"
print(NAME, "left it free")
"""


def test_the_start_method_is_still_free_after_each_entry_point():
    """After each entry point in turn, the default start method is unset; then it can be chosen.

    One interpreter runs them all (a fresh one per entry point costs seconds): the check after
    each names the first that fixed the start method.
    """
    script = "".join(
        textwrap.dedent(source) + STILL_FREE.replace("NAME", repr(name))
        for name, source in ENTRY_POINTS.items()
    ) + 'multiprocessing.set_start_method("spawn", force=False)\nprint("set, now free")\n'
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=seconds(120), check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = [line for line in result.stdout.splitlines() if line.endswith(" free")]
    assert verdicts == [f"{name} left it free" for name in ENTRY_POINTS] + ["set, now free"]
