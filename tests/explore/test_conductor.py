"""The conductor: real processes follow a schedule exactly and agree with the model."""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipccheck._validate import supported_start_methods
from ipccheck.explore import (
    Conductor,
    ConductorError,
    conduct,
    find_bad,
    predict,
    ready_program,
    resolve,
    user_program,
)
from ipccheck.explore.model import BLOCKED, COMPLETE, DEADLOCK, FINISHED
from ipccheck.explore.search import all_schedules
from ipccheck.processes import DeadlineExceeded
from tests.strategies import explore_choices, explore_programs, explore_schedules
from tests.timing import seconds

METHODS = supported_start_methods()
# A new set of workers per example costs a process start each: ~1 ms under fork, but each
# spawn or forkserver child imports ipccheck (60-90 ms here, more on a loaded machine). Those
# start methods are covered in depth by test_faithful_on_ready_programs, which reuses workers.
FRESH_EXAMPLES = {"fork": settings.default.max_examples}
CAPPED = min(settings.default.max_examples, 3)


@pytest.mark.parametrize("start_method", METHODS)
@pytest.mark.parametrize(
    "name", ["unlocked-increment", "locked-increment", "check-then-act", "lock-order"]
)
def test_faithful_on_ready_programs(name, start_method):
    """One set of workers replays many generated raw schedules, each as the model says."""
    program = ready_program(name, procs=3, iterations=2)
    with Conductor(program, start_method) as conductor:

        @given(explore_schedules(program.procs, program.total_steps))
        def replay(schedule):
            assert conductor.run(schedule) == predict(program, schedule)

        replay()


@pytest.mark.parametrize("start_method", METHODS)
def test_faithful_on_generated_programs(start_method):
    """Any valid program, any schedule: fresh real workers end where the model predicts."""

    @settings(max_examples=FRESH_EXAMPLES.get(start_method, CAPPED))
    @given(explore_programs.flatmap(lambda d: st.tuples(st.just(d), st.data())))
    def replay(case):
        data, draw = case
        program = user_program(data)
        schedule = draw.draw(explore_schedules(program.procs, program.total_steps))
        with Conductor(program, start_method) as conductor:
            first = conductor.run(schedule)
            again = conductor.run(schedule)  # reset really resets, even after a deadlock
        assert first == again == predict(program, schedule)

    replay()


@pytest.mark.parametrize("start_method", METHODS)
def test_minimal_lost_update_on_real_processes(start_method):
    """The shrunk schedule, replayed on real processes, reads 0 twice and writes 1 twice."""
    program = ready_program("unlocked-increment")
    result = conduct(program, find_bad(program), start_method)
    assert [(t.worker, t.step, t.read, t.wrote) for t in result.turns] == [
        (0, "read", 0, None),
        (1, "read", 0, None),
        (0, "write", None, 1),
        (1, "write", None, 1),
    ]
    assert (result.status, result.final) == (COMPLETE, 1)


@pytest.mark.parametrize("start_method", METHODS)
def test_locked_increment_never_loses_on_real_processes(start_method):
    """Generated complete schedules of locked-increment always end with every increment."""
    program = ready_program("locked-increment", procs=3, iterations=2)
    with Conductor(program, start_method) as conductor:

        @given(explore_choices(program.procs, program.total_steps))
        def replay(choices):
            result = conductor.run(resolve(program, choices))
            assert (result.status, result.final) == (COMPLETE, 6)

        replay()


@pytest.mark.parametrize("start_method", METHODS)
def test_lock_order_deadlock_detected_not_hung(start_method):
    """The shrunk lock-order schedule deadlocks the real locks; it is reported, and reaped."""
    program = ready_program("lock-order")
    schedule = find_bad(program)
    with Conductor(program, start_method, timeout=seconds(30)) as conductor:
        result = conductor.run([*schedule, 0, 1])  # turns after the deadlock only report blocked
    assert result.status == DEADLOCK
    assert result.waiting == ((0, "b"), (1, "a"))
    assert [t.status for t in result.turns[2:]] == [BLOCKED, BLOCKED]
    assert None not in conductor.group.exitcodes().values()  # every worker ended and was reaped
    assert conductor.group.unreaped == []


@pytest.mark.parametrize("start_method", METHODS)
def test_exhaustive_table_on_real_processes(start_method):
    """All 6 interleavings of 2 x 1 increment on real processes: 4 end at 1, 2 end at 2."""
    program = ready_program("unlocked-increment")
    table: dict[int, int] = {}
    with Conductor(program, start_method) as conductor:
        for schedule in all_schedules(program):
            final = conductor.run(schedule).final
            table[final] = table.get(final, 0) + 1
    assert table == {1: 4, 2: 2}


def test_finished_worker_reports_finished():
    """A turn for a worker with no steps left changes nothing and says so."""
    program = ready_program("unlocked-increment")
    result = conduct(program, [0, 0, 0, 1, 1])
    assert [t.status for t in result.turns] == [
        "stepped",
        "stepped",
        FINISHED,
        "stepped",
        "stepped",
    ]
    assert result.final == 2


def test_dead_worker_is_an_error_not_a_hang():
    """If a worker dies, the conductor says which and how instead of waiting for it."""
    with Conductor(ready_program("unlocked-increment"), "fork") as conductor:
        conductor.group.processes[1].kill()
        conductor.group.processes[1].join(10)
        with pytest.raises(ConductorError, match="worker 1 .*SIGKILL"):
            conductor.run([0, 1])


def test_stuck_worker_hits_the_deadline():
    """A worker that never answers (stopped by SIGSTOP) ends the run at its deadline."""
    with Conductor(ready_program("unlocked-increment"), "fork", timeout=0.5) as conductor:
        os.kill(conductor.group.processes[0].pid, signal.SIGSTOP)
        with pytest.raises(DeadlineExceeded, match="worker 0"):
            conductor.run([0])
        # the failed run stopped and reaped every worker
        assert None not in conductor.group.exitcodes().values()
        with pytest.raises(RuntimeError, match="failed run"):
            conductor.run([1])


def test_conductor_rejects_bad_arguments():
    """Wrong types, unknown start methods and impossible worker ids are one-line errors."""
    program = ready_program("unlocked-increment")
    with pytest.raises(TypeError):
        Conductor([["read"]])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start method"):
        Conductor(program, "thread")
    with pytest.raises(ValueError, match="worker 5"):
        conduct(program, [5])
    with pytest.raises(RuntimeError, match="with block"):
        Conductor(program).run([0])
