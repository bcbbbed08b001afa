"""``ipccheck explore``: timelines, JSON, exit codes, user programs and bad input."""

from __future__ import annotations

import json
import multiprocessing
import sys

import pytest

from ipccheck.cli import main

pytestmark = pytest.mark.processes  # most tests here start child processes


def explore(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["explore", *args])
    out, err = capsys.readouterr()
    return code, out, err


def timeline_rows(out: str) -> list[str]:
    """The rows of the timeline table, without the header and the rule."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("----")) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(" ".join(line.split()))
    return rows


def test_unlocked_increment_prints_minimal_timeline(capsys):
    """The default run finds, shrinks and replays read, read, write, write, and exits 1."""
    code, out, err = explore(capsys, "unlocked-increment")
    assert code == 1, err
    assert "minimal bad schedule" in out and ": 0 1 0 1" in out
    assert timeline_rows(out) == ["1 read (got 0)", "2 read (got 0)", "3 write 1", "4 write 1"]
    assert "an update was lost: final value 1, every serial order gives 2" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("step"))
    row2 = next(line for line in lines if line.startswith("   2"))
    # worker 1's cells sit under its own column
    assert row2.index("read") == header.index("worker 1")


def test_locked_increment_finds_nothing(capsys):
    """With the lock no schedule is bad: exit 0 and say how far the search went."""
    code, out, _ = explore(capsys, "locked-increment", "--start-method", "fork")
    assert code == 0
    assert "no bad schedule in 300 schedules tried by Hypothesis" in out


def test_lock_order_reports_deadlock_and_leaves_nothing(capsys):
    """lock-order: a two-step deadlock with who holds what, every worker reaped."""
    code, out, _ = explore(capsys, "lock-order")
    assert code == 1
    assert timeline_rows(out) == ["1 lock a", "2 lock b"]
    assert (
        "deadlock: worker 0 waits for lock b (held by worker 1), "
        "worker 1 waits for lock a (held by worker 0)"
    ) in out
    assert multiprocessing.active_children() == []


def test_json_output(capsys):
    """--json: schedule (one element per step), outcome, and no table unless exhaustive."""
    code, out, _ = explore(capsys, "check-then-act", "--json", "--start-method", "spawn")
    assert code == 1
    data = json.loads(out)
    assert [(s["worker"], s["op"], s["read"], s["wrote"]) for s in data["schedule"]] == [
        (0, "check 0", 0, None),
        (1, "check 0", 0, None),
        (0, "act", 0, 1),
        (1, "act", 1, 2),
    ]
    assert data["outcome"]["final"] == 2 and data["outcome"]["bad"] is True
    assert data["outcome"]["serial_finals"] == [1]
    assert data["start_methods"] == ["spawn"]
    assert "table" not in data


def test_json_exhaustive_table_and_no_schedule(capsys):
    """--exhaustive --json: the outcome table, and schedule null when none is bad."""
    code, out, _ = explore(capsys, "locked-increment", "--exhaustive", "--json", "--procs", "3")
    assert code == 0
    data = json.loads(out)
    assert data["schedule"] is None
    assert data["table"] == {"3": 6} and data["total"] == 6 and data["bad"] == 0
    assert data["outcome"]["bad"] is False


def test_exhaustive_text_table(capsys):
    """--exhaustive prints final value -> schedules, then the minimal bad one."""
    code, out, _ = explore(capsys, "unlocked-increment", "--exhaustive", "--start-method", "fork")
    assert code == 1
    assert "every interleaving: 6 schedules, 4 bad" in out
    table = out.split("final value  schedules\n")[1].split("\n\n")[0].split("\n")
    assert [" ".join(row.split()) for row in table] == ["1 4", "2 2"]
    assert timeline_rows(out)[0] == "1 read (got 0)"


def test_inline_user_program(capsys):
    """An inline JSON list of steps runs on every worker (--procs of them)."""
    code, out, _ = explore(
        capsys, '["check 0", "act +5"]', "--procs", "3", "--start-method", "fork", "--json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["procs"] == 3 and data["outcome"]["final"] == 10
    assert data["outcome"]["serial_finals"] == [5]


def test_python_literal_and_file_programs(capsys, tmp_path):
    """A Python-style list works inline, and a JSON file with per-worker lists works by path."""
    code, out, _ = explore(capsys, "['read', 'write +2']", "--start-method", "fork", "--json")
    assert code == 1 and json.loads(out)["outcome"]["final"] == 2
    path = tmp_path / "program.json"
    path.write_text(json.dumps({"workers": [["lock a", "read", "write", "unlock a"]] * 2}))
    code, out, _ = explore(capsys, str(path), "--start-method", "fork")
    assert code == 0 and "no bad schedule" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["increment"], "unknown program"),
        (["[read]"], "cannot read the program"),
        (['["read", "fly"]'], "unknown step"),
        (['["lock a"]'], "ends holding"),
        (["unlocked-increment", "--procs", "0"], "procs must be at least 1"),
        (["unlocked-increment", "--procs", "7"], "procs must be at most 6"),
        (["unlocked-increment", "--iterations", "0"], "iterations must be at least 1"),
        (["unlocked-increment", "--examples", "0"], "examples must be at least 1"),
        (["unlocked-increment", "--timeout", "0"], "timeout must be above 0"),
        (['[["read"], ["read"]]', "--procs", "3"], "lists 2 workers"),
        (["unlocked-increment", "--start-method", "thread"], "invalid choice"),
        (["unlocked-increment", "--procs", "x"], "invalid int value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, words):
    """Bad programs and options end with one line on stderr and exit code 2, no processes."""
    try:
        code = main(["explore", *args])
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert words in err and len(err.strip().splitlines()) == 1
    assert multiprocessing.active_children() == []


def test_exhaustive_limit_is_bad_input(capsys, monkeypatch):
    """Too many interleavings for --exhaustive is refused with exit 2, not a long wait."""
    monkeypatch.setattr("ipccheck.explore.search.MAX_SCHEDULES", 50)
    code, _, err = explore(capsys, "unlocked-increment", "--iterations", "2", "--exhaustive")
    assert code == 2 and "more than 50 interleavings" in err


def test_missing_hypothesis_is_one_line(capsys, monkeypatch):
    """Without Hypothesis the search says how to install it; --exhaustive still works."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    code, _, err = explore(capsys, "unlocked-increment")
    assert code == 2 and "pip install 'ipccheck[explore]'" in err
    assert len(err.strip().splitlines()) == 1
    code, _, _ = explore(capsys, "unlocked-increment", "--exhaustive", "--start-method", "fork")
    assert code == 1


def test_explore_help_lists_ready_programs(capsys):
    """``explore --help`` names the ready programs."""
    with pytest.raises(SystemExit):
        main(["explore", "--help"])
    out = capsys.readouterr().out
    assert "unlocked-increment" in out and "lock-order" in out


def test_replay_failures_are_reported_not_raised(capsys, monkeypatch):
    """A dying worker or a replay that disagrees with the model is ipccheck's own failure: exit 3."""
    from ipccheck.explore import ConductorError, Run

    def dies(*args, **kwargs):
        raise ConductorError("worker 1 died (killed by SIGKILL)")

    monkeypatch.setattr("ipccheck.cli.explore.conduct", dies)
    code, out, err = explore(capsys, "unlocked-increment", "--start-method", "fork")
    assert code == 3 and out == ""
    assert err.strip() == (
        "ipccheck: internal error: the replay under fork failed: worker 1 died (killed by SIGKILL)"
    )

    monkeypatch.setattr("ipccheck.cli.explore.conduct", lambda *a, **k: Run((), 2, "complete"))
    code, out, err = explore(capsys, "unlocked-increment", "--start-method", "fork")
    assert code == 3 and out == ""
    assert "did not do what the model predicted" in err and len(err.strip().splitlines()) == 1
