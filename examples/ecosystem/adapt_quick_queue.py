"""quick-queue: a multiprocessing Queue that sends items in buckets.

A producer's last, partial bucket is only sent by ``put_remain()`` (or ``end()``): the adapter
names it ``flush()``, which the kit calls in every producer after its last put.
"""

from __future__ import annotations

from typing import Any

from quick_queue.quick_queue import QuickQueue


class Bucketed:
    def __init__(self, ctx: Any) -> None:
        self._queue = QuickQueue(ctx=ctx)

    def put(self, item: Any) -> None:
        self._queue.put(item)

    def get(self, timeout: float | None = None) -> Any:
        return self._queue.get(timeout=timeout)

    def flush(self) -> None:
        self._queue.put_remain()

    def close(self) -> None:
        self._queue.close()
        self._queue.join_thread()
