"""Every detector shown to fire through the real runner, on a method that breaks just its promise.

Each known-bad method (``tests.badmethods``) goes through ``run(workload, method=...)``, and the
test asserts the exact list of invariants the run violates and that the evidence names what
was broken or left. None of the leaky methods reports its leak in the Observation: the runner
has to find it by itself. Each test cleans up what its method leaked.
"""

from __future__ import annotations

import os
import re
import signal
from multiprocessing import shared_memory
from multiprocessing.context import BaseContext

import pytest

from ipccheck import Workload, check, run
from ipccheck.conformance import ConformanceError, verify_queue
from ipccheck.leftovers import shm_exists
from ipccheck.leftovers.ipc import SYSV_DIR
from ipccheck.outcome import Outcome

from . import badmethods
from .timing import seconds

pytestmark = pytest.mark.processes  # most tests here start child processes

START_METHODS = ("fork", "spawn")


def workload(start_method: str, method: str = "queue", timeout: float = seconds(30)) -> Workload:
    return Workload(method, procs=2, base=5, start_method=start_method, timeout=timeout)


def found(outcome: Outcome) -> list[tuple[str, str]]:
    return [(v.invariant, v.message) for v in check(outcome)]


def only(outcome: Outcome, invariant: str) -> str:
    """The one violation of the run, which must be of ``invariant``: its message."""
    violations = found(outcome)
    assert [name for name, _ in violations] == [invariant], violations
    return violations[0][1]


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_leaked_descriptor_is_named(start_method):
    method = badmethods.LeaksFd()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for fd in method.leaked:
            os.close(fd)
    (fd,) = method.leaked
    assert only(outcome, "left-behind") == f"1 file descriptor(s) leaked: {fd} -> /dev/null"


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_segment_never_unlinked_is_named(start_method):
    method = badmethods.LeavesSegment()
    try:
        outcome = run(workload(start_method, "shared-memory"), method=method)
    finally:
        for name in method.leaked:
            unlink(name)
    (name,) = method.leaked
    assert only(outcome, "left-behind") == f"shared-memory segment not unlinked: {name.lstrip('/')}"


def unlink(name: str) -> None:
    segment = shared_memory.SharedMemory(name=name)
    segment.close()
    segment.unlink()


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_segment_held_while_the_children_start_is_named(start_method):
    """Never named to a child, never reported: the parent held it when the children started."""
    method = badmethods.LeavesInheritedSegment()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for name in method.leaked:
            unlink(name)
    (name,) = method.leaked
    assert only(outcome, "left-behind") == f"shared-memory segment not unlinked: {name.lstrip('/')}"


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_segment_still_open_after_the_run_is_named_with_its_descriptor(start_method):
    """Made after the children ended and kept open: this process still holds it, by two fds."""
    method = badmethods.LeavesSegmentOpen()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for segment in method.leaked:
            segment.close()
            segment.unlink()
    (segment,) = method.leaked
    name = segment.name.lstrip("/")
    assert [v.invariant for v in check(outcome)] == ["left-behind", "left-behind"]
    assert f"shared-memory segment not unlinked: {name}" in [m for _, m in found(outcome)]
    fd_line = found(outcome)[1][1]  # the segment's own descriptor, and the one its mmap keeps
    held = rf"\d+ -> /dev/shm/{name}"
    assert re.fullmatch(rf"2 file descriptor\(s\) leaked: {held}, {held}", fd_line), fd_line


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_path_the_method_reported_but_kept_is_named(start_method):
    method = badmethods.ReportsButKeeps()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for directory in method.leaked:
            os.rmdir(directory)
    (directory,) = method.leaked
    assert only(outcome, "left-behind") == f"path not removed: {directory}"


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_temp_file_handed_to_the_children_is_named(start_method):
    method = badmethods.LeavesTempFile()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for path in method.leaked:
            os.remove(path)
    (path,) = method.leaked
    assert only(outcome, "left-behind") == f"path not removed: {path}"


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_temp_directory_a_child_made_is_named_and_removed(start_method):
    outcome = run(workload(start_method), method=badmethods.LeavesTempDirectory())
    message = only(outcome, "left-behind")
    match = re.fullmatch(r"path not removed: (\S+/ipccheck-run-[^/]+/ipccheck-bad-\S+)", message)
    assert match, message
    assert not os.path.exists(match.group(1))  # it was in the run's own directory, now gone


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_child_started_outside_the_group_is_named(start_method):
    method = badmethods.StartsStrayChild()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for process in method.leaked:
            process.kill()
            process.join(seconds(10))
    (stray,) = method.leaked
    assert only(outcome, "left-behind") == (
        f"process still alive: ipccheck-bad-stray (pid {stray.pid})"
    )


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_manager_never_shut_down_is_named(start_method):
    method = badmethods.ForgetsManager()
    try:
        outcome = run(workload(start_method), method=method)
        (manager,) = method.leaked
        server = manager._process  # the manager's server process, to name in the assertion
        assert only(outcome, "left-behind") == (
            f"process still alive: {server.name} (pid {server.pid})"
        )
    finally:
        for manager in method.leaked:
            manager.shutdown()


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_thread_left_running_is_named(start_method):
    method = badmethods.LeavesThread()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        method.release.set()
        for thread in method.leaked:
            thread.join(seconds(10))
    assert only(outcome, "left-behind") == "thread still running: ipccheck-bad-thread (daemon)"


