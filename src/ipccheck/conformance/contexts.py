"""Which context each start method's children come from, and how a user's factory is given it.

The kit never touches the process-wide start method: it looks up one context per start method
under test, here and nowhere else, and passes that context down to everything that needs one
(the factory, the probe, the run). A factory receives it in one of three ways:

- it takes a keyword parameter named ``ctx``: it is called as ``factory(ctx=ctx)``, so it can
  build from that context (``def make_queue(ctx): return ctx.Queue()``, or a class whose
  ``__init__(self, ctx=multiprocessing)`` does);
- it is a method of multiprocessing's default context (``multiprocessing.Queue``,
  ``SimpleQueue``, ``JoinableQueue``, ``Pipe``, ...): the same method of ``ctx`` is called;
- anything else is called as is, with no arguments. Whatever multiprocessing objects it makes
  then belong to the default context, which may not be the one under test: a lock made for
  fork children cannot be sent to a spawn child. ``as_is_hint`` says so where it may matter.
"""

from __future__ import annotations

import inspect
import multiprocessing
from collections.abc import Iterable
from multiprocessing.context import BaseContext, DefaultContext
from types import ModuleType
from typing import Any

from .._validate import platform_default_start_method, require_start_methods, supported_start_methods
from ..default_context import left_unchosen

# What a factory may take as ``ctx``: a context, or the ``multiprocessing`` module itself (which
# stands for the default context), so that ``def __init__(self, ctx=multiprocessing)`` type-checks.
ContextLike = BaseContext | ModuleType

CTX = "ctx"  # the keyword a factory names to be given the context under test

# How a factory is called (``calling_convention``).
PASS_CTX = "called with ctx"
REBIND = "rebound to ctx"
AS_IS = "called as is"


def contexts_for(start_methods: str | Iterable[str] | None) -> dict[str, BaseContext]:
    """One context per start method under test (every supported one when None), in order.

    The one place the kit chooses where children come from: always a context looked up by name,
    never the process-wide default, so nothing the user set (or will set) is touched.
    """
    names = supported_start_methods() if start_methods is None else require_start_methods(start_methods)
    return {name: multiprocessing.get_context(name) for name in names}


def default_context_method(factory: Any) -> str | None:
    """``"Queue"`` for ``multiprocessing.Queue`` (a method of the default context), else None."""
    if inspect.ismethod(factory) and isinstance(factory.__self__, DefaultContext):
        return factory.__name__
    return None


def takes_ctx(factory: Any) -> bool:
    """Does ``factory`` take a keyword parameter named ``ctx``?"""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a builtin without a signature takes no ctx we can see
        return False
    parameter = parameters.get(CTX)
    return parameter is not None and parameter.kind in (
        parameter.POSITIONAL_OR_KEYWORD,
        parameter.KEYWORD_ONLY,
    )


def calling_convention(factory: Any) -> str:
    """PASS_CTX, REBIND or AS_IS: how ``factory`` will be given the context under test."""
    if default_context_method(factory) is not None:
        return REBIND
    return PASS_CTX if takes_ctx(factory) else AS_IS


def call_with(factory: Any, ctx: BaseContext) -> Any:
    """Call ``factory`` so that what it builds belongs to ``ctx`` whenever it can.

    A factory may start processes itself (``ctx.Manager()`` starts the manager's server), and
    CPython fixes the process-wide default while starting a spawn or forkserver child; so the
    call is made inside ``left_unchosen``, which puts back the "not chosen yet" state.
    """
    convention = calling_convention(factory)
    with left_unchosen():
        if convention == REBIND:
            return getattr(ctx, factory.__name__)()
        if convention == PASS_CTX:
            return factory(**{CTX: ctx})
        return factory()


def as_is_hint(factory: Any, name: str, start_method: str) -> str:
    """Why an object from a factory called as is may not work in ``start_method`` children, or "".

    Only spawn and forkserver children need the object pickled, and a lock made for fork
    children cannot travel to them; so the hint is given there, when the default differs.
    """
    default = platform_default_start_method()  # reads the default without fixing it
    if calling_convention(factory) != AS_IS or start_method == "fork" or start_method == default:
        return ""
    return (
        f"{name} takes no ctx, so it was called as is, and what it built with multiprocessing's "
        f"default context ({default}) may not work in {start_method} children: give it a ctx "
        "parameter and build from that, e.g. def make_queue(ctx): return ctx.Queue()"
    )
