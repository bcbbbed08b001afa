"""``ipccheck race``: one JSON document, an outcome table per race, exit 1 on a bad outcome."""

from __future__ import annotations

import json

import pytest

from ipccheck import cli
from ipccheck._validate import supported_start_methods
from ipccheck.cli import race as race_command
from ipccheck.lessons.race import FORBIDDEN, UNEXPECTED, Trial

pytestmark = pytest.mark.processes  # most tests here start child processes


def test_command_json_has_one_object_per_trial(capsys):
    """`ipccheck race --json` prints one document, a result per trial with the documented fields."""
    code = cli.main(
        ["race", "--mode", "forced", "--procs", "3", "--iterations", "7", "--trials", "2", "--json",
         "--start-method", "fork"]
    )
    document = json.loads(capsys.readouterr().out)
    assert (document["command"], document["ok"], document["exit_code"]) == ("race", True, 0)
    assert document["start_methods"] == ["fork"]
    objects = document["results"]
    assert code == 0
    assert len(objects) == 2
    for obj in objects:
        for key in (
            "mode",
            "counter",
            "start_method",
            "procs",
            "iterations",
            "expected",
            "observed",
            "lost",
            "grade",
            "ok",
        ):
            assert key in obj
        assert (obj["observed"], obj["expected"], obj["lost"]) == (7, 21, 14)
        assert obj["start_method"] == "fork"


def test_start_method_all_runs_every_race_under_each_start_method(capsys):
    """The default, ``--start-method all``: one trial per supported start method, each labelled."""
    code = cli.main(
        ["race", "--mode", "forced", "--procs", "2", "--iterations", "2", "--trials", "1", "--json"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["start_methods"] == list(supported_start_methods())
    assert [r["start_method"] for r in document["results"]] == list(supported_start_methods())


def test_command_human_output_explains_and_fixes(capsys):
    """The table is followed by why updates are lost and the fix for the counter used."""
    code = cli.main(
        ["race", "--mode", "locked", "--counter", "raw-value", "--iterations", "50", "--trials", "1",
         "--start-method", "fork"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "locked · raw-value · fork" in out
    assert "read, read, write, write" in out
    assert "share a Lock" in out
    assert "1 trials, every outcome acceptable" in out


def test_command_exits_1_on_a_forbidden_value(monkeypatch, capsys):
    """One FORBIDDEN outcome makes the command fail."""

    def fake(mode, counter, procs, iterations, trials, start_method, timeout):
        return [Trial(mode, counter, start_method, procs, 10, observed=procs * 10 + 1)]

    monkeypatch.setattr(race_command, "run_trials", fake)
    code = cli.main(["race", "--mode", "free", "--trials", "1", "--start-method", "fork"])
    out = capsys.readouterr().out
    assert code == 1
    assert FORBIDDEN in out and "1 of 1 trials not acceptable" in out


def test_command_exits_1_when_forced_misses_its_value(monkeypatch, capsys):
    """A forced race that did not end at exactly `iterations` fails the command."""

    def fake(mode, counter, procs, iterations, trials, start_method, timeout):
        return [Trial(mode, counter, start_method, procs, 10, observed=procs * 10)]

    monkeypatch.setattr(race_command, "run_trials", fake)
    assert cli.main(["race", "--mode", "forced", "--trials", "1", "--json",
                     "--start-method", "fork"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False and document["results"][0]["grade"] == UNEXPECTED


@pytest.mark.parametrize(
    "argv",
    [
        ["race", "--procs", "0"],
        ["race", "--trials", "0"],
        ["race", "--iterations", "-3"],
        ["race", "--mode", "sloppy"],
        ["race", "--procs", "many"],
        ["race", "--start-method", "vfork"],
    ],
)
def test_command_bad_input_exits_2_with_one_line(argv, capsys):
    """Bad arguments give exit code 2 and one line on stderr, no traceback."""
    with pytest.raises(SystemExit) as raised:
        code = cli.main(argv)
        raise SystemExit(code)
    assert raised.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err
