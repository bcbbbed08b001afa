"""pytest plugin for multiprocessing tests: a leak guard, and a test per start method.

Installing ipccheck registers it (entry point ``pytest11``, name ``ipccheck``).

- ``--ipccheck-leaks`` (or ``ipccheck_leaks = true`` in the config), or the marker
  ``@pytest.mark.ipccheck_leaks`` on one test: the test fails (an error at its teardown) if it
  left a child process, a thread, a file descriptor, a shared-memory segment or a temp path
  behind, naming each. Children it left are killed and reaped, so the next test starts clean.
- A ``start_method`` fixture: a test that asks for it runs once per start method chosen with
  ``--start-method fork,spawn`` (default ``all``, or ``IPCCHECK_START_METHODS``). Tests that
  parametrize ``start_method`` themselves are narrowed to the same choice; a start method
  this platform lacks is skipped, saying so.

What the guard counts as the test's, and why it never blames another process under
pytest-xdist, is ``ipccheck.leftovers``' story; the guard adds two kinds of evidence a test
process offers: the test's own temporary directory (``tempfile`` and ``TMPDIR`` point into
it while the test runs) and the segments this process registers with multiprocessing's
resource tracker meanwhile (every ``SharedMemory`` it creates is registered).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker, util

import pytest

from ._validate import ALL, START_METHODS, require_choice, supported_start_methods
from .leftovers import Watch, child_pids, warm_up

LEAKS_DESC = (
    "fail each test that leaves a child process, a thread, a file descriptor, a shared-memory "
    "segment or a temp path behind (children it left are killed and reaped)"
)
MARKER_DESC = "ipccheck_leaks: fail this test if it leaves anything behind (see --ipccheck-leaks)"
START_METHOD_DESC = (
    "run tests that take the start_method fixture (or parametrize start_method) under these "
    "start methods: a comma-separated list of fork, spawn, forkserver, or 'all' (the default; "
    "repeatable; env IPCCHECK_START_METHODS)"
)
START_METHODS_VARIABLE = "IPCCHECK_START_METHODS"
FIXTURE = "start_method"
# How long a killed child gets to be reaped by its Process object before the guard moves on.
STOP_SECONDS = 5.0
SELECTED = pytest.StashKey[tuple[str, ...]]()
WARMED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ipccheck", "multiprocessing leak guard and start methods (ipccheck)")
    group.addoption("--ipccheck-leaks", action="store_true", default=None, help=LEAKS_DESC)
    group.addoption("--start-method", action="append", dest="ipccheck_start_methods",
                    metavar="METHODS", help=START_METHOD_DESC)
    parser.addini("ipccheck_leaks", LEAKS_DESC, type="bool", default=False)


def parse_start_methods(values: list[str]) -> tuple[str, ...]:
    """``["fork,spawn", "all"]`` -> known start methods, in order; ValueError naming a typo."""
    chosen: list[str] = []
    for value in values:
        for name in filter(None, (part.strip() for part in value.split(","))):
            chosen += START_METHODS if name == ALL else [require_choice("start method", name,
                                                                        (*START_METHODS, ALL))]
    if not chosen:
        raise ValueError("name at least one start method, or 'all'")
    return tuple(method for method in START_METHODS if method in chosen)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_DESC)
    values = config.getoption("ipccheck_start_methods") or [
        os.environ.get(START_METHODS_VARIABLE) or ALL
    ]
    try:
        config.stash[SELECTED] = parse_start_methods(values)
    except ValueError as exc:
        raise pytest.UsageError(f"--start-method: {exc}") from None


def selected_start_methods(config: pytest.Config) -> tuple[str, ...]:
    """The start methods this run chose (``--start-method``), supported here or not."""
    return config.stash[SELECTED]


def _parametrizes(metafunc: pytest.Metafunc, name: str) -> bool:
    """Does the test parametrize ``name`` itself (``@pytest.mark.parametrize``)?"""
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [part.strip() for part in names.split(",")]
        if name in names:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per chosen start method for each test that takes the ``start_method`` fixture."""
    if FIXTURE in metafunc.fixturenames and not _parametrizes(metafunc, FIXTURE):
        chosen = selected_start_methods(metafunc.config)
        metafunc.parametrize(FIXTURE, chosen, ids=chosen, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests whose start method was not chosen; skip those this platform lacks."""
    chosen = selected_start_methods(config)
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        value = params.get(FIXTURE)
        if value in START_METHODS and value not in chosen:
            drop.append(item)
            continue
        if value in START_METHODS and value not in supported_start_methods():
            reason = f"start method {value!r} is not available on this platform"
            item.add_marker(pytest.mark.skip(reason=reason))
        keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def start_method(request: pytest.FixtureRequest) -> str:
    """The start method this test runs under (one test per ``--start-method`` choice)."""
    if hasattr(request, "param"):
        return str(request.param)
    available = [m for m in selected_start_methods(request.config) if m in supported_start_methods()]
    if not available:
        pytest.skip("none of the chosen start methods is available on this platform")
    return available[0]


def _warm_up(config: pytest.Config) -> None:
    """Start multiprocessing's long-lived helpers once, before the first guarded test's snapshot.

    The resource tracker and forkserver (for a chosen start method) are processes with
    descriptors, and ``util.get_temp_dir()`` a directory, kept for the whole session; made
    during a test, they would look like that test's leftovers.
    """
    if config.stash.get(WARMED, False):
        return
    util.get_temp_dir()
    for method in selected_start_methods(config):
        if method in supported_start_methods():
            warm_up(multiprocessing.get_context(method))
    config.stash[WARMED] = True


@contextmanager
def temp_directory(directory: str) -> Iterator[None]:
    """``tempfile`` and ``TMPDIR`` point into ``directory`` for the block (and its children)."""
    saved_tempdir, saved_variable = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = directory
    os.environ["TMPDIR"] = directory
    try:
        yield
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_variable is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_variable


@contextmanager
def segments_registered() -> Iterator[set[str]]:
    """The shared-memory segments this process registers with the resource tracker meanwhile."""
    registered: set[str] = set()
    register: Callable[[str, str], None] = resource_tracker.register
    unregister: Callable[[str, str], None] = resource_tracker.unregister

    def noting_register(name: str, rtype: str) -> None:
        if rtype == "shared_memory":
            registered.add(name)
        register(name, rtype)

    def noting_unregister(name: str, rtype: str) -> None:
        if rtype == "shared_memory":
            registered.discard(name)
        unregister(name, rtype)

    setattr(resource_tracker, "register", noting_register)  # noqa: B010 - patched for the block
    setattr(resource_tracker, "unregister", noting_unregister)  # noqa: B010
    try:
        yield registered
    finally:
        setattr(resource_tracker, "register", register)  # noqa: B010
        setattr(resource_tracker, "unregister", unregister)  # noqa: B010


def stop_children(pids: set[int]) -> None:
    """Kill and reap children a test left (multiprocessing's through their Process objects)."""
    for process in multiprocessing.active_children():
        if process.pid in pids:
            process.kill()
            process.join(STOP_SECONDS)
            pids.discard(process.pid)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            continue  # already gone, or reaped by whoever started it


def _guarded(item: pytest.Item) -> bool:
    if item.get_closest_marker("ipccheck_leaks") is not None:
        return True
    option = item.config.getoption("ipccheck_leaks")
    return bool(item.config.getini("ipccheck_leaks") if option is None else option)


@pytest.fixture(autouse=True)
def _ipccheck_leak_guard(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Wraps each guarded test and its function-scoped fixtures; fails it at teardown if it leaked."""
    if not _guarded(request.node):
        yield
        return
    _warm_up(request.config)
    tmp_path_factory.getbasetemp()  # made before tempfile is pointed elsewhere
    with Watch(prefix="ipccheck-test-") as watch:
        with temp_directory(watch.directory), segments_registered() as registered:
            yield
        left = watch.finish(shm_names=registered)
    strays = set(child_pids() - watch.children)
    if strays:
        stop_children(strays)
    lines = left.evidence()
    if lines:
        stopped = "\n(ipccheck killed and reaped the processes)" if left.processes else ""
        pytest.fail("test left behind:\n  " + "\n  ".join(lines) + stopped, pytrace=False)
