"""The pool invariants, fed hand-made Outcomes: silent on a run that kept its promises, and
specific (which task, what the caller got) on one that broke them."""

from __future__ import annotations

import dataclasses

import pytest

from ipccheck.faults import Fault
from ipccheck.invariants import POOL_CHECKS, POOL_FAULT_CHECKS, check, checks_for
from ipccheck.invariants.pool_faults import check_fault_delivery
from ipccheck.invariants.pools import tasks_named
from ipccheck.methods import POOLS
from ipccheck.outcome import Outcome
from ipccheck.protocol import POOL
from ipccheck.workload import Workload

from ..builders import children

STYLES = [(method, mode) for method, pool in POOLS.items() for mode in pool.MODES]
LOST_HOW = ("its worker died while running it (pool-worker-1, pid 42, killed by SIGKILL); the "
            "pool replaced the worker and never reported the task")
BROKEN = ("BrokenProcessPool: A process in the process pool was terminated abruptly while the "
          "future was running or pending.")


def pool_outcome(method: str = "pool", mode: str = "map", procs: int = 2, base: int = 3,
                 fault: Fault | None = None, **changes: object) -> Outcome:
    """A perfect pool run: every task's result once, in task order, every worker exited 0."""
    received = tuple(divmod(number, base) for number in range(procs * base))
    outcome = Outcome(
        workload=Workload(method, procs=procs, base=base, mode=mode, fault=fault),
        family=POOL,
        expected=procs * base,
        observed=len(received),
        received=received,
        children=children({f"pool-worker-{p}": 0 for p in range(procs)}),
    )
    return dataclasses.replace(outcome, **changes)


def messages(outcome: Outcome) -> list[str]:
    return [str(violation) for violation in check(outcome)]


def without(outcome: Outcome, *numbers: int) -> tuple[tuple[int, int], ...]:
    base = outcome.workload.base
    return tuple(r for r in outcome.received if r[0] * base + r[1] not in numbers)


@pytest.mark.parametrize(("method", "mode"), STYLES)
def test_a_perfect_pool_run_has_no_violations(method, mode):
    """Every pool check is silent on a run that kept every promise, in every call style."""
    assert check(pool_outcome(method, mode)) == []


def test_pool_runs_are_judged_by_their_own_sets():
    """A pool run is judged by POOL_CHECKS, or POOL_FAULT_CHECKS when a fault was injected."""
    assert checks_for(pool_outcome()) == POOL_CHECKS
    assert checks_for(pool_outcome(fault=Fault("raise", 1, 2))) == POOL_FAULT_CHECKS


def test_results_name_a_missing_a_doubled_and_a_stranger():
    """A missing task, a result twice and a result no task returns are each named."""
    outcome = pool_outcome(mode="imap-unordered")
    broken = dataclasses.replace(outcome, received=without(outcome, 4) + ((0, 0), (9, 9), "x"))
    found = messages(broken)
    assert "results: task 0: result received 2 times" in found
    assert "results: result (9, 9) belongs to no task" in found
    assert "results: result 'x' belongs to no task" in found
    assert "results: task 4: result never received" in found


def test_results_leave_lost_and_failed_tasks_to_their_own_checks():
    """A task reported lost or failed is not also 'never received'."""
    outcome = pool_outcome(mode="imap-unordered")
    broken = dataclasses.replace(outcome, received=without(outcome, 1, 4), observed=4,
                                 lost=((1, LOST_HOW),), failed=((4, "ValueError: no"),))
    assert [v.invariant for v in check(broken)] == ["task-lost", "task-lost", "task-failed", "total"]


@pytest.mark.parametrize(("method", "mode"), STYLES)
def test_input_order_binds_ordered_styles_only(method, mode):
    """Two results swapped break input order for map, imap, starmap and Executor.map only."""
    outcome = pool_outcome(method, mode)
    received = list(outcome.received)
    received[1], received[3] = received[3], received[1]
    found = messages(dataclasses.replace(outcome, received=tuple(received)))
    if POOLS[method].STYLES[mode].ordered:
        assert found == ["input-order: task 2's result came after task 3's",
                         "input-order: task 1's result came after task 3's"]
    else:
        assert found == []


