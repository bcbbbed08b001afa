"""Kinds of shared object a scenario can run against: the model, and how to call each operation.

A ``Kind`` pairs a sequential model with ``bind``, which turns an object into one callable per
operation. The calls are the obvious ones (``put`` is ``obj.put``) with three exceptions:
a queue's ``get`` waits at most GET_TIMEOUT seconds (a lost item then shows up as an ``Empty``
the model rejects, instead of a hang), a counter's ``read`` is its ``value`` attribute (the
conformance kit's counter shape), and a dictionary's ``set`` is ``obj[key] = value``, so a
manager ``dict`` works as it is. A Kind is sent to every child, so ``bind`` must be a
module-level function, as these are.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import CounterModel, DictModel, Model, QueueModel

# How long a scenario's queue get() waits before it gives up and records Empty.
GET_TIMEOUT = 1.0

Bound = dict[str, Callable[..., Any]]


def _takes_timeout(method: Any) -> bool:
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: assume the common shape
        return True
    return any(p.name == "timeout" or p.kind is p.VAR_KEYWORD for p in parameters)


def bind_queue(obj: Any, names: tuple[str, ...]) -> Bound:
    bound: Bound = {name: getattr(obj, name) for name in names if name != "get"}
    if "get" in names:
        get = obj.get
        bound["get"] = (lambda: get(timeout=GET_TIMEOUT)) if _takes_timeout(get) else get
    return bound


def bind_counter(obj: Any, names: tuple[str, ...]) -> Bound:
    bound: Bound = {name: getattr(obj, name) for name in names if name != "read"}
    if "read" in names:
        if not hasattr(obj, "value"):
            raise AttributeError(f"{type(obj).__name__} has no value attribute to read")
        bound["read"] = lambda: obj.value
    return bound


def bind_dict(obj: Any, names: tuple[str, ...]) -> Bound:
    bound: Bound = {name: getattr(obj, name) for name in names if name != "set"}
    if "set" in names:
        bound["set"] = obj.__setitem__
    return bound


def bind_methods(obj: Any, names: tuple[str, ...]) -> Bound:
    """For a model of your own: each operation is the method of that name."""
    return {name: getattr(obj, name) for name in names}


@dataclass(frozen=True)
class Kind:
    """A model, the operations a scenario may use (and those it uses unless told), and ``bind``."""

    name: str
    model: Model
    operations: tuple[str, ...]
    default_operations: tuple[str, ...]
    bind: Callable[[Any, tuple[str, ...]], Bound] = bind_methods

    def missing(self, obj: Any, names: tuple[str, ...]) -> list[str]:
        """The operations in ``names`` that ``obj`` cannot perform, for a one-line error."""
        try:
            self.bind(obj, names)
        except AttributeError:
            return [name for name in names if not _can(obj, self, name)]
        return []


def _can(obj: Any, kind: Kind, name: str) -> bool:
    try:
        kind.bind(obj, (name,))
    except AttributeError:
        return False
    return True


QUEUE = Kind("queue", QueueModel(), ("put", "get", "get_nowait", "empty", "qsize", "full"),
             ("put", "get", "get_nowait"), bind_queue)
COUNTER = Kind("counter", CounterModel(), ("increment", "read", "fetch_add"),
               ("increment", "read", "fetch_add"), bind_counter)
DICT = Kind("dict", DictModel(), ("get", "set", "cas"), ("get", "set", "cas"), bind_dict)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (QUEUE, COUNTER, DICT)}
