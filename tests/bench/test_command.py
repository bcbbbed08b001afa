"""The ``ipccheck bench`` command: bad input refused before measuring, one JSON, saved runs.

Every refusal is checked to happen in ``prepare``: ``run_bench`` is replaced by a function that
fails the test, so "measures nothing" is shown, not assumed. The one real run uses tiny settings.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from pathlib import Path

import pytest

from ipccheck._validate import platform_default_start_method, supported_start_methods
from ipccheck.bench import QUICK, BenchResults, BenchSettings, ChannelResult, document_fields
from ipccheck.cli import bench as bench_command
from ipccheck.cli import main
from ipccheck.cli.options import json_document

# --quick shrinks the state runs; the explicit options shrink the channel runs further.
TINY = ["--quick", "--sizes", "8,1k", "--messages", "200", "--repeat", "1", "--timeout", "60"]


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own errors exit from inside parse_args
        return int(exc.code or 0)


@pytest.fixture
def nothing_measured(monkeypatch):
    """Fail the test if the command gets as far as measuring."""

    def refuse(*args, **kwargs):
        pytest.fail("the command started measuring despite bad input")

    monkeypatch.setattr(bench_command, "run_bench", refuse)


def one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "error" in captured.err, captured.err
    return captured.err


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
        ["bench", "--json", "out.json"],  # --json prints to stdout; it takes no FILE any more
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(argv, capsys, nothing_measured):
    """Every bad option ends in one line on stderr and exit code 2, before anything runs."""
    assert exit_code(argv) == 2
    one_line_error(capsys)


def unwritable_directory(tmp_path: Path) -> str:
    """A directory this process cannot write to, even as root (who ignores permission bits)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if not os.access(locked, os.W_OK):
        return str(locked)
    if os.path.isdir("/proc/self") and not os.access("/proc/self", os.W_OK):
        return "/proc/self"  # root: procfs refuses new files to everyone
    pytest.skip("no directory here is unwritable to this user")


def bad_plot_path(kind: str, tmp_path: Path) -> str:
    if kind == "missing directory":
        return str(tmp_path / "missing" / "out.png")
    if kind == "not a png":
        return str(tmp_path / "out.svg")
    if kind == "unwritable directory":
        return os.path.join(unwritable_directory(tmp_path), "out.png")
    assert kind == "a directory"
    (tmp_path / "dir.png").mkdir()
    return str(tmp_path / "dir.png")


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing directory", "does not exist"),
        ("not a png", "give a path ending in .png"),
        ("unwritable directory", "is not writable"),
        ("a directory", "is a directory"),
    ],
)
def test_a_bad_plot_path_is_refused_before_measuring(
    kind, message, tmp_path, capsys, nothing_measured
):
    """Every way --plot cannot be written: exit 2, one line, and no process started."""
    assert exit_code(["bench", "--quick", "--plot", bad_plot_path(kind, tmp_path)]) == 2
    assert message in one_line_error(capsys)
    assert multiprocessing.active_children() == []


def test_plot_without_matplotlib_fails_fast_in_one_line(
    monkeypatch, capsys, tmp_path, nothing_measured
):
    """--plot with matplotlib missing says how to install it, exit 2, without measuring anything."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes ``import matplotlib`` fail
    assert exit_code(["bench", "--quick", "--plot", str(tmp_path / "out.png")]) == 2
    err = one_line_error(capsys)
    assert err.strip() == "ipccheck: error: --plot needs matplotlib: pip install 'ipccheck[plot]'"
    assert not (tmp_path / "out.png").exists()


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench_command.register(parser.add_subparsers())
    return parser.parse_args(["bench", *argv])


def test_methods_split_into_channels_state_and_pools():
    """--methods picks channels, state methods and pools by name; limits are not among them."""
    chosen = "raw-array-padded,executor-map,queue"
    settings = bench_command.settings_from(parsed("--methods", chosen, "--quick"))
    assert settings.channels == ("queue",)
    assert settings.state == ("raw-array-padded",)
    assert settings.pools == ("executor-map",)
    assert bench_command.settings_from(parsed()).pools == ("pool-map", "executor-map")
    assert settings.messages == QUICK["messages"]


def test_start_method_defaults_to_the_platforms_and_takes_all():
    """One start method unless asked; ``all`` measures every supported one side by side."""
    assert bench_command.settings_from(parsed()).start_methods == (platform_default_start_method(),)
    every = bench_command.settings_from(parsed("--start-method", "all")).start_methods
    assert every == supported_start_methods()


def saved_run_whose_seconds_are_words() -> str:
    """A complete document, except that a row's seconds cannot be divided by."""
    settings = BenchSettings(channels=(), state=(), sizes=(8,), start_methods=("fork",))
    row = ChannelResult("os.pipe", "limit", "fork", 8, 100, (0.001,))
    results = BenchResults([row], [], [], [], {"cpu_count": 2})
    document = json_document("bench", 0, **document_fields(settings, results))
    document["results"][0]["channels"][0]["seconds"] = ["soon"]
    return json.dumps(document)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{", "is not JSON"),
        ('{"command": "run"}', "is not an `ipccheck bench --json` run"),
        ('{"command": "bench", "settings": {}}', "is not an `ipccheck bench --json` run"),
        (saved_run_whose_seconds_are_words(), "TypeError"),
    ],
)
def test_a_bad_saved_run_is_refused_in_one_line(
    content, message, tmp_path, capsys, nothing_measured
):
    """--from-json reads a saved run or says in one line why it cannot."""
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content)
    assert exit_code(["bench", "--from-json", str(path)]) == 2
    assert message in one_line_error(capsys)


