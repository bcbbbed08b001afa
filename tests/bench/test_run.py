"""Measuring: failures become notes, the progress line, and one small real run side by side.

Nothing here asserts a timing: the real run only checks that every row is there, under every
start method. It uses tiny settings so it takes seconds even on a busy machine.
"""

from __future__ import annotations

import io

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.bench import BenchSettings, run, run_bench
from ipccheck.bench import pools as pools_module
from ipccheck.bench.tables import channel_table
from ipccheck.bench.transfer import Channel
from ipccheck.progress import Progress

pytestmark = pytest.mark.processes  # most tests here start child processes

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
        pools=(),
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
        channels=(), state=(), pools=(), sizes=(8,), messages=10, repeat=3,
        start_methods=("fork",),
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
        channels=(), state=(), pools=(), sizes=(8,), repeat=1, start_methods=("fork", "spawn")
    )
    results = run_bench(settings, Progress("bench", 1000, io.StringIO()))
    assert results.notes == [
        "os.pipe 8 B fork (repeat 1/1) failed: RuntimeError: pipe on fire",
        "os.pipe 8 B spawn (repeat 1/1) failed: RuntimeError: pipe on fire",
    ]


def test_a_failing_pool_row_becomes_a_note(monkeypatch):
    """A pool whose map fails is a note naming the pool and chunksize; the other rows stay."""

    def broken_pool(ctx, chunksize, size, count, deadline):
        raise RuntimeError("pool on fire")

    broken = pools_module.PoolBench("pool-map", "broken", broken_pool)
    monkeypatch.setattr(run, "POOLS", (broken, pools_module.POOLS[1]))
    monkeypatch.setattr(run, "supported_start_methods", lambda: ())
    settings = BenchSettings(channels=(), state=(), chunksizes=(64,), sizes=(8,), messages=40,
                             repeat=1, start_methods=("fork",))
    results = run_bench(settings, Progress("bench", 1000, io.StringIO()))
    assert results.notes == ["pool-map chunksize 64 (repeat 1/1) failed: RuntimeError: pool on fire"]
    assert [(r.name, r.chunksize) for r in results.pools] == [("executor-map", 64)]


def test_a_pool_that_loses_or_mangles_results_is_an_error():
    """A map is only timed if every task came back whole."""
    pools_module.expect_all("Pool.map", [b"12345678"] * 3, 3, 8)
    with pytest.raises(RuntimeError, match="returned 2 results, expected 3 of 8 bytes"):
        pools_module.expect_all("Pool.map", [b"12345678"] * 2, 3, 8)
    with pytest.raises(RuntimeError, match="expected 3 of 8 bytes"):
        pools_module.expect_all("Pool.map", [b"12345678", b"", b"12345678"], 3, 8)


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


@pytest.mark.deep
def test_every_start_method_side_by_side_in_one_real_run():
    """Each start method gets every channel, state and pool row; the start cost is measured once.

    Also shows that spawn and forkserver children can import every producer, worker and task used.
    """
    methods = supported_start_methods()
    settings = BenchSettings(
        channels=("pipe-send", "simple-queue", "socket"),
        state=("shared-memory-slots",),
        pools=("pool-map", "executor-map"),
        chunksizes=(1, 16),
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
    pools = [(name, chunksize, method) for name in ("pool-map", "executor-map")
             for chunksize in (1, 16) for method in methods]
    assert [(r.name, r.chunksize, r.start_method) for r in results.pools] == pools
    count = round(50 * pools_module.COUNT_SCALE)  # tasks per run: a share of --messages
    assert all((r.size, r.count, len(r.seconds)) == (8, count, 1) for r in results.pools)
    assert [r.start_method for r in results.starts] == list(methods)
    steps = (len(names) + 1) * len(methods) + len(pools) + len(methods)
    assert len(progress.getvalue().splitlines()) == steps
    assert results.machine["cpu_count"] is not None
