"""The pool methods: every call style keeps every promise under every start method, each pool
check catches a deliberately broken pool through the real runner, and bad options are refused.

Hypothesis generates the pool size, the tasks per block, the call style, the chunksize and the
workers' task limit; a failure shrinks to the smallest workload that still breaks a promise.
"""

from __future__ import annotations

import multiprocessing
import sys
from contextlib import nullcontext

import pytest
from hypothesis import given, settings

from ipccheck import Fault, Workload, check, run
from ipccheck.cli import main
from ipccheck.faults import hits
from ipccheck.methods import POOLS, pool_tasks
from ipccheck.methods.pool_tasks import TaskProgress
from ipccheck.outcome import Outcome

from .. import strategies
from . import broken_pools

pytestmark = pytest.mark.processes  # most tests here start child processes

# Spawn and forkserver pay ~10-30 ms per process (a pool starts procs of them at once).
EXAMPLES_SHARE = {"fork": 1.0, "forkserver": 0.5, "spawn": 0.5}
START = "fork" if "fork" in strategies.selected_start_methods() else "spawn"


def examples_for(start_method: str) -> int:
    return max(2, int(settings().max_examples * EXAMPLES_SHARE[start_method]))


def violations(outcome: Outcome) -> list[str]:
    return [str(violation) for violation in check(outcome)]


def assert_nothing_left(outcome: Outcome) -> None:
    assert outcome.left_processes == () and outcome.leaked_fds == ()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("start_method", strategies.selected_start_methods())
@pytest.mark.parametrize("method", list(POOLS))
def test_every_pool_invariant_holds(method, start_method):
    """Generated pool size, tasks, call style, chunksize and task limit: every promise holds."""

    @settings(max_examples=examples_for(start_method))
    @given(workload=strategies.pool_workloads(method, start_method))
    def holds(workload):
        outcome = run(workload)
        assert violations(outcome) == [], workload
        assert outcome.observed == workload.procs * workload.base
        assert all(child.exitcode == 0 for child in outcome.children)
        assert_nothing_left(outcome)

    holds()


@pytest.mark.parametrize("start_method", strategies.selected_start_methods())
def test_every_pool_size_and_block_size_passes(start_method):
    """procs 1 and 8 x base 0, 1, 1000, both pools in their default call style: all promises held,
    observed = procs x base, nothing left behind.

    The whole grid costs about 40 s here (each spawned worker is a new interpreter, and the
    executor handles about 5,000 futures a second), so the suite runs its corners, procs 1
    and 8; docs/pools.md gives the whole grid under every start method, run with the command.
    """
    for procs in (1, 8):
        for base in (0, 1, 1000):
            for method in POOLS:
                outcome = run(Workload(method, procs=procs, base=base, start_method=start_method))
                assert violations(outcome) == [], (method, procs, base)
                assert outcome.observed == procs * base
                assert_nothing_left(outcome)


# --- each check, through the runner ---------------------------------------------------------------

@pytest.mark.parametrize(("broken", "mode", "expected"), [
    (broken_pools.OutOfOrderPool(), "map",
     [f"input-order: task {n}'s result came after task {n + 5}'s" for n in range(1, 6)]),
    (broken_pools.DuplicatingPool(), "imap-unordered",
     ["total: expected 12, observed 13 (1 extra)", "results: task 0: result received 2 times"]),
    (broken_pools.DroppingPool(), "map",
     ["total: expected 12, observed 11 (1 lost)", "results: task 11: result never received"]),
])
def test_each_pool_check_catches_a_broken_pool(broken, mode, expected):
    """A pool that reorders, duplicates or drops results is reported for exactly that."""
    outcome = run(Workload("pool", procs=2, base=6, start_method=START, mode=mode), broken)
    assert violations(outcome) == expected
    assert_nothing_left(outcome)


