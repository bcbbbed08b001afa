"""The ``ipccheck`` command: its output, its exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.cli import main
from ipccheck.methods import METHODS

from ..badmethods import QueueWhoseWriterDiedHoldingTheLock
from ..timing import seconds

pytestmark = pytest.mark.processes  # most tests here start child processes


def ipccheck(*args: str, timeout: float = seconds(120)) -> subprocess.CompletedProcess[str]:
    """Run the real command (as ``python -m ipccheck``) and capture what it prints."""
    return subprocess.run(
        [sys.executable, "-m", "ipccheck", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_list_prints_every_method_with_a_description(capsys):
    """``ipccheck list`` prints one line per method: name, then a description."""
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(METHODS)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_run_json_reports_every_field(capsys):
    """``run --json`` prints one document whose results hold the documented fields per run."""
    assert main(["run", "queue", "value", "--procs", "2", "--base", "7", "--start-method", "fork",
                 "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["command"], document["ok"], document["exit_code"]) == ("run", True, 0)
    runs = document["results"]
    assert [(r["method"], r["start_method"]) for r in runs] == [("queue", "fork"), ("value", "fork")]
    for record in runs:
        assert record["ok"] is True
        assert record["violations"] == []
        assert record["expected"] == record["observed"] == 14
        assert record["procs"] == 2 and record["base"] == 7
        assert isinstance(record["seconds"], float)
    assert runs[0]["mode"] == "stream" and runs[1]["mode"] is None
    assert all(r["fault"] is None and r["died"] == [] and r["broken"] is None for r in runs)


def test_a_broken_queue_is_reported_as_a_violation_and_exits_1(capsys, monkeypatch):
    """A queue a dead producer broke: the JSON says how, and the command exits 1.

    A real kill breaks a Queue only when it lands while the victim's feeder thread writes, so
    the ``queue`` method is swapped for one whose producer 1 always dies holding the write
    lock: the command's report of a broken channel is checked on every run, never skipped.
    """
    monkeypatch.setitem(METHODS, "queue", QueueWhoseWriterDiedHoldingTheLock(seconds(0.5)))
    code = main(["run", "queue", "--procs", "2", "--base", "20", "--fault", "kill:1@0",
                 "--start-method", "fork", "--timeout", f"{seconds(60):g}", "--json"])
    (record,) = json.loads(capsys.readouterr().out)["results"]
    assert code == 1
    assert record["ok"] is False and record["fault"] == "kill:1@0"
    assert record["broken"].startswith("producer 1 (killed by SIGKILL) died holding the queue's "
                                       "write lock")
    assert record["violations"] == ["channel-broken: " + record["broken"]]
    assert record["died"] == [
        "producer-1 killed by SIGKILL; 0 of its items arrived",
        "producer-0 killed by SIGTERM; 0 of its items arrived; ipccheck stopped it once the "
        "channel broke",
    ]


def test_run_table_has_a_row_per_run_and_a_summary(capsys):
    """The table has a header, one row per run and a closing summary line."""
    assert main(["run", "pipe", "--start-method", "fork", "--mode", "summary", "--base", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "method", "start", "mode", "procs", "base", "expected", "observed", "verdict", "seconds"
    ]
    assert out[2].split()[:8] == ["pipe", "fork", "summary", "3", "5", "15", "15", "ok"]
    assert out[-1].startswith("1 passed, 0 failed in ")


def test_a_failed_invariant_exits_1(capsys):
    """A run that breaks an invariant (here: its deadline) makes the command exit 1."""
    code = main(["run", "manager-queue", "--procs", "1", "--base", "1000000", "--timeout", "0.3",
                 "--start-method", "fork"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "deadline: did not finish within 0.3 s" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "--procs", "0"], "procs must be at least 1, got 0"),
        (["run", "--procs", "-2"], "procs must be at least 1, got -2"),
        (["run", "--procs", "two"], "invalid int value: 'two'"),
        (["run", "--base", "-1"], "base must be at least 0, got -1"),
        (["run", "--base", "1.5"], "invalid int value: '1.5'"),
        (["run", "--procs", "100000"], "procs must be at most 64"),
        (["run", "tube"], "unknown method 'tube'"),
        (["run", "--start-method", "thread"], "invalid choice: 'thread'"),
        (["run", "--mode", "batch"], "invalid choice: 'batch'"),
        (["run", "--timeout", "-1"], "timeout must be above 0"),
        (["run", "--timeout", "soon"], "invalid number of seconds: 'soon'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, words, capsys):
    """Bad input gives exit code 2 and a single line on stderr that says what is wrong."""
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(("args", "words"), [
    (["run", "--procs", "0"], "procs must be at least 1, got 0"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_the_real_command_says_bad_input_in_one_line(args, words):
    """The same through ``python -m ipccheck``: the interpreter adds no traceback and no output."""
    result = ipccheck(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.deep
def test_bare_command_checks_everything_and_exits_0():
    """Bare ``ipccheck`` runs every method under every start method and exits 0.

    The command's contract (a row per method and start method, a summary, exit 0) shows on a
    small workload: whether each method keeps its promises is tests/methods' job, on many.
    """
    result = ipccheck("--procs", "2", "--base", "3", timeout=seconds(300))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = result.stdout.splitlines()[2:-1]
    assert len(rows) == len(METHODS) * len(supported_start_methods())
    assert all(" ok " in row for row in rows)
    assert "every invariant held" in result.stdout.splitlines()[-1]


def test_a_base_of_zero_is_a_valid_edge_case(capsys):
    """--base 0 is accepted (docs/cli.md says so): workers start, send nothing, every check holds."""
    assert main(["run", "queue", "--procs", "2", "--base", "0", "--start-method", "fork",
                 "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["results"]
    assert (record["expected"], record["observed"]) == (0, 0)
