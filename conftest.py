"""Test-wide settings: Hypothesis profiles and a guard that no test leaves a child process behind.

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
