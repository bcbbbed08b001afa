"""The ``ipccheck bench`` command: input checks, failure handling and the shape of a tiny real run.

Nothing here asserts a timing: the one real run only checks that every row, ratio and section
is there. It uses tiny settings so it takes a few seconds even on a busy machine.
"""

from __future__ import annotations

import argparse
import io
import json
import sys

import pytest

from ipccheck import bench
from ipccheck._validate import supported_start_methods
from ipccheck.bench.channels import Channel
from ipccheck.cli import bench as bench_command
from ipccheck.cli import main

# --quick shrinks the state runs; the explicit options shrink the channel runs further.
TINY = ["--quick", "--sizes", "8,1k", "--messages", "200", "--repeat", "1", "--timeout", "60"]


@pytest.mark.parametrize(
    "argv",
    [
        ["bench", "--sizes", "abc"],
        ["bench", "--sizes", "0"],
        ["bench", "--repeat", "0"],
        ["bench", "--messages", "-5"],
        ["bench", "--methods", "nope"],
        ["bench", "--start-method", "teleport"],
        ["bench", "--timeout", "0"],
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(argv, capsys):
    """Every bad option ends in one line on stderr and exit code 2, before anything runs."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors exit from inside parse_args
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err


def test_plot_without_matplotlib_fails_fast_in_one_line(monkeypatch, capsys, tmp_path):
    """--plot with matplotlib missing says how to install it, exit 2, without measuring anything."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes ``import matplotlib`` fail
    started = []
    monkeypatch.setattr(bench_command, "run_bench", lambda *a, **k: started.append(1))
    assert main(["bench", "--quick", "--plot", str(tmp_path / "out.png")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "ipccheck: error: --plot needs matplotlib: pip install 'ipccheck[plot]'"
    assert not started
    assert not (tmp_path / "out.png").exists()


def test_methods_split_into_channels_and_state():
    """--methods picks channels and state methods by name; limits are not among the choices."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    bench_command.register(sub)
    args = parser.parse_args(["bench", "--methods", "raw-array-padded,queue", "--quick"])
    settings = bench_command.settings_from(args, "fork")
    assert settings.channels == ("queue",)
    assert settings.state == ("raw-array-padded",)
    assert settings.messages == bench.QUICK["messages"]


def broken_run(ctx, size, count, deadline):  # type: ignore[no-untyped-def]
    raise RuntimeError("pipe on fire")


def test_a_failing_row_becomes_a_note_and_leaves_no_ratio(monkeypatch):
    """A limit that fails is reported as a note; the other rows stay, with no ratio to divide by."""
    monkeypatch.setattr(bench, "LIMITS", (Channel("os.pipe", "limit", "broken", broken_run),))
    monkeypatch.setattr(bench, "supported_start_methods", lambda: ("fork",))
    settings = bench.BenchSettings(
        channels=("pipe-send-bytes",),
        state=(),
        sizes=(8,),
        messages=50,
        repeat=2,
        start_method="fork",
    )
    results = bench.run_bench(settings, bench.Progress(1000, io.StringIO()))
    assert [r.name for r in results.channels] == ["pipe-send-bytes"]
    assert any(
        "os.pipe 8 B (repeat 1/2) failed: RuntimeError: pipe on fire" in n for n in results.notes
    )
    assert "-" == bench.stats.channel_table(results.channels).splitlines()[2].split()[-2]


def test_a_row_that_fails_in_a_later_repeat_is_dropped_whole(monkeypatch):
    """Partial repeats would make a misleading median: the row goes, a note says why."""
    calls = []

    def fine(ctx, size, count, deadline):  # type: ignore[no-untyped-def]
        return None, 0.001

    def flaky(ctx, size, count, deadline):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("second time unlucky")
        return None, 0.001

    limits = (Channel("os.pipe", "limit", "fake", fine), Channel("flaky", "limit", "fake", flaky))
    monkeypatch.setattr(bench, "LIMITS", limits)
    monkeypatch.setattr(bench, "supported_start_methods", lambda: ())
    settings = bench.BenchSettings(channels=(), state=(), sizes=(8,), messages=10, repeat=3)
    results = bench.run_bench(settings, bench.Progress(1000, io.StringIO()))
    assert [r.name for r in results.channels] == ["os.pipe"]
    assert results.notes == ["flaky 8 B (repeat 2/3) failed: RuntimeError: second time unlucky"]
    assert len(calls) == 2  # retired after failing: not run again in repeat 3


def test_progress_is_one_line_per_step_off_a_terminal():
    """Piped stderr gets whole lines; a terminal gets one line rewritten and cleared at the end."""
    plain = io.StringIO()
    progress = bench.Progress(2, plain)
    progress.step("a")
    progress.step("b")
    progress.close()
    assert plain.getvalue() == "bench [1/2] a\nbench [2/2] b\n"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    progress = bench.Progress(1, tty)
    progress.step("abc")
    progress.close()
    assert tty.getvalue().startswith("\rbench [1/1] abc") and tty.getvalue().endswith("\r")
    assert "\n" not in tty.getvalue()


def test_tiny_run_prints_every_section_and_writes_complete_json(tmp_path, capsys):
    """One real run: table, batched headline, state, start costs, and a JSON with every row."""
    argv = ["bench", "--methods", "batched,queue,raw-array-padded", *TINY]
    plot = None
    try:
        import matplotlib  # noqa: F401

        plot = tmp_path / "out.png"
        argv += ["--plot", str(plot)]
    except ImportError:
        pass
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "bench [" in captured.err
    text = captured.out
    assert "batched at 8 B items:" in text
    assert "raw-array-padded" in text and "start+join ms" in text

    assert main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    (document,) = json.loads(captured.out)["results"]
    assert set(document["machine"]) >= {"cpu_count", "python", "platform", "start_method"}
    rows = {(row["name"], row["size"]): row for row in document["channels"]}
    expected_names = {"os.pipe", "socketpair", "memcpy", "batched", "queue"}
    assert set(rows) == {(name, size) for name in expected_names for size in (8, 1024)}
    assert all(row["ratio_to_os_pipe"] is not None for row in document["channels"])
    assert rows[("os.pipe", 8)]["ratio_to_os_pipe"] == 1.0
    assert rows[("memcpy", 8)]["start_seconds"] is None
    assert rows[("queue", 8)]["count"] == 200
    assert [(s["name"], s["procs"]) for s in document["state"]] == [
        ("raw-array-padded", 2),
        ("raw-array-padded", 4),
    ]
    assert [s["start_method"] for s in document["start_cost"]] == list(supported_start_methods())
    if plot is not None:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("start_method", [m for m in supported_start_methods() if m != "fork"])
def test_channels_and_state_run_under_other_start_methods(start_method, monkeypatch):
    """Spawn and forkserver children can import every producer and worker the bench starts."""
    monkeypatch.setattr(bench, "supported_start_methods", lambda: (start_method,))
    settings = bench.BenchSettings(
        channels=("pipe-send", "simple-queue", "socket"),
        state=("shared-memory-slots",),
        sizes=(8,),
        messages=50,
        repeat=1,
        start_method=start_method,
        state_scale=0.001,
        state_procs=(2,),
        start_repeat=1,
    )
    results = bench.run_bench(settings, bench.Progress(1000, io.StringIO()))
    assert results.notes == [note for note in results.notes if "skipped" in note]
    assert [r.name for r in results.channels] == [
        "os.pipe",
        "socketpair",
        "memcpy",
        "pipe-send",
        "simple-queue",
        "socket",
    ]
    assert [(r.name, r.procs) for r in results.state] == [("shared-memory-slots", 2)]
