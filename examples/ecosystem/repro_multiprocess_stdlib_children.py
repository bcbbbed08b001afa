"""multiprocess: its Queue is made for multiprocess's own Process, not the standard library's.

A standard-library spawn child is refused when the queue is pickled for it. A standard-library
fork child's items may never arrive: its put() only hands them to a feeder thread, and the
child ends in ``os._exit`` after running the standard library's finalizers, not
multiprocess's, which are the ones that would wait for that thread. The same steps with
multiprocess's own children deliver everything. Exits 1 when standard-library children lose
items.

    python repro_multiprocess_stdlib_children.py
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
from typing import Any

import multiprocess

ITEMS = 1000
ROUNDS = 5


def producer(shared: Any) -> None:
    for item in range(ITEMS):
        shared.put(item)
    shared.close()  # what ipccheck calls too: it closes, it does not wait for the feeder thread


def one_round(children: Any, method: str) -> str:
    """``ITEMS`` items through a multiprocess Queue from one child of ``children``."""
    shared = multiprocess.get_context(method).Queue()
    child = children.get_context(method).Process(target=producer, args=(shared,))
    try:
        child.start()
    except RuntimeError as exc:  # raised while pickling the queue for a spawn child
        return f"start() raised RuntimeError: {exc}"
    received = 0
    try:
        while received < ITEMS:
            shared.get(timeout=5)
            received += 1
    except queue.Empty:
        pass
    child.join(30)
    shared.close()
    shared.join_thread()
    return f"received {received} of {ITEMS}, child exit code {child.exitcode}"


def main() -> int:
    lost = False
    for method in ("fork", "spawn"):
        for children in (multiprocess, multiprocessing):
            results = [one_round(children, method) for _ in range(ROUNDS if method == "fork" else 1)]
            for result in dict.fromkeys(results):
                print(f"{method:5} children from {children.__name__:15} {result} "
                      f"({results.count(result)} of {len(results)} rounds)")
            lost |= children is multiprocessing and any(
                not result.startswith(f"received {ITEMS} ") for result in results
            )
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
