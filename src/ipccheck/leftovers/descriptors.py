"""File descriptors a run opened and never closed, each named by what it points to.

A descriptor belongs to this process, so a before/after comparison needs no attribution:
whatever is open after the run and was not before, the run opened. Two exceptions are not
leaks: the long-lived helpers ``warm_up`` starts before the "before" snapshot, and the small
arenas (a file and its mmap) the heap behind ``Value``/``Array`` keeps for reuse.
"""

from __future__ import annotations

import gc
import os
from multiprocessing import heap

FD_DIRS = ("/proc/self/fd", "/dev/fd")


def open_fds() -> frozenset[int] | None:
    """The descriptors this process has open now, or None where the OS does not tell us."""
    gc.collect()  # Connections and sockets close on collection; count only what is really open
    for directory in FD_DIRS:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        fds = set()
        for name in names:
            fd = int(name)
            try:
                os.fstat(fd)
            except OSError:
                continue  # the fd used to list the directory itself, now closed
            fds.add(fd)
        return frozenset(fds)
    return None


def _heap_arena_files() -> set[tuple[int, int]]:
    """(device, inode) of the files behind the sharedctypes heap's arenas in this process."""
    files = set()
    the_heap = getattr(heap.BufferWrapper, "_heap", None)  # private: absent means no arenas
    for arena in getattr(the_heap, "_arenas", []):
        fd = getattr(arena, "fd", -1)
        try:
            status = os.fstat(fd)
        except OSError:
            continue
        files.add((status.st_dev, status.st_ino))
    return files


def new_fds(before: frozenset[int] | None, after: frozenset[int] | None) -> tuple[int, ...]:
    """Descriptors open now that were not open before the run, the heap's arenas excepted."""
    if before is None or after is None:
        return ()
    arena_files = _heap_arena_files()
    leaked = []
    for fd in sorted(after - before):
        try:
            status = os.fstat(fd)
        except OSError:
            continue  # closed since the snapshot
        if (status.st_dev, status.st_ino) not in arena_files:
            leaked.append(fd)
    return tuple(leaked)


def fd_target(fd: int) -> str | None:
    """What ``fd`` points to (a path, ``pipe:[N]``, ``socket:[N]``), or None if unknown."""
    for directory in FD_DIRS:
        try:
            return os.readlink(os.path.join(directory, str(fd)))
        except OSError:
            continue
    return None


def describe_fd(fd: int) -> str:
    """``7 -> /tmp/x``: the number, and what it points to where the OS says."""
    target = fd_target(fd)
    return str(fd) if target is None else f"{fd} -> {target}"
