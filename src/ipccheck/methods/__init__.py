"""The reference implementations: one module per way two Python processes can share data.

Each module is the correct pattern a reader should copy, and is a ``protocol.ReferenceMethod``:
``NAME`` (used by the command), ``FAMILY`` (state or channel), ``DESCRIPTION`` (one line) and
``execute(workload, ctx, group, deadline, observation)``, which starts workers through
``group``, never waits past ``deadline`` and writes what it saw into ``observation``. The type
checker holds every module to that contract through the annotation of ``REFERENCE``.

The pool methods are also ``pooling.PoolMethod``s: their modes are call styles, and each says
which options it takes (``require_options``). ``POOLS`` holds them by name.
"""

from __future__ import annotations

from ..protocol import ReferenceMethod
from . import (
    array,
    file,
    joinable_queue,
    manager,
    manager_queue,
    manager_tcp,
    pipe,
    pool,
    process_pool,
    queue,
    raw_array,
    shareable_list,
    shared_memory_segment,
    simple_queue,
    socket_stream,
    value,
)
from .pooling import PoolMethod

REFERENCE: tuple[ReferenceMethod, ...] = (
    value,
    raw_array,
    array,
    shared_memory_segment,
    shareable_list,
    manager,
    manager_tcp,
    pipe,
    pool,
    process_pool,
    queue,
    simple_queue,
    joinable_queue,
    manager_queue,
    file,
    socket_stream,
    pool,
    process_pool,
)
POOLS: dict[str, PoolMethod] = {method.NAME: method for method in (pool, process_pool)}

METHODS: dict[str, ReferenceMethod] = {method.NAME: method for method in REFERENCE}