@pytest.mark.parametrize("option", [["--sizes", "8"], ["--start-method", "fork"], ["--quick"]])
def test_a_saved_run_refuses_options_that_would_measure(
    option, tmp_path, capsys, nothing_measured
):
    """Measuring options cannot apply to a saved run: refused, not silently dropped."""
    assert exit_code(["bench", "--from-json", str(tmp_path / "run.json"), *option]) == 2
    assert "--from-json measures nothing" in one_line_error(capsys)


@pytest.mark.processes
def test_one_real_run_prints_one_json_document_that_prints_again_as_tables(
    tmp_path, capsys, monkeypatch
):
    """A tiny run with --json: one document on stdout; --from-json prints its tables and plot."""
    monkeypatch.setenv("IPCCHECK_PROGRESS_SECONDS", "0")  # a progress line for every step
    assert main(["bench", "--methods", "batched,queue,raw-array-padded,pool-map", *TINY, "--json"]) == 0
    captured = capsys.readouterr()
    assert "bench [" in captured.err  # the progress line stays off stdout
    document = json.loads(captured.out)
    assert (document["command"], document["ok"], document["exit_code"]) == ("bench", True, 0)
    assert set(document["machine"]) >= {"cpu_count", "python", "platform"}
    (group,) = document["results"]
    assert group["start_method"] == platform_default_start_method()
    rows = {(row["name"], row["size"]): row for row in group["channels"]}
    expected_names = {"os.pipe", "socketpair", "memcpy", "batched", "queue"}
    assert set(rows) == {(name, size) for name in expected_names for size in (8, 1024)}
    assert all(row["ratio_to_os_pipe"] is not None for row in group["channels"])
    assert rows[("os.pipe", 8)]["ratio_to_os_pipe"] == 1.0
    assert rows[("memcpy", 8)]["start_seconds"] == []
    assert rows[("queue", 8)]["count"] == 200
    assert [(s["name"], s["procs"]) for s in group["state"]] == [
        ("raw-array-padded", 2),
        ("raw-array-padded", 4),
    ]
    assert [(p["name"], p["chunksize"], p["size"]) for p in group["pools"]] == [
        ("pool-map", chunksize, 8) for chunksize in (1, 16, 256)
    ]  # the tasks carry the smallest size, where os.pipe ran too
    assert all(p["ratio_to_os_pipe"] is not None for p in group["pools"])
    assert [s["start_method"] for s in document["start_cost"]] == list(supported_start_methods())

    saved = tmp_path / "run.json"
    saved.write_text(captured.out)
    argv = ["bench", "--from-json", str(saved)]
    plot = tmp_path / "out.png"
    try:
        import matplotlib  # noqa: F401  (the optional plot extra: drawn only when installed)

        argv += ["--plot", str(plot)]
    except ImportError:
        plot = None
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # nothing measured: no progress line
    text = captured.out
    assert "batched at 8 B items:" in text
    assert "raw-array-padded" in text and "start+join ms" in text
    assert "pool-map" in text and "tasks/s" in text
    if plot is not None:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["bench", "--from-json", str(saved), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == document  # the same document, read back
