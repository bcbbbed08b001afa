"""What a hazard is: a mistake, a demonstration that shows it, and the fix that holds.

Every hazard module builds ``Hazard`` records from these pieces and lists them in its
``HAZARDS`` tuple; ``catalogue`` collects those tuples and runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext

# No single demonstration or fix waits longer than this: a hazard shows a hang by waiting a
# short while (see each module), never by hanging.
HAZARD_TIMEOUT = 20.0


@dataclass(frozen=True)
class Finding:
    """What one demonstration or fix observed: did it show what it should, and the evidence."""

    held: bool
    evidence: str


@dataclass(frozen=True)
class Hazard:
    """One mistake: what goes wrong, how to show it, and the pattern that fixes it.

    ``demonstrate`` and ``repair`` get the context to start children with. ``per_start_method``
    is False when the mistake does not depend on how children start (a ctypes typecode, a
    second program started with ``subprocess``): ``--start-method all`` then runs it once.
    """

    name: str
    what: str
    fix: str
    demonstrate: Callable[[BaseContext], Finding]
    repair: Callable[[BaseContext], Finding]
    per_start_method: bool = True
