"""The pytest plugin as a user meets it: a fresh ``pytest`` process on a project of their own.

Each test writes a small test module with pytest's ``pytester`` and runs pytest on it in a
subprocess, with the plugin loaded the way an installed ipccheck loads it (its ``pytest11``
entry point), then reads what that run printed.
"""

from __future__ import annotations

import pytest

from ipccheck.pytest_plugin import START_METHODS_VARIABLE

from .timing import seconds

pytestmark = pytest.mark.processes  # every test here starts child processes

# Each inner run is a whole pytest process; none should take long.
INNER_SECONDS = seconds(120)

START_METHOD_TESTS = """
import pytest

def test_uses(start_method):
    assert start_method in ("fork", "spawn", "forkserver")

@pytest.mark.parametrize("start_method", ["fork", "spawn", "forkserver"])
@pytest.mark.parametrize("n", [1])
def test_by_hand(start_method, n):
    pass

def test_without():
    pass
"""


def inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # The inner files' order is part of what they test (a leftover of one test seen by the
    # next), so a random-order plugin installed for the outer run must not shuffle them.
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args,
                                         timeout=INNER_SECONDS)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's project: no start methods chosen in the environment."""
    monkeypatch.delenv(START_METHODS_VARIABLE, raising=False)
    return pytester


def test_a_test_that_takes_start_method_runs_once_per_chosen_method(project):
    project.makepyfile(START_METHOD_TESTS)
    result = inner(project, "--collect-only", "-q", "--start-method", "fork,spawn")
    result.stdout.fnmatch_lines([
        "test_a_test_that_takes_start_method_runs_once_per_chosen_method.py::test_uses[[]fork[]]",
        "*::test_uses[[]spawn[]]",
        "*::test_by_hand[[]1-fork[]]",
        "*::test_by_hand[[]1-spawn[]]",
        "*::test_without",
        "5/6 tests collected (1 deselected)*",
    ])
    assert result.ret == 0


def test_all_is_every_start_method_and_is_the_default(project):
    project.makepyfile(START_METHOD_TESTS)
    for args in (["--start-method", "all"], []):
        result = inner(project, "--collect-only", "-q", *args)
        result.stdout.fnmatch_lines(["*::test_uses[[]fork[]]", "*::test_uses[[]spawn[]]",
                                     "*::test_uses[[]forkserver[]]", "7 tests collected*"])


def test_the_environment_chooses_when_the_command_line_does_not(project, monkeypatch):
    project.makepyfile(START_METHOD_TESTS)
    monkeypatch.setenv(START_METHODS_VARIABLE, "spawn")
    result = inner(project, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*::test_uses[[]spawn[]]", "*::test_by_hand[[]1-spawn[]]",
                                 "3/5 tests collected (2 deselected)*"])


def test_a_start_method_the_platform_lacks_is_skipped_saying_so(project):
    """A platform without forkserver (simulated by the project's conftest) skips that one."""
    project.makeconftest("""
        import multiprocessing
        multiprocessing.get_all_start_methods = lambda: ["fork", "spawn"]
    """)
    project.makepyfile(START_METHOD_TESTS)
    result = inner(project, "-v", "-rs", "--start-method", "all")
    result.assert_outcomes(passed=5, skipped=2)
    result.stdout.fnmatch_lines(["*::test_uses[[]forkserver[]] SKIPPED*",
                                 "*::test_by_hand[[]1-forkserver[]] SKIPPED*"])
    unavailable = "start method 'forkserver' is not available on this platform"
    assert sum(line.endswith(unavailable) for line in result.stdout.lines) == 2


@pytest.mark.parametrize("choice", [
    "forc", *(pytest.param(choice, marks=pytest.mark.deep) for choice in ("Fork", ",", "fork,threads")),
])
def test_a_typo_in_the_start_methods_is_one_line(project, choice):
    project.makepyfile(START_METHOD_TESTS)
    result = inner(project, f"--start-method={choice}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: --start-method: "), errors


LEAKY_TESTS = """
import multiprocessing
import os
import tempfile
import threading
import time
from multiprocessing import shared_memory

import pytest

kept = []

def test_child():
    child = multiprocessing.get_context("spawn").Process(
        target=time.sleep, args=(600,), name="sleeper", daemon=True)
    child.start()
    kept.append(child.pid)

def test_no_child_is_left_from_the_test_before():
    assert multiprocessing.active_children() == []
    with pytest.raises(ProcessLookupError):  # killed and reaped by the guard
        os.kill(kept[0], 0)

def test_thread():
    release = threading.Event()
    threading.Thread(target=release.wait, name="waiter", daemon=True).start()
    kept.append(release)

def test_fd():
    kept.append(os.open(os.devnull, os.O_RDONLY))

def test_segment():
    segment = shared_memory.SharedMemory(create=True, size=8)
    kept.append(segment.name.lstrip("/"))
    segment.close()  # closed, never unlinked

def test_temp_file():
    descriptor, path = tempfile.mkstemp(prefix="left-")
    os.close(descriptor)

def test_temp_directory():
    tempfile.mkdtemp(prefix="left-")

def test_clean():
    segment = shared_memory.SharedMemory(create=True, size=8)
    segment.close()
    segment.unlink()
    with tempfile.TemporaryDirectory():
        pass
"""


def test_the_guard_names_each_kind_of_leftover_and_passes_a_clean_test(project):
    project.makepyfile(LEAKY_TESTS)
    result = inner(project, "--ipccheck-leaks", "--start-method", "fork,spawn")
    result.assert_outcomes(passed=8, errors=6)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_child*",
        "test left behind:",
        "  process still alive: sleeper (pid *)",
        "(ipccheck killed and reaped the processes)",
    ])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_thread*", "test left behind:",
                                 "  thread still running: waiter (daemon)"])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_fd*", "test left behind:",
                                 "  1 file descriptor(s) leaked: * -> /dev/null"])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_segment*", "test left behind:",
                                 "  shared-memory segment not unlinked: psm_*"])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_temp_file*", "test left behind:",
                                 "  path not removed: */ipccheck-test-*/left-*"])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_temp_directory*",
                                 "test left behind:",
                                 "  path not removed: */ipccheck-test-*/left-*"])
    result.stdout.no_fnmatch_line("*ERROR at teardown of test_clean*")
    result.stdout.no_fnmatch_line("*ERROR at teardown of test_no_child_is_left*")


def test_without_the_flag_only_marked_tests_are_guarded(project):
    project.makepyfile("""
        import os
        import pytest

        kept = []

        def test_unguarded():
            kept.append(os.open(os.devnull, os.O_RDONLY))

        @pytest.mark.ipccheck_leaks
        def test_guarded():
            kept.append(os.open(os.devnull, os.O_RDONLY))
    """)
    result = inner(project, "--strict-markers", "--start-method", "fork")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_guarded*"])
    result.stdout.no_fnmatch_line("*ERROR at teardown of test_unguarded*")


def test_the_guard_can_be_turned_on_in_the_configuration(project):
    project.makeini("[pytest]\nipccheck_leaks = true\n")
    project.makepyfile("""
        import os
        kept = []

        def test_leaks():
            kept.append(os.open(os.devnull, os.O_RDONLY))
    """)
    result = inner(project, "--start-method", "fork")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*1 file descriptor(s) leaked: * -> /dev/null"])
