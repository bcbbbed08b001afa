"""Bring your own processes: the kit's children come from the context it is given.

``tests.foreign`` stands in for a multiprocessing fork (billiard, multiprocess): its queue
refuses the standard library's spawn and forkserver children and loses every item in a standard
library fork child, but works with its own ``Process``.
"""

from __future__ import annotations

import json
import multiprocessing

import pytest

from ipccheck import Workload, check, cli, run
from ipccheck._validate import supported_start_methods
from ipccheck.cli.options import EXIT_FOUND, EXIT_OK, EXIT_USAGE
from ipccheck.conformance import ConformanceError, examples, verify_counter, verify_queue
from ipccheck.conformance.contexts import contexts_for, library_hint, source_name
from ipccheck.processes import Deadline, ProcessGroup

from .. import foreign

pytestmark = pytest.mark.processes  # most tests here start child processes

START_METHODS = supported_start_methods()
NOT_FORK = [m for m in START_METHODS if m != "fork"]
SMALL = dict(max_examples=1, max_procs=2, max_items=5)
HINT = "pass context=tests.foreign (--context tests.foreign)"


def finish() -> None:
    """A child target that succeeds."""


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_group_starts_the_context_s_own_processes(start_method):
    """ProcessGroup starts ``ctx.Process``, whatever library it comes from, and reports as usual."""
    before = foreign.ForeignProcess.started
    with ProcessGroup(foreign.get_context(start_method)) as group:
        group.start(finish, role="child")
        group.join(Deadline(60))
    assert [child.exitcode for child in group.children()] == [0]
    assert foreign.ForeignProcess.started == before + 1


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_runner_runs_a_reference_method_with_another_context(start_method):
    """``run(workload, ctx=...)``: the queue method's producers are the context's processes."""
    before = foreign.ForeignProcess.started
    workload = Workload("queue", procs=2, base=10, start_method=start_method, timeout=60)
    outcome = run(workload, ctx=foreign.get_context(start_method))
    assert check(outcome) == []
    assert foreign.ForeignProcess.started == before + 2


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_fork_library_queue_conforms_with_its_own_context(start_method):
    """With ``context=`` its library, the stand-in's queue passes: every child was its own."""
    before = foreign.ForeignProcess.started
    report = verify_queue(foreign.make_queue, context=foreign, start_methods=[start_method], **SMALL)
    assert report.start_methods == (start_method,)
    assert report.context == "tests.foreign"
    assert foreign.ForeignProcess.started - before >= report.runs  # each run started at least one


def test_without_its_context_each_start_method_says_why():
    """The same queue with standard-library children: one explanation per start method, none
    cancelling another (fork loses the items; spawn and forkserver refuse to send the queue)."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(foreign.make_queue, **SMALL)
    error = caught.value
    verdicts = {verdict.start_method: verdict for verdict in error.verdicts}
    assert tuple(verdicts) == START_METHODS  # every start method has its own verdict
    fork = verdicts["fork"]
    assert fork.invariants == ("total", "exactly-once", "sentinel")
    assert fork.case == {"procs": 1, "items": 1, "start_method": "fork"}
    assert "The probe (one item through one fork child) failed" in fork.note
    assert HINT in fork.note
    for start_method in NOT_FORK:
        verdict = verdicts[start_method]
        assert verdict.invariants[0] == "error"
        assert "should only be shared between processes through inheritance" in str(verdict.violations[0])
        assert HINT in verdict.note
    text = str(error)
    assert all(f"{start_method}: violated" in text for start_method in START_METHODS)


def test_a_counter_runs_in_the_context_s_processes():
    """verify_counter takes a context too (it needs its Barrier as well as Process and Pipe)."""
    before = foreign.ForeignProcess.started
    report = verify_counter(
        examples.LockedCounter, context=foreign, start_methods=["fork"], procs=2, increments=100, trials=1
    )
    assert report.runs == 2  # the probe and one trial
    assert foreign.ForeignProcess.started - before == 1 + 2


class NoBarrier:
    """A context source whose contexts lack Barrier."""

    def get_context(self, start_method):
        return NoBarrierContext(start_method)


class NoBarrierContext:
    def __init__(self, start_method):
        self.inner = multiprocessing.get_context(start_method)
        self.Process = self.inner.Process
        self.Pipe = self.inner.Pipe


@pytest.mark.parametrize(
    ("context", "error", "words"),
    [
        ("billiard", TypeError, "context must have get_context"),
        (object(), TypeError, "context must have get_context"),
        (NoBarrier(), TypeError, "has no Barrier"),
    ],
)
def test_a_bad_context_is_refused_before_anything_starts(context, error, words):
    """A context source without get_context, or contexts without what the kit calls, in one line."""
    with pytest.raises(error, match=words):
        verify_counter(examples.LockedCounter, context=context, start_methods=["fork"])


def test_contexts_come_from_the_source_by_name():
    """Each start method's context is ``source.get_context(name)``; None means multiprocessing."""
    contexts = contexts_for(["spawn", "fork"], foreign)
    assert [ctx.start_method for ctx in contexts.values()] == ["spawn", "fork"]
    assert contexts_for(["fork"], None)["fork"] is multiprocessing.get_context("fork")
    assert source_name(None) == source_name(multiprocessing) == "multiprocessing"
    assert source_name(foreign) == "tests.foreign"


def test_library_hint_names_the_library_an_object_belongs_to():
    """An object of one library sent to another's children: the hint says which context to pass."""
    fork = multiprocessing.get_context("fork")
    queue = foreign.make_queue(fork)
    try:
        assert HINT in library_hint(queue, fork)
        assert library_hint(queue, foreign.get_context("fork")) == ""
        assert library_hint(examples.LockedCounter(fork), fork) == ""
        standard = fork.Queue()
        assert "pass no context" in library_hint(standard, foreign.get_context("fork"))
        standard.close()
        standard.join_thread()
    finally:
        queue.close()


def test_the_command_takes_a_context(capsys):
    """``--context MODULE[:ATTR]``: the same queue passes with its library, fails without it."""
    args = ["check", "queue", "tests.foreign:make_queue", "--start-method", "fork", "--examples", "1"]
    assert cli.main([*args, "--context", "tests.foreign", "--json"]) == EXIT_OK
    (report,) = json.loads(capsys.readouterr().out)["results"]
    assert report["context"] == "tests.foreign"
    assert cli.main(args) == EXIT_FOUND
    assert HINT in capsys.readouterr().out
    assert cli.main([*args, "--context", "no_such_module_here"]) == EXIT_USAGE
    assert cli.main([*args, "--context", "tests.foreign:nothing"]) == EXIT_USAGE
    assert capsys.readouterr().err.count("\n") == 2
