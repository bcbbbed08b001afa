"""A task that kills its worker, raises or returns what cannot be pickled, in a pool run.

Whatever the fault, the run ends within its deadline and leaves nothing behind. A raised
exception and an unpicklable result reach the caller as the pool documents, so the run passes;
a killed worker is a finding: the Pool loses the task (``task-lost``), the executor breaks
(``pool-broken``).
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time

import pytest
from hypothesis import given, settings

from ipccheck import Fault, Workload, check, run
from ipccheck._validate import START_METHODS, supported_start_methods
from ipccheck.faults import FAULT_KINDS, TASK_FAULT_KINDS
from ipccheck.methods import POOLS
from ipccheck.outcome import Outcome

from .. import strategies
from ..sessions import run_in_own_session, session_members, stop_session
from ..timing import seconds

pytestmark = pytest.mark.processes  # every test here starts child processes

KINDS = FAULT_KINDS + TASK_FAULT_KINDS
EXAMPLES_SHARE = {"fork": 1.0, "forkserver": 0.5, "spawn": 0.5}


def findings(method: str, kind: str) -> set[str]:
    """The violations a fault of ``kind`` must produce in a run of ``method``: nothing else."""
    if kind in ("kill", "term"):
        return {"pool-broken"} if POOLS[method].BREAKS_WHEN_A_WORKER_DIES else {"task-lost"}
    return set()


def assert_fault_reported(workload: Workload, outcome: Outcome) -> None:
    """The run ended in time, said exactly what the pool did, and left nothing behind."""
    found = {violation.invariant for violation in check(outcome)}
    assert found == findings(workload.method, workload.fault.kind), (
        workload, [str(v) for v in check(outcome)])
    assert not outcome.timed_out
    assert outcome.left_processes == () and outcome.leaked_fds == ()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("start_method", strategies.selected_start_methods())
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", list(POOLS))
def test_every_fault_kind_under_every_start_method(method, kind, start_method):
    """Task 1@20 of 3 x 40 strikes; the call style turns with the cell, so all are covered."""
    modes = [mode for mode in POOLS[method].MODES
             if kind in strategies.safe_fault_kinds(method, mode)]
    mode = modes[(KINDS.index(kind) + START_METHODS.index(start_method)) % len(modes)]
    workload = Workload(method, procs=3, base=40, start_method=start_method, mode=mode,
                        fault=Fault(kind, 1, 20), timeout=seconds(60))
    outcome = run(workload)
    assert_fault_reported(workload, outcome)
    victim = 60
    if kind == "raise":
        assert [what for _, what in outcome.failed] == ["InjectedFault: injected fault: task 60 raised"]
    elif kind == "unpicklable":
        assert len(outcome.failed) == 1
        assert outcome.failed[0][1].startswith(f"{POOLS[method].UNPICKLABLE_ERROR}: ")
        assert "cannot pickle the result of task 60" in outcome.failed[0][1]
    elif POOLS[method].BREAKS_WHEN_A_WORKER_DIES:
        assert outcome.failed and all(what.startswith("BrokenProcessPool: ")
                                      for _, what in outcome.failed)
    else:
        assert victim in dict(outcome.lost)
        signal = "SIGKILL" if kind == "kill" else "SIGTERM"
        assert f"killed by {signal}); the pool replaced the worker" in dict(outcome.lost)[victim]


@pytest.mark.parametrize("start_method", strategies.selected_start_methods())
@pytest.mark.parametrize("method", list(POOLS))
def test_faulted_pool_runs_keep_their_promises(method, start_method):
    """Generated call style, chunksize, task limit, fault kind and faulted task: as above."""

    @settings(max_examples=max(2, int(settings().max_examples * EXAMPLES_SHARE[start_method])))
    @given(workload=strategies.pool_workloads(method, start_method, faulted=True))
    def holds(workload):
        assert_fault_reported(workload, run(workload))

    holds()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_is_reported_by_the_command_in_time_and_nothing_is_left():
    """``ipccheck run pool process-pool --fault kill:1@3 --timeout 5``, every start method:
    exit 1; the Pool's runs name the lost task 1003, the executor's report BrokenProcessPool;
    no run reaches its deadline; no process of the command's session outlives it."""
    command = [sys.executable, "-m", "ipccheck", "run", "pool", "process-pool", "--fault",
               "kill:1@3", "--timeout", "5", "--json"]
    finished = run_in_own_session(command, timeout=seconds(90))
    try:
        assert finished.returncode == 1, finished.err
        records = json.loads(finished.out)["results"]
        assert len(records) == 2 * len(supported_start_methods())
        for record in records:
            assert not record["timed_out"], record
            invariants = {line.split(":")[0] for line in record["violations"]}
            if record["method"] == "pool":
                assert invariants == {"task-lost"}
                assert any(line.startswith("task-lost: task 1003: its worker died while running it")
                           for line in record["violations"])
            else:
                assert invariants == {"pool-broken"}
                assert record["violations"][0].startswith(
                    "pool-broken: the caller got BrokenProcessPool")
        give_up = time.monotonic() + 10  # the forkserver and resource tracker see EOF and exit
        while session_members(finished.pid) and time.monotonic() < give_up:
            time.sleep(0.1)
        assert session_members(finished.pid) == []
    finally:
        stop_session(finished.pid)  # never leave one behind, even when reporting it