@pytest.mark.parametrize(("mode", "consequence"), [
    ("map", "Pool.map_async(task, tasks, chunksize).get() can never return: it waits for every "
            "chunk, so it would wait forever (CPython issues #96062, #78178)"),
    ("imap", "Pool.imap(task, tasks) can never yield task 1, nor the 4 results after it"),
    ("apply-async", "every other result arrived, but Pool.apply_async(task, (n,), callback, "
                    "error_callback) can never finish"),
])
def test_task_lost_names_the_task_and_what_it_means_for_the_call(mode, consequence):
    """A lost task is named with how it was lost, then what that means for the caller."""
    outcome = pool_outcome(mode=mode)
    broken = dataclasses.replace(outcome, received=without(outcome, 1), lost=((1, LOST_HOW),))
    assert [str(v) for v in check(broken) if v.invariant == "task-lost"] == [
        f"task-lost: task 1: {LOST_HOW}", f"task-lost: {consequence}"]


def test_task_lost_groups_a_chunk():
    """The tasks lost with one chunk are named as one range."""
    mates = "sent in one chunk with task 1, whose worker died"
    outcome = pool_outcome(procs=2, base=5, lost=((1, LOST_HOW), (0, mates), (2, mates), (3, mates)))
    found = messages(dataclasses.replace(outcome, received=()))
    assert f"task-lost: tasks 0, 2-3 (3): {mates}" in found


def test_pool_broken_names_the_failed_futures():
    """BrokenProcessPool is its own finding, naming the tasks whose calls failed with it."""
    outcome = pool_outcome("process-pool", "submit", procs=2, base=5)
    failed = tuple((number, BROKEN) for number in (3, 5, 6, 7))
    found = messages(dataclasses.replace(outcome, received=without(outcome, 3, 5, 6, 7),
                                         failed=failed, observed=6))
    assert found[0] == (f"pool-broken: the caller got {BROKEN} for tasks 3, 5-7 (4): the "
                        "executor fails every pending call once a worker dies")
    assert not any(line.startswith(("task-failed", "results")) for line in found)


def test_task_failed_says_what_the_caller_got():
    """Any other exception the caller got is a task-failed violation, for a task or the call."""
    outcome = pool_outcome(mode="apply-async")
    broken = dataclasses.replace(outcome, received=without(outcome, 2), observed=5,
                                 failed=((2, "InjectedFault: task 2 raised"),))
    assert "task-failed: task 2: the caller got InjectedFault: task 2 raised" in messages(broken)
    whole = dataclasses.replace(outcome, received=(), observed=0, failed=((None, "TypeError: x"),))
    assert messages(whole) == ["task-failed: the call: the caller got TypeError: x",
                               "total: expected 6, observed 0 (6 lost)"]


def test_pool_workers_must_exit_0():
    """A pool worker that did not exit 0 (killed, or still running) is reported."""
    outcome = pool_outcome(children=children({"pool-worker-0": 0, "pool-worker-1": -9,
                                               "pool-worker-2": None}))
    assert messages(outcome) == ["exit-code: pool-worker-1: killed by SIGKILL",
                                 "exit-code: pool-worker-2: still running"]


def test_deadline_says_how_many_results_arrived():
    """A pool run past its deadline says how many task results had arrived."""
    outcome = pool_outcome(timed_out=True, alive_at_deadline=("ForkPoolWorker-1 (pid 9)",))
    partial = dataclasses.replace(outcome, received=outcome.received[:2], observed=2)
    found = messages(partial)
    assert found[0] == ("deadline: did not finish within 60 s; alive at the deadline: "
                        "ForkPoolWorker-1 (pid 9); 2 of 6 task results arrived")
    assert "results: tasks 2-5 (4): result never received" in found


# --- faulted runs -------------------------------------------------------------------------------

def faulted(method: str, mode: str, kind: str, *, chunksize: int | None = None,
            **changes: object) -> Outcome:
    """A pool run of 2 blocks of 5 tasks, the fault in task 1@2 (task 7), before the changes."""
    workload = Workload(method, procs=2, base=5, mode=mode, fault=Fault(kind, 1, 2),
                        chunksize=chunksize)
    outcome = pool_outcome(method, mode, procs=2, base=5, workload=workload)
    return dataclasses.replace(outcome, **changes)


def delivery(outcome: Outcome) -> list[str]:
    return [str(v) for v in check(outcome) if v.invariant == "fault-delivery"]


def results(*numbers: int) -> tuple[tuple[int, int], ...]:
    return tuple(divmod(number, 5) for number in numbers)


RAISED = "InjectedFault: injected fault: task 7 raised"


