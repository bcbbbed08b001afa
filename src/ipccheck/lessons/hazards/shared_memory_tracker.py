"""A second program attaching to a SharedMemory segment: its resource tracker unlinks it.

The second process is a separate Python program (as when two scripts share a segment by name),
started with subprocess: a multiprocessing child would share our resource tracker and so could
not show the problem. For the same reason the start method plays no part
(``per_start_method=False``). subprocess.run's timeout kills the program if it ever hangs, and
the creator always closes and unlinks its segment.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.context import BaseContext

from ... import leftovers
from .hazard import HAZARD_TIMEOUT, Finding, Hazard

ATTACH = """
import sys
from multiprocessing import shared_memory
segment = shared_memory.SharedMemory(name=sys.argv[1])
segment.buf[0] = 42
segment.close()
"""
ATTACH_UNTRACKED = """
import sys
from multiprocessing import resource_tracker, shared_memory
if sys.version_info >= (3, 13):
    segment = shared_memory.SharedMemory(name=sys.argv[1], track=False)
else:  # before 3.13: take the segment back out of this process's tracker
    segment = shared_memory.SharedMemory(name=sys.argv[1])
    resource_tracker.unregister(segment._name, "shared_memory")
segment.buf[0] = 42
segment.close()
"""
TRACKER_WARNING = "leaked shared_memory"
GONE = "was unlinked under the creator, who still uses it"


@dataclass(frozen=True)
class Attached:
    """What the creator saw after another program attached to its segment and exited."""

    name: str
    warned: bool  # the other program's resource tracker printed the "leaked" warning
    warning: str
    still_there: bool  # the segment still existed afterwards
    byte: int  # what the other program wrote into it


def _attach_from_other_program(code: str) -> Attached:
    """Create a segment, let another program attach and exit, then always remove the segment."""
    segment = shared_memory.SharedMemory(create=True, size=16)
    try:
        view = segment.buf
        if view is None:  # only after close(); typeshed cannot know it is still open
            raise RuntimeError("a new shared-memory segment has no buffer")
        view[0] = 0
        done = subprocess.run(
            [sys.executable, "-c", code, segment.name],
            capture_output=True,
            text=True,
            timeout=HAZARD_TIMEOUT,
        )  # waits for EOF on stderr, so also for the other program's resource tracker
        lines = [line for line in done.stderr.splitlines() if TRACKER_WARNING in line]
        said = lines[0][lines[0].find("resource_tracker:") :].strip() if lines else ""
        still_there = leftovers.shm_exists(segment.name)
        return Attached(segment.name, bool(lines), said, still_there, view[0])
    finally:
        segment.close()
        try:
            segment.unlink()
        except FileNotFoundError:  # the other program's tracker already removed it
            # ``_name`` is the name as registered (with its leading slash); there is no public one.
            resource_tracker.unregister(segment._name, "shared_memory")  # type: ignore[attr-defined]


def demo_shared_memory_tracker(_ctx: BaseContext) -> Finding:
    seen = _attach_from_other_program(ATTACH)
    evidence = (
        f"a second program attached, wrote {seen.byte} and exited; its resource tracker "
        f"{'warned: ' + repr(seen.warning) if seen.warned else 'printed no warning'} and the "
        f"segment {'is still there' if seen.still_there else GONE}"
    )
    return Finding(seen.warned and not seen.still_there and seen.byte == 42, evidence)


def untracked_how() -> str:
    """How this Python attaches without registering with its resource tracker."""
    return "track=False" if sys.version_info >= (3, 13) else "resource_tracker.unregister()"


def fix_shared_memory_tracker(_ctx: BaseContext) -> Finding:
    seen = _attach_from_other_program(ATTACH_UNTRACKED)
    held = not seen.warned and seen.still_there and seen.byte == 42
    evidence = (
        f"attaching with {untracked_how()}: the second program wrote {seen.byte}, "
        f"{'warned: ' + repr(seen.warning) if seen.warned else 'no warning'}, and the segment "
        f"{'stayed until its creator unlinked it' if seen.still_there else 'was unlinked early'}"
    )
    return Finding(held, evidence)


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "shared-memory-tracker",
        "a second program that attaches to a SharedMemory segment registers it with its "
        "own resource tracker, which warns of a leak and unlinks the segment when that "
        "program exits, under the creator's feet",
        "attach with track=False (Python 3.13+), or resource_tracker.unregister() before "
        "3.13; only the creator unlinks",
        demo_shared_memory_tracker,
        fix_shared_memory_tracker,
        per_start_method=False,
    ),
)
