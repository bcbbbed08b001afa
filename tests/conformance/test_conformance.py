"""The conformance kit catches every shipped broken implementation and passes the correct ones."""

from __future__ import annotations

import json
import multiprocessing
import queue
import subprocess
import sys
import textwrap
import threading

import pytest

from ipccheck import cli
from ipccheck._validate import supported_start_methods
from ipccheck.cli.options import EXIT_FOUND, EXIT_OK, EXIT_USAGE
from ipccheck.conformance import (
    ConformanceError,
    CounterConformance,
    PipeConformance,
    QueueConformance,
    Report,
    broken,
    check_counter,
    check_pipe,
    check_queue,
    examples,
)

START_METHODS = supported_start_methods()
# Small bounds keep shrinking and the passing searches cheap; the kit's defaults are larger.
# A spawn child costs ~30 ms on an idle machine and 10x that under load, so the searches under
# spawn and forkserver use one producer and at most two items: every bug below shows there.
SMALL = dict(max_procs=3, max_items=30)
TINY = dict(max_procs=1, max_items=2)
FEW = dict(max_examples=1, max_procs=2, max_items=20)  # lowered: each example starts processes
QUICK_COUNTER = dict(procs=3, increments=2000, trials=1)


LOST = ("total", "exactly-once")  # a lost or extra item breaks both promises


def bounds(start_method: str) -> dict[str, int]:
    """SMALL under fork, where processes are cheap; TINY under spawn and forkserver."""
    return SMALL if start_method == "fork" else TINY


@pytest.mark.parametrize("start_method", START_METHODS)
@pytest.mark.parametrize(
    ("factory", "invariants", "evidence", "case"),
    [
        (broken.DropOneQueue, LOST, "producer 0, item 1: never received", (1, 2)),
        (broken.DropLastQueue, LOST, "producer 0, item 0: never received", (1, 1)),
        (broken.DuplicatingQueue, LOST, "item (0, 0) received 2 times", (1, 1)),
        (broken.ReorderingQueue, ("order",), "producer 0: item 1 arrived before item 0", (1, 2)),
    ],
    ids=["drop-one", "drop-last", "duplicate", "reorder"],
)
def test_broken_queue_is_caught_and_shrunk(factory, invariants, evidence, case, start_method):
    """Each broken queue fails naming exactly its invariants, shrunk to the smallest case."""
    with pytest.raises(ConformanceError) as caught:
        check_queue(factory, start_methods=[start_method], **bounds(start_method))
    error = caught.value
    assert error.invariants == invariants
    assert (error.case["procs"], error.case["items"]) == case
    assert error.case["start_method"] == start_method
    assert evidence in str(error)
    assert isinstance(error, AssertionError)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_dropping_pipe_is_caught(start_method):
    """A pipe end that loses item 1 is caught as exactly-once, shrunk to one producer, two items."""
    with pytest.raises(ConformanceError) as caught:
        check_pipe(broken.dropping_pipe, start_methods=[start_method], **bounds(start_method))
    error = caught.value
    assert "exactly-once" in error.invariants
    assert (error.case["procs"], error.case["items"], error.case["payload"]) == (1, 2, 0)
    assert "producer 0, item 1: never received" in str(error)


def test_truncated_large_message_is_caught():
    """A pipe that cuts messages to 64 KiB is caught on the smallest payload above that."""
    with pytest.raises(ConformanceError) as caught:
        check_pipe(broken.truncating_pipe, start_methods=["fork"], **SMALL)
    error = caught.value
    assert "error" in error.invariants
    assert error.case["payload"] == 2**20
    assert "a 1048576-byte payload arrived as 65536 bytes" in str(error)


def test_missing_eof_is_caught():
    """A sending end whose close() does nothing leaves the reader without EOF, and that is named."""
    with pytest.raises(ConformanceError) as caught:
        check_pipe(broken.never_closing_pipe, start_methods=["fork"], max_procs=1, max_items=2)
    assert "never raised EOFError" in str(caught.value)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_unlocked_counter_is_caught(start_method):
    """An unlocked Value loses updates under the barrier-started workload."""
    with pytest.raises(ConformanceError) as caught:
        check_counter(broken.UnlockedCounter, start_methods=[start_method])
    error = caught.value
    assert error.invariants == ("total",)
    assert "lost" in str(error)


@pytest.mark.parametrize(
    "factory",
    [
        multiprocessing.Queue,
        multiprocessing.SimpleQueue,
        multiprocessing.JoinableQueue,
        examples.manager_queue,
    ],
    ids=["Queue", "SimpleQueue", "JoinableQueue", "manager-queue"],
)
def test_correct_queues_pass(factory):
    """Every multiprocessing queue keeps every promise under every start method."""
    report = check_queue(factory, **FEW)
    assert isinstance(report, Report)
    assert report.start_methods == START_METHODS
    assert report.runs == len(START_METHODS) * 2  # the typical case plus one example each
    assert "evidence, not proof" in str(report)


