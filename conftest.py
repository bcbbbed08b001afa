"""Test-wide settings: Hypothesis profiles, method/start-method selection, and a guard that no
test leaves a child process behind.

Profiles (choose with HYPOTHESIS_PROFILE; when CI is set the default is ``ci``):
- ``ci``: derandomized and small, so a CI gate gives the same answer every time;
- ``dev``: the everyday default;
- ``thorough``: many more examples and larger workloads, for a night run.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest
from hypothesis import HealthCheck, settings

from ipccheck._validate import START_METHODS

_COMMON = dict(
    deadline=None,  # one example starts real processes; spawn alone takes ~30 ms each
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", max_examples=6, derandomize=True, database=None, **_COMMON)
settings.register_profile("dev", max_examples=12, **_COMMON)
settings.register_profile("thorough", max_examples=120, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def no_child_left_behind():
    """Fail any test that leaves a child process alive, after killing and reaping it."""
    yield
    leftovers = multiprocessing.active_children()
    if not leftovers:
        return
    names = ", ".join(f"{p.name} (pid {p.pid})" for p in leftovers)
    for process in leftovers:
        process.kill()
        process.join(5)
    pytest.fail(f"test left child processes alive: {names}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ipccheck", "choose what the ipccheck suite exercises")
    group.addoption(
        "--start-method",
        action="append",
        choices=START_METHODS,
        dest="ipc_start_methods",
        help="only this start method (repeatable; env IPCCHECK_START_METHODS=fork,spawn)",
    )
    group.addoption(
        "--method",
        action="append",
        dest="ipc_methods",
        metavar="METHOD",
        help="only this sharing method, e.g. queue (repeatable; env IPCCHECK_METHODS=queue,pipe)",
    )


def _selected(config: pytest.Config, option: str, variable: str) -> list[str]:
    chosen = config.getoption(option) or []
    from_env = [part for part in os.environ.get(variable, "").split(",") if part]
    return chosen + from_env


def pytest_configure(config: pytest.Config) -> None:
    """Publish the selection to strategies (and to xdist workers) through the environment."""
    start_methods = _selected(config, "ipc_start_methods", "IPCCHECK_START_METHODS")
    if start_methods:
        os.environ["IPCCHECK_START_METHODS"] = ",".join(dict.fromkeys(start_methods))
    methods = _selected(config, "ipc_methods", "IPCCHECK_METHODS")
    if methods:
        os.environ["IPCCHECK_METHODS"] = ",".join(dict.fromkeys(methods))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect parametrized tests whose start_method or method was not chosen."""
    wanted = {
        "start_method": set(filter(None, os.environ.get("IPCCHECK_START_METHODS", "").split(","))),
        "method": set(filter(None, os.environ.get("IPCCHECK_METHODS", "").split(","))),
    }
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        unwanted = any(
            chosen and name in params and params[name] not in chosen
            for name, chosen in wanted.items()
        )
        (drop if unwanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
