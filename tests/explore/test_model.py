"""The pure model and the searches on it: semantics, combinatorics, and shrinking."""

from __future__ import annotations

from math import factorial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipccheck.explore import (
    exhaustive,
    find_bad,
    judge,
    predict,
    ready_program,
    resolve,
    serial_finals,
    user_program,
)
from ipccheck.explore.model import BLOCKED, COMPLETE, DEADLOCK, FINISHED, INCOMPLETE
from ipccheck.explore.search import all_schedules
from tests.strategies import explore_choices, explore_programs, explore_schedules


def multinomial(*parts: int) -> int:
    """Ways to interleave sequences of these lengths, keeping each one's own order."""
    result = factorial(sum(parts))
    for part in parts:
        result //= factorial(part)
    return result


def test_lost_update_by_hand():
    """read, read, write, write: both workers write 1 and one increment is gone."""
    result = predict(ready_program("unlocked-increment"), [0, 1, 0, 1])
    assert [(t.worker, t.step, t.read, t.wrote) for t in result.turns] == [
        (0, "read", 0, None),
        (1, "read", 0, None),
        (0, "write", None, 1),
        (1, "write", None, 1),
    ]
    assert (result.final, result.status) == (1, COMPLETE)


def test_blocked_finished_and_incomplete_turns():
    """A held lock blocks without changing anything; a finished worker says so."""
    program = ready_program("locked-increment")
    result = predict(program, [0, 1, 0, 0, 0, 0])
    assert [t.status for t in result.turns] == [
        "stepped",
        BLOCKED,
        "stepped",
        "stepped",
        "stepped",
        FINISHED,
    ]
    assert result.status == INCOMPLETE and result.final == 1


def test_deadlock_names_who_waits_for_what():
    """lock-order's first steps 0, 1 leave each worker waiting for the other's lock."""
    result = predict(ready_program("lock-order"), [0, 1])
    assert result.status == DEADLOCK
    assert result.waiting == ((0, "b"), (1, "a"))


def test_act_adds_to_current_value_only_after_a_true_check():
    """act fires on a stale but true check, and does nothing after a false one."""
    program = user_program({"workers": [["check 0", "act +5"], ["check 1", "act"]]})
    result = predict(program, [0, 1, 0, 1])
    assert [t.wrote for t in result.turns] == [None, None, 5, None]
    assert result.final == 5


@pytest.mark.parametrize("schedule", [[2], [-1], ["0"], [True]])
def test_bad_schedules_raise(schedule):
    """Worker ids outside the program, or not ints, are a one-line error."""
    with pytest.raises((ValueError, TypeError)):
        predict(ready_program("unlocked-increment"), schedule)


@given(explore_programs.flatmap(lambda d: st.tuples(st.just(d), st.data())))
def test_resolved_choices_are_complete_or_deadlocked(case):
    """resolve turns any choices into a schedule in which every turn steps, to the end."""
    data, draw = case
    program = user_program(data)
    choices = draw.draw(explore_choices(program.procs, program.total_steps))
    result = predict(program, resolve(program, choices))
    assert all(t.status == "stepped" for t in result.turns)
    assert result.status in (COMPLETE, DEADLOCK)


@given(explore_programs.flatmap(lambda d: st.tuples(st.just(d), st.data())))
def test_serial_schedules_are_never_bad(case):
    """Running workers one after another is by definition not a bug of the interleaving."""
    data, draw = case
    program = user_program(data)
    order = draw.draw(st.permutations(range(program.procs)))
    schedule = [w for w in order for _ in program.workers[w]]
    result = predict(program, schedule)
    assert result.final in serial_finals(program)
    assert not judge(program, result).bad
    # raw schedules never crash the model
    predict(program, draw.draw(explore_schedules(program.procs, program.total_steps)))


