"""Test-wide settings: Hypothesis profiles, which methods the suite exercises, and deadlines.

The leak guard and ``--start-method`` come from ipccheck's own pytest plugin
(``ipccheck.pytest_plugin``, turned on for every test by ``ipccheck_leaks = true`` in
pyproject.toml): the suite uses the plugin it ships.

Profiles (choose with HYPOTHESIS_PROFILE; when CI is set the default is ``ci``):
- ``ci``: derandomized and small, so a CI gate gives the same answer every time;
- ``dev``: the everyday default;
- ``thorough``: many more examples and larger workloads, for a night run.
"""

from __future__ import annotations

import gc
import os
import signal

import pytest
from hypothesis import HealthCheck, settings

from ipccheck._validate import require_choice
from ipccheck.methods import METHODS
from ipccheck.pytest_plugin import START_METHODS_VARIABLE, selected_start_methods
from tests.timing import PROBLEM, SCALE

# tests.tiers: the ``processes`` marker, failing an unmarked test that starts a child;
# tests.depth: the ``deep`` marker and ``--deep``.
pytest_plugins = ("pytester", "tests.tiers", "tests.depth")

METHODS_VARIABLE = "IPCCHECK_METHODS"

_COMMON = dict(
    deadline=None,  # one example starts real processes; spawn alone takes ~30 ms each
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", max_examples=6, derandomize=True, database=None, **_COMMON)
settings.register_profile("dev", max_examples=12, **_COMMON)
settings.register_profile("thorough", max_examples=120, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ipccheck-suite", "choose what the ipccheck suite exercises")
    group.addoption(
        "--method",
        action="append",
        dest="ipc_methods",
        metavar="METHOD",
        help=f"only this sharing method, e.g. queue (repeatable; env {METHODS_VARIABLE}=queue,pipe)",
    )


def chosen_methods(config: pytest.Config) -> list[str]:
    """``--method`` and IPCCHECK_METHODS together, each a known method, or a one-line error."""
    from_env = [part for part in os.environ.get(METHODS_VARIABLE, "").split(",") if part]
    chosen = (config.getoption("ipc_methods") or []) + from_env
    try:
        return [require_choice("method", name, METHODS) for name in dict.fromkeys(chosen)]
    except ValueError as exc:
        raise pytest.UsageError(f"--method / {METHODS_VARIABLE}: {exc}") from None


def hear_stop_signals() -> None:
    """Undo a launcher's ignored stop signals (``nohup``, a background job of a script).

    The command rightly keeps ignoring a signal that was ignored when it started, and every
    child inherits the ignoring; the tests of stopping would then test nothing. Set here, before
    xdist starts its workers, it reaches every test and every command the tests start.
    """
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_IGN:
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT
                          else signal.SIG_DFL)


@pytest.hookimpl(tryfirst=True)  # before pytest-timeout reads PYTEST_TIMEOUT
def pytest_configure(config: pytest.Config) -> None:
    """Check the choices, publish them to strategies (and xdist workers), scale the timeout."""
    if PROBLEM:
        raise pytest.UsageError(PROBLEM)
    hear_stop_signals()
    methods = chosen_methods(config)
    if methods:
        os.environ[METHODS_VARIABLE] = ",".join(methods)
    timeout = config.getini("timeout")
    if SCALE != 1 and timeout and "PYTEST_TIMEOUT" not in os.environ and not config.getoption("timeout"):
        os.environ["PYTEST_TIMEOUT"] = f"{float(timeout) * SCALE:g}"


@pytest.hookimpl(trylast=True)  # after the plugin has read --start-method
def pytest_sessionstart(session: pytest.Session) -> None:
    os.environ[START_METHODS_VARIABLE] = ",".join(selected_start_methods(session.config))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect parametrized tests whose ``method`` was not chosen (start methods: the plugin)."""
    wanted = set(os.environ.get(METHODS_VARIABLE, "").split(",")) - {""}
    if not wanted:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        unwanted = "method" in params and params["method"] not in wanted
        (drop if unwanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection built (modules, Hypothesis, pytest's own): the garbage collector
    no longer walks it.

    The leak guard and the runner collect garbage after a test or run that may have dropped a
    Connection unclosed, and every fork copies the pages a collection touched; with the
    collection-time heap frozen, both cost a fraction. Objects a test creates are not frozen,
    so an unclosed Connection is still found and closed.
    """
    gc.collect()
    gc.freeze()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: two workers per CPU this process may use.

    Much of this suite waits: on a deadline it set, on a child to exit, on a subprocess. With
    one worker per CPU they sat a quarter idle (72 % busy, measured on 2 cores); with two per
    CPU they are about 90 % busy. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (usable or 1)
