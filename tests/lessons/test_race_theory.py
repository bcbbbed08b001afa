"""lessons.race.theory: the bound on reachable values, checked against every interleaving."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from ipccheck.lessons.race.theory import (
    AS_FORCED,
    EXACT,
    FORBIDDEN,
    LOST_UPDATES,
    UNEXPECTED,
    exact_value,
    grade,
    lowest_reachable,
)


@cache
def _finals(counter: int, workers: tuple[tuple[int, int | None], ...]) -> frozenset[int]:
    """Every final counter value reachable from this state of the read-then-write model.

    Each worker is (increments left, value it read and has not written yet, or None).
    """
    if all(left == 0 and read is None for left, read in workers):
        return frozenset({counter})
    reachable: set[int] = set()
    for index, (left, read) in enumerate(workers):
        if read is not None:  # its next step is the write
            after = workers[:index] + ((left, None),) + workers[index + 1 :]
            reachable |= _finals(read + 1, after)
        elif left > 0:  # its next step is the read of a new increment
            after = workers[:index] + ((left - 1, counter),) + workers[index + 1 :]
            reachable |= _finals(counter, after)
    return frozenset(reachable)


def reachable_finals(procs: int, iterations: int) -> frozenset[int]:
    return _finals(0, ((iterations, None),) * procs)


@given(st.integers(1, 3), st.integers(1, 3))
def test_lowest_reachable_matches_every_interleaving(procs, iterations):
    """The documented bound is exactly the minimum over all interleavings of small races."""
    finals = reachable_finals(procs, iterations)
    assert min(finals) == lowest_reachable(procs, iterations)
    assert max(finals) == procs * iterations


def test_lowest_reachable_is_two_not_one_for_two_or_more_increments():
    """With 2+ increments per worker the last write follows the writer's own write, so >= 2."""
    assert lowest_reachable(9, 50) == 2
    assert 1 not in reachable_finals(2, 2)
    assert 1 in reachable_finals(2, 1)
    assert lowest_reachable(2, 1) == 1
    assert lowest_reachable(1, 50) == 50


def test_grades_cover_every_case():
    """Values outside [lowest, P*N] are FORBIDDEN; inside, the grade depends on the mode."""
    assert grade("free", 4, 100, 401) == FORBIDDEN
    assert grade("free", 4, 100, 1) == FORBIDDEN
    assert grade("free", 4, 100, 2) == LOST_UPDATES
    assert grade("free", 4, 100, 400) == EXACT
    assert grade("free", 1, 100, 99) == FORBIDDEN
    assert grade("forced", 4, 100, 100) == AS_FORCED
    assert grade("forced", 4, 100, 400) == UNEXPECTED
    assert grade("locked", 4, 100, 399) == UNEXPECTED
    assert grade("locked", 4, 100, 400) == EXACT


def test_exact_value_per_mode():
    """Forced must end at N, locked at P * N; free has no one value."""
    assert (exact_value("forced", 4, 7), exact_value("locked", 4, 7)) == (7, 28)
    assert exact_value("free", 4, 7) is None
