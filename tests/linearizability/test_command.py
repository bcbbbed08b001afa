"""``ipccheck check queue|counter|dict MODULE:ATTR --linearizable``: exit codes and the report.

Bad input is refused in ``prepare``, before any process starts (the search is replaced by one
that fails the test if it is ever called). The runs use fork and small budgets; what they
assert is the verdict and what is printed, never how long anything took.
"""

from __future__ import annotations

import json
import multiprocessing
from multiprocessing.context import BaseContext

import pytest

from ipccheck import cli
from ipccheck.cli import linearizable
from ipccheck.cli.options import EXIT_FOUND, EXIT_OK, EXIT_USAGE

pytestmark = pytest.mark.processes  # most tests here start child processes

QUEUE = "ipccheck.linearizability.stdlib:simple_queue_factory"
COUNTER = "ipccheck.linearizability.stdlib:LockedCounter"
RACY = "ipccheck.linearizability.broken:RacyCounter"
SMALL = ["--start-method", "fork", "--examples", "3", "--stress", "2"]

# Two keys, values stored as ints with -1 for "absent": what the generated scenarios use.
KEYS = "ab"
ABSENT = -1


class ArrayDict:
    """A dictionary of two keys in a shared Array, every operation under the Array's lock."""

    def __init__(self, ctx: BaseContext) -> None:
        self._slots = ctx.Array("q", [ABSENT] * len(KEYS))

    def get(self, key: str) -> int | None:
        with self._slots.get_lock():
            value = int(self._slots[KEYS.index(key)])
        return None if value == ABSENT else value

    def __setitem__(self, key: str, value: int) -> None:
        with self._slots.get_lock():
            self._slots[KEYS.index(key)] = value

    def cas(self, key: str, expected: int | None, new: int) -> bool:
        with self._slots.get_lock():
            current = int(self._slots[KEYS.index(key)])
            if current != (ABSENT if expected is None else expected):
                return False
            self._slots[KEYS.index(key)] = new
        return True


class NoGetNowait:
    """A queue without get_nowait: refused when the operation set names it."""

    def __init__(self, ctx: BaseContext) -> None:
        self._queue = ctx.SimpleQueue()

    def put(self, item: object) -> None:
        self._queue.put(item)

    def get(self) -> object:
        return self._queue.get()

    def close(self) -> None:
        self._queue.close()


def raises(ctx: BaseContext) -> None:
    raise RuntimeError("no object today")


@pytest.fixture
def no_search(monkeypatch):
    """Any search started is a failure of the test: bad input must stop before it."""

    def refused(*args, **kwargs):
        raise AssertionError("the search started although the input was bad")

    monkeypatch.setattr(linearizable, "verify_linearizable", refused)


