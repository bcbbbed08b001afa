"""Before any search: hand one object to one child of each start method, or fail in one line.

Under spawn and forkserver the object is pickled into the child, so an object holding a thread
lock, a lock made for another context, or a class the child cannot import would fail every run
of the search. The probe finds that first and raises ``TypeError`` saying which, never a hang.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

from ..processes import Deadline, DeadlineExceeded, ProcessGroup, exit_description
from .contexts import as_is_hint
from .factory import make, name_of, release

# A probe child does nothing but receive the object; this is ample even for spawn.
PROBE_SECONDS = 30.0


def accept(thing: Any) -> None:
    """Probe child target: receiving ``thing`` is the whole test."""


def probe(factory: Callable[..., Any], kind: str, start_method: str, ctx: BaseContext) -> None:
    """Make one object for ``ctx`` and send it to one child of ``ctx``; raise if that cannot work."""
    made = make(factory, kind, ctx)
    sent = made[1] if kind == "pipe" else made
    what = f"the {kind} from {name_of(factory)}"
    hint = as_is_hint(factory, name_of(factory), start_method)
    because = f" ({hint})" if hint else ""
    try:
        with ProcessGroup(ctx) as group:
            try:
                group.start(accept, (sent,), role="probe")
            except Exception as exc:
                raise TypeError(
                    f"{what} cannot be passed to a {start_method} child: "
                    f"{type(exc).__name__}: {exc}{because}"
                ) from None
            try:
                group.join(Deadline(PROBE_SECONDS))
            except DeadlineExceeded:
                raise TypeError(
                    f"{what}: a {start_method} child that only receives it did not exit "
                    f"within {PROBE_SECONDS:g} s{because}"
                ) from None
        code = group.exitcodes()["probe"]
        if code != 0:
            raise TypeError(
                f"{what} could not be rebuilt in a {start_method} child "
                f"({exit_description(code)}): {why_not_rebuilt(sent)}"
                + (f" Or: {hint}" if hint else "")
            )
    finally:
        release(made)


def why_not_rebuilt(thing: Any) -> str:
    """The likely cause, from where the object's class lives: a hint that fits the case.

    A class a child cannot import (defined in ``__main__`` or inside a function) is one cause;
    a class the child can import but that still fails to rebuild there needs something that
    exists only in the parent's memory, which a fork child gets a copy of and a spawned one does
    not. Its traceback, printed by the child on stderr, names the exact reason.
    """
    cls = type(thing)
    if cls.__module__ == "__main__" or "<locals>" in cls.__qualname__:
        return (f"its class {cls.__qualname__} cannot be imported by the child; define it at "
                "module level in a module the child can import")
    return (f"its class {cls.__module__}.{cls.__qualname__} can be imported, so rebuilding it "
            "needs something that exists only in the parent (it works only under fork, whose "
            "children copy the parent's memory); the child's traceback on stderr says what")
