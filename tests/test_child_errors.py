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