def test_pipe_passes():
    """``multiprocessing.Pipe`` keeps order, exactly-once, large messages and EOF everywhere."""
    report = check_pipe(multiprocessing.Pipe, **FEW)
    assert report.start_methods == START_METHODS


def test_locked_counter_passes():
    """A Value incremented under its lock loses nothing under every start method."""
    report = check_counter(examples.LockedCounter, **QUICK_COUNTER)
    assert report.runs == len(START_METHODS)


def test_a_thread_queue_is_not_an_ipc_queue():
    """``queue.Queue`` under fork: each child puts into its own copy, so nothing arrives."""
    with pytest.raises(ConformanceError) as caught:
        check_queue(queue.Queue, start_methods=["fork"], **SMALL)
    assert caught.value.invariants == ("sentinel",)
    assert (caught.value.case["procs"], caught.value.case["items"]) == (1, 0)
    assert "producer 0: sentinel never received" in str(caught.value)


# ---- bad factories: TypeError or ValueError before anything hangs --------------------------


def _raises() -> object:
    raise OSError("no room")


@pytest.mark.parametrize(
    ("factory", "error", "words"),
    [
        ("not callable", TypeError, "zero-argument callable"),
        (_raises, ValueError, "raised OSError: no room"),
        (examples.LockedCounter, TypeError, "no put or get()"),
        (lambda: threading.Lock(), TypeError, "no put or get()"),
    ],
    ids=["not-callable", "raises", "counter-for-queue", "lock"],
)
def test_bad_queue_factory_is_a_clear_error(factory, error, words):
    """A factory that is not callable, raises, or returns the wrong shape is refused in one line."""
    with pytest.raises(error, match=words) as caught:
        check_queue(factory, start_methods=["fork"], max_examples=1)
    assert "\n" not in str(caught.value)


def test_get_without_timeout_or_empty_is_refused():
    """A queue whose get() can neither time out nor be polled could hang, so it is refused."""

    class Blocking:
        def put(self, item):
            pass

        def get(self):
            pass

    with pytest.raises(TypeError, match="no empty"):
        check_queue(Blocking, start_methods=["fork"], max_examples=1)


def test_wrong_shapes_for_pipe_and_counter_are_refused():
    """A pipe factory must return a pair of ends; a counter needs increment()."""
    with pytest.raises(TypeError, match="not a pair"):
        check_pipe(multiprocessing.Queue, start_methods=["fork"], max_examples=1)
    with pytest.raises(TypeError, match="no increment"):
        check_counter(multiprocessing.Queue, start_methods=["fork"])


@pytest.mark.parametrize("start_method", [m for m in START_METHODS if m != "fork"])
def test_object_that_cannot_be_pickled_is_refused(start_method):
    """A queue that will not pickle cannot reach a spawn or forkserver child: TypeError, no hang."""

    class WithLock(broken.DropOneQueue):
        def __init__(self):
            super().__init__()
            self.lock = threading.Lock()

    with pytest.raises(TypeError, match=f"cannot be passed to a {start_method} child"):
        check_queue(WithLock, start_methods=[start_method], max_examples=1)


@pytest.mark.parametrize("start_method", [m for m in START_METHODS if m != "fork"])
def test_queue_bound_to_another_context_is_refused(start_method):
    """A queue made with a fork context cannot be sent to a spawn child; the message says why."""
    if sys.version_info >= (3, 11):
        expected = pytest.raises(TypeError, match="SemLock created in a fork context")
    else:  # 3.10 sends the fork-context lock anyway; the child crashes (SIGSEGV) using it
        expected = pytest.raises(ConformanceError, match="exit-code")
    with expected:
        check_queue(
            lambda: multiprocessing.get_context("fork").Queue(),
            start_methods=[start_method],
            max_examples=1,
        )


@pytest.mark.parametrize("start_method", [m for m in START_METHODS if m != "fork"])
def test_object_the_child_cannot_rebuild_is_refused(start_method):
    """An object that fails to unpickle in the child is a TypeError naming the start method."""
    with pytest.raises(TypeError, match=f"could not be rebuilt in a {start_method} child"):
        check_queue(broken.ParentOnlyQueue, start_methods=[start_method], max_examples=1)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (dict(start_methods=["nope"]), ValueError),
        (dict(start_methods=[]), ValueError),
        (dict(max_examples=0), ValueError),
        (dict(max_procs=0), ValueError),
        (dict(max_items=-1), ValueError),
        (dict(timeout=-1), ValueError),
        (dict(timeout="soon"), TypeError),
    ],
)
def test_bad_options_are_refused(options, error):
    """Bad options are refused with the core's one-line validation errors."""
    with pytest.raises(error):
        check_queue(multiprocessing.Queue, **options)


