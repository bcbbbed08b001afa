"""One run, watched: what existed before it, what tied things to it, and what it left after.

``Watch`` takes the "before" snapshots, hands out the run's ``ProcessGroup`` (a
``WatchedGroup``, which notes the evidence each start offers and gives every child the run's
own temporary directory), and ``finish`` reports each kind of leftover by name. The runner
uses it so that "nothing left behind" does not rest on what a method says about itself; the
pytest plugin uses it around one test.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing import forkserver, resource_tracker
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from ..default_context import left_unchosen
from ..processes import ProcessGroup, Role
from .descriptors import describe_fd, fd_target, new_fds, open_fds
from .entries import (
    NAMED_SEMAPHORE_PREFIX,
    SHM_DIR,
    Evidence,
    Listing,
    held_paths,
    listing,
    scalars_in,
    shm_exists,
)
from .ipc import MQUEUE_DIR, new_mqueues, new_sysv, sysv_entries
from .live import child_pids, new_children, new_threads, threads_now


def warm_up(ctx: BaseContext) -> None:
    """Start the helpers a run of ``ctx`` would start anyway, so they predate the snapshot.

    The resource tracker and the forkserver are started once and kept for the life of the
    interpreter, with their descriptors and processes: not a run's leftovers.
    """
    resource_tracker.ensure_running()
    if ctx.get_start_method() == "forkserver":
        with left_unchosen():  # starting the server reads (and so fixes) the default
            forkserver.ensure_running()


def in_directory(directory: str, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Child side: run ``target(*args)`` with ``directory`` as this process's temp directory.

    Changing ``tempfile.tempdir`` and ``TMPDIR`` is safe here: this is the run's own child
    process, and only it (and what it starts) sees the change.
    """
    tempfile.tempdir = directory
    os.environ["TMPDIR"] = directory
    target(*args)


@dataclass(frozen=True)
class Leftovers:
    """What a run left behind, each entry named: every field should be empty."""

    processes: tuple[str, ...] = ()
    threads: tuple[str, ...] = ()
    fds: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()  # message queues and System V objects, each already in words

    def evidence(self) -> list[str]:
        """One line per leftover, in words (the ``left-behind`` invariant's and the plugin's)."""
        lines = [f"process still alive: {name}" for name in self.processes]
        lines += [f"thread still running: {name}" for name in self.threads]
        lines += [_segment_line(name) for name in self.segments]
        lines += [f"path not removed: {path}" for path in self.paths]
        lines += list(self.ipc)
        if self.fds:
            lines.append(f"{len(self.fds)} file descriptor(s) leaked: {', '.join(self.fds)}")
        return lines


def _segment_line(name: str) -> str:
    """A /dev/shm entry in words: glibc keeps a named POSIX semaphore ``/x`` there as ``sem.x``."""
    if name.startswith(NAMED_SEMAPHORE_PREFIX):
        return f"named semaphore not unlinked: /{name.removeprefix(NAMED_SEMAPHORE_PREFIX)}"
    return f"shared-memory segment not unlinked: {name}"


class WatchedGroup(ProcessGroup):
    """A ProcessGroup that tells its watch what each start shows, and runs children in its directory."""

    def __init__(self, ctx: BaseContext, watch: Watch) -> None:
        super().__init__(ctx)
        self.watch = watch

    def start(
        self, target: Callable[..., Any], args: Iterable[Any] = (), role: Role | str = "child"
    ) -> BaseProcess:
        args = tuple(args)
        self.watch.saw_start(args)
        process = super().start(in_directory, (self.watch.directory, target, args), role)
        self.watch.own_pids.add(process.pid)
        return process


