"""The pool hazards: each demonstration claims its mistake only when the mistake is really there.

test_hazards_demonstrations runs every hazard (these four included) and checks that it is shown
and its fix holds; here each one is fed the harmless version of its mistake and must then say
"not shown" (or its fix "did not hold"). The leak guard of ``ipccheck.pytest_plugin`` checks that
no worker, thread, descriptor or temporary directory outlives any of them.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import InvalidStateError
from concurrent.futures.process import BrokenProcessPool, _ExecutorManagerThread
from multiprocessing.pool import ApplyResult

import pytest

from ipccheck._validate import platform_default_start_method
from ipccheck.lessons.hazards import HAZARDS, pool_lifetime, pool_pickling
from ipccheck.lessons.hazards.catalogue import plan_hazards

pytestmark = pytest.mark.processes  # every test here starts a pool or a child interpreter

CTX = multiprocessing.get_context(platform_default_start_method())
POOL_HAZARDS = ("pool-killed-worker", "pool-not-closed", "pool-lambda-task", "pool-without-main-guard")


def test_the_four_pool_hazards_are_catalogued_once_for_all_start_methods():
    """None depends on the start method: ``--start-method all`` runs each once."""
    assert set(POOL_HAZARDS) <= set(HAZARDS)
    plan = dict(plan_hazards(POOL_HAZARDS, "all"))
    assert all(len(methods) == 1 for methods in plan.values())


def test_no_worker_killed_means_no_lost_task(monkeypatch):
    """With no task killing its worker the map returns: no hang is claimed, and the executor
    raises no BrokenProcessPool, so its "fix" is not claimed either."""
    monkeypatch.setattr(pool_lifetime, "VICTIM", -1)
    shown = pool_lifetime.demo_killed_worker(CTX)
    assert not shown.held
    assert "get(timeout=1) returned" in shown.evidence
    fixed = pool_lifetime.fix_killed_worker(CTX)
    assert not fixed.held
    assert "returned [0, 1, 4" in fixed.evidence


def test_a_dropped_pool_is_found_even_while_its_result_thread_still_holds_it(monkeypatch):
    """``get()`` wakes before the result thread drops the result (and with it the pool) from
    its cache; a collection in between finds nothing. Made long here: the pool is still found."""
    set_result = ApplyResult._set

    def lingering(self, i, obj):
        wake = self._event.set

        def wake_then_linger():
            wake()
            time.sleep(0.3)  # the result thread, descheduled right after waking get()

        self._event.set = wake_then_linger
        set_result(self, i, obj)

    monkeypatch.setattr(ApplyResult, "_set", lingering)
    shown = pool_lifetime.demo_pool_not_closed(multiprocessing.get_context("fork"))
    assert shown.held, shown.evidence


def test_killed_worker_names_the_lost_task():
    shown = pool_lifetime.demo_killed_worker(CTX)
    assert shown.held, shown.evidence
    assert "raised TimeoutError" in shown.evidence
    assert f"task {pool_lifetime.VICTIM} was lost and never reported" in shown.evidence


def crash_like_gh_107219(self, *cause):
    """The executor's manager thread as it dies before 3.12: it fails the pending futures, then
    ``map`` cancels one of them meanwhile and ``set_exception`` raises, before any worker is
    stopped. Done every time here, where the real race is rare."""
    for work_item in list(self.pending_work_items.values()):
        work_item.future.set_exception(BrokenProcessPool("a worker died (simulated)"))
    raise InvalidStateError("simulated gh-107219: map cancelled a future the thread was failing")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_the_fix_stops_the_workers_a_crashed_executor_leaves(monkeypatch):
    """The executor's thread dies before it stops the workers: the fix still ends with none
    running (a worker left would keep interpreter exit waiting for it forever)."""
    monkeypatch.setattr(_ExecutorManagerThread, "terminate_broken", crash_like_gh_107219)
    fixed = pool_lifetime.fix_killed_worker(CTX)
    assert fixed.held, fixed.evidence
    assert multiprocessing.active_children() == []


def test_a_closed_pool_gives_no_resource_warning(monkeypatch):
    """A "forgotten" pool that was in fact closed and joined: no ResourceWarning, not shown."""

    def close_it(ctx):
        with ctx.Pool(1) as pool:
            pid = pool.apply_async(pool_lifetime.os.getpid).get(timeout=10)
            pool.close()
            pool.join()
        return pid

    monkeypatch.setattr(pool_lifetime, "_forget_a_pool", close_it)
    shown = pool_lifetime.demo_pool_not_closed(CTX)
    assert not shown.held
    assert "no ResourceWarning" in shown.evidence


def test_the_with_block_alone_drops_a_task_not_waited_for():
    """Pool.__exit__ calls terminate(): the sleeping task is never answered."""
    assert pool_lifetime._with_block_only(CTX) is False


def test_picklable_tasks_are_not_called_a_pickling_error(monkeypatch):
    """A "nested" function that is really a module-level one maps fine: not shown."""
    monkeypatch.setattr(pool_pickling, "nested_square", lambda: pool_lifetime.square)
    shown = pool_pickling.demo_lambda_task(CTX)
    assert not shown.held
    assert "a nested function returned [0, 1, 4" in shown.evidence
    assert "a lambda raised" in shown.evidence


def test_a_guarded_script_is_not_called_a_bootstrapping_error(monkeypatch):
    """With the guard in place the "mistake" script answers: not shown."""
    monkeypatch.setattr(pool_pickling, "UNGUARDED", pool_pickling.GUARDED)
    shown = pool_pickling.demo_main_guard(CTX)
    assert not shown.held
    assert "said 'answer 49'" in shown.evidence
    assert "no RuntimeError" in shown.evidence


@pytest.mark.deep  # the demonstration itself runs in the default tier (test_hazards_demonstrations)
def test_the_unguarded_script_is_refused_by_its_workers():
    out, err = pool_pickling._run_script(pool_pickling.UNGUARDED)
    assert out == "no answer"
    assert "RuntimeError" in err and pool_pickling.BOOTSTRAPPING in err
