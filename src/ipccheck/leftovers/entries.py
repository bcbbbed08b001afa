"""Shared-memory segments and temporary paths a run left behind, and how they are tied to it.

Unlike a descriptor or a thread, an entry in ``/dev/shm`` or the temp directory records no
creator, and other processes (another pytest-xdist worker, any program) add and remove entries
there all the time. A plain before/after listing would blame this run for a neighbour's files.
So an entry counts as this run's only with evidence that ties it to the run
(``Evidence``), and only if it is *new* (its name and inode were not there before):

- it lies in the run's own temporary directory, the one its children were given;
- a process of the run held it (an open descriptor or a mapping, as ``/proc`` shows them)
  when the run started a child, or this process still holds it after the run;
- its name or path was handed to a child of the run (a string in the child's arguments, or
  in the attributes of an object there, such as a ``SharedMemory`` or a user's queue);
- the method reported it (``Observation.shm_names`` / ``paths``).

No neighbour's entry can meet any of these. What they cannot see is an entry made and closed
by a process that never showed it to the run in any of those ways (say, a child that creates
a segment, closes it and exits); such an entry is left to the method's own report.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing import resource_tracker, shared_memory

SHM_DIR = "/dev/shm"
# glibc keeps the named POSIX semaphore "/x" in SHM_DIR as "sem.x".
NAMED_SEMAPHORE_PREFIX = "sem."
# How far into a child's arguments to look for names: containers and object attributes.
SEARCH_DEPTH = 4
# At most this many values are looked at per child, so a huge argument costs little.
SEARCH_LIMIT = 2000

Listing = frozenset[tuple[str, int]]


def listing(directory: str) -> Listing:
    """(name, inode) of every entry in ``directory``; empty if it cannot be listed."""
    try:
        with os.scandir(directory) as entries:
            return frozenset((entry.name, entry.inode()) for entry in entries)
    except OSError:
        return frozenset()


def held_paths(pid: int | str = "self", mapped_within: Iterable[str] | None = None) -> set[str]:
    """Paths process ``pid`` has open or mapped now (empty where there is no /proc).

    ``mapped_within``: keep only the mapped files under these directories. A test process maps
    thousands of files (its libraries); skipping their lines unparsed keeps a call cheap.
    """
    paths: set[str] = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        fds = []
    for fd in fds:
        try:
            paths.add(os.readlink(os.path.join(fd_dir, fd)))
        except OSError:
            continue
    prefixes = None if mapped_within is None else tuple(d.rstrip("/") + "/" for d in mapped_within)
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
            text = maps.read()
    except OSError:
        return paths
    for line in text.splitlines():
        if prefixes is not None and not any(prefix in line for prefix in prefixes):
            continue
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and parts[5].startswith("/"):
            paths.add(parts[5].removesuffix(" (deleted)"))
    return paths


def strings_in(value: object, depth: int = SEARCH_DEPTH, limit: int = SEARCH_LIMIT) -> set[str]:
    """Every string in ``value``: itself, in containers, in object attributes, ``depth`` deep."""
    return scalars_in(value, depth, limit)[0]


def scalars_in(
    value: object, depth: int = SEARCH_DEPTH, limit: int = SEARCH_LIMIT
) -> tuple[set[str], set[int]]:
    """Every string and every integer in ``value`` (names; System V keys and ids), as strings_in."""
    found: set[str] = set()
    numbers: set[int] = set()
    seen: set[int] = set()
    pending: list[tuple[object, int]] = [(value, depth)]
    while pending and len(seen) < limit:
        item, level = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, str):
            found.add(item)
            continue
        if isinstance(item, int) and not isinstance(item, bool):
            numbers.add(item)
            continue
        if level == 0 or isinstance(item, (bytes, bytearray, float, complex)):
            continue
        if isinstance(item, dict):
            children: Iterable[object] = [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple, set, frozenset)):
            children = item
        else:
            try:  # not getattr: an object's own __getattr__ (a proxy's, say) is not called
                children = object.__getattribute__(item, "__dict__").values()
            except (AttributeError, TypeError):
                continue
        pending.extend((child, level - 1) for child in children)
    return found, numbers


def _top_entry(path: str, directories: Iterable[str]) -> str | None:
    """The name of the entry directly in one of ``directories`` that ``path`` is or lies in."""
    for directory in directories:
        prefix = directory.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix):].split("/", 1)[0] or None
    return None


def _shm_name(text: str) -> str | None:
    """``psm_x`` from ``psm_x``, ``/psm_x`` or ``/dev/shm/psm_x``; None for anything else."""
    if text.startswith(SHM_DIR + "/"):
        return text[len(SHM_DIR) + 1:].split("/", 1)[0] or None
    bare = text[1:] if text.startswith("/") else text
    return bare if bare and "/" not in bare else None


@dataclass
class Evidence:
    """Names and paths seen tied to one run (see the module docstring)."""

    strings: set[str] = field(default_factory=set)
    numbers: set[int] = field(default_factory=set)  # System V keys and ids handed to a child

    def saw(self, strings: Iterable[str], numbers: Iterable[int] = ()) -> None:
        self.strings.update(strings)
        self.numbers.update(numbers)

    def segments(self, before: Listing, after: Listing) -> list[str]:
        """Entries of /dev/shm new since ``before`` that the evidence names."""
        new = {name for name, _ in after - before}
        named = {_shm_name(text) for text in self.strings}
        # a name handed to a child may be a semaphore's, "/x" for the entry "sem.x"
        named |= {NAMED_SEMAPHORE_PREFIX + name for name in named if name}
        return sorted(new & {name for name in named if name})

    def paths(self, directory: str, before: Listing, after: Listing) -> list[str]:
        """Entries of ``directory`` new since ``before`` that the evidence names or lies in."""
        new = {name for name, _ in after - before}
        forms = {directory, os.path.realpath(directory)}
        named = {_top_entry(text, forms) for text in self.strings}
        return [os.path.join(directory, name) for name in sorted(new & {n for n in named if n})]


def shm_exists(name: str) -> bool:
    """Is a POSIX shared-memory segment called ``name`` still there?"""
    bare = name.lstrip("/")
    if sys.platform.startswith("linux"):
        return os.path.exists(os.path.join(SHM_DIR, bare))
    else:  # no /dev/shm to look in: try to attach
        try:
            segment = attach_untracked(bare)
        except FileNotFoundError:
            return False
        segment.close()
        return True


def attach_untracked(name: str) -> shared_memory.SharedMemory:
    """Attach to a segment without telling the resource tracker, which would unlink it later.

    From Python 3.13 that is ``track=False``; before, the segment is registered on attach and
    taken straight back out of this process's tracker.
    """
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    else:
        segment = shared_memory.SharedMemory(name=name)
        resource_tracker.unregister(getattr(segment, "_name"), "shared_memory")  # noqa: B009
        return segment
