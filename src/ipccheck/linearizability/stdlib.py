"""The standard library's shared objects, shaped for a linearizability check.

Queues need no wrapper: a factory taking the context is enough. A ``Value`` has no
``fetch_add`` and a manager ``dict`` no compare-and-set, so the few lines that add them are
here, in the two ways people write them: under a lock (``LockedCounter``, ``LockedDict``) and
composed from a read and a write (``UnlockedCounter``, ``ComposedDict``). Manager-made objects
need a running manager; ``manager_factory`` turns one into a factory.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any


def queue_factory(ctx: BaseContext) -> Any:
    return ctx.Queue()


def simple_queue_factory(ctx: BaseContext) -> Any:
    return ctx.SimpleQueue()


def joinable_queue_factory(ctx: BaseContext) -> Any:
    return ctx.JoinableQueue()


class LockedCounter:
    """A ``Value`` counter whose every read-and-write happens under the Value's own lock."""

    def __init__(self, ctx: BaseContext) -> None:
        self._value = ctx.Value("q", 0)

    def increment(self) -> None:
        with self._value.get_lock():
            self._value.value += 1

    def fetch_add(self, n: int) -> int:
        with self._value.get_lock():
            old = int(self._value.value)
            self._value.value = old + n
        return old

    @property
    def value(self) -> int:
        return int(self._value.value)


class UnlockedCounter(LockedCounter):
    """The same counter written as ``v.value += 1``: a read and a write with no lock around them."""

    def increment(self) -> None:
        self._value.value += 1  # the tutorial bug

    def fetch_add(self, n: int) -> int:
        old = int(self._value.value)
        self._value.value = old + n
        return old


class ComposedDict:
    """A manager ``dict`` with compare-and-set written as a get, a test and a set."""

    def __init__(self, proxy: Any) -> None:
        self._dict = proxy

    def get(self, key: Any) -> Any:
        return self._dict.get(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._dict[key] = value

    def cas(self, key: Any, expected: Any, new: Any) -> bool:
        if self._dict.get(key) != expected:
            return False
        self._dict[key] = new  # another process may have set the key since the get
        return True


class LockedDict(ComposedDict):
    """The same, with every operation under one manager ``Lock``: compare-and-set is atomic."""

    def __init__(self, proxy: Any, lock: Any) -> None:
        super().__init__(proxy)
        self._lock = lock

    def get(self, key: Any) -> Any:
        with self._lock:
            return super().get(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def cas(self, key: Any, expected: Any, new: Any) -> bool:
        with self._lock:
            return super().cas(key, expected, new)


def manager_factory(manager: Any, what: str) -> Callable[[], Any]:
    """A zero-argument factory of ``what`` ("queue", "dict", "composed-dict", "locked-dict")
    made by a running ``manager``; the caller starts and shuts the manager down."""

    def make() -> Any:
        if what == "queue":
            return manager.Queue()
        if what == "dict":
            return manager.dict()
        if what == "composed-dict":
            return ComposedDict(manager.dict())
        if what == "locked-dict":
            return LockedDict(manager.dict(), manager.Lock())
        raise ValueError(f"unknown manager object {what!r}")

    make.__qualname__ = f"manager_factory.{what}"
    return make
