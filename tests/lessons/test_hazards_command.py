"""``ipccheck hazards``: one JSON document, a labelled result per start method, exit 1 on failure."""

from __future__ import annotations

import json

import pytest

from ipccheck import cli
from ipccheck._validate import supported_start_methods
from ipccheck.lessons.hazards import HAZARDS, Finding, Hazard, value_types

pytestmark = pytest.mark.processes  # most tests here start child processes


def test_command_json(capsys):
    """`ipccheck hazards NAME ... --json` prints one document, a result per hazard, all ok."""
    code = cli.main(["hazards", "value-typecodes", "value-i-wraps", "--json",
                     "--start-method", "fork"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (document["command"], document["ok"], document["exit_code"]) == ("hazards", True, 0)
    assert document["start_methods"] == ["fork"]
    data = document["results"]
    assert [entry["name"] for entry in data] == ["value-typecodes", "value-i-wraps"]
    assert all(entry["shown"] and entry["fix_held"] and entry["ok"] for entry in data)
    assert all(entry["start_method"] == "fork" and not entry["per_start_method"] for entry in data)


def test_start_method_all_runs_a_dependent_hazard_under_each_start_method(capsys):
    """The default, ``all``: terminate-producer once per supported start method, a typecode once."""
    code = cli.main(["hazards", "terminate-producer", "value-typecodes", "--json"])
    document = json.loads(capsys.readouterr().out)
    methods = list(supported_start_methods())
    assert code == 0, document
    assert document["start_methods"] == methods
    ran = [(r["name"], r["start_method"], r["per_start_method"]) for r in document["results"]]
    assert ran == [("terminate-producer", method, True) for method in methods] + [
        ("value-typecodes", methods[0], False)
    ]
    assert all(r["ok"] for r in document["results"])


def test_command_human_output(capsys):
    """The human report says shown, gives the evidence, and that the fix held."""
    code = cli.main(["hazards", "value-i-wraps", "--start-method", "fork"])
    out = capsys.readouterr().out
    assert code == 0
    assert "value-i-wraps\n" in out
    assert "any start method (the same under each; run once, with fork): shown" in out
    assert "-2147483648" in out
    assert "fix held:" in out
    assert "1 hazard(s) under fork: 1 of 1 demonstrations shown, 1 of 1 fixes held" in out


def test_command_exits_1_when_not_shown(monkeypatch, capsys):
    """A hazard that was not shown makes the command fail."""
    fake = Hazard(
        "value-i-wraps", "w", "f", lambda _ctx: Finding(False, "nothing"), value_types.fix_value_wraps
    )
    monkeypatch.setitem(HAZARDS, "value-i-wraps", fake)
    assert cli.main(["hazards", "value-i-wraps", "--start-method", "fork"]) == 1
    assert "fork: NOT SHOWN" in capsys.readouterr().out


def test_command_exits_1_when_a_fix_fails(monkeypatch, capsys):
    """A fix that did not hold makes the command fail."""
    fake = Hazard(
        "value-i-wraps", "w", "f", value_types.demo_value_wraps, lambda _ctx: Finding(False, "x")
    )
    monkeypatch.setitem(HAZARDS, "value-i-wraps", fake)
    assert cli.main(["hazards", "value-i-wraps", "--start-method", "fork", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False and document["exit_code"] == 1
    assert document["results"][0]["fix_held"] is False


@pytest.mark.parametrize("argv", [["hazards", "nope"], ["hazards", "--start-method", "vfork"]])
def test_command_bad_input_exits_2(argv, capsys):
    """An unknown hazard or start method: exit 2, one line on stderr."""
    with pytest.raises(SystemExit) as raised:
        raise SystemExit(cli.main(argv))
    assert raised.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
