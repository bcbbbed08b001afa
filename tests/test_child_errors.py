"""A child's exception reaches the parent as one line of evidence, not a traceback on stderr."""

from __future__ import annotations

import multiprocessing

import pytest

from ipccheck import Workload, check, run
from ipccheck.child_errors import summarize
from ipccheck.processes import Deadline, ProcessGroup

from .strategies import selected_start_methods
from .timing import seconds

pytestmark = pytest.mark.processes  # most tests here start child processes


def explode(word: str) -> None:
    """A child target that fails the way user code does."""
    raise ValueError(f"bad {word}")


def finish() -> None:
    """A child target that succeeds."""


def leave(code: int) -> None:
    """A child target that exits on purpose: SystemExit keeps its own meaning."""
    raise SystemExit(code)


def test_summary_names_type_message_and_innermost_frame():
    """``Type: message (at file:line in function)``, and no colon for an empty message."""
    try:
        explode("item")
    except ValueError as exc:
        line = summarize(exc)
    assert line.startswith("ValueError: bad item (at test_child_errors.py:")
    assert line.endswith(" in explode)")
    assert summarize(KeyError()) == "KeyError"


@pytest.mark.parametrize("start_method", selected_start_methods())
def test_the_parent_learns_why_a_child_died_and_stderr_stays_clean(start_method, capfd):
    """The group records the exception of the child that raised, and nothing for the others."""
    with ProcessGroup(multiprocessing.get_context(start_method)) as group:
        group.start(explode, ("luck",), role="exploder")
        group.start(finish, role="finisher")
        group.start(leave, (3,), role="leaver")
        group.join(Deadline(seconds(60)))
    children = {child.name: child for child in group.children()}
    assert children["exploder"].exitcode == 1
    assert children["exploder"].error is not None
    assert children["exploder"].error.startswith("ValueError: bad luck (at test_child_errors.py:")
    assert (children["finisher"].exitcode, children["finisher"].error) == (0, None)
    assert (children["leaver"].exitcode, children["leaver"].error) == (3, None)
    assert "Traceback" not in capfd.readouterr().err


class ExplodingProducers:
    """A channel method whose producers raise before sending anything."""

    FAMILY = "channel"

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        for index in range(workload.procs):
            group.start(explode, (f"producer {index}",), role=f"producer-{index}")
        group.join(deadline)


def test_the_exit_code_violation_carries_the_exception():
    """Through the real runner, the broken promise says what the child raised."""
    outcome = run(Workload("queue", procs=1, base=1, start_method="fork"), ExplodingProducers())
    exit_code = [str(v) for v in check(outcome) if v.invariant == "exit-code"]
    assert len(exit_code) == 1
    assert exit_code[0].startswith("exit-code: producer-0: exit code 1, raised ValueError: bad producer 0")
    assert outcome.died[0].startswith("producer-0 exit code 1 (ValueError: bad producer 0")


class Unrebuildable:
    """An argument that pickles, but refuses to be rebuilt in the child."""

    def __init__(self) -> None:
        self.state = "something to rebuild"  # pickle calls __setstate__ only when there is state

    def __setstate__(self, state):
        raise OSError("no such descriptor in this process")


def receive(thing) -> None:
    """A child target that only receives its argument."""


@pytest.mark.parametrize("start_method", [m for m in selected_start_methods() if m != "fork"])
def test_a_child_that_cannot_rebuild_its_arguments_says_why(start_method, capfd):
    """Spawn and forkserver children unpickle their arguments before the target runs; an
    exception there reaches the parent as one line too (and no traceback on stderr)."""
    with ProcessGroup(multiprocessing.get_context(start_method)) as group:
        group.start(receive, (Unrebuildable(),), role="receiver")
        group.join(Deadline(60))
    (child,) = group.children()
    assert child.exitcode == 1
    assert child.error is not None
    assert child.error.startswith("OSError: no such descriptor in this process (at test_child_errors.py:")
    assert child.error.endswith(" in __setstate__)")
    assert "Traceback" not in capfd.readouterr().err


def test_under_fork_nothing_is_rebuilt_and_the_watch_stays_unarmed():
    """Fork children inherit their arguments: the same argument arrives as it is."""
    with ProcessGroup(multiprocessing.get_context("fork")) as group:
        group.start(receive, (Unrebuildable(),), role="receiver")
        group.join(Deadline(60))
    assert [(child.exitcode, child.error) for child in group.children()] == [(0, None)]