@pytest.mark.parametrize(("procs", "iterations"), [
    (2, 1), (2, 2), (3, 1),
    pytest.param(2, 3, marks=pytest.mark.deep), pytest.param(3, 2, marks=pytest.mark.deep),
])
def test_exhaustive_unlocked_counts_match_combinatorics(procs, iterations):
    """All interleavings = multinomial of 2k steps each; none lost = pairs kept whole."""
    census = exhaustive(ready_program("unlocked-increment", procs, iterations))
    assert census.total == multinomial(*[2 * iterations] * procs)
    assert census.table[str(procs * iterations)] == multinomial(*[iterations] * procs)
    assert census.bad == census.total - multinomial(*[iterations] * procs)
    assert sum(census.table.values()) == census.total


def test_exhaustive_two_workers_one_increment_table():
    """2 workers x 1 increment: 6 interleavings, 4 lose the update (a fraction of 2/3)."""
    census = exhaustive(ready_program("unlocked-increment"))
    assert census.table == {"1": 4, "2": 2}
    assert census.first_bad == (0, 1, 0, 1)


@pytest.mark.parametrize(("procs", "iterations"), [(2, 1), (2, 2), (3, 1), (3, 2)])
def test_exhaustive_locked_never_loses(procs, iterations):
    """Locked sections are atomic: only their orders differ, and none loses."""
    census = exhaustive(ready_program("locked-increment", procs, iterations))
    assert census.total == multinomial(*[iterations] * procs)
    assert census.table == {str(procs * iterations): census.total}
    assert census.bad == 0 and census.first_bad is None


def test_exhaustive_check_then_act_and_lock_order():
    """check-then-act breaks when both checks come first (4 of 6); lock-order deadlocks in 2."""
    assert exhaustive(ready_program("check-then-act")).table == {"1": 2, "2": 4}
    census = exhaustive(ready_program("lock-order"))
    assert census.table == {"2": 4, "deadlock": 2}
    assert census.first_bad == (0, 1)


def test_all_schedules_are_distinct_and_limited():
    """Enumeration yields each interleaving once, and refuses to run past its limit."""
    program = ready_program("unlocked-increment", 2, 2)
    schedules = list(all_schedules(program))
    assert len(schedules) == len(set(schedules)) == 70
    assert schedules == sorted(schedules)
    with pytest.raises(ValueError, match="more than 69 interleavings"):
        list(all_schedules(program, limit=69))


def test_hypothesis_shrinks_lost_update_to_minimal():
    """Hypothesis finds a losing schedule and shrinks it to read, read, write, write."""
    program = ready_program("unlocked-increment")
    schedule = find_bad(program)
    assert schedule == (0, 1, 0, 1)
    assert [t.step for t in predict(program, schedule).turns] == ["read", "read", "write", "write"]


@pytest.mark.parametrize("name", ["unlocked-increment", "check-then-act", "lock-order"])
@pytest.mark.parametrize(("procs", "iterations"), [
    (2, 1), pytest.param(3, 1, marks=pytest.mark.deep), pytest.param(2, 2, marks=pytest.mark.deep),
])
def test_hypothesis_finds_a_bad_interleaving_of_each_racy_program(name, procs, iterations):
    """What Hypothesis returns is one of the real interleavings, and a bad one."""
    program = ready_program(name, procs, iterations)
    schedule = find_bad(program)
    assert schedule in set(all_schedules(program))
    assert judge(program, predict(program, schedule)).bad


def test_hypothesis_shrinks_deadlock_to_two_steps():
    """lock-order's deadlock shrinks to: worker 0 takes a, worker 1 takes b."""
    program = ready_program("lock-order")
    schedule = find_bad(program)
    assert schedule == (0, 1)
    assert predict(program, schedule).status == DEADLOCK


@pytest.mark.parametrize(("procs", "iterations"), [(2, 1), pytest.param(2, 2, marks=pytest.mark.deep)])
def test_hypothesis_finds_nothing_for_locked_increment(procs, iterations):
    """With the lock, no schedule Hypothesis tries loses an update."""
    assert find_bad(ready_program("locked-increment", procs, iterations)) is None


@given(st.data())
def test_locked_increment_never_loses_on_the_model(data):
    """Every generated locked-increment schedule ends with procs x iterations."""
    program = ready_program("locked-increment", 3, 2)
    choices = data.draw(explore_choices(program.procs, program.total_steps))
    result = predict(program, resolve(program, choices))
    assert (result.status, result.final) == (COMPLETE, 6)
