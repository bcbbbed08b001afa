"""Value typecodes: a C type under the Python name, so it wraps silently and takes bytes.

Two mistakes of the same kind, neither about how children start (``per_start_method=False``):
``Value('i')`` is a 32-bit C int that wraps past 2**31 - 1 without an error, and the tutorials'
``Value('s', ...)`` / ``Value('c', 'a')`` do not exist as written.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from multiprocessing.sharedctypes import Synchronized, SynchronizedString
from typing import cast

from ...processes import Deadline, ProcessGroup, Role
from .hazard import HAZARD_TIMEOUT, Finding, Hazard

HALF = 2**30  # each of two workers adds this: the true total, 2**31, does not fit in a C int


# --- Value('i') wraps at 2**31 ----------------------------------------------------------------


def add_under_lock(counter: Synchronized[int], amount: int) -> None:
    """Add ``amount`` to a shared Value correctly locked: only the type can go wrong here."""
    with counter.get_lock():
        counter.value += amount


def _two_halves(ctx: BaseContext, typecode: str) -> tuple[int, list[int | None]]:
    """Two workers each add 2**30 to a Value of ``typecode``; the true total is 2**31."""
    counter: Synchronized[int] = ctx.Value(typecode, 0)
    with ProcessGroup(ctx) as group:
        for index in range(2):
            group.start(add_under_lock, (counter, HALF), role=Role("adder", index))
        group.join(Deadline(HAZARD_TIMEOUT))
    return counter.value, list(group.exitcodes().values())


def demo_value_wraps(ctx: BaseContext) -> Finding:
    total, codes = _two_halves(ctx, "i")
    return Finding(
        total == -(2**31) and codes == [0, 0],
        f"two workers each added 2**30 under the lock to Value('i', 0): it reads {total}, "
        f"not {2**31}; no error was raised anywhere (exit codes {codes})",
    )


def fix_value_wraps(ctx: BaseContext) -> Finding:
    total, codes = _two_halves(ctx, "q")
    return Finding(
        total == 2**31 and codes == [0, 0],
        f"the same on Value('q', 0) (64 bits) reads {total}",
    )


# --- typecode mistakes ------------------------------------------------------------------------


def set_text(text: SynchronizedString, new: bytes) -> None:
    """Replace the string held in a shared Array('c', n)."""
    text.value = new


def demo_value_typecodes(ctx: BaseContext) -> Finding:
    """The tutorials' ``Value('s', 'some str')`` and ``Value('c', 'a')`` both fail."""
    errors = []
    for args in (("s", "some str"), ("c", "a")):
        try:
            ctx.Value(*args)
        except TypeError as exc:
            errors.append(f"Value{args!r} raises TypeError: {exc}")
        else:
            errors.append(f"Value{args!r} was accepted")
    shown = all("raises TypeError" in line for line in errors)
    return Finding(shown, "; ".join(errors) + "; Value has no 's' typecode, 'c' takes one byte")


def fix_value_typecodes(ctx: BaseContext) -> Finding:
    """One byte is Value('c', b'a'); a string is Array('c', n), and a child can change it."""
    char = ctx.Value("c", b"a")
    # typeshed types any typecode string as SynchronizedArray; 'c' really makes a SynchronizedString.
    text = cast(SynchronizedString, ctx.Array("c", 32))
    text.value = b"some str"
    before = text.value
    with ProcessGroup(ctx) as group:
        group.start(set_text, (text, b"set by the child"), role="writer")
        group.join(Deadline(HAZARD_TIMEOUT))
    held = char.value == b"a" and before == b"some str" and text.value == b"set by the child"
    return Finding(
        held,
        f"Value('c', b'a').value == {char.value!r}; Array('c', 32) held "
        f"{before!r}, then a child set it to {text.value!r}",
    )


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "value-i-wraps",
        "Value('i') is a 32-bit C int: past 2**31 - 1 it wraps to negative, silently",
        "use Value('q') (64 bits) for counters that may grow large",
        demo_value_wraps,
        fix_value_wraps,
        per_start_method=False,
    ),
    Hazard(
        "value-typecodes",
        "the tutorials' Value('s', 'some str') and Value('c', 'a') raise TypeError: there "
        "is no 's' typecode and 'c' takes one byte",
        "Value('c', b'a') for one byte; Array('c', n) for a string of up to n bytes",
        demo_value_typecodes,
        fix_value_typecodes,
        per_start_method=False,
    ),
)
