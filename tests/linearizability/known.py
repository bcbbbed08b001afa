"""Hand-made histories with known answers, written as tiny timelines.

``op(process, call, ret, "get() -> 2")`` is one operation; ``"get_nowait() raises Empty"`` one
that raised. Times are plain integers (nanoseconds to a checker, but only their order counts).
"""

from __future__ import annotations

import ast

from ipccheck.linearizability.history import History, Operation


def op(process: int, call: int, ret: int, text: str) -> Operation:
    """Parse ``name(args) -> result`` or ``name(args) raises Error`` into an Operation."""
    error = None
    result = None
    if " raises " in text:
        text, error = text.split(" raises ")
    elif " -> " in text:
        text, shown = text.split(" -> ")
        result = ast.literal_eval(shown)
    name, _, rest = text.partition("(")
    args = ast.literal_eval(f"({rest[:-1]},)") if rest[:-1] else ()
    return Operation(process, name, args, result, error, call, ret)


def history(*ops: Operation) -> History:
    return History(ops)
