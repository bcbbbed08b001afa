"""Hand-made records for tests: children and exit codes, written as ``{"producer-1": -9}``."""

from __future__ import annotations

import dataclasses

from ipccheck.outcome import Outcome
from ipccheck.processes import Child, Role


def role(name: str) -> Role:
    """``producer-1`` -> Role("producer", 1); a name with no index is a role of its own."""
    kind, _, index = name.rpartition("-")
    return Role(kind, int(index)) if kind and index.isdigit() else Role(name)


def children(exits: dict[str, int | None]) -> tuple[Child, ...]:
    """Children with these names and exit codes, in the order given."""
    return tuple(Child(role(name), code) for name, code in exits.items())


def with_exits(outcome: Outcome, exits: dict[str, int | None]) -> Outcome:
    """``outcome`` with the named children's exit codes replaced (or the children added)."""
    merged = {**outcome.exitcodes, **exits}
    return dataclasses.replace(outcome, children=children(merged))