class Watch:
    """Snapshots on entry; ``finish`` once everything watched has stopped; the directory removed on exit.

    ``directory`` is the watched code's own temporary directory: whatever is left in it is
    reported, then removed with it. ``evidence`` collects what ties an entry to the run.
    """

    def __init__(self, prefix: str = "ipccheck-run-") -> None:
        self.temp_root = tempfile.gettempdir()
        self.threads = threads_now()
        self.children = child_pids()
        self.fds = open_fds()
        self.shm = listing(SHM_DIR)
        self.temp = listing(self.temp_root)
        self.mqueues = listing(MQUEUE_DIR)
        self.sysv = sysv_entries()
        self.directory = tempfile.mkdtemp(prefix=prefix)
        self.evidence = Evidence()
        self.own_pids: set[int | None] = set()
        # Where a mapped file can be an entry the watch reports: /dev/shm and the temp root.
        self.watched_dirs = (SHM_DIR, self.temp_root, os.path.realpath(self.temp_root))

    def group(self, ctx: BaseContext) -> WatchedGroup:
        """A process group for the run: every child of the run is started through it."""
        return WatchedGroup(ctx, self)

    def saw_start(self, args: tuple[Any, ...]) -> None:
        """A child is about to start: note the names it is handed and what this process holds."""
        self.evidence.saw(*scalars_in(args))
        self.note_held_paths(listing(SHM_DIR), self.temp_listing())

    def finish(
        self, unreaped: Iterable[str] = (), shm_names: Iterable[str] = (), paths: Iterable[str] = ()
    ) -> Leftovers:
        """Everything left: ``unreaped`` processes of the run's group, and what the watch finds.

        ``shm_names`` and ``paths`` are what the watched code reported making: each is left if
        it still exists. Call it once the run's own processes were stopped.
        """
        shm_now, temp_now = listing(SHM_DIR), self.temp_listing()
        self.note_held_paths(shm_now, temp_now)
        if self.maybe_left(shm_now, temp_now):
            gc.collect()  # an unreferenced Connection or TemporaryDirectory goes on collection
            shm_now, temp_now = listing(SHM_DIR), self.temp_listing()
        opened = new_fds(self.fds, open_fds())
        threads = new_threads(self.threads)
        strays = new_children(self.children, self.own_pids)
        # What a process left running holds is the run's; a pipe shared with it (its sentinel,
        # say) is reported with that process rather than as a descriptor of its own.
        shared = set().union(*(held_paths(pid) for pid in child_pids() - self.children))
        fds = [fd for fd in opened if fd_target(fd) not in shared]
        self.evidence.saw(shared)
        in_run = sorted(os.path.join(self.directory, name) for name in os.listdir(self.directory))
        self.remove_directory()
        segments = {name.lstrip("/") for name in shm_names if shm_exists(name)}
        segments.update(self.evidence.segments(self.shm, shm_now))
        left_paths = {path for path in paths if os.path.lexists(path)} | set(in_run)
        left_paths.update(self.evidence.paths(self.temp_root, self.temp, temp_now))
        return Leftovers(
            processes=tuple(unreaped) + tuple(strays.values()),
            threads=threads,
            fds=tuple(describe_fd(fd) for fd in fds),
            segments=tuple(sorted(segments)),
            paths=tuple(sorted(left_paths)),
            ipc=tuple(
                new_mqueues(self.evidence, self.mqueues, listing(MQUEUE_DIR))
                + new_sysv(self.evidence, self.sysv, sysv_entries(), {*self.own_pids, os.getpid()})
            ),
        )

    def maybe_left(self, shm_now: Listing, temp_now: Listing) -> bool:
        """Could collecting garbage close or remove something the run would be blamed for?

        Collecting is the slow part of a watch (0.1-0.4 s in a test process), so it is done only
        then: a new descriptor, something in the run's own directory, or a new entry in /dev/shm
        or the temp root that the evidence ties to the run. Entries other processes make (a
        parallel test run's) are no reason: collecting here cannot remove them.
        """
        return bool(
            new_fds(self.fds, open_fds()) or os.listdir(self.directory)
            or self.evidence.segments(self.shm, shm_now)
            or self.evidence.paths(self.temp_root, self.temp, temp_now)
        )

    def note_held_paths(self, shm_now: Listing, temp_now: Listing) -> None:
        """Add what this process holds under the watched directories to the evidence.

        Only an entry new since the watch began can be tied to the run, so with none the
        reading of ``/proc/self/maps`` (milliseconds in a big process) is skipped.
        """
        if shm_now - self.shm or temp_now - self.temp:
            self.evidence.saw(held_paths(mapped_within=self.watched_dirs))

    def temp_listing(self) -> Listing:
        """The temp root's entries now, but for the run's own directory (reported on its own)."""
        own = os.path.basename(self.directory)
        return frozenset(entry for entry in listing(self.temp_root) if entry[0] != own)

    def remove_directory(self) -> None:
        """Remove the run's own temporary directory and whatever its children left in it."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Watch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove_directory()
