"""How the leftover watch finds what a run left, and why it never blames a neighbour.

``test_detectors`` shows each kind of leftover found through the runner; these tests pin the
pieces: the evidence that ties a /dev/shm or temp entry to a run, descriptors named by their
target, threads given their grace, children found by /proc, and, run for real, a neighbour
process's new entries left alone.
"""

from __future__ import annotations

import mmap
import os
import subprocess
import sys
import tempfile
import threading
from multiprocessing import shared_memory

import pytest

from ipccheck import Workload, check, run
from ipccheck.leftovers import (
    child_pids,
    describe_fd,
    held_paths,
    listing,
    new_children,
    new_threads,
    threads_now,
)
from ipccheck.leftovers.entries import Evidence, _shm_name, _top_entry, strings_in
from ipccheck.methods import queue as queue_method

from .timing import seconds

LINUX = sys.platform.startswith("linux")
needs_proc = pytest.mark.skipif(not LINUX, reason="reads /proc")


class Holder:
    def __init__(self, **attributes: object) -> None:
        self.__dict__.update(attributes)


def test_strings_are_found_in_containers_and_object_attributes():
    """A name handed inside a tuple, a dict, or an object's attributes is found."""
    handed = ("a", [1, "b"], {"c": ("d",)}, Holder(path="e", inner=Holder(name="f")), b"g", 3.0)
    assert strings_in(handed) == {"a", "b", "c", "d", "e", "f"}


def test_the_search_stops_at_its_depth_and_its_limit_and_survives_cycles():
    """Deep nesting, huge arguments and reference cycles cost a bounded look."""
    nested: list[object] = ["top"]
    for _ in range(10):
        nested = [nested]
    assert strings_in(nested, depth=4) == set()
    assert strings_in(nested, depth=11) == {"top"}
    assert len(strings_in([str(n) for n in range(5000)], limit=100)) < 100
    loop: list[object] = ["x"]
    loop.append(loop)
    assert strings_in(loop) == {"x"}


def test_an_object_with_its_own_getattr_is_not_asked_for_its_dict():
    """Objects without a ``__dict__`` (a proxy, say) are skipped, never called."""

    class Strict:
        __slots__ = ()

        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"asked for {name}")

    assert strings_in((Strict(), "kept")) == {"kept"}


@pytest.mark.parametrize(
    ("text", "name"),
    [("psm_1", "psm_1"), ("/psm_1", "psm_1"), ("/dev/shm/psm_1", "psm_1"),
     ("/dev/shm/dir/x", "dir"), ("/tmp/psm_1", None), ("", None), ("/", None)],
)
def test_a_segment_is_named_however_it_was_written(text, name):
    assert _shm_name(text) == name


@pytest.mark.parametrize(
    ("path", "entry"),
    [("/tmp/a", "a"), ("/tmp/a/b/c", "a"), ("/tmp", None), ("/tmp/", None), ("/tmpx/a", None),
     ("/var/a", None)],
)
def test_a_path_is_tied_to_the_entry_it_lies_in(path, entry):
    assert _top_entry(path, ["/tmp"]) == entry


def test_only_new_entries_the_evidence_names_are_left():
    """Not new, or new but not named by the evidence: not the run's."""
    before = frozenset({("old", 1), ("reused", 2)})
    after = frozenset({("old", 1), ("reused", 3), ("mine", 4), ("neighbour", 5)})
    evidence = Evidence({"/dev/shm/mine", "old", "reused", "/tmp/mine/file", "/tmp/old/x"})
    assert evidence.segments(before, after) == ["mine", "reused"]  # a new inode is a new entry
    assert evidence.paths("/tmp", before, after) == ["/tmp/mine"]
    assert Evidence().segments(before, after) == []


def test_a_listing_holds_names_and_inodes_and_is_empty_for_a_missing_directory(tmp_path):
    (tmp_path / "f").write_text("x")
    assert listing(str(tmp_path)) == {("f", (tmp_path / "f").stat().st_ino)}
    assert listing(str(tmp_path / "missing")) == frozenset()


@needs_proc
def test_a_mapped_file_is_seen_only_within_the_directories_asked_about(tmp_path):
    """``mapped_within`` skips the mapped files elsewhere (a process's libraries), unparsed."""
    path = tmp_path / "mapped"
    path.write_bytes(b"x" * 4096)
    with open(path, "r+b") as file, mmap.mmap(file.fileno(), 4096):
        assert str(path) in held_paths(mapped_within=[str(tmp_path)])
        libraries = {p for p in held_paths() if ".so" in p}
        assert libraries  # the interpreter's own, mapped
        assert not libraries & held_paths(mapped_within=[str(tmp_path)])


