"""The leftover watch's parts, each shown in this process: descriptors, threads, children, entries.

``test_leftovers`` and ``test_detectors`` show them at work in real runs; these tests pin
each part's answer for inputs made here (a descriptor opened, a heap arena stood in for, a
/proc that lists chosen children, an older Python), so none needs a child process.
"""

from __future__ import annotations

import mmap
import os
import sys
import threading
from multiprocessing import heap, resource_tracker, shared_memory
from types import SimpleNamespace
from typing import Any

import pytest

from ipccheck.leftovers import descriptors, entries, live
from ipccheck.leftovers.descriptors import fd_target, new_fds, open_fds

LINUX = sys.platform.startswith("linux")
needs_proc = pytest.mark.skipif(not LINUX, reason="reads /proc")


@needs_proc
def test_an_open_descriptor_is_known_by_its_number_and_its_file(tmp_path):
    before = open_fds()
    assert before is not None
    fd = os.open(tmp_path / "f", os.O_CREAT | os.O_WRONLY)
    try:
        status = os.fstat(fd)
        after = open_fds()
        assert after is not None and after - before == {(fd, status.st_dev, status.st_ino)}
        assert new_fds(before, after) == (fd,)
        assert fd_target(fd) == str(tmp_path / "f")
    finally:
        os.close(fd)


def test_where_the_os_lists_no_descriptors_none_are_known_or_new(monkeypatch, tmp_path):
    monkeypatch.setattr(descriptors, "FD_DIRS", (str(tmp_path / "none"), str(tmp_path / "nor")))
    assert open_fds() is None
    assert fd_target(0) is None
    assert new_fds(None, frozenset({(3, 1, 1)})) == ()
    assert new_fds(frozenset(), None) == ()


@needs_proc
def test_the_second_place_to_look_is_used_when_the_first_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(descriptors, "FD_DIRS", (str(tmp_path / "none"), "/proc/self/fd"))
    fds = open_fds()
    assert fds is not None and {fd for fd, _, _ in fds} >= {0, 1, 2}
    assert fd_target(1) == os.readlink("/proc/self/fd/1")


def test_new_descriptors_are_sorted_and_a_reused_number_is_new():
    before = frozenset({(3, 1, 10), (4, 1, 11)})
    after = frozenset({(3, 1, 10), (4, 1, 12), (9, 1, 13), (5, 2, 14)})
    assert new_fds(before, after) == (4, 5, 9)


def test_the_heap_s_arenas_are_not_leaks(monkeypatch, tmp_path):
    fd = os.open(tmp_path / "arena", os.O_CREAT | os.O_RDWR)
    try:
        status = os.fstat(fd)
        arenas = [SimpleNamespace(fd=fd), SimpleNamespace(fd=-1), SimpleNamespace()]
        monkeypatch.setattr(heap.BufferWrapper, "_heap", SimpleNamespace(_arenas=arenas), raising=False)
        after = frozenset({(fd, status.st_dev, status.st_ino), (99, status.st_dev, 1)})
        assert new_fds(frozenset(), after) == (99,)
    finally:
        os.close(fd)


def test_a_thread_is_named_with_whether_it_is_a_daemon():
    assert live.describe_thread(threading.Thread(name="feeder", daemon=True)) == "feeder (daemon)"
    assert live.describe_thread(threading.Thread(name="main", daemon=False)) == "main (non-daemon)"


def test_threads_get_their_grace_together_not_each(monkeypatch):
    before = live.threads_now()
    stop = threading.Event()
    stuck = [threading.Thread(target=stop.wait, name=f"stuck-{n}", daemon=True) for n in range(2)]
    for thread in stuck:
        thread.start()
    waits: list[float] = []
    clock = iter([100.0, 100.0, 100.3, 100.9])
    monkeypatch.setattr(live.time, "monotonic", lambda: next(clock))
    real_join = threading.Thread.join
    monkeypatch.setattr(threading.Thread, "join", lambda self, timeout=None: waits.append(timeout))
    try:
        assert sorted(live.new_threads(before, grace=0.5)) == ["stuck-0 (daemon)", "stuck-1 (daemon)"]
    finally:
        monkeypatch.undo()
        stop.set()
        for thread in stuck:
            real_join(thread, 10)
    assert waits == [0.5, pytest.approx(0.2)]


