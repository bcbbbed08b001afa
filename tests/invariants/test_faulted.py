"""The faulted-run promises (``invariants.faulted``), fed hand-made Outcomes of a run with a fault.

Each broken outcome breaks one promise and the test asserts exactly the evidence it gives, so
a changed comparison or a lost line of evidence fails here, without starting a process.
"""

from __future__ import annotations

import dataclasses

from ipccheck.faults import Fault
from ipccheck.invariants.faulted import check_healthy, check_victim
from ipccheck.outcome import Outcome
from ipccheck.processes import Child, exit_description
from ipccheck.protocol import CHANNEL, STATE
from ipccheck.workload import Workload

from ..builders import children, role

KILLED = -9
KILL = Fault("kill", 1, 2)  # producer or worker 1 killed after two items


def messages(violations) -> list[str]:
    return [v.message for v in violations]


def channel_run(fault: Fault = KILL, mode: str = "stream", **changes) -> Outcome:
    """A stream run of two producers, three items each, where producer 1 died after two items."""
    base = 3
    mine = [(0, n) for n in range(base)] if mode == "stream" else [(0, base)]
    victims = [(1, n) for n in range(fault.after)] if mode == "stream" else []
    outcome = Outcome(
        workload=Workload("pipe", procs=2, base=base, mode=mode, fault=fault),
        family=CHANNEL,
        expected=6,
        observed=len(mine) + len(victims),
        received=tuple(mine + victims),
        sentinels=((0, len(mine)),),
        children=children({"producer-0": 0, "producer-1": fault.exit_code}),
    )
    return dataclasses.replace(outcome, **changes)


def state_run(method: str = "raw-array", fault: Fault = KILL, **changes) -> Outcome:
    """Three workers adding four each; worker 1 died after two increments."""
    slot = {"raw-array": 2, "manager": 0}.get(method)
    outcome = Outcome(
        workload=Workload(method, procs=3, base=4, fault=fault),
        family=STATE,
        expected=12,
        observed=10,
        slots=None if slot is None else (4, slot, 4),
        children=children({"worker-0": 0, "worker-1": fault.exit_code, "worker-2": 0}),
    )
    return dataclasses.replace(outcome, **changes)


def test_a_run_without_a_fault_is_not_judged_here():
    healthy = dataclasses.replace(channel_run(), workload=Workload("pipe", procs=2, base=3))
    assert check_victim(healthy) == [] and check_healthy(healthy) == []


def test_faulted_runs_that_keep_every_promise_are_silent():
    for outcome in (channel_run(), channel_run(Fault("raise", 1, 2)), channel_run(mode="summary"),
                    state_run(), state_run("manager"), state_run("value")):
        assert messages(check_victim(outcome)) == [], outcome.workload
        assert messages(check_healthy(outcome)) == [], outcome.workload


def test_a_victim_that_ended_otherwise_than_the_fault_says_is_named():
    outcome = channel_run(children=children({"producer-0": 0, "producer-1": 0}))
    assert messages(check_victim(outcome)) == [
        f"producer-1: {exit_description(0)}, expected {exit_description(KILLED)} from fault kill:1@2"
    ]
    assert all(v.invariant == "fault-victim" for v in check_victim(outcome))


def test_the_victims_sentinel_means_the_fault_never_struck():
    outcome = channel_run(sentinels=((0, 3), (1, 5)))
    assert messages(check_victim(outcome)) == ["producer 1: sentinel arrived, so fault kill:1@2 never struck"]


def test_the_victims_items_must_be_an_in_order_prefix_no_longer_than_after():
    reordered = channel_run(received=((0, 0), (0, 1), (0, 2), (1, 1), (1, 0)))
    assert messages(check_victim(reordered)) == ["producer 1: items [1, 0] are not an in-order prefix"]
    too_many = channel_run(received=((0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)))
    assert messages(check_victim(too_many)) == [
        "producer 1: 3 items arrived, more than the 2 it sent before dying"
    ]


def test_a_killed_victim_may_lose_what_it_sent_but_a_raising_one_may_not():
    one_of_two = ((0, 0), (0, 1), (0, 2), (1, 0))
    assert messages(check_victim(channel_run(received=one_of_two))) == []
    raised = channel_run(Fault("raise", 1, 2), received=one_of_two)
    assert messages(check_victim(raised)) == [
        "producer 1: 1 of the 2 items it sent before raising arrived; a normal exit flushes every channel"
    ]


def test_a_summary_victim_sends_no_subtotal():
    outcome = channel_run(mode="summary", received=((0, 3), (1, 2)))
    assert messages(check_victim(outcome)) == ["producer 1: subtotal [2] arrived though it died first"]


def test_the_victims_slot_reads_what_its_method_promises():
    live = state_run(slots=(4, 3, 4))
    assert messages(check_victim(live)) == [
        "worker 1: its slot reads 3, expected 2 (live slot, fault kill:1@2)"
    ]
    at_end = state_run("manager", slots=(4, 2, 4))
    assert messages(check_victim(at_end)) == [
        "worker 1: its slot reads 2, expected 0 (at-end slot, fault kill:1@2)"
    ]
    missing = state_run(slots=(4,))
    assert messages(check_victim(missing)) == [
        "worker 1: its slot reads None, expected 2 (live slot, fault kill:1@2)"
    ]


