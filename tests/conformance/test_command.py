"""``ipccheck check queue|pipe|counter MODULE:ATTR``: exit codes, one JSON document, user modules."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from ipccheck import cli
from ipccheck._validate import platform_default_start_method
from ipccheck.cli.options import EXIT_FOUND, EXIT_OK, EXIT_USAGE

from ..timing import seconds

pytestmark = pytest.mark.processes  # most tests here start child processes


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


def test_command_json_is_one_document(capsys):
    """--json prints one document: verdict, invariants and minimal case under ``results``."""
    args = ["check", "counter", "ipccheck.conformance.broken:UnlockedCounter"]
    code = cli.main([*args, "--start-method", "fork", "--json"])
    document = json.loads(capsys.readouterr().out)  # fails on anything but one document
    (verdict,) = document["results"]
    assert code == EXIT_FOUND and document["command"] == "check"
    assert document["ok"] is False and document["exit_code"] == EXIT_FOUND
    assert verdict["ok"] is False and verdict["invariants"] == ["total"]


MY_CHANNELS = """
import multiprocessing


class MyQueue:
    def __init__(self, ctx=multiprocessing):
        self._queue = ctx.Queue()

    def put(self, item):
        self._queue.put(item)

    def get(self, timeout=None):
        return self._queue.get(timeout=timeout)


class MyQueueWithoutCtx(MyQueue):
    def __init__(self):
        super().__init__()
"""


def run_check(tmp_path, factory):
    (tmp_path / "my_channels.py").write_text(textwrap.dedent(MY_CHANNELS))
    command = [sys.executable, "-m", "ipccheck", "check", "queue", f"my_channels:{factory}"]
    return subprocess.run(
        [*command, "--start-method", "spawn", "--examples", "1", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=seconds(100),
    )


def test_command_imports_from_the_current_directory(tmp_path):
    """A factory in the user's own module (current directory) is found, also by spawn children."""
    result = run_check(tmp_path, "MyQueue")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert json.loads(result.stdout)["results"][0]["start_methods"] == ["spawn"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="3.10 sends a fork-context lock anyway")
@pytest.mark.skipif(platform_default_start_method() != "fork", reason="the default makes no fork lock")
def test_command_tells_a_factory_without_ctx_how_to_fix_it(tmp_path):
    """The same queue built without ctx fails its spawn probe: the JSON says why and what to do."""
    result = run_check(tmp_path, "MyQueueWithoutCtx")
    assert result.returncode == EXIT_FOUND, result.stdout + result.stderr
    (verdict,) = json.loads(result.stdout)["results"]
    assert any("SemLock created in a fork context" in line for line in verdict["violations"])
    assert "takes no ctx" in verdict["note"] and "ctx.Queue()" in verdict["note"]
