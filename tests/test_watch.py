"""``leftovers.Watch`` around work done in this process: what it reports, and what it leaves alone.

``test_detectors`` shows each leftover found through real runs; here the "run" is a few lines
of the test itself, in a temp root of its own (so no neighbour can add to it), so each part
of ``finish`` is shown in milliseconds. Children are stood in for where a watch only
passes on what another part reports (strays, threads, System V objects).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import tempfile
from multiprocessing import forkserver, resource_tracker, shared_memory
from types import SimpleNamespace
from typing import Any

import pytest

from ipccheck.leftovers import Leftovers, Watch, WatchedGroup, held_paths, warm_up
from ipccheck.leftovers import watch as watch_module
from ipccheck.leftovers.ipc import SysvEntry
from ipccheck.processes import ProcessGroup, Role


@pytest.fixture
def root(monkeypatch, tmp_path):
    """A temp root of the test's own, as ``tempfile.gettempdir()`` says."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def young_collection(monkeypatch):
    """The watch's garbage collection, of the youngest generation only.

    A full collection in a test process costs about 40 ms; what a test here just made and
    dropped is in the youngest generation, which costs next to nothing to collect.
    """
    monkeypatch.setattr(watch_module, "gc", SimpleNamespace(collect=lambda: gc.collect(0)))


def test_a_run_s_directory_is_named_for_ipccheck(root):
    with Watch() as watch:
        assert os.path.basename(watch.directory).startswith("ipccheck-run-")


def test_a_watch_of_nothing_reports_nothing_and_removes_its_directory(root):
    with Watch(prefix="mine-") as watch:
        assert os.path.dirname(watch.directory) == str(root)
        assert os.path.basename(watch.directory).startswith("mine-")
        assert watch.finish() == Leftovers()
        assert not os.path.exists(watch.directory)


def test_the_directory_is_removed_on_exit_even_without_finish(root):
    with Watch() as watch:
        (root / os.path.basename(watch.directory) / "f").write_text("x")
    assert not os.path.exists(watch.directory)
    assert os.listdir(root) == []


def test_what_is_left_in_the_run_s_directory_is_reported_then_removed(root):
    with Watch() as watch:
        inside = os.path.join(watch.directory, "left")
        os.mkdir(inside)
        left = watch.finish()
    assert left.paths == (inside,)
    assert not os.path.exists(watch.directory)


def finish_holding_devnull(watch: Watch) -> tuple[int, Leftovers]:
    """Finish ``watch`` while a descriptor opened since it began is still open; closed after."""
    fd = os.open(os.devnull, os.O_RDONLY)
    try:
        return fd, watch.finish()
    finally:
        os.close(fd)


def test_a_descriptor_opened_and_not_closed_is_named(root):
    with Watch() as watch:
        fd, left = finish_holding_devnull(watch)
    assert left.fds == (f"{fd} -> {os.devnull}",)


def test_reported_paths_and_segments_are_left_only_if_they_still_exist(root):
    kept = root / "kept"
    with Watch() as watch:
        kept.write_text("x")
        segment = shared_memory.SharedMemory(create=True, size=8)
        try:
            left = watch.finish(
                shm_names=["/" + segment.name.lstrip("/"), "/ipccheck-never-made"],
                paths=[str(kept), str(root / "never-made")],
            )
        finally:
            segment.close()
            segment.unlink()
    assert left.paths == (str(kept),)
    assert left.segments == (segment.name.lstrip("/"),)


def test_a_new_temp_entry_is_the_run_s_only_if_the_run_holds_it(root):
    with Watch() as watch:
        (root / "neighbour").write_text("x")
        with open(root / "held", "w", encoding="ascii"):
            left = watch.finish()
    assert left.paths == (str(root / "held"),)


def test_a_segment_the_run_still_maps_is_the_run_s_unreported(root):
    with Watch() as watch:
        segment = shared_memory.SharedMemory(create=True, size=8)
        try:
            left = watch.finish()
        finally:
            segment.close()
            segment.unlink()
    assert left.segments == (segment.name.lstrip("/"),)


def test_a_name_handed_to_a_child_ties_a_new_entry_unless_garbage_collection_removes_it(root):
    with Watch() as watch:
        (root / "named").write_text("x")
        watch.saw_start((str(root / "named"),))
        assert watch.finish().paths == (str(root / "named"),)
    automatic = gc.isenabled()
    gc.disable()  # so that only the watch's own collection can remove it
    try:
        with Watch() as watch:
            collected = RemovedOnCollection(root / "collected")
            watch.saw_start((collected.path,))
            del collected
            assert os.path.exists(root / "collected")
            assert watch.finish().paths == ()  # collected before the second look
    finally:
        if automatic:
            gc.enable()


