"""Turn what a user hands the kit into objects ipccheck can run, or into one clear error.

A factory runs in the parent; what it returns goes to the children as a ``Process`` argument.
Everything that can be wrong with that (not callable, raises, wrong shape, cannot be sent to a
child of this start method, cannot be rebuilt in the child) is found here, before any search
starts, and reported as ``TypeError`` or ``ValueError`` naming the factory: never as a hang.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ..processes import Deadline, DeadlineExceeded, ProcessGroup, exit_description

KINDS: tuple[str, ...] = ("queue", "pipe", "counter")

# What each kind must offer, in words for the error message.
SHAPES = {
    "queue": "an object with put(item) and get(timeout=...) (or get() plus empty())",
    "pipe": "a pair (a, b) of connection-like objects with send, recv, poll and close",
    "counter": "an object with increment() and a value attribute",
}

# A probe child does nothing but receive the object; this is ample even for spawn.
PROBE_SECONDS = 30.0


def name_of(factory: Any) -> str:
    """``module:qualname`` when the factory has them, else its repr: how messages name it."""
    module = getattr(factory, "__module__", None)
    qualname = getattr(factory, "__qualname__", None)
    if module and qualname:
        return f"{module}:{qualname}"
    return repr(factory)


def load(spec: str) -> Callable[[], Any]:
    """Import ``MODULE:ATTR`` (the current directory first on ``sys.path``), as the command does."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"factory must look like MODULE:ATTR, got {spec!r}")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or whatever the module raised while importing
        raise ValueError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return check_callable(target)


def check_callable(factory: object) -> Callable[[], Any]:
    """The factory itself must be callable with no arguments."""
    if not callable(factory):
        raise TypeError(f"factory must be a zero-argument callable, got {type(factory).__name__}")
    return factory


@contextlib.contextmanager
def default_start_method(start_method: str) -> Iterator[None]:
    """Make ``start_method`` the default for the duration, then restore the previous choice.

    A factory that calls ``multiprocessing.Queue()`` builds it with the default context, and
    a fork-context lock cannot be sent to a spawn child. Calling the factory under the start
    method being checked lets the same factory be checked under every start method.
    """
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(start_method, force=True)
    try:
        yield
    finally:
        multiprocessing.set_start_method(previous, force=True)


def make(factory: Callable[[], Any], kind: str, start_method: str) -> Any:
    """Call the factory under ``start_method`` and check the result has the shape ``kind`` needs."""
    try:
        with default_start_method(start_method):
            made = factory()
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
    raise ValueError(f"unknown kind {kind!r}; choose from: {', '.join(KINDS)}")


def accept(thing: Any) -> None:
    """Probe child target: receiving ``thing`` is the whole test."""


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


def probe(factory: Callable[[], Any], kind: str, start_method: str) -> None:
    """Make one object and hand it to one child of ``start_method``; raise if that cannot work.

    Under spawn and forkserver the object is pickled into the child, so an object holding a
    thread lock, or whose class the child cannot import, fails here with a clear message
    instead of failing every run of the search.
    """
    made = make(factory, kind, start_method)
    sent = made[1] if kind == "pipe" else made
    what = f"the {kind} from {name_of(factory)}"
    ctx = multiprocessing.get_context(start_method)
    try:
        with ProcessGroup(ctx) as group:
            try:
                group.start(accept, (sent,), role="probe")
            except Exception as exc:
                raise TypeError(
                    f"{what} cannot be passed to a {start_method} child: "
                    f"{type(exc).__name__}: {exc}"
                ) from None
            try:
                group.join(Deadline(PROBE_SECONDS))
            except DeadlineExceeded:
                raise TypeError(
                    f"{what}: a {start_method} child that only receives it did not exit "
                    f"within {PROBE_SECONDS:g} s"
                ) from None
        code = group.exitcodes()["probe"]
        if code != 0:
            raise TypeError(
                f"{what} could not be rebuilt in a {start_method} child "
                f"({exit_description(code)}); "
                "is its class defined at module level in a module the child can import?"
            )
    finally:
        release(made)
