"""One command-line contract for every subcommand: options honoured or refused, one JSON shape,
one exit-code table."""

from __future__ import annotations

import json

import pytest

from ipccheck import __version__
from ipccheck.cli import main
from ipccheck.cli import run as run_command
from ipccheck.cli.options import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE
from ipccheck.methods import METHODS


def test_options_before_a_subcommand_are_refused_not_dropped(capsys):
    """``ipccheck --procs 2 --base 7 run queue`` names the misplaced options and exits 2."""
    with pytest.raises(SystemExit) as exited:
        main(["--procs", "2", "--base", "7", "run", "queue", "--json"])
    assert exited.value.code == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "move --base, --procs after 'run'" in captured.err


@pytest.mark.processes
def test_bare_command_takes_the_options_of_run(capsys):
    """Bare ``ipccheck --procs 2 --base 7`` runs every method with exactly that workload."""
    code = main(["--procs", "2", "--base", "7", "--start-method", "fork", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["command"] == "run"
    assert [r["method"] for r in document["results"]] == list(METHODS)
    assert {(r["procs"], r["base"], r["observed"]) for r in document["results"]} == {(2, 7, 14)}


@pytest.mark.processes
def test_run_and_bare_share_one_default_workload(capsys):
    """``run`` and bare ``ipccheck`` default to the same procs and base."""
    assert main(["run", "value", "--start-method", "fork", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["results"]
    assert (record["procs"], record["base"]) == (run_command.DEFAULT_PROCS, run_command.DEFAULT_BASE)


def test_version(capsys):
    """``--version`` prints the package version and exits 0."""
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"ipccheck {__version__}"


@pytest.mark.processes
@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["run", "value", "--procs", "1", "--base", "1", "--start-method", "fork"],
        ["race", "--mode", "forced", "--procs", "2", "--iterations", "2", "--trials", "1",
         "--start-method", "fork"],
        ["hazards", "value-typecodes", "--start-method", "fork"],
        ["explore", "unlocked-increment", "--exhaustive", "--start-method", "fork"],
        ["check", "counter", "ipccheck.conformance.examples:LockedCounter", "--trials", "1",
         "--procs", "2", "--increments", "1000", "--start-method", "fork"],
    ],
    ids=lambda argv: argv[0],
)
def test_every_json_document_has_the_same_frame(argv, capsys):
    """--json prints one document: the command, ok, and the exit code the command returned."""
    code = main([*argv, "--json"])
    document = json.loads(capsys.readouterr().out)
    assert document["command"] == argv[0]
    assert document["exit_code"] == code
    assert document["ok"] is (code == 0)


def test_a_bug_in_ipccheck_is_exit_3_and_says_so(monkeypatch, capsys):
    """An unexpected exception while running is an internal error: exit 3, never a verdict."""

    def broken(*args, **kwargs):
        raise RuntimeError("something inside ipccheck broke")

    monkeypatch.setattr(run_command, "run", broken)
    code = main(["run", "value", "--start-method", "fork"])
    captured = capsys.readouterr()
    assert code == EXIT_INTERNAL
    assert "ipccheck: internal error (a bug in ipccheck): RuntimeError: something" in captured.err
    assert "every invariant held" not in captured.out and "FAIL" not in captured.out


def test_an_interrupt_is_exit_130_and_no_verdict(monkeypatch, capsys):
    """Ctrl-C while running ends with 130 and one line, and no summary is printed."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_command, "run", interrupted)
    code = main(["run", "value", "--start-method", "fork"])
    captured = capsys.readouterr()
    assert code == EXIT_INTERRUPTED
    assert captured.err.startswith("ipccheck: interrupted")
    assert "passed" not in captured.out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run", "--timeout", "0"], "timeout must be above 0"),
        (["run", "--timeout", "nan"], "timeout must be above 0"),
        (["race", "--timeout", "-1"], "timeout must be above 0"),
        (["run", "--start-method", "thread"], "invalid choice: 'thread'"),
        (["hazards", "no-such-hazard"], "unknown hazard 'no-such-hazard'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys):
    """Bad values are refused before anything runs, in one line, with exit 2."""
    try:
        code = main(argv)
    except SystemExit as exited:  # argparse's own errors exit from inside parse_args
        code = exited.code
    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert words in captured.err and captured.err.count("\n") == 1
    assert captured.out == ""