def test_a_pool_worker_that_did_not_exit_0_is_reported():
    """The pool's workers are the run's children: one ended by sys.exit(3) is named.

    The others end by terminate() or by their sentinel, whichever comes first, so only the
    sys.exit one is certain.
    """
    outcome = run(Workload("pool", procs=2, base=6, start_method=START),
                  broken_pools.ExitingTaskPool())
    found = violations(outcome)
    assert {line.split(":")[0] for line in found} == {"exit-code"}
    assert any(line.startswith("exit-code: pool-worker-") and line.endswith(": exit code 3")
               for line in found), found
    assert_nothing_left(outcome)


def test_a_call_that_raises_for_every_task_is_task_failed():
    """map() handed starmap's two-argument function: the whole call fails, and says so."""
    outcome = run(Workload("pool", procs=2, base=3, start_method=START),
                  broken_pools.StarmapFunctionPool())
    found = violations(outcome)
    assert found[0].startswith("task-failed: the call: the caller got TypeError: ")
    assert "missing 1 required positional argument" in found[0]
    assert found[1:] == ["total: expected 6, observed 0 (6 lost)"]


def test_a_pool_never_closed_leaves_its_workers_and_the_runner_sees_them():
    """A pool neither closed nor joined: its workers are found alive after the run."""
    try:
        outcome = run(Workload("pool", procs=2, base=3, start_method=START),
                      broken_pools.LeakingPool())
    finally:
        for pool in broken_pools.LEAKED:
            pool.terminate()
            pool.join()
        broken_pools.LEAKED.clear()
    left = [line for line in violations(outcome) if line.startswith("left-behind: process")]
    assert len(left) == 2, violations(outcome)
    assert all("PoolWorker-" in line for line in left)


def test_an_imap_loop_that_stops_at_the_first_exception_breaks_fault_delivery():
    """Pool.imap gives every later result after a task raised; a loop that stops there loses them."""
    outcome = run(Workload("pool", procs=2, base=5, start_method=START, mode="imap",
                           fault=Fault("raise", 1, 2)), broken_pools.StopAtFirstErrorImap())
    assert violations(outcome) == [
        "fault-delivery: tasks 8-9 (2): result never arrived, though Pool.imap(task, tasks) owes "
        "exactly these after fault raise:1@2"]


def test_without_the_loss_watch_a_killed_worker_costs_the_whole_deadline():
    """A pool that never looks for dead workers waits out its deadline, with nothing lost named."""
    outcome = run(Workload("pool", procs=2, base=5, start_method=START, timeout=1,
                           fault=Fault("kill", 1, 2)), broken_pools.UnwatchedPool())
    found = violations(outcome)
    assert outcome.timed_out and found[0].startswith("deadline: did not finish within 1 s")
    # 10 tasks on 2 workers: Pool.map's own chunksize is 2, so task 7 goes with task 6
    assert "fault-delivery: no task reported lost, expected tasks 6-7 (2) (task 7 and its chunk)" in found
    assert_nothing_left(outcome)


def test_the_reference_pool_with_its_loss_watch_switched_off_waits_out_the_deadline(monkeypatch):
    """The watch is what turns a killed worker into task-lost: without it, the deadline hits."""
    monkeypatch.setattr(TaskProgress, "died_running", lambda self: {})
    outcome = run(Workload("pool", procs=2, base=5, start_method=START, timeout=1, mode="imap",
                           fault=Fault("kill", 1, 2)))
    assert outcome.timed_out and outcome.lost == ()
    assert [v.invariant for v in check(outcome)] == ["deadline", "fault-delivery"]
    assert_nothing_left(outcome)


@pytest.mark.skipif("fork" not in strategies.selected_start_methods(), reason="patches forked workers")
def test_a_task_that_ends_its_worker_with_sys_exit_is_reported_lost(monkeypatch):
    """SystemExit is no exception a Pool reports: the worker ends, and the task is lost.

    The fault's moment calls sys.exit(3) instead of killing (the patch reaches the workers
    because fork copies the parent's modules).
    """
    def exit_instead(fault, index, done):
        if hits(fault, index, done):
            sys.exit(3)

    monkeypatch.setattr(pool_tasks, "strike", exit_instead)
    outcome = run(Workload("pool", procs=2, base=5, start_method="fork", mode="imap",
                           fault=Fault("kill", 1, 2)))
    assert [number for number, _ in outcome.lost] == [7]
    assert "exit code 3); the pool replaced the worker" in outcome.lost[0][1]
    assert not outcome.timed_out
    assert_nothing_left(outcome)


