"""Property tests: every reference method keeps every invariant, under every start method.

Hypothesis generates the process count, the work per process and (for channels) the mode; a
failure shrinks to the smallest workload that still breaks a promise.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from ipccheck import Workload, check, run
from ipccheck.methods import METHODS, POOLS
from ipccheck.protocol import CHANNEL

from .. import strategies
from ..timing import seconds

# Spawn and forkserver pay ~10-30 ms per process: give them fewer examples than fork.
EXAMPLES_SHARE = {"fork": 1.0, "forkserver": 0.5, "spawn": 0.5}


def examples_for(start_method: str) -> int:
    return max(2, int(settings().max_examples * EXAMPLES_SHARE[start_method]))


@pytest.mark.parametrize("start_method", strategies.selected_start_methods())
@pytest.mark.parametrize("method", [name for name in METHODS if name not in POOLS])
def test_every_invariant_holds(method, start_method):
    """For generated workloads, the method keeps every invariant and ends with procs x base.

    The pools' modes are call styles: ``test_pools.py`` generates theirs.
    """

    @settings(max_examples=examples_for(start_method))
    @given(procs=strategies.procs, base=strategies.bases, mode=strategies.modes)
    def holds(procs, base, mode):
        workload = Workload(method, procs=procs, base=base, start_method=start_method, mode=mode)
        outcome = run(workload)
        assert check(outcome) == [], f"{workload}: {[str(v) for v in check(outcome)]}"
        assert outcome.observed == procs * base

    holds()


@pytest.mark.parametrize("method", [name for name, m in METHODS.items() if m.FAMILY == CHANNEL])
def test_stream_records_every_item_and_sentinel(method):
    """A stream run records each (producer, seq) once, and each sentinel after all its items.

    A sentinel's position is how many items had arrived before it, so the items before that
    position must hold all 50 of its producer's: a sentinel recorded too early shows here.
    """
    outcome = run(Workload(method, procs=3, base=50, timeout=seconds(60)))
    assert sorted(outcome.received) == [(p, s) for p in range(3) for s in range(50)]
    assert sorted(producer for producer, _ in outcome.sentinels) == [0, 1, 2]
    for producer, position in outcome.sentinels:
        before = [item for item in outcome.received[:position] if item[0] == producer]
        assert len(before) == 50, f"producer {producer}'s sentinel came after {len(before)} items"


def test_a_run_past_its_deadline_is_reported_and_cleaned_up():
    """A run that cannot finish in time becomes a deadline violation, with no child left."""
    workload = Workload("manager-queue", procs=2, base=1_000_000, timeout=0.5)
    outcome = run(workload)
    found = [str(v) for v in check(outcome)]
    assert outcome.timed_out
    assert found[0].startswith("deadline: did not finish within 0.5 s")
    assert outcome.left_processes == () and outcome.left_threads == ()
    assert outcome.leaked_fds == () and outcome.left_shm == () and outcome.left_paths == ()


def test_run_refuses_something_that_is_not_a_workload():
    """run() needs a Workload, and says so."""
    with pytest.raises(TypeError, match="run\\(\\) needs a Workload, got dict"):
        run({"method": "queue"})  # type: ignore[arg-type]


def test_shared_memory_segments_are_unlinked():
    """The shared-memory methods record their segment and leave nothing in /dev/shm."""
    for method in ("shared-memory", "shareable-list"):
        outcome = run(Workload(method, procs=2, base=10))
        assert outcome.left_shm == ()
        assert outcome.slots == (10, 10)