def test_a_raise_kept_as_promised_passes_in_every_style():
    """Each style's documented answer to one raising task keeps every faulted-run promise."""
    everyone_else = results(*(n for n in range(10) if n != 7))
    kept = {
        ("pool", "map"): faulted("pool", "map", "raise", received=(), failed=((None, RAISED),)),
        ("pool", "imap"): faulted("pool", "imap", "raise", received=everyone_else,
                                  failed=((7, RAISED),)),
        ("pool", "imap-unordered"): faulted("pool", "imap-unordered", "raise",
                                            received=everyone_else, failed=((None, RAISED),)),
        ("pool", "apply-async"): faulted("pool", "apply-async", "raise", received=everyone_else,
                                         failed=((7, RAISED),)),
        ("process-pool", "submit"): faulted("process-pool", "submit", "raise",
                                            received=everyone_else, failed=((7, RAISED),)),
        ("process-pool", "map"): faulted("process-pool", "map", "raise", chunksize=3,
                                         received=results(*range(6)), failed=((6, RAISED),)),
    }
    for style, outcome in kept.items():
        assert check(outcome) == [], style


def test_fault_delivery_names_each_broken_promise_of_a_raise():
    """The wrong exception, in the wrong place, a result owed or not owed, a task lost."""
    everyone_else = results(*(n for n in range(10) if n != 7))
    cases = {
        "the exception is another": (
            faulted("pool", "imap", "raise", received=everyone_else, failed=((7, "ValueError: x"),)),
            "fault-delivery: task 7: the caller got ValueError: x; expected InjectedFault for task 7"),
        "in the wrong place": (
            faulted("pool", "imap", "raise", received=everyone_else, failed=((6, RAISED),)),
            "fault-delivery: the exception came for task 6, expected task 7"),
        "two exceptions": (
            faulted("pool", "apply-async", "raise", received=everyone_else[1:],
                    failed=((7, RAISED), (0, RAISED))),
            "fault-delivery: the caller got 2 exceptions, expected one: InjectedFault for task 7"),
        "a result owed never came": (
            faulted("pool", "imap", "raise", received=everyone_else[:-1], failed=((7, RAISED),)),
            "fault-delivery: task 9: result never arrived, though Pool.imap(task, tasks) owes "
            "exactly these after fault raise:1@2"),
        "a result after a whole call failed": (
            faulted("pool", "map", "raise", received=results(0), failed=((None, RAISED),)),
            "fault-delivery: task 0: result arrived, though Pool.map_async(task, tasks, "
            "chunksize).get() owes exactly these after fault raise:1@2"),
        "Executor.map went on past the chunk": (
            faulted("process-pool", "map", "raise", chunksize=3, received=results(*range(7)),
                    failed=((6, RAISED),)),
            "fault-delivery: task 6: result arrived, though executor.map(task, tasks, "
            "timeout=..., chunksize=...) owes exactly these after fault raise:1@2"),
        "a task lost": (
            faulted("pool", "imap", "raise", received=everyone_else, failed=((7, RAISED),),
                    lost=((7, LOST_HOW),)),
            "fault-delivery: task 7 lost, though fault raise:1@2 leaves its worker alive"),
    }
    for what, (outcome, expected) in cases.items():
        assert expected in delivery(outcome), (what, delivery(outcome))


def test_an_unpicklable_result_must_come_back_as_the_pools_error():
    """Pool: MaybeEncodingError naming the result; the executor: the pickling error itself."""
    pickling = "TypeError: cannot pickle the result of task 7"
    encoding = f"MaybeEncodingError: Error sending result: ... Reason: '{pickling}'"
    others = results(*(n for n in range(10) if n != 7))
    assert check(faulted("pool", "imap", "unpicklable", received=others,
                         failed=((7, encoding),))) == []
    assert check(faulted("process-pool", "submit", "unpicklable", received=others,
                         failed=((7, pickling),))) == []
    wrong = faulted("pool", "imap", "unpicklable", received=others, failed=((7, pickling),))
    assert delivery(wrong) == [f"fault-delivery: task 7: the caller got {pickling}; expected "
                               "MaybeEncodingError for task 7"]


def test_a_pool_that_lost_the_killed_task_keeps_its_other_promises():
    """Pool: the killed task (and its chunk) lost and nothing else wrong: only task-lost."""
    how = LOST_HOW
    mates = f"sent in one chunk with task 7, whose worker died ... ({how})"
    lost = ((7, how), (6, mates), (8, mates))
    map_run = faulted("pool", "map", "kill", chunksize=3, received=(), lost=lost)
    imap_run = faulted("pool", "imap", "kill", received=results(*range(7)), lost=((7, how),))
    for outcome in (map_run, imap_run):
        assert {v.invariant for v in check(outcome)} == {"task-lost"}


