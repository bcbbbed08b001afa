"""billiard: a closed Process still holds its arguments, so a Queue handed to a child keeps a
pipe descriptor open after the child exited, the Process was closed and the Queue was closed.

The standard library's ``Process.start()`` drops its target and arguments once the child is
started; billiard's keeps them for as long as the Process object lives. Same steps with both,
under each start method; exits 1 if billiard left a descriptor that multiprocessing did not.

    python repro_billiard_process_keeps_args.py
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from typing import Any

import billiard


def open_fds() -> dict[int, str]:
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            found[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # the descriptor listdir itself used
    return found


def producer(queue: Any) -> None:
    queue.put("end")


def one_round(ctx: Any) -> Any:
    """A queue through one child and back; everything closed. Returns the closed Process."""
    queue = ctx.Queue()
    child = ctx.Process(target=producer, args=(queue,))
    child.start()
    assert queue.get(timeout=30) == "end"
    child.join(30)
    child.close()
    queue.close()
    queue.join_thread()
    return child


def left_open(library: Any, method: str) -> tuple[dict[int, str], str]:
    """Descriptors still open after a round while the (closed) Process object is kept, and
    what that Process still holds as its arguments."""
    ctx = library.get_context(method)
    one_round(ctx)  # the first round starts the helpers kept for life (trackers, server)
    gc.collect()
    before = open_fds()
    child = one_round(ctx)
    gc.collect()
    left = {fd: what for fd, what in open_fds().items() if fd not in before}
    holds = repr(getattr(child, "_args", "nothing (dropped at start)"))
    del child
    gc.collect()
    return left, holds


def main() -> int:
    defect = False
    for method in ("fork", "spawn", "forkserver"):
        for library in (multiprocessing, billiard):
            left, holds = left_open(library, method)
            print(f"{library.__name__:15} {method:10} open after close(): {left or 'nothing'}; "
                  f"Process._args: {holds}")
            defect |= library is billiard and bool(left)
    if defect:
        print("billiard: the closed Process still holds the Queue, so the Queue's pipe stays open")
    return 1 if defect else 0


if __name__ == "__main__":
    sys.exit(main())