class RemovedOnCollection:
    """A file removed when this object is collected, which, in a reference cycle, takes gc."""

    def __init__(self, path: Any) -> None:
        self.path = str(path)
        self.cycle = self
        with open(self.path, "w", encoding="ascii"):
            pass

    def __del__(self) -> None:
        os.remove(self.path)


def test_a_start_notes_the_names_and_numbers_handed_and_what_this_process_holds(root):
    with Watch() as watch, open(root / "open", "w", encoding="ascii"):
        watch.saw_start(("/psm_x", {"key": 4242}))
    assert {"/psm_x", str(root / "open")} <= watch.evidence.strings
    assert 4242 in watch.evidence.numbers


def test_strays_threads_and_system_v_objects_are_passed_on(root, monkeypatch):
    asked: dict[str, Any] = {}

    def strays(before: Any, own: Any) -> dict[int, str]:
        asked["strays"] = (before, set(own))
        return {5: "stray (pid 5)"}

    def threads(before: Any) -> tuple[str, ...]:
        asked["threads"] = before
        return ("feeder (daemon)",)

    mine = SysvEntry("shm", 0, 7, os.getpid())
    child = SysvEntry("sem", 0, 8, 4242)
    neighbours = SysvEntry("msg", 0, 9, 1)
    listings = iter([frozenset(), frozenset({mine, child, neighbours})])
    monkeypatch.setattr(watch_module, "new_children", strays)
    monkeypatch.setattr(watch_module, "new_threads", threads)
    monkeypatch.setattr(watch_module, "sysv_entries", lambda: next(listings))
    with Watch() as watch:
        watch.own_pids.add(4242)
        left = watch.finish(unreaped=["stuck (pid 3)"])
    assert left.processes == ("stuck (pid 3)", "stray (pid 5)")
    assert left.threads == ("feeder (daemon)",)
    assert asked == {"strays": (watch.children, {4242}), "threads": watch.threads}
    assert left.ipc == (
        "System V semaphore set not removed: id 8, key 0x00000000",
        "System V shared-memory segment not removed: id 7, key 0x00000000",
    )


def test_a_new_message_queue_named_to_a_child_is_reported(root, monkeypatch):
    queues = root / "mqueue"
    queues.mkdir()
    monkeypatch.setattr(watch_module, "MQUEUE_DIR", str(queues))
    (queues / "old").write_text("")
    with Watch() as watch:
        (queues / "jobs").write_text("")
        (queues / "theirs").write_text("")
        watch.saw_start(("/jobs", "/old"))
        left = watch.finish()
    assert left.ipc == ("POSIX message queue not unlinked: /jobs",)


def test_garbage_is_collected_only_for_something_the_run_would_be_blamed_for(root):
    with Watch() as watch:
        shm, temp = watch.shm, watch.temp_listing()
        assert not watch.maybe_left(shm, temp)
        (root / "neighbour").write_text("x")
        assert not watch.maybe_left(shm, watch.temp_listing())
        watch.saw_start((str(root / "neighbour"),))
        assert watch.maybe_left(shm, watch.temp_listing())
        assert not watch.maybe_left(shm, temp)
        (root / os.path.basename(watch.directory) / "f").write_text("x")
        assert watch.maybe_left(shm, temp)
        os.remove(root / os.path.basename(watch.directory) / "f")
        fd = os.open(os.devnull, os.O_RDONLY)
        try:
            assert watch.maybe_left(shm, temp)
        finally:
            os.close(fd)
        watch.saw_start(("psm_new",))
        assert watch.maybe_left(shm | {("psm_new", 1)}, temp)


def test_the_temp_listing_leaves_out_the_run_s_own_directory(root):
    (root / "other").write_text("x")
    with Watch() as watch:
        assert {name for name, _ in watch.temp_listing()} == {"other"}
        assert os.path.basename(watch.directory) in os.listdir(root)


def test_leftovers_in_words_one_line_each_descriptors_together():
    left = Leftovers(
        processes=("p (pid 1)",), threads=("t (daemon)",), fds=("7 -> /x", "8"),
        segments=("psm_a", "sem.lock"), paths=("/tmp/q",), ipc=("System V thing",),
    )
    assert left.evidence() == [
        "process still alive: p (pid 1)",
        "thread still running: t (daemon)",
        "shared-memory segment not unlinked: psm_a",
        "named semaphore not unlinked: /lock",
        "path not removed: /tmp/q",
        "System V thing",
        "2 file descriptor(s) leaked: 7 -> /x, 8",
    ]
    assert Leftovers().evidence() == []


