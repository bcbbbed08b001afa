"""POSIX message queues and System V IPC objects a run left behind.

Like a segment in ``/dev/shm``, these outlive every process that used them, and other programs
make and remove their own all the time; so, as in ``entries``, one counts as the run's only if
it is new and evidence ties it to the run:

- a POSIX message queue (listed in ``/dev/mqueue``, where that file system is mounted) whose
  name was handed to a child of the run, or that a process of the run holds open;
- a System V message queue, semaphore set or segment (listed in ``/proc/sysvipc``, where it
  is readable: only this user's are looked at) whose key or id was handed to a child, or,
  for a segment, that a process of the run created (its ``cpid``).

Where neither listing exists, nothing is reported: the check is absent, not passed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from .entries import Evidence, Listing

MQUEUE_DIR = "/dev/mqueue"
SYSV_DIR = "/proc/sysvipc"
# Each listing in SYSV_DIR, the column holding its id, and the object in words.
SYSV_KINDS = {
    "msg": ("msqid", "System V message queue"),
    "sem": ("semid", "System V semaphore set"),
    "shm": ("shmid", "System V shared-memory segment"),
}
IPC_PRIVATE = 0  # a key shared by every keyless object: no evidence of anything


@dataclass(frozen=True)
class SysvEntry:
    kind: str
    key: int
    ident: int
    creator: int | None  # the creating pid, listed for segments only

    def __str__(self) -> str:
        what = SYSV_KINDS[self.kind][1]
        return f"{what} not removed: id {self.ident}, key {self.key:#010x}"


def sysv_entries() -> frozenset[SysvEntry]:
    """This user's System V IPC objects now; empty where ``/proc/sysvipc`` cannot be read."""
    entries: set[SysvEntry] = set()
    for kind in SYSV_KINDS:
        try:
            with open(os.path.join(SYSV_DIR, kind), encoding="ascii") as listing:
                entries.update(parse_sysv(kind, listing.read(), os.getuid()))
        except (OSError, ValueError):
            continue
    return frozenset(entries)


def parse_sysv(kind: str, text: str, uid: int) -> set[SysvEntry]:
    """The objects of user ``uid`` in one ``/proc/sysvipc/<kind>`` listing (a header, then rows)."""
    header, *rows = text.splitlines()
    columns = header.split()
    entries = set()
    for row in rows:
        fields = dict(zip(columns, row.split(), strict=False))
        try:
            if int(fields["uid"]) != uid:
                continue
            creator = int(fields["cpid"]) if "cpid" in fields else None
            entries.add(SysvEntry(kind, int(fields["key"]), int(fields[SYSV_KINDS[kind][0]]), creator))
        except (KeyError, ValueError):
            continue
    return entries


def new_mqueues(evidence: Evidence, before: Listing, after: Listing) -> list[str]:
    """Message queues new since ``before`` that the evidence names (``/x`` or ``x``)."""
    new = {name for name, _ in after - before}
    named = {text.lstrip("/") for text in evidence.strings if text and "/" not in text[1:]}
    held = {
        text[len(MQUEUE_DIR) + 1:] for text in evidence.strings if text.startswith(MQUEUE_DIR + "/")
    }
    return [f"POSIX message queue not unlinked: /{name}" for name in sorted(new & (named | held))]


def new_sysv(
    evidence: Evidence,
    before: frozenset[SysvEntry],
    after: frozenset[SysvEntry],
    pids: Iterable[int | None],
) -> list[str]:
    """System V objects new since ``before`` that the evidence or a creating pid ties to the run."""
    creators = set(pids)
    tied = [
        entry
        for entry in after - before
        if (entry.key != IPC_PRIVATE and entry.key in evidence.numbers)
        or entry.ident in evidence.numbers
        or (entry.creator is not None and entry.creator in creators)
    ]
    return [str(entry) for entry in sorted(tied, key=lambda e: (e.kind, e.ident))]
