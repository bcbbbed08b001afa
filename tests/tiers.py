"""The ``processes`` marker, kept honest: a test not marked so fails if it starts a child.

``pytest -m "not processes"`` is the fast tier (pure tests, seconds). A marker that anyone must
remember to add would rot, so this plugin (loaded by conftest.py) watches every child this
process starts while a test runs (its setup, call and teardown): in a test without the marker
the start itself raises ``ProcessesNotMarked`` (so the fast tier never pays for a child), and
the test fails at teardown naming the marker to add, even if the code under test swallowed
the exception.

Two ways in, because no single one sees every start:
- an audit hook sees ``os.fork`` (the fork start method and raw forks), ``subprocess.Popen``
  (pytester's subprocess runs, ``python -m ipccheck``) and the other spawn calls;
- spawn and forkserver children raise no audit event, so ``BaseProcess.start`` is wrapped.
  Every multiprocessing child (a Process, a pool's worker, a manager's server) goes through it.
multiprocessing's own session helpers (the resource tracker, the forkserver) start through
neither, so warming them up is nobody's test's child.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

import pytest

MARKER = "processes"
# Audit events that start a process (https://docs.python.org/3/library/audit_events.html).
START_EVENTS = frozenset({
    "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.system", "pty.spawn", "subprocess.Popen",
})

_started = 0
# True while a test without the marker runs: a start then raises instead of starting.
forbidden = False


class ProcessesNotMarked(RuntimeError):
    """A child was about to start in a test not marked ``processes``."""


def _note_start() -> None:
    global _started
    _started += 1
    if forbidden:
        raise ProcessesNotMarked(unmarked_starts_message())


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in START_EVENTS:
        _note_start()


def _counting(start: Callable[[BaseProcess], None]) -> Callable[[BaseProcess], None]:
    def counted_start(self: BaseProcess) -> None:
        _note_start()
        start(self)

    counted_start.__wrapped__ = start  # type: ignore[attr-defined]  # for whoever unwraps it
    return counted_start


_installed = False


def install() -> None:
    """Start counting, once per interpreter (an audit hook cannot be removed)."""
    global _installed
    if _installed:
        return
    sys.addaudithook(_audit)
    BaseProcess.start = _counting(BaseProcess.start)  # type: ignore[method-assign]  # test-only count
    _installed = True


def started() -> int:
    """A count that grows each time this process starts (or tries to start) a child.

    A fork start counts twice (the wrapper and the audit event): only growth matters.
    """
    return _started


def unmarked_starts_message() -> str:
    return (
        f"this test starts child processes but is not marked '{MARKER}': add "
        f"@pytest.mark.{MARKER} (or the module's pytestmark) so that pytest -m 'not {MARKER}' "
        "stays free of processes"
    )


STARTS_BEFORE = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: the test starts child processes")
    install()


@pytest.hookimpl(wrapper=True, tryfirst=True)  # before any fixture of the test is set up
def pytest_runtest_setup(item: pytest.Item) -> object:
    item.stash[STARTS_BEFORE] = started()
    global forbidden
    forbidden = item.get_closest_marker(MARKER) is None
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Fail a test that started a child (or tried to) without the marker."""
    global forbidden
    try:
        result = yield
    finally:
        forbidden = False
    before = item.stash.get(STARTS_BEFORE, None)
    if before is not None and started() > before and item.get_closest_marker(MARKER) is None:
        pytest.fail(unmarked_starts_message(), pytrace=False)
    return result
