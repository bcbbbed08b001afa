"""Measuring: failures become notes, the progress line, and one small real run side by side.

Nothing here asserts a timing: the real run only checks that every row is there, under every
start method. It uses tiny settings so it takes seconds even on a busy machine.
"""

from __future__ import annotations

import io

from ipccheck._validate import supported_start_methods
from ipccheck.bench import BenchSettings, run, run_bench
from ipccheck.bench.tables import channel_table
from ipccheck.bench.transfer import Channel
from ipccheck.progress import Progress

QUIET = Progress("bench", 1000, io.StringIO())


def broken_run(ctx, size, count, deadline):
    raise RuntimeError("pipe on fire")


def test_a_failing_row_becomes_a_note_and_leaves_no_ratio(monkeypatch):
    """A limit that fails is reported as a note; the other rows stay, with no ratio to divide by."""
    monkeypatch.setattr(run, "LIMITS", (Channel("os.pipe", "limit", "broken", broken_run),))
    monkeypatch.setattr(run, "supported_start_methods", lambda: ("fork",))
    settings = BenchSettings(
        channels=("pipe-send-bytes",),
        state=(),
        sizes=(8,),
        messages=50,
        repeat=2,
        start_methods=("fork",),
    )
    results = run_bench(settings, Progress("bench", 1000, io.StringIO()))
    assert [r.name for r in results.channels] == ["pipe-send-bytes"]
    assert any(
        "os.pipe 8 B (repeat 1/2) failed: RuntimeError: pipe on fire" in n for n in results.notes
    )
    assert "-" == channel_table(results.channels).splitlines()[2].split()[-2]


def test_a_row_that_fails_in_a_later_repeat_is_dropped_whole(monkeypatch):
    """Partial repeats would make a misleading median: the row goes, a note says why."""
    calls = []

    def fine(ctx, size, count, deadline):
        return None, 0.001

    def flaky(ctx, size, count, deadline):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("second time unlucky")
        return None, 0.001

    limits = (Channel("os.pipe", "limit", "fake", fine), Channel("flaky", "limit", "fake", flaky))
    monkeypatch.setattr(run, "LIMITS", limits)
    monkeypatch.setattr(run, "supported_start_methods", lambda: ())
    settings = BenchSettings(
        channels=(), state=(), sizes=(8,), messages=10, repeat=3, start_methods=("fork",)
    )
    results = run_bench(settings, Progress("bench", 1000, io.StringIO()))
    assert [r.name for r in results.channels] == ["os.pipe"]
    assert results.notes == ["flaky 8 B (repeat 2/3) failed: RuntimeError: second time unlucky"]
    assert len(calls) == 2  # retired after failing: not run again in repeat 3


def test_several_start_methods_name_each_row_and_its_failure(monkeypatch):
    """Side by side, a label names its start method, so a note says which one failed."""
    monkeypatch.setattr(run, "LIMITS", (Channel("os.pipe", "limit", "broken", broken_run),))
    monkeypatch.setattr(run, "supported_start_methods", lambda: ())
    settings = BenchSettings(
        channels=(), state=(), sizes=(8,), repeat=1, start_methods=("fork", "spawn")
    )
    results = run_bench(settings, Progress("bench", 1000, io.StringIO()))
    assert results.notes == [
        "os.pipe 8 B fork (repeat 1/1) failed: RuntimeError: pipe on fire",
        "os.pipe 8 B spawn (repeat 1/1) failed: RuntimeError: pipe on fire",
    ]


def test_progress_is_one_line_per_step_off_a_terminal():
    """Piped stderr gets whole lines; a terminal gets one line rewritten and cleared at the end."""
    plain = io.StringIO()
    progress = Progress("bench", 2, plain, log_seconds=0)
    progress.step("a")
    progress.step("b")
    progress.close()
    assert plain.getvalue() == "bench [1/2] a\nbench [2/2] b\n"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    progress = Progress("bench", 1, tty)
    progress.step("abc")
    progress.close()
    assert tty.getvalue().startswith("\rbench [1/1] abc") and tty.getvalue().endswith("\r")
    assert "\n" not in tty.getvalue()


def test_every_start_method_side_by_side_in_one_real_run():
    """Each start method gets every channel and state row; the start cost is measured once.

    Also shows that spawn and forkserver children can import every producer and worker used.
    """
    methods = supported_start_methods()
    settings = BenchSettings(
        channels=("pipe-send", "simple-queue", "socket"),
        state=("shared-memory-slots",),
        sizes=(8,),
        messages=50,
        repeat=1,
        start_methods=methods,
        state_scale=0.001,
        state_procs=(2,),
        start_repeat=1,
    )
    progress = io.StringIO()
    results = run_bench(settings, Progress("bench", stream=progress, log_seconds=0))
    assert results.notes == [note for note in results.notes if "skipped" in note]
    names = ["os.pipe", "socketpair", "memcpy", "pipe-send", "simple-queue", "socket"]
    assert [(r.name, r.start_method) for r in results.channels] == [
        (name, method) for name in names for method in methods
    ]
    assert [(r.name, r.start_method) for r in results.state] == [
        ("shared-memory-slots", method) for method in methods
    ]
    assert [r.start_method for r in results.starts] == list(methods)
    assert len(progress.getvalue().splitlines()) == len(names) * len(methods) + len(methods) * 2
    assert results.machine["cpu_count"] is not None
