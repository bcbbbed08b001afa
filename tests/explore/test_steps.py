"""The step language: parsing both forms, and rejecting programs that break on their own."""

from __future__ import annotations

import pytest

from ipccheck.explore.steps import (
    MAX_PROCS,
    READY,
    Step,
    parse_step,
    ready_program,
    user_program,
)


@pytest.mark.parametrize(
    ("text", "obj"),
    [
        ("read", {"op": "read"}),
        ("write", {"op": "write"}),
        ("write +2", {"op": "write", "add": 2}),
        ("write =5", {"op": "write", "value": 5}),
        ("lock a", {"op": "lock", "name": "a"}),
        ("unlock a", {"op": "unlock", "name": "a"}),
        ("check 0", {"op": "check", "equals": 0}),
        ("act", {"op": "act"}),
        ("act +2", {"op": "act", "add": 2}),
    ],
)
def test_string_and_object_forms_agree(text, obj):
    """Each step's short string and its JSON object parse to the same Step, which prints back."""
    assert parse_step(text) == parse_step(obj)
    assert str(parse_step(text)) == text


def test_write_forms_differ():
    """``write`` adds to the register while ``write =N`` stores a constant."""
    assert parse_step("write") == Step("write", 1)
    assert parse_step("write =1") == Step("write", 1, absolute=True)
    assert parse_step("write") != parse_step("write =1")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "jump",
        "read 3",
        "lock",
        "lock 9x",
        "check",
        "check zero",
        "write 3",
        "act =3",
        "write + 3",
        {"op": "fly"},
        {"op": "read", "add": 1},
        {"op": "write", "add": 1, "value": 2},
        {"op": "write", "add": True},
        {"op": "check"},
        {"op": "write", "value": 10**13},
        3,
        None,
    ],
)
def test_bad_steps_are_one_line_errors(bad):
    """A malformed step raises ValueError or TypeError with a one-line message."""
    with pytest.raises((ValueError, TypeError)) as info:
        parse_step(bad)
    assert "\n" not in str(info.value) and str(info.value)


@pytest.mark.parametrize(
    ("steps", "words"),
    [
        (["lock a", "lock a", "unlock a"], "already holds"),
        (["unlock a"], "does not hold"),
        (["lock a", "read", "write"], "ends holding"),
        (["write"], "before any read"),
        (["act"], "before any check"),
    ],
)
def test_workers_that_break_alone_are_rejected(steps, words):
    """Programs that would hang or fail even when run serially are refused up front."""
    with pytest.raises(ValueError, match=words):
        user_program(steps)


def test_ready_programs_shapes():
    """The classics have the bodies their names promise, repeated per iteration."""
    unlocked = ready_program("unlocked-increment", procs=3, iterations=2)
    assert unlocked.procs == 3
    assert [str(s) for s in unlocked.workers[0]] == ["read", "write"] * 2
    locked = ready_program("locked-increment")
    assert [str(s) for s in locked.workers[1]] == ["lock c", "read", "write", "unlock c"]
    order = ready_program("lock-order", procs=3)
    assert [str(s) for s in order.workers[0][:2]] == ["lock a", "lock b"]
    assert [str(s) for s in order.workers[1][:2]] == ["lock b", "lock a"]
    assert [str(s) for s in order.workers[2][:2]] == ["lock a", "lock b"]
    assert [str(s) for s in ready_program("check-then-act").workers[0]] == ["check 0", "act"]
    assert set(READY) == {"unlocked-increment", "locked-increment", "check-then-act", "lock-order"}


def test_user_program_forms():
    """A flat list runs on every worker; a list of lists gives one body per worker."""
    same = user_program(["read", "write"], procs=3, iterations=2)
    assert same.procs == 3 and len(same.workers[2]) == 4
    each = user_program({"workers": [["read", "write"], ["write =9"]], "initial": 4})
    assert each.procs == 2 and each.initial == 4 and str(each.workers[1][0]) == "write =9"


@pytest.mark.parametrize(
    ("data", "kwargs"),
    [
        ([], {}),
        ("read", {}),
        ({"steps": ["read"], "workers": [["read"]]}, {}),
        ({"steps": "read"}, {}),
        ({"steps": ["read"], "colour": 1}, {}),
        ([["read"], ["read"]], {"procs": 3}),
        (["read"], {"procs": 0}),
        (["read"], {"procs": MAX_PROCS + 1}),
        (["read"], {"iterations": 0}),
        ({"steps": ["read"], "initial": "0"}, {}),
        (["read"] * 201, {}),
    ],
)
def test_bad_programs_are_one_line_errors(data, kwargs):
    """Empty, mistyped, oversized or inconsistent programs raise a one-line ValueError/TypeError."""
    with pytest.raises((ValueError, TypeError)) as info:
        user_program(data, **kwargs)
    assert "\n" not in str(info.value)


def test_unknown_ready_program():
    """Asking for a program that does not exist names the ones that do."""
    with pytest.raises(ValueError, match="unlocked-increment"):
        ready_program("increment")
