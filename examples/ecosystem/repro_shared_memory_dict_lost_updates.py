"""shared-memory-dict: ``d["count"] += 1`` from several processes loses updates. The read and
the write are two separate operations, and the lock the library offers (only with
``SHARED_MEMORY_USE_LOCK=1``) guards each write alone, never the read before it. Exits 1 when
the total comes out short.

    python repro_shared_memory_dict_lost_updates.py
"""

from __future__ import annotations

import multiprocessing
import sys
import uuid
from multiprocessing.synchronize import Barrier

from shared_memory_dict import SharedMemoryDict

PROCS = 4
INCREMENTS = 20_000
SIZE = 1024


def worker(name: str, start: Barrier) -> None:
    shared = SharedMemoryDict(name=name, size=SIZE)
    start.wait()  # every worker starts at once
    for _ in range(INCREMENTS):
        shared["count"] += 1
    shared.shm.close()


def main() -> int:
    ctx = multiprocessing.get_context("spawn")
    name = f"repro-{uuid.uuid4().hex[:12]}"
    shared = SharedMemoryDict(name=name, size=SIZE)
    shared["count"] = 0
    try:
        start = ctx.Barrier(PROCS)
        workers = [ctx.Process(target=worker, args=(name, start)) for _ in range(PROCS)]
        for process in workers:
            process.start()
        for process in workers:
            process.join(120)
        codes = [process.exitcode for process in workers]
        total = shared["count"]
    finally:
        shared.shm.close()
        shared.shm.unlink()
    expected = PROCS * INCREMENTS
    print(f"{PROCS} spawn processes x {INCREMENTS} increments: expected {expected}, got {total} "
          f"({expected - total} lost); exit codes {codes}")
    return 1 if total != expected else 0


if __name__ == "__main__":
    sys.exit(main())
