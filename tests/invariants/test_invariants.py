"""Each invariant, fed hand-made Outcomes: silent on a correct run, specific on a broken one."""

from __future__ import annotations

import dataclasses

import pytest

from ipccheck import invariants
from ipccheck.faults import Fault
from ipccheck.invariants import check
from ipccheck.outcome import Outcome
from ipccheck.protocol import CHANNEL, STATE
from ipccheck.workload import Workload

from ..builders import children


def stream_outcome(procs: int = 2, base: int = 3, **changes) -> Outcome:
    """A perfect stream run: items interleaved by producer, each sentinel after its items."""
    received = [(producer, seq) for seq in range(base) for producer in range(procs)]
    sentinels = [(producer, len(received)) for producer in range(procs)]
    outcome = Outcome(
        workload=Workload("queue", procs=procs, base=base, mode="stream"),
        family=CHANNEL,
        expected=procs * base,
        observed=len(received),
        received=tuple(received),
        sentinels=tuple(sentinels),
        children=children({f"producer-{p}": 0 for p in range(procs)}),
    )
    return dataclasses.replace(outcome, **changes)


def summary_outcome(procs: int = 2, base: int = 5, **changes) -> Outcome:
    """A perfect summary run: one subtotal per producer, then its sentinel."""
    received = [(producer, base) for producer in range(procs)]
    outcome = Outcome(
        workload=Workload("pipe", procs=procs, base=base, mode="summary"),
        family=CHANNEL,
        expected=procs * base,
        observed=procs * base,
        received=tuple(received),
        sentinels=tuple((producer, procs) for producer in range(procs)),
        children=children({f"producer-{p}": 0 for p in range(procs)}),
    )
    return dataclasses.replace(outcome, **changes)


def state_outcome(procs: int = 3, base: int = 4, **changes) -> Outcome:
    """A perfect shared-state run with per-worker slots."""
    outcome = Outcome(
        workload=Workload("raw-array", procs=procs, base=base),
        family=STATE,
        expected=procs * base,
        observed=procs * base,
        slots=(base,) * procs,
        children=children({f"worker-{p}": 0 for p in range(procs)}),
    )
    return dataclasses.replace(outcome, **changes)


def messages(outcome: Outcome) -> list[str]:
    return [str(violation) for violation in check(outcome)]


@pytest.mark.parametrize("make", [stream_outcome, summary_outcome, state_outcome])
def test_a_correct_run_has_no_violations(make):
    """Every check stays silent on a run that kept every promise."""
    assert check(make()) == []


def test_total_reports_how_many_were_lost():
    """A short total names expected, observed and the size of the loss."""
    outcome = state_outcome(observed=10, slots=None)
    assert messages(outcome) == ["total: expected 12, observed 10 (2 lost)"]


def test_total_reports_extra_updates():
    """A total above procs x base is a violation too."""
    assert messages(state_outcome(observed=13, slots=None)) == [
        "total: expected 12, observed 13 (1 extra)"
    ]


def test_slots_name_the_worker_that_miscounted():
    """A per-worker slot that is not base names that worker."""
    outcome = state_outcome(slots=(4, 3, 4), observed=11)
    assert "slots: worker 1 counted 3, expected 4" in messages(outcome)


def test_exactly_once_names_an_item_never_received():
    """A dropped item is reported as never received, by producer and sequence number."""
    outcome = stream_outcome()
    received = tuple(item for item in outcome.received if item != (1, 2))
    broken = dataclasses.replace(outcome, received=received, observed=len(received))
    assert "exactly-once: producer 1, item 2: never received" in messages(broken)


def test_exactly_once_names_a_duplicate():
    """An item received twice is reported with its count."""
    outcome = stream_outcome()
    received = outcome.received[:1] + outcome.received
    broken = dataclasses.replace(outcome, received=received)
    assert "exactly-once: item (0, 0) received 2 times" in messages(broken)


def test_exactly_once_names_an_item_nobody_sent():
    """An item outside 0..base-1 or from an unknown producer is reported as never sent."""
    outcome = stream_outcome()
    broken = dataclasses.replace(outcome, received=(*outcome.received, (7, 0)))
    assert "exactly-once: item (7, 0) received but never sent" in messages(broken)


def test_order_names_the_pair_that_arrived_out_of_order():
    """Within a producer, a later item arriving first is reported as such."""
    outcome = stream_outcome(procs=1, base=5)
    broken = dataclasses.replace(outcome, received=((0, 0), (0, 1), (0, 4), (0, 3), (0, 2)))
    found = messages(broken)
    assert "order: producer 0: item 4 arrived before item 3" in found
    assert "order: producer 0: item 4 arrived before item 2" in found