# --- options ------------------------------------------------------------------------------------

def test_each_pool_defaults_to_its_first_call_style():
    """No mode given: map for a Pool, submit for the executor, stream for everyone else."""
    assert Workload("pool").mode == "map"
    assert Workload("process-pool").mode == "submit"
    assert Workload("queue").mode == "stream"


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    (dict(method="pool", mode="stream"), ValueError, "unknown mode 'stream'; choose from: map, "
                                                     "imap, imap-unordered, apply-async, starmap"),
    (dict(method="queue", mode="map"), ValueError, "unknown mode 'map'; choose from: stream"),
    (dict(method="pool", mode="imap", chunksize=4), ValueError,
     "pool imap takes no chunksize (only map, starmap do)"),
    (dict(method="process-pool", mode="submit", chunksize=4), ValueError,
     "process-pool submit takes no chunksize (only map do)"),
    (dict(method="pool", chunksize=0), ValueError, "chunksize must be at least 1"),
    (dict(method="pool", chunksize=2.0), TypeError, "chunksize must be an integer"),
    (dict(method="pool", max_tasks_per_child=0), ValueError,
     "max_tasks_per_child must be at least 1"),
    (dict(method="queue", chunksize=4), ValueError,
     "chunksize and max_tasks_per_child apply to pool methods only, not queue"),
    (dict(method="value", max_tasks_per_child=4), ValueError, "apply to pool methods only"),
    (dict(method="pipe", fault=Fault("unpicklable", 0, 1)), ValueError,
     "fault kind 'unpicklable' applies to pool methods only, not pipe"),
    (dict(method="pool", base=5, fault=Fault("kill", 0, 5)), ValueError,
     "fault kill:0@5 names task 0@5, which does not exist: each block has tasks 0..4"),
    (dict(method="process-pool", start_method="spawn", max_tasks_per_child=2), ValueError,
     "needs Python 3.11" if sys.version_info < (3, 11) else "(CPython gh-115634); use 1"),
])
def test_pool_options_are_refused_in_one_line(kwargs, error, words):
    """Each option a pool cannot run (or a method that is not a pool cannot take) is refused."""
    with pytest.raises(error) as caught:
        Workload(**kwargs)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is 3.11+")
def test_the_executor_refuses_a_task_limit_with_fork():
    """ProcessPoolExecutor itself refuses max_tasks_per_child with fork: so does the Workload."""
    with pytest.raises(ValueError, match="refuses max_tasks_per_child with the fork start method"):
        Workload("process-pool", start_method="fork", max_tasks_per_child=1)


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="3.10 only")
def test_the_executor_refuses_a_task_limit_before_3_11():
    with pytest.raises(ValueError, match="max_tasks_per_child needs Python 3.11 or later"):
        Workload("process-pool", start_method="spawn", max_tasks_per_child=1)


@pytest.mark.parametrize(("argv", "words"), [
    (["run", "pool", "--mode", "imap", "--chunksize", "4"], "pool imap takes no chunksize"),
    (["run", "pool", "--mode", "summary"], "unknown mode 'summary'"),
    (["run", "queue", "--chunksize", "4"], "apply to pool methods only, not queue"),
    (["run", "pipe", "--fault", "unpicklable:0@1"], "applies to pool methods only, not pipe"),
    (["run", "pool", "--base", "3", "--fault", "kill:0@3"], "names task 0@3, which does not exist"),
    (["run", "pool", "--mode", "tumble"], "invalid choice: 'tumble'"),
])
def test_the_command_refuses_pool_options_in_one_line(argv, words, capsys):
    """Bad pool options: one line on stderr, exit 2, before any process starts."""
    with pytest.raises(SystemExit) if "tumble" in argv else nullcontext():
        code = main(argv)
        assert code == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1
    assert multiprocessing.active_children() == []
