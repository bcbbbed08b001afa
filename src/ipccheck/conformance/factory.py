"""Turn what a user hands the kit into objects ipccheck can run, or into one clear error.

A factory runs in the parent, given the context under test when it asks for one (``contexts``);
what it returns goes to the children as a ``Process`` argument. What can be wrong with the
factory itself (not callable, needs other arguments, raises, returns the wrong shape) is found
here and reported as ``TypeError`` or ``ValueError`` naming the factory; what can be wrong with
sending its object to a child is the probe's job (``probe``).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

from .contexts import CTX, call_with

# The kinds of object the kit can verify, each with its own entry point.
OBJECT_KINDS: tuple[str, ...] = ("queue", "pipe", "counter")

# What each kind must offer, in words for the error message.
SHAPES = {
    "queue": "an object with put(item) and get(timeout=...) (or get() plus empty())",
    "pipe": "a pair (a, b) of connection-like objects with send, recv, poll and close",
    "counter": "an object with increment() and a value attribute",
}


def name_of(factory: Any) -> str:
    """``module:qualname`` when the factory has them, else its repr: how messages name it."""
    module = getattr(factory, "__module__", None)
    qualname = getattr(factory, "__qualname__", None)
    if module and qualname:
        return f"{module}:{qualname}"
    return repr(factory)


def load_object(spec: str) -> Any:
    """Import ``MODULE`` or ``MODULE:ATTR`` (the current directory first on ``sys.path``)."""
    module_name, sep, attribute = spec.partition(":")
    if not module_name or (sep and not attribute):
        raise ValueError(f"expected MODULE or MODULE:ATTR, got {spec!r}")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or whatever the module raised while importing
        raise ValueError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    target: Any = module
    for part in attribute.split(".") if attribute else ():
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return target


def load(spec: str) -> Callable[..., Any]:
    """The factory ``MODULE:ATTR`` names, imported as the command does (``load_object``)."""
    if ":" not in spec:
        raise ValueError(f"factory must look like MODULE:ATTR, got {spec!r}")
    return require_callable(load_object(spec))


def require_callable(factory: object) -> Callable[..., Any]:
    """The factory must be callable with no arguments, or with only the keyword ``ctx``."""
    if not callable(factory):
        raise TypeError(
            f"factory must be a callable taking no arguments (or only ctx), "
            f"got {type(factory).__name__}"
        )
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: let the call decide
        return factory
    required = [
        p.name
        for p in parameters
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != CTX
    ]
    if required:
        raise TypeError(
            f"factory {name_of(factory)} must be callable with no arguments (or only ctx), "
            f"but it requires {', '.join(required)}"
        )
    return factory


def make(factory: Callable[..., Any], kind: str, ctx: BaseContext) -> Any:
    """Call the factory for ``ctx`` (see ``contexts``); check the result has the shape ``kind`` needs."""
    try:
        made = call_with(factory, ctx)
    except Exception as exc:
        raise ValueError(
            f"factory {name_of(factory)} raised {type(exc).__name__}: {exc}"
        ) from None
    problem = shape_problem(kind, made)
    if problem:
        raise TypeError(
            f"factory {name_of(factory)} must return {SHAPES[kind]}; "
            f"got {type(made).__name__}: {problem}"
        )
    return made


def _has_methods(thing: Any, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not callable(getattr(thing, name, None))]


def get_takes_timeout(channel: Any) -> bool:
    """Does ``channel.get`` accept ``timeout=``? (Proxies take ``**kwds``, which counts.)"""
    try:
        parameters = inspect.signature(channel.get).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: assume the common shape
        return True
    return any(p.name == "timeout" or p.kind is p.VAR_KEYWORD for p in parameters)


def shape_problem(kind: str, made: Any) -> str | None:
    """What is missing from ``made`` for ``kind``, in words; None when it has the right shape."""
    if kind == "queue":
        missing = _has_methods(made, ("put", "get"))
        if missing:
            return f"no {' or '.join(missing)}()"
        if not get_takes_timeout(made) and _has_methods(made, ("empty",)):
            return "get() takes no timeout and there is no empty(), so waiting could hang"
        return None
    if kind == "counter":
        missing = _has_methods(made, ("increment",))
        if missing:
            return "no increment()"
        try:
            getattr(made, "value")  # noqa: B009 - reading it is the check
        except AttributeError:
            return "no value attribute"
        return None
    if kind == "pipe":
        if not isinstance(made, (tuple, list)) or len(made) != 2:
            return "not a pair"
        for label, end in zip("ab", made, strict=True):
            missing = _has_methods(end, ("send", "recv", "poll", "close"))
            if missing:
                return f"end {label} has no {', '.join(missing)}"
        return None
    raise ValueError(f"unknown kind {kind!r}; choose from: {', '.join(OBJECT_KINDS)}")


def release(thing: Any) -> None:
    """Close what the parent holds of a made object (queues and pipe ends), if it can close."""
    ends = thing if isinstance(thing, (tuple, list)) else (thing,)
    for end in ends:
        close = getattr(end, "close", None)
        if callable(close):
            close()
        join_thread = getattr(end, "join_thread", None)
        if callable(join_thread):
            join_thread()