def test_a_watched_group_hands_each_child_the_run_s_directory_and_notes_it(root, monkeypatch):
    calls: list[tuple[Any, ...]] = []

    def start(group: Any, target: Any, args: Any = (), role: Any = "child") -> Any:
        """What ``ProcessGroup.start`` was asked to start, instead of starting it."""
        calls.append((group, target, args, role))
        return multiprocessing.current_process()  # anything with a pid

    monkeypatch.setattr(ProcessGroup, "start", start)
    with Watch() as watch, open(root / "open", "w", encoding="ascii"):
        group = watch.group(multiprocessing.get_context("fork"))
        assert isinstance(group, WatchedGroup) and group.watch is watch
        assert group.ctx.get_start_method() == "fork"
        group.start(print, iter(["/psm_y", 17]), role=Role("producer", 1))
    [(called_group, target, args, role)] = calls
    assert called_group is group
    assert target is watch_module.in_directory
    assert args == (watch.directory, print, ("/psm_y", 17))
    assert role == Role("producer", 1)
    assert watch.own_pids == {os.getpid()}
    assert {"/psm_y", str(root / "open")} <= watch.evidence.strings
    assert 17 in watch.evidence.numbers
    group.start(print)
    assert calls[1][2:] == ((watch.directory, print, ()), "child")


def test_a_child_s_temp_directory_is_the_run_s(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)
    monkeypatch.setenv("TMPDIR", "elsewhere")
    seen: list[tuple[str | None, str, tuple[Any, ...]]] = []

    def target(*args: Any) -> None:
        seen.append((tempfile.tempdir, os.environ["TMPDIR"], args))

    watch_module.in_directory(str(tmp_path), target, (1, "a"))
    assert seen == [(str(tmp_path), str(tmp_path), (1, "a"))]


class Recorder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.mark.parametrize(("method", "servers"), [("fork", 0), ("spawn", 0), ("forkserver", 1)])
def test_a_warm_up_starts_the_tracker_and_a_forkserver_only_for_forkserver(monkeypatch, method, servers):
    tracker, server = Recorder(), Recorder()
    monkeypatch.setattr(resource_tracker, "ensure_running", tracker)
    monkeypatch.setattr(forkserver, "ensure_running", server)
    warm_up(multiprocessing.get_context(method))
    assert (tracker.calls, server.calls) == (1, servers)


def test_a_segment_named_to_a_child_is_found_by_the_first_look_without_collecting(root):
    """Closed, not unlinked, named to a child: only the listing taken first can show it."""
    old = shared_memory.SharedMemory(create=True, size=8)
    old.close()
    try:
        with Watch() as watch:
            segment = shared_memory.SharedMemory(create=True, size=8)
            segment.close()
            try:
                watch.saw_start((segment.name, old.name))
                left = watch.finish()
            finally:
                segment.unlink()
    finally:
        old.unlink()
    assert left.segments == (segment.name.lstrip("/"),)  # the one there before is not the run's


def test_a_reported_segment_keeps_its_whole_name(root):
    segment = shared_memory.SharedMemory(name=f"Xipccheck-{os.getpid()}", create=True, size=8)
    segment.close()
    try:
        with Watch() as watch:
            left = watch.finish(shm_names=["/" + segment.name.lstrip("/")])
    finally:
        segment.unlink()
    assert left.segments == (f"Xipccheck-{os.getpid()}",)


def test_a_descriptor_shared_with_a_process_left_running_is_that_process_s(root, monkeypatch):
    """What a stray holds is reported with it: here the stray is stood in for by this process."""
    pids = iter([frozenset(), frozenset({os.getpid()})])
    monkeypatch.setattr(watch_module, "child_pids", lambda: next(pids))
    with Watch() as watch:
        fd, left = finish_holding_devnull(watch)
    assert left.fds == ()
    assert os.devnull in watch.evidence.strings


def mapped_libraries() -> set[str]:
    """Shared libraries this process maps: never under /dev/shm or a test's temp root."""
    return {path for path in held_paths() if path.endswith(".so") or ".so." in path}


def test_only_what_is_mapped_under_the_watched_directories_is_evidence(root):
    assert mapped_libraries()
    with Watch() as watch, open(root / "held", "w", encoding="ascii"):
        watch.saw_start(())
        left = watch.finish()
    assert left.paths == (str(root / "held"),)
    assert not mapped_libraries() & watch.evidence.strings


def test_with_no_new_entry_a_start_does_not_read_what_this_process_holds(root):
    with Watch() as watch:
        watch.saw_start(("/psm_z",))
    assert watch.evidence.strings == {"/psm_z"}
