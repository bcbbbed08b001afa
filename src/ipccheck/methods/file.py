"""``file``: each producer writes its records to a file of its own; the parent reads them back.

One file per producer avoids interleaved writes altogether. The parent reads a file only after
its producer has exited (a closed file is complete), ignores a last line cut short by a
producer that died mid-write, and always removes the temporary directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from multiprocessing.context import BaseContext

from ..channel import messages, record
from ..faults import Fault
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, Observation, WorkSpec, producer_role

NAME = "file"
FAMILY = CHANNEL
DESCRIPTION = "each producer writes records to its own file, read back after it exits"


def producer(path: str, producer_id: int, base: int, mode: str, fault: Fault | None = None) -> None:
    with open(path, "w", encoding="ascii") as stream:
        for sender, n in messages(producer_id, base, mode, fault):
            stream.write(f"{sender} {n}\n")


def read_records(path: str, observation: Observation) -> None:
    """Record every complete line of ``path`` (a missing file means the producer never wrote)."""
    try:
        with open(path, encoding="ascii") as stream:
            for line in stream:
                if not line.endswith("\n"):
                    return  # the producer died mid-record
                sender, n = line.split()
                record(observation, (int(sender), int(n)))
    except FileNotFoundError:
        return


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    directory = tempfile.mkdtemp(prefix="ipccheck-file-")
    observation.paths.append(directory)
    try:
        paths = [os.path.join(directory, f"producer-{index}.txt") for index in range(workload.procs)]
        for index, path in enumerate(paths):
            args = (path, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, role=producer_role(index))
        group.join(deadline)  # a file producer never blocks on its reader, so joining first is safe
        for path in paths:
            read_records(path, observation)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
