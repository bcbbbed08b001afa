"""What a run left behind: processes, threads, descriptors, shared-memory segments, temp paths.

``Watch`` watches one run (``watch``); the other modules each know one kind of leftover:
``live`` (threads and child processes), ``descriptors`` (file descriptors) and ``entries``
(segments in ``/dev/shm`` and paths in the temp directory, and the evidence that ties them to
a run when other processes are adding entries there too).
"""

from __future__ import annotations

from .descriptors import describe_fd, new_fds, open_fds
from .entries import attach_untracked, held_paths, listing, shm_exists
from .live import child_pids, new_children, new_threads, threads_now
from .watch import Leftovers, Watch, WatchedGroup, warm_up

__all__ = [
    "Leftovers",
    "Watch",
    "WatchedGroup",
    "attach_untracked",
    "child_pids",
    "describe_fd",
    "held_paths",
    "listing",
    "new_children",
    "new_fds",
    "new_threads",
    "open_fds",
    "shm_exists",
    "threads_now",
    "warm_up",
]
