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
        arenas = [SimpleNamespace(fd=-1), SimpleNamespace(), SimpleNamespace(fd=fd)]
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


def fake_proc(tmp_path: Any) -> str:
    """A stand-in for ``/proc/PID``, as the "pid" that reaches it from /proc (``../tmp/...``)."""
    directory = tmp_path / "pid"
    directory.mkdir()
    return os.path.relpath(directory, "/proc")


def test_new_descriptors_skip_one_that_closed_while_listing(monkeypatch):
    listed = SimpleNamespace(listdir=lambda directory: ["99999", "0"], fstat=os.fstat)
    monkeypatch.setattr(descriptors, "os", listed)
    fds = open_fds()
    assert fds is not None and {fd for fd, _, _ in fds} == {0}


def test_a_heap_without_arenas_or_with_arenas_without_descriptors_excepts_nothing(monkeypatch):
    stdout = os.fstat(1)
    after = frozenset({(77, stdout.st_dev, stdout.st_ino)})
    monkeypatch.setattr(heap.BufferWrapper, "_heap", SimpleNamespace(_arenas=[SimpleNamespace()]))
    assert new_fds(frozenset(), after) == (77,)  # an arena without fd is not descriptor 1
    monkeypatch.setattr(heap.BufferWrapper, "_heap", SimpleNamespace())
    assert new_fds(frozenset(), after) == (77,)
    monkeypatch.delattr(heap.BufferWrapper, "_heap")
    assert new_fds(frozenset(), after) == (77,)


def test_paths_held_are_read_from_descriptors_and_maps_whatever_they_hold(monkeypatch, tmp_path):
    pid = fake_proc(tmp_path)
    fd_dir = tmp_path / "pid" / "fd"
    fd_dir.mkdir()
    (fd_dir / "3").write_text("not a link")
    os.symlink("/held/by-fd", fd_dir / "4")
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda d: ["3", "4"] if d.endswith(pid + "/fd") else real_listdir(d))
    (tmp_path / "pid" / "maps").write_bytes(
        b"7f00-7f01 r--p 00000000 fe:00 1  /lib/with space \n"
        b"7f01-7f02 r--p 00000000 fe:00 2  /libX\n"
        b"7f02-7f03 rw-s 00000000 00:01 3  /dev/shm/psm_a (deleted)\n"
        b"7f03-7f04 rw-p 00000000 00:00 0  [heap]\n"
        b"7f04-7f05 rw-p 00000000 00:00 0\n"
        b"7f05-7f06 r--p 00000000 fe:00 4  /odd-\xff\n"
    )
    assert entries.held_paths(pid) == {
        "/held/by-fd", "/lib/with space ", "/libX", "/dev/shm/psm_a", "/odd-\ufffd",
    }


def test_a_process_s_children_and_status_are_read_from_its_proc_entry(tmp_path):
    pid = fake_proc(tmp_path)
    for task, children in (("1", "12 13\n"), ("2", "")):
        (tmp_path / "pid" / "task" / task).mkdir(parents=True)
        (tmp_path / "pid" / "task" / task / "children").write_text(children)
    assert live._proc_children(pid) == {12, 13}  # type: ignore[arg-type]  # a path, as a pid
    (tmp_path / "pid" / "task" / "3").mkdir()
    assert live._proc_children(pid) is None  # type: ignore[arg-type]  # no children file: no guess
    (tmp_path / "pid" / "status").write_bytes(b"Name:\tsl\xffeep\nState:\tZ (zombie)\n")
    assert live._proc_field(pid, "Name") == "sl\ufffdeep"  # type: ignore[arg-type]
    assert live._proc_field(pid, "State") == "Z (zombie)"  # type: ignore[arg-type]


def test_a_name_is_the_part_of_a_path_directly_in_the_directory():
    assert entries._shm_name("/dev/shm/a/b/c") == "a"
    assert entries._top_entry("/tmp/a/b", ["/tmp/"]) == "a"
    assert entries._top_entry("/dataX/a", ["/dataX"]) == "a"


def test_none_among_the_values_handed_hides_nothing():
    assert entries.strings_in(["a", None]) == {"a"}


def test_on_linux_a_segment_is_looked_for_in_dev_shm_not_attached(attaching):
    attaching("linux", (3, 13))
    assert not entries.shm_exists("/ipccheck-not-in-dev-shm")
    assert Attached.made == []


def test_a_leading_x_is_part_of_a_segment_s_name(attaching):
    attaching("darwin", (3, 13))
    assert entries.shm_exists("/Xpsm")
    assert Attached.made[0].kwargs["name"] == "Xpsm"


def test_only_files_mapped_within_the_directories_asked_about_are_read(tmp_path):
    pid = fake_proc(tmp_path)
    (tmp_path / "pid" / "maps").write_text(
        "7f00-7f01 r--p 00000000 fe:00 1  /lib/libc.so.6\n"
        "7f01-7f02 rw-s 00000000 00:01 2  /dev/shm/psm_a (deleted)\n"
        "7f02-7f03 rw-s 00000000 00:01 3  /tmp/f\n"
        "7f03-7f04 rw-s 00000000 00:01 4  /tmpX/g\n"
    )
    assert entries.held_paths(pid, mapped_within=["/dev/shm/", "/tmpX"]) == {"/dev/shm/psm_a", "/tmpX/g"}
