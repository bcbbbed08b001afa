"""File descriptors a run opened and never closed, each named by what it points to.

A descriptor belongs to this process, so a before/after comparison needs no attribution:
whatever is open after the run and was not before, the run opened. Two exceptions are not
leaks: the long-lived helpers ``warm_up`` starts before the "before" snapshot, and the small
arenas (a file and its mmap) the heap behind ``Value``/``Array`` keeps for reuse.

A descriptor is known by its number and the file it points to (device, inode): a number
closed and reused for another file during the run is a new descriptor, so no garbage needs
collecting before the "before" snapshot.
"""

from __future__ import annotations

import os
from multiprocessing import heap

FD_DIRS = ("/proc/self/fd", "/dev/fd")


# An open descriptor: (number, device, inode) of what it points to.
Descriptor = tuple[int, int, int]


def open_fds() -> frozenset[Descriptor] | None:
    """The descriptors this process has open now, or None where the OS does not tell us."""
    for directory in FD_DIRS:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        fds = set()
        for name in names:
            fd = int(name)
            try:
                status = os.fstat(fd)
            except OSError:
                continue  # the fd used to list the directory itself, now closed
            fds.add((fd, status.st_dev, status.st_ino))
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


def new_fds(
    before: frozenset[Descriptor] | None, after: frozenset[Descriptor] | None
) -> tuple[int, ...]:
    """Numbers of descriptors in ``after`` but not ``before``, the heap's arenas excepted."""
    if before is None or after is None:
        return ()
    arena_files = _heap_arena_files()
    return tuple(sorted(fd for fd, *file in after - before if tuple(file) not in arena_files))


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
