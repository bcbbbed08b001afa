"""Histories: what each process called on a shared object, when, and what came back.

An ``Operation`` is one call as the calling process saw it: its arguments, its result (or the
name of the exception it raised) and two clock readings, taken just before the call and just
after the return. A ``History`` is every operation of every process, checked to be well formed:
each operation returns no earlier than it was called, and each process makes one call at a
time, so its operations are strictly ordered in time. That second rule is what lets a checker
describe "which operations have taken effect" by one counter per process.

Real time is the only order between processes: ``a`` precedes ``b`` when ``a`` returned before
``b`` was called (``a.ret < b.call``). Equal readings prove nothing, so they count as overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# The process number of the parent, which runs a scenario's setup and teardown parts.
MAIN = -1


@dataclass(frozen=True)
class Operation:
    """One completed call: who, what, with which arguments, what came back, and when (ns)."""

    process: int
    name: str
    args: tuple[Any, ...]
    result: Any
    error: str | None  # the exception's class name ("Empty"), or None if it returned
    call: int  # time.monotonic_ns() just before the call
    ret: int  # time.monotonic_ns() just after the return
    detail: str = field(default="", compare=False)  # the exception's message, for reports

    def invocation(self) -> str:
        """``put(1)``: the call as written."""
        return f"{self.name}({', '.join(repr(arg) for arg in self.args)})"

    def outcome(self) -> str:
        """``2``, ``None`` or ``raised Empty``: what the call gave back."""
        return f"raised {self.error}" if self.error is not None else repr(self.result)

    def __str__(self) -> str:
        return f"{self.invocation()}: {self.outcome()}"


def process_label(process: int) -> str:
    """``P0``, ``P1``...; the parent's setup and teardown operations are ``main``."""
    return "main" if process == MAIN else f"P{process}"


def describe(op: Operation, start: int = 0) -> str:
    """``P1 get(): 2 [12.5-14.0 µs]``: an operation with its interval, relative to ``start``."""
    return (
        f"{process_label(op.process)} {op} "
        f"[{(op.call - start) / 1000:.1f}-{(op.ret - start) / 1000:.1f} µs]"
    )


def precedes(a: Operation, b: Operation) -> bool:
    """Did ``a`` return before ``b`` was called? Then ``a`` must take effect first."""
    return a.ret < b.call


class History:
    """The operations of every process, validated; iterate for them in order of call time."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        ops = list(operations)
        for op in ops:
            if not isinstance(op, Operation):
                raise TypeError(f"a history holds Operation records, got {type(op).__name__}")
            if op.ret < op.call:
                raise ValueError(f"{describe(op)} returned before it was called")
        lanes: dict[int, list[Operation]] = {}
        for op in sorted(ops, key=lambda op: (op.process, op.call)):
            lane = lanes.setdefault(op.process, [])
            if lane and lane[-1].ret >= op.call:
                raise ValueError(
                    f"process {process_label(op.process)} called {op.invocation()} before "
                    f"its previous operation {lane[-1].invocation()} returned; "
                    "each process must make one call at a time"
                )
            lane.append(op)
        self.lanes: dict[int, tuple[Operation, ...]] = {p: tuple(lane) for p, lane in lanes.items()}
        self.operations: tuple[Operation, ...] = tuple(
            sorted(ops, key=lambda op: (op.call, op.process))
        )

    @property
    def start(self) -> int:
        """The first call time, 0 for an empty history: reports give times relative to it."""
        return self.operations[0].call if self.operations else 0

    @property
    def processes(self) -> tuple[int, ...]:
        return tuple(sorted(self.lanes))

    def __len__(self) -> int:
        return len(self.operations)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __repr__(self) -> str:
        return f"History({len(self)} operations from {len(self.lanes)} processes)"