@pytest.mark.skipif(not os.path.exists(os.path.join(SYSV_DIR, "shm")),
                    reason="no /proc/sysvipc listing: System V leftovers are not looked for")
@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_system_v_segment_never_removed_is_named(start_method):
    """Keyless, so only its creator (this process, the run's parent) ties it to the run."""
    method = badmethods.LeavesSysvSegment()
    try:
        outcome = run(workload(start_method), method=method)
    finally:
        for ident in method.leaked:
            badmethods.remove_sysv_segment(ident)
    (ident,) = method.leaked
    assert only(outcome, "left-behind") == (
        f"System V shared-memory segment not removed: id {ident}, key 0x00000000"
    )


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_producer_that_exits_non_zero_is_named(start_method):
    outcome = run(workload(start_method), method=badmethods.Misbehaves("exits-3"))
    assert only(outcome, "exit-code") == "producer-1: exit code 3"
    assert outcome.received.count((1, 4)) == 1  # it sent everything first


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_producer_that_never_exits_is_stopped_at_the_deadline(start_method):
    # room to start both producers and send everything: spawn needs seconds, fork far less
    deadline = seconds(1.5 if start_method == "fork" else 3)
    outcome = run(workload(start_method, timeout=deadline), method=badmethods.Misbehaves("hangs"))
    message = only(outcome, "deadline")
    assert message.startswith(f"did not finish within {deadline:g} s; alive at the deadline: "
                              "producer-1 (pid ")
    assert message.endswith("received 10 item(s) and 2 sentinel(s) so far")
    assert outcome.exitcodes["producer-1"] in (-signal.SIGTERM, -signal.SIGKILL)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_lost_item_is_named(start_method):
    """A lost item breaks two promises at once: the total, and exactly-once for that item."""
    outcome = run(workload(start_method), method=badmethods.Misbehaves("loses"))
    assert found(outcome) == [
        ("total", "expected 10, observed 9 (1 lost)"),
        ("exactly-once", "producer 1, item 2: never received"),
    ]


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_duplicated_item_is_named(start_method):
    """A duplicate also breaks two: the total, and exactly-once for that item."""
    outcome = run(workload(start_method), method=badmethods.Misbehaves("duplicates"))
    assert found(outcome) == [
        ("total", "expected 10, observed 11 (1 extra)"),
        ("exactly-once", "item (1, 2) received 2 times"),
    ]


@pytest.mark.parametrize("start_method", START_METHODS)
def test_items_out_of_order_are_named(start_method):
    outcome = run(workload(start_method), method=badmethods.Misbehaves("reorders"))
    assert only(outcome, "order") == "producer 1: item 1 arrived before item 0"


def test_every_known_bug_has_a_test():
    """A bug added to ``badmethods.BUGS`` without a test here would prove nothing."""
    assert badmethods.BUGS == ("exits-3", "hangs", "loses", "duplicates", "reorders")


class QueueWithStats:
    """A user's queue that keeps a shared-memory counter and never unlinks it (closes only)."""

    made: list[str] = []  # every segment made, in the parent, so the test can remove them all

    def __init__(self, ctx: BaseContext) -> None:
        self._queue = ctx.Queue()  # the kit passes the context under test
        self._stats = shared_memory.SharedMemory(create=True, size=8)
        QueueWithStats.made.append(self._stats.name)

    def put(self, item):  # type: ignore[no-untyped-def]
        self._queue.put(item)

    def get(self, timeout=None):  # type: ignore[no-untyped-def]
        return self._queue.get(timeout=timeout)

    def close(self) -> None:
        self._queue.close()
        self._queue.join_thread()
        self._stats.close()


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_conformance_kit_reports_a_queue_factory_that_leaks(start_method):
    """The kit runs a user's queue through the same runner, so its leak is reported too."""
    QueueWithStats.made.clear()
    try:
        with pytest.raises(ConformanceError) as caught:
            verify_queue(QueueWithStats, start_methods=[start_method], max_examples=1,
                         max_procs=1, max_items=1, timeout=seconds(30))
    finally:
        for name in QueueWithStats.made:
            if shm_exists(name):
                unlink(name)
    error = caught.value
    assert error.invariants == ("left-behind",)
    assert all(v.message.startswith("shared-memory segment not unlinked: ") for v in error.violations)
    leaked = {v.message.rpartition(": ")[2] for v in error.violations}
    assert leaked <= {name.lstrip("/") for name in QueueWithStats.made}