HERE = __name__


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["check", "dict", f"{HERE}:ArrayDict"], "kind 'dict' is only checked with --linearizable"),
        (["check", "queue", QUEUE, "--ops", "put"], "--ops only applies with --linearizable"),
        (["check", "queue", QUEUE, "--stress", "3"], "--stress only applies with --linearizable"),
        (["check", "queue", QUEUE, "--linearizable", "--ops", "put,pop"],
         "unknown queue operation(s) pop"),
        (["check", "counter", COUNTER, "--linearizable", "--ops", "put"],
         "unknown counter operation(s) put"),
        (["check", "queue", QUEUE, "--linearizable", "--ops", ","], "unknown queue operation(s)"),
        (["check", "queue", QUEUE, "--linearizable", "--ops", "get"], "must include put"),
        (["check", "pipe", "multiprocessing:Pipe", "--linearizable"],
         "a pipe has no sequential model here"),
        (["check", "queue", QUEUE, "--linearizable", "--stress", "0"], "--stress must be at least 1"),
        (["check", "queue", QUEUE, "--linearizable", "--examples", "0"],
         "--examples must be at least 1"),
        (["check", "queue", "no_such_module_here:f", "--linearizable"], "cannot import"),
        (["check", "queue", "nocolon", "--linearizable"], "MODULE:ATTR"),
        (["check", "queue", f"{HERE}:KEYS", "--linearizable"], "must be a callable"),
        (["check", "queue", f"{HERE}:raises", "--linearizable", "--start-method", "fork"],
         "the factory raised RuntimeError: no object today"),
        (["check", "queue", f"{HERE}:NoGetNowait", "--linearizable", "--ops", "put,get_nowait",
          "--start-method", "fork"], "cannot do get_nowait"),
        (["check", "counter", QUEUE, "--linearizable", "--start-method", "fork"],
         "cannot do increment, read, fetch_add"),
        (["check", "counter", COUNTER, "--linearizable", "--procs", "2"],
         "--procs does not apply with --linearizable"),
        (["check", "counter", COUNTER, "--linearizable", "--trials", "2"],
         "--trials does not apply with --linearizable"),
        (["check", "queue", QUEUE, "--linearizable", "--context", "multiprocessing"],
         "--context does not apply with --linearizable"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_one_line_and_exit_2_before_any_search(argv, said, capsys, no_search):
    assert cli.main(argv) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert said in captured.err


def test_a_non_linearizable_counter_is_exit_1_with_its_timeline(capsys):
    """RacyCounter's fetch_add returns one value twice: the report names the culprit."""
    code = cli.main(["check", "counter", RACY, "--linearizable", "--ops", "fetch_add",
                     "--start-method", "fork", "--stress", "5"])
    out = capsys.readouterr().out
    assert code == EXIT_FOUND, out
    assert "is not linearizable under fork" in out
    assert "no valid linearization point for" in out and "fetch_add(" in out
    assert "minimal scenario:" in out and "its history:" in out
    assert "<-- X" in out  # the culprit marked in the per-process timeline


def test_the_json_document_of_a_failure_holds_the_history(capsys):
    code = cli.main(["check", "counter", RACY, "--linearizable", "--ops", "fetch_add",
                     "--start-method", "fork", "--stress", "5", "--json"])
    document = json.loads(capsys.readouterr().out)  # fails on anything but one document
    (record,) = document["results"]
    assert code == EXIT_FOUND and document["exit_code"] == EXIT_FOUND
    assert document["command"] == "check" and document["ok"] is False
    assert document["linearizable"] is True
    assert record["ok"] is False and "fetch_add" in record["culprit"]
    assert all({"process", "operation", "call_us", "return_us"} <= set(op) for op in record["history"])


@pytest.mark.parametrize(
    ("kind", "factory", "ops"),
    [("queue", QUEUE, "put,get,empty"), ("counter", COUNTER, "increment,read,fetch_add"),
     ("dict", f"{HERE}:ArrayDict", "get,set,cas")],
)
def test_linearizable_objects_are_exit_0(kind, factory, ops, capsys):
    code = cli.main(["check", kind, factory, "--linearizable", "--ops", ops, *SMALL, "--json"])
    document = json.loads(capsys.readouterr().out)
    (record,) = document["results"]
    assert code == EXIT_OK and document["ok"] is True
    assert record["kind"] == kind and record["operations"] == ops.split(",")
    assert record["start_methods"] == ["fork"] and record["stress"] == 2


def test_a_run_without_a_history_is_exit_1_and_says_why(monkeypatch, capsys):
    """A child that dies gives nothing to judge: a finding, said in words, not a verdict."""

    def died(*args, **kwargs):
        raise linearizable.ScenarioError("P0 ended without sending its history (killed by SIGKILL)")

    monkeypatch.setattr(linearizable, "verify_linearizable", died)
    argv = ["check", "queue", QUEUE, "--linearizable", "--ops", "put,get", "--start-method", "fork"]
    assert cli.main(argv) == EXIT_FOUND
    assert "no history to judge: ScenarioError: P0 ended" in capsys.readouterr().out


def test_the_conformance_kit_still_runs_without_the_flag(monkeypatch, capsys):
    """Without --linearizable, check is the conformance kit, exactly as before."""
    called = {}

    def verify_kind(kind, factory, **options):
        called.update(kind=kind, options=options)
        raise ValueError("stop here")

    monkeypatch.setattr("ipccheck.cli.check.verify_kind", verify_kind)
    assert cli.main(["check", "queue", QUEUE, "--start-method", "fork", "--examples", "2"]) == EXIT_USAGE
    options = called.pop("options")
    assert called == {"kind": "queue"}
    assert options["start_methods"] == ("fork",) and options["max_examples"] == 2
    assert options["timeout"] == 60.0 and options["context"] is None
    assert "stop here" in capsys.readouterr().err


def test_array_dict_is_a_dict():
    """The test's own dictionary behaves like one, so its exit 0 above means something."""
    d = ArrayDict(multiprocessing.get_context("fork"))
    assert d.get("a") is None and d.cas("a", None, 1) and not d.cas("a", None, 2)
    d["b"] = 2
    assert (d.get("a"), d.get("b")) == (1, 2)
