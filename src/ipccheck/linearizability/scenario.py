"""Scenarios: what each process will do to the shared object, written down before it runs.

A scenario is Lincheck's shape: an optional ``setup`` part the parent runs alone first, a
``parallel`` part (one short list of calls per child process, all released at once), and an
optional ``teardown`` part the parent runs after every child's last call returned. Put
values are numbered so that each is unique (which lets the fast queue check judge them);
``payload`` > 0 turns each into a ``Bulk`` value that pickles as that many ints, to give a
queue's feeder thread real work, as a large item would.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .._validate import MAX_PROCS, require_count

# Bounds that keep one scenario finite; generated scenarios are far smaller (verify.py).
MAX_CALLS = 1_000_000
MAX_PAYLOAD = 10_000_000


@dataclass(frozen=True)
class Call:
    """One call a scenario makes: ``Call("put", (1,))``."""

    name: str
    args: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return f"{self.name}({', '.join(repr(arg) for arg in self.args)})"


class Bulk:
    """A value that pickles as ``size`` ints but compares, hashes and prints by its tag."""

    def __init__(self, tag: int, size: int) -> None:
        self.tag = tag
        self.body = list(range(size))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bulk) and other.tag == self.tag

    def __hash__(self) -> int:
        return hash(("Bulk", self.tag))

    def __repr__(self) -> str:
        return f"<{self.tag}: {len(self.body)} ints>"


def carried(argument: Any, payload: int) -> Any:
    """A put's value as sent: ``argument`` itself, or a Bulk of ``payload`` ints tagged with it."""
    return Bulk(argument, payload) if payload else argument


@dataclass(frozen=True)
class Scenario:
    """Setup calls, one list of calls per child process, teardown calls, and the payload size."""

    parallel: tuple[tuple[Call, ...], ...]
    setup: tuple[Call, ...] = ()
    teardown: tuple[Call, ...] = ()
    payload: int = 0

    def __post_init__(self) -> None:
        require_count("processes", len(self.parallel), minimum=1, maximum=MAX_PROCS)
        require_count("calls", self.size, minimum=1, maximum=MAX_CALLS)
        require_count("payload", self.payload, minimum=0, maximum=MAX_PAYLOAD)
        for call in self.calls():
            if not isinstance(call, Call):
                raise TypeError(f"a scenario holds Call records, got {type(call).__name__}")

    def calls(self) -> list[Call]:
        return [*self.setup, *(c for part in self.parallel for c in part), *self.teardown]

    @property
    def size(self) -> int:
        return len(self.calls())

    def value(self, argument: Any) -> Any:
        """What a put really sends for ``argument``: itself, or a Bulk carrying the payload."""
        return carried(argument, self.payload)

    def __str__(self) -> str:
        lines = []
        if self.setup:
            lines.append(f"setup:     {', '.join(map(str, self.setup))}")
        for index, part in enumerate(self.parallel):
            lines.append(f"process {index}: {', '.join(map(str, part)) or '(nothing)'}")
        if self.teardown:
            lines.append(f"teardown:  {', '.join(map(str, self.teardown))}")
        if self.payload:
            lines.append(f"each put value carries {self.payload:,} ints")
        return "\n".join(lines)


def parse_call(text: str) -> Call:
    """``"get"``, ``"get()"`` or ``"set('a', 1)"`` as a Call (arguments are Python literals)."""
    name, paren, rest = text.strip().partition("(")
    if not name.isidentifier() or (paren and not rest.endswith(")")):
        raise ValueError(f"a call looks like name or name(literal, ...), got {text!r}")
    inside = rest[:-1].strip()
    try:
        args = ast.literal_eval(f"({inside},)") if inside else ()
    except (ValueError, SyntaxError):
        raise ValueError(f"the arguments of {text!r} must be Python literals") from None
    return Call(name, args)


def scenario(
    *parallel: list[str] | tuple[str, ...],
    setup: tuple[str, ...] | list[str] = (),
    teardown: tuple[str, ...] | list[str] = (),
    payload: int = 0,
) -> Scenario:
    """A scenario from calls written as text; a bare ``put`` gets the next unique value.

    >>> print(scenario(["put", "get"], ["get_nowait"], setup=["put"]))
    setup:     put(1)
    process 0: put(2), get()
    process 1: get_nowait()
    """
    numbered = 0

    def calls(texts: tuple[str, ...] | list[str]) -> tuple[Call, ...]:
        nonlocal numbered
        made = []
        for text in texts:
            call = parse_call(text)
            if call.name == "put" and not call.args:
                numbered += 1
                call = Call("put", (numbered,))
            made.append(call)
        return tuple(made)

    first = calls(setup)
    middle = tuple(calls(part) for part in parallel)
    return Scenario(middle, first, calls(teardown), payload)
