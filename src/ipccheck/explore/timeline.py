"""Show a run as people read it: a timeline with one column per worker and one row per step."""

from __future__ import annotations

from typing import Any

from .model import BLOCKED, DEADLOCK, FINISHED, Run, Turn

__all__ = ["DEADLOCK", "as_json", "cell", "deadlock_line", "holders", "render"]

MIN_WIDTH = 14


def cell(turn: Turn) -> str:
    """What one turn did, with the value it read or wrote."""
    if turn.status == FINISHED:
        return "(finished)"
    if turn.status == BLOCKED:
        return f"{turn.step} (blocked)"
    op = turn.step.split()[0]
    if op == "read":
        return f"read (got {turn.read})"
    if op == "write":
        return f"write {turn.wrote}"
    if op == "check":
        return f"{turn.step} (got {turn.read})"
    if op == "act":
        if turn.wrote is None:
            return f"{turn.step} (skipped)"
        return f"{turn.step} (got {turn.read}, wrote {turn.wrote})"
    return turn.step


def holders(run: Run) -> dict[str, int]:
    """Which worker holds each lock at the end of ``run``."""
    held: dict[str, int] = {}
    for turn in run.turns:
        if turn.status != "stepped":
            continue
        op, _, name = turn.step.partition(" ")
        if op == "lock":
            held[name] = turn.worker
        elif op == "unlock":
            held.pop(name, None)
    return held


def deadlock_line(run: Run) -> str:
    """``deadlock: worker 0 waits for lock b (held by worker 1), ...``."""
    held = holders(run)
    parts = []
    for worker, lock in run.waiting:
        owner = held.get(lock)
        by = f" (held by worker {owner})" if owner is not None else ""
        parts.append(f"worker {worker} waits for lock {lock}{by}")
    return "deadlock: " + ", ".join(parts)


def render(run: Run, procs: int) -> str:
    """The timeline table of ``run`` for ``procs`` workers."""
    cells = [cell(turn) for turn in run.turns]
    width = max([MIN_WIDTH, *(len(text) for text in cells)])
    titles = [f"worker {w}" for w in range(procs)]
    lines = ["step  " + "  ".join(f"{t:<{width}}" for t in titles).rstrip()]
    lines.append("----  " + "  ".join("-" * width for _ in titles))
    for number, (turn, text) in enumerate(zip(run.turns, cells, strict=True), start=1):
        row = ["" for _ in range(procs)]
        row[turn.worker] = text
        lines.append(f"{number:>4}  " + "  ".join(f"{c:<{width}}" for c in row).rstrip())
    return "\n".join(lines)


def as_json(run: Run) -> list[dict[str, Any]]:
    """One object per step: who, what, and the values read and written."""
    return [
        {
            "step": number,
            "worker": turn.worker,
            "op": turn.step,
            "status": turn.status,
            "read": turn.read,
            "wrote": turn.wrote,
        }
        for number, turn in enumerate(run.turns, start=1)
    ]
