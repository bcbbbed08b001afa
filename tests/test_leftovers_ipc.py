"""Message queues and System V objects: new ones tied to the run are reported, a neighbour's not."""

from __future__ import annotations

from ipccheck.leftovers.entries import Evidence, scalars_in
from ipccheck.leftovers.ipc import SysvEntry, new_mqueues, new_sysv, sysv_entries


class Holder:
    def __init__(self) -> None:
        self.semid = 98304
        self.name = "/jobs"
        self.flag = True


def test_names_and_numbers_handed_to_a_child_are_evidence():
    strings, numbers = scalars_in(((Holder(), 3),))
    assert "/jobs" in strings
    assert {98304, 3} <= numbers
    assert 1 not in numbers  # the flag True is no System V id


def test_a_new_message_queue_named_to_a_child_is_the_run_s():
    evidence = Evidence()
    evidence.saw({"/jobs"})
    before = frozenset({("old", 1)})
    after = before | {("jobs", 2), ("neighbour", 3)}
    assert new_mqueues(evidence, before, after) == ["POSIX message queue not unlinked: /jobs"]
    assert new_mqueues(evidence, after, after) == []  # there before the run: not the run's


def test_a_new_sysv_object_tied_by_key_id_or_creator_is_the_run_s():
    evidence = Evidence()
    evidence.saw((), {98304, 0x1234, 0})
    by_id = SysvEntry("sem", 0, 98304, None)
    by_key = SysvEntry("msg", 0x1234, 5, None)
    by_creator = SysvEntry("shm", 0, 7, 4242)
    neighbour = SysvEntry("sem", 0, 8, None)  # IPC_PRIVATE key 0 is no evidence
    old = SysvEntry("sem", 0x1234, 9, None)
    after = frozenset({by_id, by_key, by_creator, neighbour, old})
    lines = new_sysv(evidence, frozenset({old}), after, {4242})
    assert lines == [
        "System V message queue not removed: id 5, key 0x00001234",
        "System V semaphore set not removed: id 98304, key 0x00000000",
        "System V shared-memory segment not removed: id 7, key 0x00000000",
    ]


def test_the_listing_reads_this_user_s_objects():
    assert all(isinstance(entry, SysvEntry) for entry in sysv_entries())  # readable here or empty
