"""Tests for ipccheck.hazards: every hazard is shown, every fix holds, nothing is left behind."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from ipccheck import cli, leftovers
from ipccheck._validate import supported_start_methods
from ipccheck.lessons import hazards
from ipccheck.lessons.hazards import HAZARDS, Finding, Hazard

# Hazards whose demonstration depends on how children start; the others run once.
CHANNEL_HAZARDS = ("join-before-drain-queue", "join-before-drain-pipe", "terminate-producer")
DEFAULT = multiprocessing.get_start_method()
CASES = [(name, DEFAULT) for name in HAZARDS] + [
    (name, method)
    for name in CHANNEL_HAZARDS
    for method in supported_start_methods()
    if method != DEFAULT
]


@pytest.mark.parametrize(("name", "start_method"), CASES)
def test_hazard_is_shown_and_its_fix_holds(name, start_method):
    """The demonstration shows the mistake, and the fixed pattern holds, with evidence for both."""
    result = hazards.run_hazard(name, start_method)
    assert result.shown, result.evidence
    assert result.fix_held, result.fix_evidence
    assert result.evidence and result.fix_evidence
    assert result.start_method == start_method


def test_queue_below_the_pipe_capacity_is_not_shown(monkeypatch):
    """With 10 items the Queue's pipe holds them all, so join() returns: the check discriminates."""
    monkeypatch.setattr(hazards, "QUEUE_ITEMS", 10)
    monkeypatch.setattr(hazards, "JOIN_WAIT", 30.0)  # a child that can exit does so long before
    finding = hazards.demo_join_before_drain_queue(multiprocessing.get_context(DEFAULT))
    assert not finding.held
    assert "returned" in finding.evidence


def test_pipe_below_the_buffer_is_not_shown(monkeypatch):
    """With 10 messages every send() returns and join() succeeds: no hazard is claimed."""
    monkeypatch.setattr(hazards, "PIPE_ITEMS", 10)
    monkeypatch.setattr(hazards, "JOIN_WAIT", 30.0)  # a child that can exit does so long before
    finding = hazards.demo_join_before_drain_pipe(multiprocessing.get_context(DEFAULT))
    assert not finding.held
    assert "10 of 10 send() calls done" in finding.evidence


def test_terminated_producer_delivers_an_in_order_prefix():
    """What arrives after terminate() is items 0..k-1 for some k below the total."""
    got, code = hazards._stream(multiprocessing.get_context(DEFAULT), kill=True)
    assert code is not None and code < 0  # killed by a signal, not exited
    assert got == list(range(len(got)))
    assert hazards.RECEIVE_BEFORE_STOP <= len(got) < hazards.STREAM_ITEMS


def test_shared_memory_demo_leaves_no_segment():
    """Both the unlinked-early and the fixed run leave no segment in /dev/shm."""
    for code, should_warn in ((hazards.ATTACH, True), (hazards.ATTACH_UNTRACKED, False)):
        seen = hazards._attach_from_other_program(code)
        assert seen.warned is should_warn
        assert seen.byte == 42
        assert not leftovers.shm_exists(seen.name)


def test_a_broken_demonstration_counts_as_not_shown(monkeypatch):
    """An exception inside a demonstration is reported as not shown, with the reason."""

    def broken(_ctx):
        raise RuntimeError("boom")

    fake = Hazard("value-typecodes", "w", "f", broken, hazards.fix_value_typecodes)
    monkeypatch.setitem(HAZARDS, "value-typecodes", fake)
    result = hazards.run_hazard("value-typecodes")
    assert not result.shown and result.fix_held and not result.ok
    assert "RuntimeError: boom" in result.evidence


def test_unknown_hazard_is_a_value_error():
    """Asking for a hazard that does not exist raises a one-line ValueError naming the choices."""
    with pytest.raises(ValueError, match="unknown hazard 'nope'"):
        hazards.run_hazards(["nope"])


def test_command_json(capsys):
    """`ipccheck hazards NAME ... --json` prints one document, a result per hazard, all ok."""
    code = cli.main(["hazards", "value-typecodes", "value-i-wraps", "--json",
                     "--start-method", "fork"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (document["command"], document["ok"], document["exit_code"]) == ("hazards", True, 0)
    data = document["results"]
    assert [entry["name"] for entry in data] == ["value-typecodes", "value-i-wraps"]
    assert all(entry["shown"] and entry["fix_held"] and entry["ok"] for entry in data)


def test_command_human_output(capsys):
    """The human report says shown, gives the evidence, and that the fix held."""
    code = cli.main(["hazards", "value-i-wraps", "--start-method", "fork"])
    out = capsys.readouterr().out
    assert code == 0
    assert "value-i-wraps: shown" in out
    assert "-2147483648" in out
    assert "-> held" in out
    assert "1 of 1 hazards shown, 1 of 1 fixes held" in out


def test_command_exits_1_when_not_shown(monkeypatch, capsys):
    """A hazard that was not shown makes the command fail."""
    fake = Hazard(
        "value-i-wraps", "w", "f", lambda _ctx: Finding(False, "nothing"), hazards.fix_value_wraps
    )
    monkeypatch.setitem(HAZARDS, "value-i-wraps", fake)
    assert cli.main(["hazards", "value-i-wraps", "--start-method", "fork"]) == 1
    assert "NOT SHOWN" in capsys.readouterr().out


def test_command_exits_1_when_a_fix_fails(monkeypatch, capsys):
    """A fix that did not hold makes the command fail."""
    fake = Hazard(
        "value-i-wraps", "w", "f", hazards.demo_value_wraps, lambda _ctx: Finding(False, "x")
    )
    monkeypatch.setitem(HAZARDS, "value-i-wraps", fake)
    assert cli.main(["hazards", "value-i-wraps", "--start-method", "fork"]) == 1
    assert "DID NOT HOLD" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["hazards", "nope"], ["hazards", "--start-method", "vfork"]])
def test_command_bad_input_exits_2(argv, capsys):
    """An unknown hazard or start method: exit 2, one line on stderr."""
    with pytest.raises(SystemExit) as raised:
        raise SystemExit(cli.main(argv))
    assert raised.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
