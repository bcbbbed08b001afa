"""Message queues and System V objects: new ones tied to the run are reported, a neighbour's not."""

from __future__ import annotations

import os

from ipccheck.leftovers import ipc
from ipccheck.leftovers.entries import Evidence, scalars_in
from ipccheck.leftovers.ipc import SysvEntry, new_mqueues, new_sysv, parse_sysv, sysv_entries


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


SHM_LISTING = """\
       key      shmid perms                  size  cpid  lpid nattch   uid   gid
     4660          7   600                  4096  4242  4242      1  1000  1000
        0          8   600                  4096  4243  4243      1  1001  1001
     bad!          9   600                  4096  4244  4244      1  1000  1000
       18         10   600                  4096  4245  4245      1  1000  1000
"""
SEM_LISTING = """\
       key      semid perms      nsems   uid   gid  cuid  cgid
        0      98304   600          1  1000  1000  1000  1000
"""
MSG_LISTING = """\
       key      msqid perms      cbytes       qnum lspid lrpid   uid
       17          3   600           0          0     0     0
"""


def test_a_sysv_listing_is_read_by_its_header_for_one_user():
    assert parse_sysv("shm", SHM_LISTING, 1000) == {
        SysvEntry("shm", 4660, 7, 4242), SysvEntry("shm", 18, 10, 4245),  # a bad row is skipped
    }
    assert parse_sysv("shm", SHM_LISTING, 1001) == {SysvEntry("shm", 0, 8, 4243)}
    assert parse_sysv("sem", SEM_LISTING, 1000) == {SysvEntry("sem", 0, 98304, None)}
    assert parse_sysv("sem", SEM_LISTING, 1001) == set()
    assert parse_sysv("msg", MSG_LISTING, 1000) == set()  # a row missing its uid is skipped
    assert parse_sysv("msg", "key msqid uid\n", 1000) == set()


def test_every_listing_readable_is_read_and_a_missing_or_empty_one_skipped(monkeypatch, tmp_path):
    (tmp_path / "shm").write_text(SHM_LISTING.replace("1000", str(os.getuid())))
    (tmp_path / "sem").write_text("")
    monkeypatch.setattr(ipc, "SYSV_DIR", str(tmp_path))
    segments = {SysvEntry("shm", 4660, 7, 4242), SysvEntry("shm", 18, 10, 4245)}
    assert sysv_entries() == segments
    (tmp_path / "msg").write_text(SEM_LISTING.replace("semid", "msqid").replace("1000", str(os.getuid())))
    assert sysv_entries() == segments | {SysvEntry("msg", 0, 98304, None)}
    (tmp_path / "sem").write_text(SEM_LISTING.replace("1000", str(os.getuid())) + "é\n", "utf-8")
    assert len(sysv_entries()) == 3  # not ASCII: the whole listing is skipped


def test_a_message_queue_this_process_holds_is_the_run_s_by_its_path():
    evidence = Evidence({"/dev/mqueue/held", "/tmp/x", "a/b", "//jobs", "Xq"})
    after = frozenset({("held", 1), ("x", 2), ("b", 3), ("tmp", 4), ("jobs", 5), ("q", 6), ("Xq", 7)})
    assert new_mqueues(evidence, frozenset(), after) == [
        "POSIX message queue not unlinked: /Xq",
        "POSIX message queue not unlinked: /held",
    ]


def test_a_sysv_object_is_named_in_words_with_its_id_and_key():
    queue, segment = SysvEntry("msg", 0x1234, 5, None), SysvEntry("shm", 0, 7, 1)
    assert str(queue) == "System V message queue not removed: id 5, key 0x00001234"
    assert str(segment) == "System V shared-memory segment not removed: id 7, key 0x00000000"


def test_sysv_objects_are_sorted_by_kind_then_id():
    evidence = Evidence(numbers={1, 2, 3})
    after = frozenset({SysvEntry("sem", 9, 2, None), SysvEntry("sem", 9, 1, None),
                       SysvEntry("msg", 9, 3, None)})
    assert [line.split(": id ")[1][:1] for line in new_sysv(evidence, frozenset(), after, ())] == [
        "3", "1", "2"]
    assert new_sysv(Evidence(), frozenset(), frozenset({SysvEntry("shm", 0, 4, None)}), {None}) == []