@needs_proc
def test_a_process_s_fields_and_children_are_read_from_proc():
    with open(f"/proc/{os.getpid()}/comm", encoding="ascii") as comm:
        assert live._proc_field(os.getpid(), "Name") == comm.read().strip()
    assert live._proc_field(os.getpid(), "Nothing") == "?"
    assert live._proc_field(2**22 + 1, "Name") == "?"
    assert live._proc_children(2**22 + 1) is None
    assert isinstance(live._proc_children(os.getpid()), set)


def test_children_are_multiprocessing_s_and_proc_s(monkeypatch):
    monkeypatch.setattr(live.multiprocessing, "active_children",
                        lambda: [SimpleNamespace(pid=11, name="producer-0"), SimpleNamespace(pid=None)])
    monkeypatch.setattr(live, "_proc_children", lambda pid: {12} if pid == os.getpid() else None)
    assert live.child_pids() == {11, 12}
    monkeypatch.setattr(live, "_proc_children", lambda pid: None)
    assert live.child_pids() == {11}


def test_new_children_are_named_and_the_known_and_own_left_out(monkeypatch):
    fields = {(12, "Name"): "sleep", (12, "State"): "S (sleeping)",
              (13, "Name"): "python", (13, "State"): "Z (zombie)"}
    monkeypatch.setattr(live, "_proc_field", lambda pid, name: fields[(pid, name)])
    monkeypatch.setattr(live.multiprocessing, "active_children",
                        lambda: [SimpleNamespace(pid=11, name="producer-0"), SimpleNamespace(pid=None)])
    monkeypatch.setattr(live, "child_pids", lambda: frozenset({10, 11, 12, 13, 14}))
    assert live.new_children(frozenset({10}), own=[14, None]) == {
        11: "producer-0 (pid 11)",
        12: "sleep (pid 12)",
        13: "python (pid 13, exited but never reaped)",
    }


@needs_proc
def test_a_deleted_file_still_mapped_is_held_under_its_own_path(tmp_path):
    path = tmp_path / "mapped"
    path.write_bytes(b"x" * 16)
    with open(path, "r+b") as file:
        mapped = mmap.mmap(file.fileno(), 16)
    os.remove(path)
    try:
        assert str(path) in entries.held_paths()  # its descriptor's link says "(deleted)" too
    finally:
        mapped.close()
    assert entries.held_paths(2**22 + 1) == set()


@needs_proc
def test_a_segment_exists_by_its_name_with_or_without_a_slash():
    segment = shared_memory.SharedMemory(create=True, size=8)
    try:
        name = segment.name.lstrip("/")
        assert entries.shm_exists(name) and entries.shm_exists("/" + name)
    finally:
        segment.close()
        segment.unlink()
    assert not entries.shm_exists(name)


class Attached:
    """Stands in for ``SharedMemory``: records how it was attached."""

    made: list[Attached] = []

    def __init__(self, **kwargs: Any) -> None:
        if kwargs["name"] == "missing":
            raise FileNotFoundError(kwargs["name"])
        self.kwargs = kwargs
        self._name = "/" + kwargs["name"]
        self.closed = False
        Attached.made.append(self)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def attaching(monkeypatch):
    """``entries`` on a Python of the test's choosing, attaching with ``Attached``."""
    Attached.made = []
    unregistered: list[tuple[str, str]] = []
    monkeypatch.setattr(shared_memory, "SharedMemory", Attached)
    monkeypatch.setattr(resource_tracker, "unregister", lambda *args: unregistered.append(args))

    def on(platform: str, version: tuple[int, int]) -> list[tuple[str, str]]:
        monkeypatch.setattr(entries, "sys", SimpleNamespace(platform=platform, version_info=version))
        return unregistered

    return on


def test_from_3_13_a_segment_is_attached_untracked(attaching):
    unregistered = attaching("linux", (3, 13))
    assert entries.attach_untracked("psm_a").kwargs == {"name": "psm_a", "track": False}
    assert unregistered == []


def test_before_3_13_a_segment_attached_is_taken_out_of_the_tracker(attaching):
    unregistered = attaching("linux", (3, 12))
    assert entries.attach_untracked("psm_a").kwargs == {"name": "psm_a"}
    assert unregistered == [("/psm_a", "shared_memory")]


def test_without_dev_shm_a_segment_exists_if_it_can_be_attached(attaching):
    attaching("darwin", (3, 13))
    assert entries.shm_exists("/psm_a")
    [attached] = Attached.made
    assert attached.kwargs["name"] == "psm_a" and attached.closed
    assert not entries.shm_exists("missing")
