"""``shared-memory``: a ``SharedMemory`` segment with one 8-byte slot per worker.

The parent creates the segment and is the only one that unlinks it, always, in ``finally``.
Workers attach by name, write only their own slot, and close (never unlink) their mapping.
"""

from __future__ import annotations

import struct
import sys
from multiprocessing import shared_memory
from multiprocessing.context import BaseContext

from ..faults import Fault, strike
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "shared-memory"
FAMILY = STATE
DESCRIPTION = "a SharedMemory segment, one 8-byte slot per worker, unlinked by the parent"

SLOT = struct.Struct("q")


def attach(name: str) -> shared_memory.SharedMemory:
    """Attach to an existing segment from a worker.

    From Python 3.13 ``track=False`` keeps the worker out of the resource tracker's books:
    the parent owns the segment. Before 3.13 the worker registers it with the tracker it shares
    with the parent; the parent's ``unlink`` unregisters it again, so nothing is reported leaked.
    """
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    return shared_memory.SharedMemory(name=name)


def buffer_of(segment: shared_memory.SharedMemory) -> memoryview:
    """The segment's memory; a closed segment has none, which is a bug in the caller."""
    if segment.buf is None:
        raise ValueError(f"shared-memory segment {segment.name!r} is already closed")
    return segment.buf


def worker(segment_name: str, index: int, base: int, fault: Fault | None = None) -> None:
    segment = attach(segment_name)
    try:
        slots = buffer_of(segment).cast("q")
        try:
            for done in range(base):
                strike(fault, index, done)  # a fault strikes between increments
                slots[index] += 1  # only this worker writes slot ``index``
            strike(fault, index, base)
        finally:
            slots.release()  # a live view would make close() fail with BufferError
    finally:
        segment.close()


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    segment = shared_memory.SharedMemory(create=True, size=SLOT.size * workload.procs)
    observation.shm_names.append(segment.name)
    try:
        buffer_of(segment)[:] = bytes(segment.size)  # macOS may round the size up; zero it all
        for index in range(workload.procs):
            args = (segment.name, index, workload.base, workload.fault)
            group.start(worker, args, role=worker_role(index))
        group.join(deadline)
        observation.slots = [
            SLOT.unpack_from(buffer_of(segment), index * SLOT.size)[0]
            for index in range(workload.procs)
        ]
        observation.state_total = sum(observation.slots)
    finally:
        segment.close()
        segment.unlink()