def test_missing_hypothesis_is_one_clear_line(monkeypatch):
    """Without the ``conformance`` extra, check_queue says how to install it."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError, match=r"pip install 'ipccheck\[conformance\]'"):
        check_queue(multiprocessing.Queue)


# ---- pytest base classes -------------------------------------------------------------------


class TestQueueConformanceOnQueue(QueueConformance):
    """The base class run as a user would: three tests, one per start method."""

    max_examples = 1
    max_procs = 1
    max_items = 10

    def make_queue(self):
        return multiprocessing.Queue()


class TestPipeConformanceOnPipe(PipeConformance):
    """The pipe base class on ``multiprocessing.Pipe``."""

    max_examples = 1
    max_procs = 1
    max_items = 10

    def make_pipe(self):
        return multiprocessing.Pipe()


class TestCounterConformanceOnLockedValue(CounterConformance):
    """The counter base class on a locked Value."""

    procs = 2
    increments = 500
    trials = 1

    def make_counter(self):
        return examples.LockedCounter()


def test_base_class_fails_on_a_broken_queue():
    """A subclass whose factory makes a broken queue fails its test with ConformanceError."""

    class Broken(QueueConformance):
        max_procs = 2
        max_items = 10

        def make_queue(self):
            return broken.DuplicatingQueue()

    with pytest.raises(ConformanceError, match="received 2 times"):
        Broken().test_queue_conforms_under_fork()


def test_base_class_without_factory_says_what_to_override():
    """Forgetting to override the factory is a ValueError naming the method to override."""
    with pytest.raises(ValueError, match="override make_queue"):
        QueueConformance().test_queue_conforms_under_fork()


# ---- the command ---------------------------------------------------------------------------


def test_command_exit_codes(capsys):
    """0 for a conformant queue, 1 with the minimal case for a broken one, 2 for a bad factory."""
    ok = ["check", "queue", "multiprocessing:Queue", "--start-method", "fork", "--examples", "1"]
    # (the search of a broken queue is confined to its first failing case, so it stays small)
    assert cli.main(ok) == EXIT_OK
    assert "conformed" in capsys.readouterr().out

    bad = ["check", "queue", "ipccheck.conformance.broken:DropOneQueue", "--start-method", "fork"]
    assert cli.main(bad) == EXIT_FOUND
    out = capsys.readouterr().out
    assert "minimal case: procs=1, items=2, start method fork" in out
    assert "exactly-once: producer 0, item 1: never received" in out

    shape = ["check", "pipe", "multiprocessing:Queue", "--start-method", "fork"]
    assert cli.main(shape) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("ipccheck: error:") and err.count("\n") == 1


@pytest.mark.parametrize("spec", ["no_such_module_here:f", "multiprocessing:NoSuch", "nocolon"])
def test_command_unimportable_factory_is_usage_error(spec, capsys):
    """A factory that cannot be imported is exit 2 with one line on stderr."""
    assert cli.main(["check", "queue", spec]) == EXIT_USAGE
    assert capsys.readouterr().err.count("\n") == 1


def test_command_json_for_a_violation(capsys):
    """--json prints the verdict, invariants and minimal case as one JSON object."""
    args = ["check", "counter", "ipccheck.conformance.broken:UnlockedCounter"]
    code = cli.main([*args, "--start-method", "fork", "--json"])
    document = json.loads(capsys.readouterr().out)
    (verdict,) = document["results"]
    assert code == EXIT_FOUND and document["command"] == "check"
    assert verdict["ok"] is False and verdict["invariants"] == ["total"]


def test_command_imports_from_the_current_directory(tmp_path):
    """A factory in the user's own module (current directory) is found, also by spawn children."""
    (tmp_path / "my_channels.py").write_text(
        textwrap.dedent(
            """
            import multiprocessing

            class MyQueue:
                def __init__(self):
                    self._queue = multiprocessing.Queue()

                def put(self, item):
                    self._queue.put(item)

                def get(self, timeout=None):
                    return self._queue.get(timeout=timeout)
            """
        )
    )
    command = [sys.executable, "-m", "ipccheck", "check", "queue", "my_channels:MyQueue"]
    result = subprocess.run(
        [*command, "--start-method", "spawn", "--examples", "1", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["results"][0]["start_methods"] == ["spawn"]
