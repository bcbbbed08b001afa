"""The kit's contract with an object: the producer-finished hook, release, why a child died, and
what a counter failure is called."""

from __future__ import annotations

import json

import pytest

from ipccheck import cli
from ipccheck._validate import supported_start_methods
from ipccheck.cli.options import EXIT_FOUND, EXIT_OK, EXIT_USAGE
from ipccheck.conformance import ConformanceError, broken, verify_counter, verify_queue

from . import objects

pytestmark = pytest.mark.processes  # most tests here start child processes

START_METHODS = supported_start_methods()
NOT_FORK = [m for m in START_METHODS if m != "fork"]
FEW = dict(max_examples=1, max_procs=2, max_items=20)


# ---- the producer-finished hook ---------------------------------------------------------------


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_batching_queue_conforms_because_each_producer_flushes(start_method):
    """The kit calls flush() then close() in every producer: the last batch is sent, in order."""
    verify_queue(objects.StrictBatchingQueue, start_methods=[start_method], **FEW)


def test_without_a_hook_the_last_batch_is_lost():
    """The same batching with nothing for the kit to call loses each producer's last batch."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(objects.HookFreeBatchingQueue, start_methods=["fork"], **FEW)
    assert caught.value.invariants[:2] == ("total", "exactly-once")
    assert caught.value.case == {"procs": 1, "items": 1, "start_method": "fork"}  # the probe


def test_a_hook_that_raises_is_the_producer_s_exception():
    """close() raising in a producer: exit code 1, with the exception and where it was raised."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(objects.RaisingCloseQueue, start_methods=["fork"], **FEW)
    error = caught.value
    assert error.invariants == ("exit-code",)
    expected = "producer-0: exit code 1, raised OSError: linger expired with data unsent (at objects.py:"
    assert str(error.violations[0]).startswith(f"exit-code: {expected}")
    assert str(error.violations[0]).endswith(" in close)")


# ---- why a child died, in the evidence and in --json ------------------------------------------


def test_an_exception_in_the_user_s_put_reaches_the_json(capsys):
    """End to end: a producer raising inside put() shows type, message and frame in --json."""
    args = ["check", "queue", "ipccheck.conformance.broken:RaisingQueue", "--start-method", "fork"]
    assert cli.main([*args, "--examples", "1", "--json"]) == EXIT_FOUND
    (verdict,) = json.loads(capsys.readouterr().out)["results"]
    raised = "ValueError: refused item (0, 1) (at broken.py:"
    assert verdict["errors"]["producer-0"].startswith(raised)
    assert verdict["errors"]["producer-0"].endswith(" in put)")
    assert any(f"producer-0: exit code 1, raised {raised}" in line for line in verdict["violations"])
    assert verdict["verdicts"][0]["errors"] == verdict["errors"]


@pytest.mark.parametrize("start_method", NOT_FORK)
def test_a_pickled_form_invalid_in_the_child_is_explained(start_method, capsys):
    """A queue pickled with a bare descriptor number: the child's OSError while rebuilding it is
    in the evidence and in --json; under fork (nothing pickled) the same queue conforms."""
    factory = "ipccheck.conformance.broken:StaleDescriptorQueue"
    args = ["check", "queue", factory, "--start-method", start_method, "--json"]
    assert cli.main(args) == EXIT_FOUND
    (verdict,) = json.loads(capsys.readouterr().out)["results"]
    raised = "OSError: [Errno 9] Bad file descriptor (at broken.py:"
    assert verdict["errors"]["producer-0"].startswith(raised)
    assert verdict["errors"]["producer-0"].endswith(" in __setstate__)")
    assert any(raised in line for line in verdict["violations"])
    assert f"The probe (one item through one {start_method} child) failed" in verdict["note"]
    fork = ["check", "queue", factory, "--start-method", "fork", "--examples", "1"]
    assert cli.main(fork) == EXIT_OK