def test_fault_delivery_names_each_broken_promise_of_a_killed_pool_worker():
    """The wrong tasks lost, an exception from a Pool, the wrong signal, a result not owed."""
    cases = {
        "only the task, not its chunk": (
            faulted("pool", "map", "kill", chunksize=3, received=(), lost=((7, LOST_HOW),)),
            "fault-delivery: task 7 reported lost, expected tasks 6-8 (3) (task 7 and its chunk)"),
        "an exception from a Pool": (
            faulted("pool", "imap", "kill", received=results(*range(7)), lost=((7, LOST_HOW),),
                    failed=((7, "ValueError: x"),)),
            "fault-delivery: task 7: the caller got ValueError: x, though a Pool never reports a "
            "task whose worker died"),
        "the wrong signal": (
            faulted("pool", "imap", "term", received=results(*range(7)), lost=((7, LOST_HOW),)),
            f"fault-delivery: task 7: {LOST_HOW}; expected its worker killed by SIGTERM"),
        "imap gave a result queued behind the lost one": (
            faulted("pool", "imap", "kill", received=results(*range(7), 8), lost=((7, LOST_HOW),)),
            "fault-delivery: task 8: result arrived, though Pool.imap(task, tasks) owes exactly "
            "these once task 7 is lost"),
    }
    for what, (outcome, expected) in cases.items():
        assert expected in delivery(outcome), (what, delivery(outcome))


def test_a_broken_executor_keeps_its_other_promises():
    """Executor: BrokenProcessPool for every call not answered before the break: pool-broken."""
    submit = faulted("process-pool", "submit", "kill", received=results(0, 1, 2, 4),
                     failed=tuple((n, BROKEN) for n in (3, 5, 6, 7, 8, 9)))
    mapped = faulted("process-pool", "map", "kill", received=results(*range(5)),
                     failed=((5, BROKEN),))
    for outcome in (submit, mapped):
        assert {v.invariant for v in check(outcome)} == {"pool-broken"}


def test_fault_delivery_names_each_broken_promise_of_a_broken_executor():
    """Another exception, the victim's call not failed, a task with both or neither answer,
    Executor.map stopping after the chunk or giving what it should not."""
    cases = {
        "another exception": (
            faulted("process-pool", "submit", "kill", received=results(*range(7)),
                    failed=((7, "ValueError: x"), (8, BROKEN), (9, BROKEN))),
            "fault-delivery: task 7: the caller got ValueError: x; expected BrokenProcessPool"),
        "the victim's call did not fail": (
            faulted("process-pool", "submit", "kill", received=results(*range(9)),
                    failed=((9, BROKEN),)),
            "fault-delivery: task 7: its call did not fail, though its worker died running it"),
        "both": (
            faulted("process-pool", "submit", "kill", received=results(*range(8)),
                    failed=((7, BROKEN), (8, BROKEN), (9, BROKEN))),
            "fault-delivery: task 7: both a result and an exception"),
        "neither": (
            faulted("process-pool", "submit", "kill", received=results(*range(6)),
                    failed=((7, BROKEN), (8, BROKEN), (9, BROKEN))),
            "fault-delivery: task 6: neither a result nor an exception"),
        "map broke after the chunk": (
            faulted("process-pool", "map", "kill", received=results(*range(8)),
                    failed=((8, BROKEN),)),
            "fault-delivery: the exception came for task 8, after the chunk of task 7 (from 7) "
            "whose worker died"),
        "map gave a result after the break": (
            faulted("process-pool", "map", "kill", received=results(*range(5), 6),
                    failed=((5, BROKEN),)),
            "fault-delivery: task 6: result arrived, though executor.map(task, tasks, "
            "timeout=..., chunksize=...) stops at the break"),
    }
    for what, (outcome, expected) in cases.items():
        assert expected in delivery(outcome), (what, delivery(outcome))


# --- the edges the mutation run found untested (tox -e mutation) --------------------------------

def test_results_of_the_wrong_shape_or_out_of_range_belong_to_no_task():
    """A result is a task's only if it is a pair of ints naming a task of this run."""
    outcome = pool_outcome(mode="imap-unordered")  # 2 blocks of 3: tasks 0-5
    for strangers in (((0, 0, 0), ("a", 1), (0, -1)), ((0, 3), (2, 0), (5, 0))):
        found = messages(dataclasses.replace(outcome, received=outcome.received + strangers))
        assert [line for line in found if line.startswith("results")] == [
            f"results: result {stranger!r} belongs to no task" for stranger in strangers]


def test_a_long_list_of_tasks_is_cut_after_eight_ranges():
    assert tasks_named(range(0, 16, 2)) == "tasks 0, 2, 4, 6, 8, 10, 12, 14 (8)"
    assert tasks_named(range(0, 20, 2)) == ("tasks 0, 2, 4, 6, 8, 10, 12, 14, ... and 2 more "
                                            "ranges (10)")