def test_interleaving_between_producers_is_not_a_violation():
    """Items of different producers may interleave freely."""
    outcome = stream_outcome(procs=2, base=2)
    mixed = dataclasses.replace(outcome, received=((1, 0), (0, 0), (1, 1), (0, 1)))
    assert check(mixed) == []


def test_sentinel_missing_is_reported():
    """A producer whose sentinel never came is named."""
    outcome = stream_outcome()
    broken = dataclasses.replace(outcome, sentinels=outcome.sentinels[:1])
    assert "sentinel: producer 1: sentinel never received" in messages(broken)


def test_item_after_sentinel_is_reported():
    """An item that arrives after its producer's sentinel breaks 'nothing after the end'."""
    outcome = stream_outcome(procs=1, base=3)
    broken = dataclasses.replace(outcome, sentinels=((0, 2),))
    assert "sentinel: producer 0: 1 item(s) after its sentinel, first (0, 2)" in messages(broken)


def test_duplicate_and_unknown_sentinels_are_reported():
    """A sentinel twice, or from a producer that does not exist, is reported."""
    outcome = stream_outcome(procs=1, base=1)
    broken = dataclasses.replace(outcome, sentinels=((0, 1), (0, 1), (5, 1)))
    found = messages(broken)
    assert "sentinel: producer 0: sentinel received 2 times" in found
    assert "sentinel: sentinel from producer 5, which does not exist" in found


def test_summary_checks_each_subtotal():
    """Summary mode reports a missing, a wrong and a doubled subtotal."""
    outcome = summary_outcome(procs=3, base=5)
    broken = dataclasses.replace(
        outcome, received=((0, 5), (0, 5), (1, 4)), observed=14
    )
    found = messages(broken)
    assert "summary: producer 0: 2 subtotals received [5, 5]" in found
    assert "summary: producer 1: subtotal 4, expected 5" in found
    assert "summary: producer 2: subtotal never received" in found


def test_summary_reports_a_subtotal_from_nowhere():
    """A subtotal from a producer that does not exist is reported."""
    outcome = summary_outcome(procs=1, base=5)
    broken = dataclasses.replace(outcome, received=((0, 5), (3, 1)))
    assert "summary: subtotal [1] from producer 3, which does not exist" in messages(broken)


def test_exit_codes_name_the_signal():
    """A worker killed by a signal is reported with the signal's name."""
    outcome = state_outcome(children=children({"worker-0": 0, "worker-1": -9, "worker-2": 1}))
    found = messages(outcome)
    assert "exit-code: worker-1: killed by SIGKILL" in found
    assert "exit-code: worker-2: exit code 1" in found


def test_left_behind_lists_each_kind_of_debris():
    """Processes, threads, segments, paths and descriptors left behind are each reported."""
    outcome = state_outcome(
        left_processes=("worker-0 (pid 42)",),
        left_threads=("feeder (daemon)",),
        left_shm=("psm_abc",),
        left_paths=("/tmp/ipccheck-file-x",),
        leaked_fds=("7 -> /dev/null", "9 -> pipe:[1234]"),
    )
    assert messages(outcome) == [
        "left-behind: process still alive: worker-0 (pid 42)",
        "left-behind: thread still running: feeder (daemon)",
        "left-behind: shared-memory segment not unlinked: psm_abc",
        "left-behind: path not removed: /tmp/ipccheck-file-x",
        "left-behind: 2 file descriptor(s) leaked: 7 -> /dev/null, 9 -> pipe:[1234]",
    ]


def test_deadline_names_who_hung_and_what_arrived():
    """A timed-out run names the live processes and how much had arrived."""
    outcome = stream_outcome(
        timed_out=True,
        alive_at_deadline=("producer-1 (pid 99)",),
        sentinels=((0, 6),),
        children=children({"producer-0": 0, "producer-1": -15}),
    )
    found = messages(outcome)
    assert found[0].startswith("deadline: did not finish within 60 s; alive at the deadline: ")
    assert "producer-1 (pid 99)" in found[0]
    assert "received 6 item(s) and 1 sentinel(s) so far" in found[0]
    assert not any(line.startswith("exit-code") for line in found)


def test_a_timed_out_state_run_says_its_total_was_never_read():
    """A state run's total is read after the workers end; at a deadline it was never read."""
    found = messages(state_outcome(timed_out=True, alive_at_deadline=("worker-0 (pid 7)",)))
    assert found[0].endswith("alive at the deadline: worker-0 (pid 7); the final state was never "
                             "read, so the observed total means nothing")
    assert "received" not in found[0]


def test_error_in_the_parent_is_reported():
    """An exception the method raised in the parent becomes a violation."""
    assert messages(state_outcome(error="OSError: boom")) == ["error: OSError: boom"]