@needs_proc
def test_what_this_process_holds_open_or_mapped_is_seen(tmp_path):
    path = tmp_path / "held"
    with open(path, "w", encoding="ascii") as held:
        assert str(path) in held_paths()
        assert describe_fd(held.fileno()) == f"{held.fileno()} -> {path}"
    assert str(path) not in held_paths()
    segment = shared_memory.SharedMemory(create=True, size=8)
    try:
        assert f"/dev/shm/{segment.name.lstrip('/')}" in held_paths()
    finally:
        segment.close()
        segment.unlink()


def test_a_descriptor_nobody_can_name_is_its_number():
    assert describe_fd(10_000) == "10000"


def test_threads_that_end_within_the_grace_are_not_left():
    before = threads_now()
    stop = threading.Event()
    quick = threading.Thread(target=stop.wait, args=(seconds(0.05),), name="quick")
    stuck = threading.Thread(target=stop.wait, name="stuck", daemon=True)
    quick.start()
    stuck.start()
    try:
        assert new_threads(before, grace=seconds(0.5)) == ("stuck (daemon)",)
    finally:
        stop.set()
        stuck.join(seconds(10))
    assert new_threads(before, grace=0) == ()


@pytest.mark.processes
@needs_proc
def test_a_child_started_without_multiprocessing_is_named_even_unreaped():
    """/proc finds a ``subprocess`` child too; one that exited unwaited is said to be unreaped."""
    before = child_pids()
    script = "import sys; print('ready', flush=True); sys.stdin.read()"
    with subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"  # exec'd
            (line,) = new_children(before).values()
            assert line.startswith("python") and line.endswith(f"(pid {child.pid})")
            assert new_children(before, own=[child.pid]) == {}
            assert child.stdin is not None
            child.stdin.close()
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, still not reaped
            assert new_children(before)[child.pid].endswith(
                f"(pid {child.pid}, exited but never reaped)"
            )
        finally:
            child.kill()
    assert new_children(before) == {}


NEIGHBOUR = """
import os, sys, tempfile
from multiprocessing import shared_memory
sys.stdin.readline()
segment = shared_memory.SharedMemory(create=True, size=8)
descriptor, path = tempfile.mkstemp(prefix="ipccheck-neighbour-")
os.close(descriptor)
print(segment.name.lstrip("/"), path, flush=True)
sys.stdin.readline()
segment.close()
segment.unlink()
os.remove(path)
"""


class CallsANeighbour:
    """The queue method, plus: mid-run, another process makes a segment and a temp file."""

    FAMILY = queue_method.FAMILY

    def __init__(self, neighbour: subprocess.Popen[str]) -> None:
        self.neighbour = neighbour
        self.made: list[str] = []

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        assert self.neighbour.stdin is not None and self.neighbour.stdout is not None
        self.neighbour.stdin.write("make\n")
        self.neighbour.stdin.flush()
        self.made = self.neighbour.stdout.readline().split()
        queue_method.execute(workload, ctx, group, deadline, observation)


@pytest.mark.processes
@needs_proc
@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_neighbours_new_segment_and_temp_file_are_not_blamed_on_the_run(start_method):
    """Made during the run by a process outside it: new, but nothing ties them to the run."""
    neighbour = subprocess.Popen([sys.executable, "-c", NEIGHBOUR], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
    method = CallsANeighbour(neighbour)
    try:
        outcome = run(Workload("queue", procs=2, base=5, start_method=start_method,
                               timeout=seconds(30)), method=method)
        segment, path = method.made
        assert os.path.exists(f"/dev/shm/{segment}") and os.path.exists(path)  # there, and new
        assert check(outcome) == []
    finally:
        neighbour.communicate("done\n", timeout=seconds(30))
    assert neighbour.returncode == 0


def in_temp_directory_of_the_child(result_path: str) -> None:
    """Child side: record the temp directory this child was given."""
    with open(result_path, "w", encoding="utf-8") as result:
        result.write(f"{tempfile.gettempdir()}\n{os.environ['TMPDIR']}\n")


class AsksTheChildItsTempDirectory:
    FAMILY = queue_method.FAMILY

    def __init__(self, result_path: str) -> None:
        self.result_path = result_path

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        group.start(in_temp_directory_of_the_child, (self.result_path,), role="asker")
        group.join(deadline)
        queue_method.execute(workload, ctx, group, deadline, observation)


@pytest.mark.processes
@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_every_child_of_a_run_gets_the_runs_own_temp_directory(start_method, tmp_path):
    result = tmp_path / "result"
    outcome = run(Workload("queue", procs=1, base=1, start_method=start_method,
                           timeout=seconds(30)), method=AsksTheChildItsTempDirectory(str(result)))
    assert check(outcome) == []
    given, variable = result.read_text().splitlines()
    assert given == variable
    assert os.path.basename(given).startswith("ipccheck-run-")
    assert os.path.dirname(given) == tempfile.gettempdir()
    assert not os.path.exists(given)  # removed with the run