def test_input_order_looks_past_a_stranger_and_sees_a_repeat():
    """A result of no task is skipped, not the end of the check; a task twice in a row is out
    of order too."""
    outcome = pool_outcome()
    first, second, third = outcome.received[:3]
    skipped = dataclasses.replace(outcome, received=(first, "x", third, second))
    assert "input-order: task 1's result came after task 2's" in messages(skipped)
    repeated = dataclasses.replace(outcome, received=(first, second, second, third))
    assert "input-order: task 1's result came after task 1's" in messages(repeated)


def test_pool_broken_for_the_call_as_a_whole():
    outcome = pool_outcome("process-pool", "map")
    broken = dataclasses.replace(outcome, received=(), observed=0, failed=((None, BROKEN),))
    assert messages(broken)[0] == (f"pool-broken: the caller got {BROKEN} for the call: the "
                                   "executor fails every pending call once a worker dies")


def test_fault_delivery_judges_only_faulted_pool_runs():
    assert check_fault_delivery(pool_outcome()) == []
    channel = dataclasses.replace(pool_outcome(), workload=Workload("queue", procs=2, base=3,
                                                                    fault=Fault("kill", 1, 2)))
    assert check_fault_delivery(channel) == []


def test_fault_delivery_keeps_a_stranger_result_beside_each_fault_kind():
    """Misdelivered results are reported whatever else the fault's own rules find."""
    for method, mode, kind in (("pool", "imap", "raise"), ("process-pool", "submit", "kill"),
                               ("pool", "imap", "kill")):
        outcome = faulted(method, mode, kind, received=results(*range(7)) + ((9, 9),),
                          failed=((7, RAISED if kind == "raise" else BROKEN),))
        assert "fault-delivery: result (9, 9) belongs to no task" in delivery(outcome)[0], kind


def test_a_raise_reported_for_the_call_as_a_whole_where_a_task_was_due():
    outcome = faulted("pool", "imap", "raise", received=results(*(n for n in range(10) if n != 7)),
                      failed=((None, "ValueError: x"),))
    assert ("fault-delivery: the call as a whole: the caller got ValueError: x; expected "
            "InjectedFault for task 7") in delivery(outcome)


def test_a_killed_pool_worker_with_no_task_reported_lost():
    outcome = faulted("pool", "imap", "kill", received=results(*range(7)))
    assert ("fault-delivery: no task reported lost, expected task 7 (task 7 and its chunk)"
            in delivery(outcome))


def test_a_killed_pool_worker_under_apply_async_owes_every_other_result():
    """Unordered styles that go on (apply_async, imap_unordered) owe all but the chunk."""
    others = results(*(n for n in range(10) if n != 7))
    kept = faulted("pool", "apply-async", "kill", received=others, lost=((7, LOST_HOW),))
    assert {v.invariant for v in check(kept)} == {"task-lost"}
    short = faulted("pool", "apply-async", "kill", received=others[:-1], lost=((7, LOST_HOW),))
    assert ("fault-delivery: task 9: result never arrived, though Pool.apply_async(task, (n,), "
            "callback, error_callback) owes exactly these once task 7 is lost") in delivery(short)


def test_a_broken_executor_that_lost_a_task_or_raised_twice_in_map():
    lost = faulted("process-pool", "submit", "kill", received=results(*range(7)),
                   failed=((7, BROKEN), (8, BROKEN)), lost=((9, LOST_HOW),))
    assert ("fault-delivery: task 9 lost, though the executor fails every pending call"
            in delivery(lost))
    twice = faulted("process-pool", "map", "kill", received=results(*range(5)),
                    failed=((5, BROKEN), (6, BROKEN)))
    expected = ("fault-delivery: executor.map(task, tasks, timeout=..., chunksize=...) raised 2 "
                "exceptions, expected one, at the place the results stopped")
    assert expected in delivery(twice)
    whole = faulted("process-pool", "map", "kill", received=(), failed=((None, BROKEN),))
    assert expected.replace("raised 2 exceptions", "raised 1 exceptions") in delivery(whole)


def test_executor_map_may_stop_at_the_start_of_the_killed_chunk():
    """Stopping exactly where the victim's chunk begins is what map promises, not 'after'."""
    at_chunk = faulted("process-pool", "map", "kill", chunksize=3, received=results(*range(6)),
                       failed=((6, BROKEN),))
    assert delivery(at_chunk) == []
