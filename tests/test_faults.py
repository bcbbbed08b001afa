"""A dying producer or worker is reported, the others lose nothing, nothing hangs."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import zlib

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ipccheck import Workload, check, run
from ipccheck._validate import supported_start_methods
from ipccheck.faults import (
    FAULT_KINDS,
    MAY_BREAK,
    VICTIM_SLOT,
    Fault,
    InjectedFault,
    strike,
)
from ipccheck.methods import METHODS
from ipccheck.outcome import Outcome
from ipccheck.protocol import CHANNEL, STATE

from . import badmethods
from .builders import with_exits
from .timing import seconds

# Every channel method; a killed producer may break a Queue for the others (faults.MAY_BREAK).
CHANNEL_METHODS = tuple(name for name, module in METHODS.items() if module.FAMILY == CHANNEL)
STATE_METHODS = tuple(name for name, module in METHODS.items() if module.FAMILY == STATE)
EXAMPLES_SHARE = {"fork": 1.0, "forkserver": 0.5, "spawn": 0.5}


def test_parse_reads_kind_victim_and_after():
    """``kill:1@50`` is producer 1 killed after 50 items, and prints back the same way."""
    fault = Fault.parse("kill:1@50")
    assert fault == Fault("kill", 1, 50)
    assert str(fault) == "kill:1@50"


@pytest.mark.parametrize("text", ["kill", "kill:1", "kill:1@", "boom:1@2", "kill:-1@2", "KILL:1@2",
                                  "kill:1@2x", " kill:1@2", "kill:1@99999999999"])
def test_parse_refuses_malformed_specs(text):
    """Anything but KIND:PRODUCER@K with a known kind and small numbers is a one-line ValueError."""
    with pytest.raises(ValueError) as caught:
        Fault.parse(text)
    assert "\n" not in str(caught.value)


def test_workload_refuses_a_fault_that_cannot_strike_or_apply():
    """A victim that does not exist or an ``after`` past base; any kind fits any method."""
    cases = [
        (dict(method="pipe", procs=2, fault=Fault("kill", 2, 0)), "victim 2 does not exist"),
        (dict(method="pipe", base=5, fault=Fault("kill", 0, 6)), "would never strike"),
        (dict(method="value", procs=2, fault=Fault("kill", 2, 0)), "victim 2 does not exist"),
    ]
    for kwargs, words in cases:
        with pytest.raises(ValueError, match=words):
            Workload(**kwargs)
    with pytest.raises(TypeError, match="fault must be a Fault, got str"):
        Workload("pipe", fault="kill:0@1")  # type: ignore[arg-type]
    for method in METHODS:
        for kind in FAULT_KINDS:
            assert Workload(method, fault=Fault(kind, 0, 1)).fault == Fault(kind, 0, 1)


def test_strike_acts_only_on_the_victim_at_exactly_k():
    """strike() is a no-op for other workers and other counts, and raises for the victim at k."""
    fault = Fault("raise", 1, 3)
    for index, done in [(0, 3), (1, 2), (1, 4)]:
        strike(fault, index, done)
    strike(None, 1, 3)
    with pytest.raises(InjectedFault, match="worker 1 raised after 3 item"):
        strike(fault, 1, 3)


def healthy_run() -> Outcome:
    """A real pipe run with producer 1 killed after 4 of 10 items; it keeps every promise."""
    outcome = run(Workload("pipe", procs=3, base=10, fault=Fault("kill", 1, 4)))
    assert check(outcome) == []
    return outcome


def without(outcome: Outcome, item: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    received = list(outcome.received)
    received.remove(item)
    return tuple(received)


@pytest.mark.processes
def test_each_fault_check_can_fail():
    """Fed broken faulted outcomes, the fault checks name the evidence."""
    good = healthy_run()
    victim_items = [item for item in good.received if item[0] == 1]
    assert victim_items == [(1, s) for s in range(4)]
    broken = {
        "lost from a healthy producer": dataclasses.replace(good, received=without(good, (0, 7))),
        "a gap in the victim's prefix": dataclasses.replace(good, received=without(good, (1, 2))),
        "the victim's sentinel arrived": dataclasses.replace(
            good, sentinels=good.sentinels + ((1, len(good.received)),)
        ),
        "the victim sent more than k": dataclasses.replace(
            good, received=good.received + ((1, 4),)
        ),
        "the victim exited normally": with_exits(good, {"producer-1": 0}),
        "a healthy producer was killed": with_exits(good, {"producer-2": -9}),
        "a healthy sentinel is missing": dataclasses.replace(
            good, sentinels=tuple(s for s in good.sentinels if s[0] != 0)
        ),
    }
    for what, outcome in broken.items():
        assert check(outcome) != [], what
    raised = dataclasses.replace(
        with_exits(good, {"producer-1": 1}),
        workload=dataclasses.replace(good.workload, fault=Fault("raise", 1, 4)),
        received=without(good, (1, 3)),
    )
    assert [v.invariant for v in check(raised)] == ["fault-victim"]


def faulted_state_run(method: str) -> Outcome:
    """A real run of ``method`` with worker 1 killed after 4 of 10 increments; it passes."""
    outcome = run(Workload(method, procs=3, base=10, start_method="fork" if "fork" in
                           supported_start_methods() else "spawn", fault=Fault("kill", 1, 4)))
    assert check(outcome) == [], [str(v) for v in check(outcome)]
    return outcome


@pytest.mark.processes
def test_state_fault_checks_can_fail():
    """A wrong total, a wrong victim slot or a short healthy slot each break a faulted state run."""
    live, at_end, no_slots = (faulted_state_run(m) for m in ("raw-array", "manager", "value"))
    assert (live.observed, live.slots) == (24, (10, 4, 10))
    assert (at_end.observed, at_end.slots) == (24, (10, 0, 10))
    assert (no_slots.observed, no_slots.slots) == (24, None)
    broken = {
        "value: one increment too many": (dataclasses.replace(no_slots, observed=25), "fault-healthy"),
        "value: the victim's increments lost": (
            dataclasses.replace(no_slots, observed=20), "fault-healthy"
        ),
        "raw-array: the victim's live slot reads 3": (
            dataclasses.replace(live, slots=(10, 3, 10), observed=23), "fault-healthy"
        ),
        "raw-array: the victim's live slot reads 0 (as if it were recorded at the end)": (
            dataclasses.replace(live, slots=(10, 0, 10), observed=24), "fault-victim"
        ),
        "raw-array: a healthy slot is short": (
            dataclasses.replace(live, slots=(10, 4, 9), observed=24), "fault-healthy"
        ),
        "manager: the victim recorded a count though it died first": (
            dataclasses.replace(at_end, slots=(10, 4, 10)), "fault-victim"
        ),
    }
    for what, (outcome, invariant) in broken.items():
        assert invariant in [v.invariant for v in check(outcome)], what
    victim_live = dataclasses.replace(live, slots=(10, 3, 11), observed=24)
    assert [v.invariant for v in check(victim_live)] == ["fault-healthy", "fault-victim"]
    assert set(VICTIM_SLOT) | {"value", "array"} == set(STATE_METHODS)


@pytest.mark.processes
def test_outcome_reports_who_died_how_and_how_far():
    """The Outcome names the victim, its signal and how many of its items arrived."""
    outcome = run(Workload("file", procs=2, base=50, fault=Fault("term", 0, 20)))
    assert check(outcome) == []
    assert len(outcome.died) == 1
    assert outcome.died[0].startswith("producer-0 killed by SIGTERM; ")
    assert outcome.exitcodes["producer-1"] == 0


@pytest.mark.processes
def test_fault_checks_still_check_cleanup_deadline_errors_and_order():
    """A faulted run is still judged on its deadline, errors, order, channel and leftovers."""
    good = healthy_run()
    healthy_items = [item for item in good.received if item[0] == 0]
    swapped = tuple(
        healthy_items[1] if item == healthy_items[0] else healthy_items[0]
        if item == healthy_items[1] else item
        for item in good.received
    )
    broken = {
        "deadline": dataclasses.replace(good, timed_out=True),
        "error": dataclasses.replace(good, error="OSError: boom"),
        "channel-broken": dataclasses.replace(good, broken="the write lock went down with it"),
        "order": dataclasses.replace(good, received=swapped),
        "left-behind": dataclasses.replace(good, left_threads=("feeder (daemon)",)),
    }
    for invariant, outcome in broken.items():
        assert [v.invariant for v in check(outcome)] == [invariant], invariant


@pytest.mark.processes
def test_a_faulted_run_that_leaks_is_still_caught_by_the_real_runner():
    """Producer 1 raises after 2 items; the method also leaks a descriptor: that alone is found."""
    method = badmethods.LeaksFd()
    workload = Workload("queue", procs=2, base=5, fault=Fault("raise", 1, 2), timeout=seconds(60))
    try:
        outcome = run(workload, method=method)
    finally:
        for fd in method.leaked:
            os.close(fd)
    (fd,) = method.leaked
    assert [str(v) for v in check(outcome)] == [
        f"left-behind: 1 file descriptor(s) leaked: {fd} -> /dev/null"
    ]


@st.composite
def faulted_workloads(  # type: ignore[no-untyped-def]
    draw, start_method: str, methods: tuple[str, ...] = CHANNEL_METHODS, min_procs: int = 1
) -> Workload:
    method = draw(st.sampled_from(methods))
    procs = draw(st.integers(min_procs, 3))
    base = draw(st.integers(0, 40))
    fault = Fault(
        draw(st.sampled_from(FAULT_KINDS)),
        draw(st.integers(0, procs - 1)),
        draw(st.integers(0, base)),
    )
    mode = draw(st.sampled_from(("stream", "summary")))
    return Workload(method, procs=procs, base=base, start_method=start_method, mode=mode,
                    fault=fault, timeout=seconds(60))


def assert_fault_promises_kept(workload: Workload, outcome: Outcome) -> None:
    """Ended in time, only the victim died (or the documented break), nothing left behind."""
    violations = [v.invariant for v in check(outcome)]
    evidence = f"{workload}: {[str(v) for v in check(outcome)]}"
    if outcome.broken is not None:
        assert workload.method in MAY_BREAK and workload.fault.kind != "raise", evidence
        assert violations == ["channel-broken"], evidence
    else:
        assert violations == [], evidence
    assert not outcome.timed_out
    assert outcome.left_processes == () and outcome.leaked_fds == () and outcome.left_shm == ()
    victim = f"producer-{workload.fault.victim}"
    died = [line.split()[0] for line in outcome.died]
    assert died == [victim] if outcome.broken is None else victim in died
    assert multiprocessing.active_children() == []


@pytest.mark.processes
@pytest.mark.parametrize("start_method", supported_start_methods())
# A kill for every channel in the default tier (the fault that breaks the most: a Queue's lock
# or a half-written message); term and raise for every channel in the deep tier. The generated
# test below draws every kind in the default tier too.
@pytest.mark.parametrize("kind", [
    kind if kind == "kill" else pytest.param(kind, marks=pytest.mark.deep) for kind in FAULT_KINDS
])
@pytest.mark.parametrize("method", CHANNEL_METHODS)
def test_every_channel_method_survives_every_fault_kind(method, kind, start_method):
    """Every cell of method x kind x start method: producer 1 of 3 dies half way through.

    The one exception allowed is the documented one: a killed producer may break a Queue for
    the others (``faults.MAY_BREAK``); then the run must say so (``channel-broken``), only that.
    """
    workload = Workload(method, procs=3, base=40, start_method=start_method,
                        fault=Fault(kind, 1, 20), timeout=seconds(60))
    assert_fault_promises_kept(workload, run(workload))


@pytest.mark.processes
@pytest.mark.parametrize("start_method", supported_start_methods())
def test_faulted_runs_keep_their_promises(start_method):
    """Generated method x victim x k x kind x mode: as above, for any shape of workload."""

    @settings(max_examples=max(2, int(settings().max_examples * EXAMPLES_SHARE[start_method])))
    @given(workload=faulted_workloads(start_method))
    def holds(workload):
        assert_fault_promises_kept(workload, run(workload))

    holds()


@pytest.mark.processes
@pytest.mark.parametrize("start_method", supported_start_methods())
@pytest.mark.parametrize("method", STATE_METHODS)
def test_faulted_state_runs_keep_their_promises(method, start_method):
    """Each state method x victim x k x kind: total (procs-1)*base + k, healthy slots full, ends."""
    share = EXAMPLES_SHARE[start_method] / 2  # 7 methods x 3 start methods: keep the suite quick

    # The first example is always the simplest (kill worker 0 before its first increment); a
    # seed of its own per cell makes the others differ from cell to cell, still reproducibly.
    @seed(zlib.crc32(f"{method}/{start_method}".encode()))
    @settings(max_examples=max(2, int(settings().max_examples * share)))
    @given(workload=faulted_workloads(start_method, methods=(method,), min_procs=2))
    def holds(workload):
        outcome = run(workload)
        assert check(outcome) == [], f"{workload}: {[str(v) for v in check(outcome)]}"
        fault = workload.fault
        assert outcome.observed == (workload.procs - 1) * workload.base + fault.after
        assert [line.split()[0] for line in outcome.died] == [f"worker-{fault.victim}"]
        assert outcome.left_processes == () and outcome.left_shm == ()
        assert multiprocessing.active_children() == []

    holds()
