"""The lessons never fix the process-wide start method, so a user can still choose one after.

``multiprocessing.get_start_method()``, ``get_context()`` without a name, and every constructor
of the default context (``multiprocessing.Queue()``, ``Pool()``...) fix the default the first
time they run; a later ``set_start_method()`` then raises RuntimeError. Only a fresh interpreter
can show that nothing did, so the first test runs the entry points in one.
"""

from __future__ import annotations

import ast
import multiprocessing
import sys
from pathlib import Path

import pytest

import ipccheck.lessons

from ..sessions import run_in_own_session, stop_session
from ..timing import seconds

pytestmark = pytest.mark.processes  # most tests here start child processes

# One hazard of each family module (each gets its context from run_hazard the same way);
# the static test below covers every line of every module.
SCRIPT = """
import multiprocessing
from ipccheck.lessons import hazards, race
race.run_trial("locked", procs=2, iterations=5)
race.run_trials("forced", procs=2, iterations=2, trials=1)
race.loses_within("value", procs=2, first=10, attempts=1)
for name in ("join-before-drain-pipe", "terminate-producer", "unlocked-value", "value-i-wraps",
             "value-typecodes", "shared-memory-tracker", "pool-lambda-task"):
    hazards.run_hazard(name, start_method=None)
# A pool starts workers from its own thread, a replacement after the killed one too.
hazards.run_hazard("pool-killed-worker", start_method="spawn")
assert multiprocessing.get_start_method(allow_none=True) is None, "the start method was fixed"
multiprocessing.set_start_method("spawn")
print("set to", multiprocessing.get_start_method())
"""


# If the script is stuck, it prints every thread's stack and exits, well before pytest's timeout:
# a hang then fails with the place it hung instead of a bare timeout.
DUMP_IF_STUCK = "import faulthandler; faulthandler.dump_traceback_later({seconds}, exit=True)\n"


def test_entry_points_leave_set_start_method_working():
    """After run_trial, run_trials, loses_within and run_hazard, set_start_method("spawn") works."""
    script = DUMP_IF_STUCK.format(seconds=seconds(60)) + SCRIPT
    # A session of its own, so whatever it started (pool workers, the resource tracker) can be
    # stopped with it; they are not this process's children.
    finished = run_in_own_session([sys.executable, "-c", script], timeout=seconds(90))
    stop_session(finished.pid)  # its group: nothing, unless it left something
    assert finished.returncode == 0, finished.err
    assert finished.out.strip() == "set to spawn"


# Calls on the ``multiprocessing`` module that fix nothing (with these arguments).
HARMLESS = {"get_all_start_methods"}


def fixes_the_start_method(call: ast.Call) -> str | None:
    """What is wrong with a ``multiprocessing.X(...)`` call, or None if it fixes nothing."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    if func.value.id != "multiprocessing" or func.attr in HARMLESS:
        return None
    if func.attr == "get_context" and call.args:
        return None
    if func.attr == "get_start_method" and any(
        k.arg == "allow_none" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    ):
        return None
    return f"multiprocessing.{func.attr}(...)"


def test_no_lesson_module_uses_the_default_context():
    """No module under lessons calls the process-wide multiprocessing API or imports it bare."""
    default_api = set(dir(multiprocessing.context.DefaultContext))
    root = Path(ipccheck.lessons.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and (wrong := fixes_the_start_method(node)):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {wrong}")
            if isinstance(node, ast.ImportFrom) and node.module == "multiprocessing":
                for name in [alias.name for alias in node.names if alias.name in default_api]:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: import of {name}")
    assert found == []