def test_long_evidence_is_cut_short():
    """More than MAX_EVIDENCE lines end in '... and N more'."""
    outcome = stream_outcome(procs=1, base=20)
    broken = dataclasses.replace(outcome, received=(), observed=0)
    found = [v for v in invariants.check_exactly_once(broken)]
    assert len(found) == invariants.MAX_EVIDENCE + 1
    assert str(found[-1]) == f"exactly-once: ... and {20 - invariants.MAX_EVIDENCE} more"


def test_a_run_stopped_at_its_deadline_claims_no_loss():
    """A timed-out state run reports only the deadline; a channel's missing items were not received."""
    state = messages(state_outcome(timed_out=True, observed=0, slots=None))
    assert [line.split(":")[0] for line in state] == ["deadline"]  # the total was never read
    channel = stream_outcome(timed_out=True, sentinels=((0, 6),))
    channel = dataclasses.replace(channel, received=channel.received[:4], observed=4)
    totals = [line for line in messages(channel) if line.startswith("total")]
    assert totals == [f"total: expected {channel.expected}, observed 4 "
                      f"({channel.expected - 4} not received by the deadline)"]
    assert not any("lost" in line for line in messages(channel))


# --- the edges the mutation run found untested (tox -e mutation) --------------------------------

def test_slots_of_the_wrong_number_say_so_first():
    outcome = state_outcome(slots=(4, 4), observed=8)
    assert [m for m in messages(outcome) if m.startswith("slots")] == ["slots: 2 slots for 3 workers"]


def test_a_broken_channel_is_reported_as_such():
    outcome = stream_outcome(broken="producer 1 died holding the write lock")
    assert "channel-broken: producer 1 died holding the write lock" in messages(outcome)


def test_order_is_judged_in_stream_mode_only():
    """A summary run's subtotals carry no order: a later, smaller one is no order violation."""
    outcome = summary_outcome(received=((0, 5), (1, 5), (0, 3)))
    assert not any(m.startswith("order") for m in messages(outcome))


def test_left_behind_names_ipc_objects():
    outcome = state_outcome(left_ipc=("System V shared memory key 0x1234 (id 7)",))
    assert [m for m in messages(outcome) if m.startswith("left-behind")] == [
        "left-behind: System V shared memory key 0x1234 (id 7)"]


def test_a_deadline_with_nobody_or_several_alive():
    nobody = messages(state_outcome(timed_out=True))
    assert any("alive at the deadline: none;" in m for m in nobody), nobody
    several = messages(state_outcome(timed_out=True, alive_at_deadline=("worker-0 (pid 7)",
                                                                        "worker-1 (pid 8)")))
    assert any("alive at the deadline: worker-0 (pid 7), worker-1 (pid 8);" in m
               for m in several), several


def test_a_repeated_item_is_exactly_once_s_finding_not_order_s():
    outcome = stream_outcome()
    repeated = dataclasses.replace(outcome, received=outcome.received[:2] + outcome.received[:2]
                                   + outcome.received[2:])
    found = messages(repeated)
    assert any(m.startswith("exactly-once") for m in found)
    assert not any(m.startswith("order") for m in found), found


def test_items_of_no_producer_or_beyond_base_are_strangers():
    outcome = stream_outcome()  # 2 producers, items 0-2
    strange = dataclasses.replace(outcome, received=outcome.received + ((2, 0), (0, 3)))
    found = messages(strange)
    assert "exactly-once: item (2, 0) received but never sent" in found, found
    assert "exactly-once: item (0, 3) received but never sent" in found, found


def test_every_producer_without_a_sentinel_is_named():
    assert [m for m in messages(stream_outcome(sentinels=())) if m.startswith("sentinel")] == [
        "sentinel: producer 0: sentinel never received",
        "sentinel: producer 1: sentinel never received"]


def test_a_child_that_raised_says_what():
    outcome = state_outcome(children=children({"worker-0": 0, "worker-1": 1, "worker-2": 0}))
    outcome = dataclasses.replace(outcome, children=(
        outcome.children[0], dataclasses.replace(outcome.children[1], error="ValueError: x"),
        outcome.children[2]))
    assert "exit-code: worker-1: exit code 1, raised ValueError: x" in messages(outcome)


def test_wrong_slots_count_comes_before_the_miscounted_worker():
    outcome = state_outcome(slots=(4, 3), observed=7)
    assert [m for m in messages(outcome) if m.startswith("slots")] == [
        "slots: 2 slots for 3 workers", "slots: worker 1 counted 3, expected 4"]


def test_a_faulted_channel_run_is_judged_by_the_fault_checks():
    faulted = stream_outcome(workload=Workload("queue", procs=2, base=3, fault=Fault("kill", 1, 2)))
    assert invariants.checks_for(faulted) == invariants.FAULT_CHECKS
    assert invariants.checks_for(stream_outcome()) == invariants.CHECKS
