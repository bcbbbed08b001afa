"""Find what a run left behind: file descriptors, shared-memory segments, files.

Long-lived multiprocessing helpers (the resource tracker, the forkserver) open descriptors
the first time they are used and keep them for the life of the interpreter. ``warm_up``
starts them before a run takes its "before" snapshot, so they are not mistaken for leaks.
Likewise the heap behind ``Value``/``Array`` keeps small arenas (a file and its mmap) for
reuse after the objects in them are freed; ``new_fds`` does not count those either.
"""

from __future__ import annotations

import gc
import os
import sys
from multiprocessing import forkserver, heap, resource_tracker, shared_memory
from multiprocessing.context import BaseContext

from .default_context import left_unchosen

_FD_DIRS = ("/proc/self/fd", "/dev/fd")


def warm_up(ctx: BaseContext) -> None:
    """Start the helpers a run of ``ctx`` would start anyway, so their fds predate the snapshot."""
    resource_tracker.ensure_running()
    if ctx.get_start_method() == "forkserver":
        with left_unchosen():  # starting the server reads (and so fixes) the default
            forkserver.ensure_running()


def open_fds() -> frozenset[int] | None:
    """The descriptors this process has open now, or None where the OS does not tell us."""
    gc.collect()  # Connections and sockets close on collection; count only what is really open
    for directory in _FD_DIRS:
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


def shm_exists(name: str) -> bool:
    """Is a POSIX shared-memory segment called ``name`` still there?"""
    bare = name.lstrip("/")
    if sys.platform.startswith("linux"):
        return os.path.exists(os.path.join("/dev/shm", bare))
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