# ---- counters: released, honest about what failed ---------------------------------------------


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_counter_that_needs_close_conforms(start_method):
    """The parent closes its copy after reading the value; each worker closes its own."""
    verify_counter(objects.FileCounter, start_methods=[start_method], procs=2, increments=200, trials=1)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_deterministic_counter_failure_is_called_sequential_and_shrunk(start_method):
    """A counter that stops at CAP fails with one worker too: not a race; shrunk to CAP + 1."""
    with pytest.raises(ConformanceError) as caught:
        verify_counter(
            objects.CappedCounter, start_methods=[start_method], procs=2, increments=5000, trials=1
        )
    error = caught.value
    assert error.invariants == ("total",)
    assert error.case == {"procs": 1, "increments": objects.CAP + 1, "start_method": start_method}
    assert error.first_case == {"procs": 2, "increments": 5000, "start_method": start_method}
    assert "sequential failure" in error.note
    shrunk = f"shrunk by bisection to {objects.CAP + 1} increment(s) (with {objects.CAP} it passed)"
    assert shrunk in error.note
    assert "race" not in str(error).replace("not a race", "")
    assert f"expected {objects.CAP + 1}, observed {objects.CAP} (1 lost)" in str(error)


def test_a_race_is_called_a_race():
    """An unlocked counter that one worker alone counts right: found, not shrunk, called a race."""
    with pytest.raises(ConformanceError) as caught:
        verify_counter(broken.UnlockedCounter, start_methods=["fork"])
    assert caught.value.case["procs"] == 4
    assert "a race, which cannot be replayed, so it is not shrunk" in caught.value.note


def test_a_deadline_never_claims_a_loss():
    """A slow counter that misses its deadline: the report says so, and claims nothing lost."""
    with pytest.raises(ConformanceError) as caught:
        verify_counter(
            objects.SlowCounter, start_methods=["fork"], procs=2, increments=100_000, trials=1, timeout=2
        )
    text = str(caught.value)
    assert caught.value.invariants == ("deadline",)
    assert "the observed total means nothing" in text
    assert " lost)" not in text and "expected" not in text  # no "expected N, observed M (K lost)"
    assert "A slow counter needs a longer timeout or fewer increments" in text


def test_counter_options_on_the_command_line(capsys):
    """``check counter M:A --procs 2 --increments 5000 --timeout 120`` runs with those options."""
    args = ["check", "counter", "ipccheck.conformance.examples:LockedCounter", "--procs", "2",
            "--increments", "5000", "--timeout", "120", "--trials", "2", "--start-method", "fork"]
    assert cli.main([*args, "--json"]) == EXIT_OK
    (report,) = json.loads(capsys.readouterr().out)["results"]
    assert report["runs"] == 3  # the probe and two trials
    capped = ["check", "counter", "tests.conformance.objects:CappedCounter", "--procs", "2",
              "--increments", "5000", "--start-method", "fork"]
    assert cli.main(capped) == EXIT_FOUND
    out = capsys.readouterr().out
    assert "sequential failure" in out and f"increments={objects.CAP + 1}" in out


@pytest.mark.parametrize(
    ("kind", "option"),
    [("queue", "--procs"), ("pipe", "--trials"), ("counter", "--examples"), ("queue", "--increments")],
)
def test_an_option_of_another_kind_is_a_usage_error(kind, option, capsys):
    """Counter options on a queue (or --examples on a counter) are refused in one line, exit 2."""
    factory = "ipccheck.conformance.examples:LockedCounter" if kind == "counter" else "multiprocessing:Queue"
    assert cli.main(["check", kind, factory, option, "2"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{option} does not apply to a {kind}" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("factory", "evidence"),
    [
        (objects.SegmentCounter, "shared-memory segment not unlinked: psm_"),
        (objects.NamedSemaphoreCounter, "named semaphore not unlinked: /ipccheck-test-sem-"),
        (objects.SysvSemaphoreCounter, "System V semaphore set not removed: id "),
    ],
    ids=["segment", "semaphore", "sysv"],
)
def test_a_counter_that_leaves_a_name_behind_fails_naming_it(factory, evidence):
    """close() that never unlinks: the run's /dev/shm snapshot finds the entry and names it."""
    try:
        with pytest.raises(ConformanceError) as caught:
            verify_counter(factory, start_methods=["fork"], procs=2, increments=200, trials=1)
        error = caught.value
        assert error.invariants == ("left-behind",)
        made = [name.lstrip("/").removeprefix("sysv:") for name in objects.MADE]
        (line,) = [str(v) for v in error.violations]
        assert evidence in line
        assert any(name in line for name in made)  # the very entry the counter made
    finally:
        objects.remove_made()
