"""Where the children come from, and how a user's factory is given the context under test.

The kit never touches the process-wide start method: it looks up one context per start method
under test, here and nowhere else, and passes that context down to everything that needs one
(the factory, the probe, the run). The contexts come from a *context source*: by default the
``multiprocessing`` module, or whatever the user passes as ``context`` — anything with
``get_context(start_method)``, as the ``multiprocessing``, ``billiard`` and ``multiprocess``
modules (and each of their contexts) have. So an object from a multiprocessing fork travels to
its own library's ``Process``, as that library means it to.

A factory receives the context under test in one of three ways:

- it takes a keyword parameter named ``ctx``: it is called as ``factory(ctx=ctx)``, so it can
  build from that context (``def make_queue(ctx): return ctx.Queue()``, or a class whose
  ``__init__(self, ctx=multiprocessing)`` does);
- it is a method of a library's default context (``multiprocessing.Queue``, ``SimpleQueue``,
  ``Pipe``, or ``billiard.Queue``...): the same method of that library's context for the start
  method under test is called;
- anything else is called as is, with no arguments. Whatever multiprocessing objects it makes
  then belong to the default context, which may not be the one under test: a lock made for
  fork children cannot be sent to a spawn child. ``as_is_hint`` says so where it may matter.
"""

from __future__ import annotations

import inspect
import multiprocessing
import sys
from collections.abc import Iterable
from multiprocessing.context import BaseContext
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

# What the kit itself calls on every context: children and their report pipes.
NEEDED = ("Process", "Pipe")


def source_name(source: object) -> str:
    """How reports name a context source: ``billiard`` for the module, else its type's name."""
    if source is None or source is multiprocessing:
        return "multiprocessing"
    if isinstance(source, ModuleType):
        return source.__name__
    return f"{type(source).__module__}.{type(source).__qualname__}"


def require_source(source: object) -> Any:
    """``source`` if it can give a context per start method; the ``multiprocessing`` module for None."""
    if source is None:
        return multiprocessing
    if not callable(getattr(source, "get_context", None)):
        raise TypeError(
            "context must have get_context(start_method), as the multiprocessing, billiard and "
            f"multiprocess modules and their contexts do; got {type(source).__name__}"
        )
    return source


def contexts_for(
    start_methods: str | Iterable[str] | None, source: object = None, needs: Iterable[str] = ()
) -> dict[str, BaseContext]:
    """One context per start method under test (every supported one when None), in order.

    The one place the kit chooses where children come from: ``source.get_context(name)``, by
    name, never the process-wide default, so nothing the user set (or will set) is touched.
    Each context must have ``Process`` and ``Pipe`` (and ``needs``), or the error says which
    is missing, before any process starts.
    """
    names = supported_start_methods() if start_methods is None else require_start_methods(start_methods)
    lookup = require_source(source)
    contexts = {}
    for name in names:
        try:
            # Annotated with the standard library's base class; another library's context
            # with the same Process and Pipe is used the same way.
            ctx: BaseContext = lookup.get_context(name)
        except ValueError as exc:
            raise ValueError(f"{source_name(lookup)} has no {name!r} context: {exc}") from None
        missing = [what for what in (*NEEDED, *needs) if not callable(getattr(ctx, what, None))]
        if missing:
            raise TypeError(
                f"the {name} context from {source_name(lookup)} has no {', '.join(missing)}"
            )
        contexts[name] = ctx
    return contexts


def package_of(thing: object) -> ModuleType | None:
    """The multiprocessing-like library ``thing``'s class comes from: the outermost of its
    module and that module's parents to have ``get_context`` and ``Process`` (``billiard`` for a
    ``billiard.queues.Queue``); None when none has them."""
    parts = type(thing).__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is not None and all(
            callable(getattr(module, name, None)) for name in ("get_context", "Process")
        ):
            return module
    return None


def default_context_method(factory: Any) -> str | None:
    """``"Queue"`` for ``multiprocessing.Queue`` or ``billiard.Queue`` (a method of a library's
    default context: the forks keep the class name ``DefaultContext``), else None."""
    if inspect.ismethod(factory) and type(factory.__self__).__name__ == "DefaultContext":
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

    A default-context method is called on its own library's context for ``ctx``'s start
    method: ``ctx`` itself when both come from the same library. A factory may start processes
    itself (``ctx.Manager()`` starts the manager's server), and CPython fixes the process-wide
    default while starting a spawn or forkserver child; so the call is made inside
    ``left_unchosen``, which puts back the "not chosen yet" state.
    """
    convention = calling_convention(factory)
    with left_unchosen(ctx):
        if convention == REBIND:
            own = factory.__self__.get_context(ctx.get_start_method())
            return getattr(own, factory.__name__)()
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


def library_hint(made: Any, ctx: BaseContext) -> str:
    """Why an object may not work in these children: it, or an object it holds, comes from a
    multiprocessing-like library other than the one the children come from; else ""."""
    ends = made if isinstance(made, (tuple, list)) else (made,)
    # An object of a library answers for itself (what it holds is its library's business); a
    # plain object, such as a user's adapter, is judged by the library objects it holds.
    parts = [
        thing
        for end in ends
        for thing in ((end,) if package_of(end) else getattr(end, "__dict__", {}).values())
    ]
    children_from = package_of(ctx)
    for part in parts:
        package = package_of(part)
        if package is None or package is children_from:
            continue
        what = f"{type(part).__module__}.{type(part).__qualname__}"
        fix = (
            "pass no context" if package is multiprocessing
            else f"pass context={package.__name__} (--context {package.__name__})"
        )
        children = "multiprocessing" if children_from is None else children_from.__name__
        return (
            f"the object holds a {what}, made to travel to {package.__name__}'s own processes, "
            f"but the children came from {children}: {fix}"
        )
    return ""
