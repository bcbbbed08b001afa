"""The benchmark and the standard-library table are commands; these keep them working.

They assert what the commands print, never how fast anything ran or how often a race showed.
"""

from __future__ import annotations

import pytest

from ipccheck.linearizability import bench, table


def test_the_benchmark_workloads_are_what_the_docs_say():
    queue = bench.workload("queue", 2, 8)
    assert [[str(c) for c in part] for part in queue.parallel] == [
        ["put(1)", "get()", "put(2)", "get()"], ["put(3)", "get()", "put(4)", "get()"]]
    counter = bench.workload("counter", 1, 4)
    assert [str(c) for c in counter.parallel[0]] == [
        "fetch_add(1)", "increment()", "read()", "fetch_add(1)"]


def test_the_benchmark_command_prints_one_row_per_history(capsys):
    assert bench.main(["--kinds", "counter,simple-queue", "--sizes", "40", "--procs", "2",
                       "--budget", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["history", "of", "procs"]
    assert [line.split()[:3] for line in lines[1:]] == [["counter", "2", "40"],
                                                        ["simple-queue", "2", "40"]]
    assert all(" ok " in line for line in lines[1:])  # a locked counter and a SimpleQueue


def test_the_table_counts_the_put_then_get_nowait_case(capsys):
    code = table.main(["--put-then-get-nowait", "3", "--payload", "0"])
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1: it was caught at least once (a race: either can happen)
    assert "setup:     put(1)\nprocess 0: get_nowait()" in out
    assert "of 3 runs not linearizable under fork" in out


@pytest.mark.parametrize(
    ("module", "argv"),
    [(bench, ["--kinds", "stack"]), (bench, ["--sizes", "0"]), (table, ["--rows", "nope"]),
     (table, ["--stress", "0"]), (table, ["--start-method", "thread"])],
)
def test_bad_input_is_one_line_and_exit_2(module, argv, capsys):
    with pytest.raises(SystemExit) as caught:
        module.main(argv)
    assert caught.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()[-1]) > 0