def test_a_healthy_producer_that_failed_is_named_with_its_error():
    failed = (Child(role("producer-0"), 1, "ValueError: boom"), Child(role("producer-1"), KILLED))
    outcome = channel_run(children=failed)
    assert messages(check_healthy(outcome)) == [f"producer-0: {exit_description(1)}, raised ValueError: boom"]
    assert all(v.invariant == "fault-healthy" for v in check_healthy(outcome))
    quiet = (Child(role("producer-0"), 1), Child(role("producer-1"), KILLED))
    assert messages(check_healthy(channel_run(children=quiet))) == [f"producer-0: {exit_description(1)}"]


def test_a_healthy_exit_is_not_judged_when_the_run_timed_out_or_the_channel_broke():
    failed = (Child(role("producer-0"), None), Child(role("producer-1"), KILLED))
    assert messages(check_healthy(channel_run(children=failed, timed_out=True))) == []
    broken = channel_run(children=failed, broken="producer 1 died holding the write lock",
                         received=((0, 0), (1, 0), (1, 1)), sentinels=())
    assert messages(check_healthy(broken)) == []


def test_a_healthy_producer_loses_nothing_and_sends_nothing_twice():
    lost = channel_run(received=((0, 0), (0, 1), (1, 0), (1, 1)))
    assert messages(check_healthy(lost)) == [
        "producer 0: 2 item(s) arrived, expected 3 (first missing or extra: [2])"
    ]
    twice = channel_run(received=((0, 0), (0, 1), (0, 1), (0, 2), (1, 0), (1, 1)))
    assert messages(check_healthy(twice)) == [
        "producer 0: 4 item(s) arrived, expected 3 (first missing or extra: a duplicate)"
    ]


def test_after_a_broken_channel_each_healthy_producer_sent_an_in_order_prefix():
    gap = channel_run(broken="queue broken", received=((0, 0), (0, 2), (1, 0), (1, 1)), sentinels=())
    assert messages(check_healthy(gap)) == [
        "producer 0: items [0, 2] are not an in-order prefix of what it sent"
    ]


def test_each_healthy_sentinel_arrives_exactly_once():
    assert messages(check_healthy(channel_run(sentinels=()))) == ["producer 0: sentinel arrived 0 times"]
    assert messages(check_healthy(channel_run(sentinels=((0, 3), (0, 3))))) == [
        "producer 0: sentinel arrived 2 times"
    ]
    broken_twice = channel_run(broken="queue broken", sentinels=((0, 3), (0, 3)))
    assert messages(check_healthy(broken_twice)) == ["producer 0: sentinel arrived 2 times"]


def test_a_message_from_a_producer_that_does_not_exist_is_named():
    outcome = channel_run(received=channel_run().received + ((5, 0),), sentinels=((0, 3), (7, 4)))
    assert messages(check_healthy(outcome)) == [
        "message from producer 5, which does not exist",
        "message from producer 7, which does not exist",
    ]


def test_a_summary_producer_sends_its_subtotal_once():
    outcome = channel_run(mode="summary", received=((0, 2),))
    assert messages(check_healthy(outcome)) == [
        "producer 0: 1 item(s) arrived, expected 1 (first missing or extra: [2, 3])"
    ]


def test_healthy_workers_count_their_whole_share_and_the_total_adds_up():
    short = state_run(slots=(4, 2, 3), observed=9)
    assert messages(check_healthy(short)) == [
        "worker 2: counted 3, expected 4",
        "total 9, expected 10 (the victim applied 2 before dying)",
    ]
    missing = state_run(slots=(4, 2))
    assert messages(check_healthy(missing)) == ["worker 2: counted None, expected 4"]
    total_only = state_run("value", observed=11)
    assert messages(check_healthy(total_only)) == [
        "total 11, expected 10 (the victim applied 2 before dying)"
    ]


# --- the edges the mutation run found untested (tox -e mutation) --------------------------------

def test_evidence_shows_the_first_eight_items_of_a_broken_prefix():
    disorder = tuple((1, n) for n in range(9, -1, -1))  # the victim's 10 items, backwards
    victim = channel_run(received=((0, 0), (0, 1), (0, 2)) + disorder)
    assert messages(check_victim(victim)) == [
        "producer 1: items [9, 8, 7, 6, 5, 4, 3, 2] are not an in-order prefix"]
    healthy = channel_run(received=tuple((0, n) for n in range(9, -1, -1)) + ((1, 0), (1, 1)),
                          broken="the channel broke")
    assert messages(check_healthy(healthy)) == [
        "producer 0: items [9, 8, 7, 6, 5, 4, 3, 2] are not an in-order prefix of what it sent"]


def test_a_healthy_producer_short_of_many_items_names_the_first_three():
    outcome = channel_run(Fault("kill", 1, 0), received=((0, 0),), expected=12,
                          workload=Workload("pipe", procs=2, base=6, fault=Fault("kill", 1, 0)))
    assert messages(check_healthy(outcome)) == [
        "producer 0: 1 item(s) arrived, expected 6 (first missing or extra: [1, 2, 3])"]


def test_a_slot_on_a_method_without_victim_slots_says_so():
    """Only some state methods keep a slot per worker; one that has none says "no slot"."""
    outcome = state_run("value", slots=(4, 3, 4))
    assert messages(check_victim(outcome)) == [
        "worker 1: its slot reads 3, expected None (no slot, fault kill:1@2)"]
