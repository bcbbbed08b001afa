"""What a pool's worker is sent: the task by name, and (under spawn) the main module to import.

A pool pickles every task it sends, under every start method, fork included: a function is
pickled as its module and name, so a lambda or a function defined inside another cannot go.
And a spawn (or forkserver) worker starts a fresh interpreter that imports the main module
again: a pool created at import time, with no ``if __name__ == "__main__":`` guard, is created
again in every worker, which CPython refuses with the "bootstrapping phase" RuntimeError.

The pickling hazard shows the same under every start method (``per_start_method=False``). The
guard hazard needs a main module of its own, so it runs in a second interpreter
(``subprocess`` on a script in a temporary directory, removed afterwards) that always uses
spawn, whatever the run's start method (fork imports nothing again, so it cannot show it).
``subprocess.run``'s timeout bounds that interpreter; the script bounds its own wait.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from multiprocessing.context import BaseContext
from pathlib import Path

from ...default_context import left_unchosen
from ...methods.pool import terminate
from .hazard import HAZARD_TIMEOUT, Finding, Hazard
from .pool_lifetime import TASKS, square

# What pickling a function that has no importable name raises, across Python 3.10-3.13.
PICKLE_ERRORS = (pickle.PicklingError, AttributeError, TypeError)
BOOTSTRAPPING = "bootstrapping phase"
GUARD_WAIT = 3.0  # the script's wait for its pool's answer: spawn workers start well within it
GUARD_START_METHOD = "spawn"


def nested_square() -> Callable[[int], int]:
    """A function defined inside another, as a closure or a helper often is."""

    def inner(number: int) -> int:
        return number * number

    return inner


def _map_each(ctx: BaseContext, tasks: dict[str, Callable[[int], int]]) -> dict[str, str]:
    """Map each task over the pool, bounded; what each call gave: its results, or its error."""
    said: dict[str, str] = {}
    with left_unchosen():
        pool = ctx.Pool(1)
        try:
            for name, task in tasks.items():
                try:
                    got = pool.map_async(task, range(TASKS)).get(timeout=HAZARD_TIMEOUT)
                    said[name] = f"returned {got}"
                except PICKLE_ERRORS as error:
                    said[name] = f"raised {type(error).__name__}: {error}"
        finally:
            terminate(pool)  # no task can be running: a task that cannot be pickled never left
            pool.join()
    return said


def demo_lambda_task(ctx: BaseContext) -> Finding:
    said = _map_each(ctx, {"a lambda": lambda number: number * number,
                           "a nested function": nested_square()})
    evidence = "; ".join(f"Pool.map with {name} {what}" for name, what in said.items())
    held = all(what.startswith("raised") for what in said.values())
    return Finding(held, f"{evidence} (under {ctx.get_start_method()}: a pool pickles every task)")


def fix_lambda_task(ctx: BaseContext) -> Finding:
    said = _map_each(ctx, {"a module-level function": square})
    what = said["a module-level function"]
    return Finding(what == f"returned {[square(n) for n in range(TASKS)]}",
                   f"Pool.map with a module-level function {what}")


# One script, with and without the guard: its pool answers 7 * 7, or the wait runs out.
SCRIPT = """\
import multiprocessing
import sys


def square(number):
    return number * number


def main():
    ctx = multiprocessing.get_context(sys.argv[1])
    pool = ctx.Pool(1)
    try:
        print("answer", pool.apply_async(square, (7,)).get(timeout=float(sys.argv[2])))
    except multiprocessing.TimeoutError:
        print("no answer")
    finally:
        pool.terminate()
        pool.join()


{call}
"""
UNGUARDED = "main()  # the mistake: every spawned worker imports this file and runs this line"
GUARDED = 'if __name__ == "__main__":\n    main()'


def _run_script(call: str) -> tuple[str, str]:
    """Run SCRIPT ending in ``call`` as a program's main module; its stdout and stderr."""
    with tempfile.TemporaryDirectory(prefix="ipccheck-hazard-") as directory:
        script = Path(directory) / "pool_at_import.py"
        script.write_text(SCRIPT.format(call=call))
        done = subprocess.run(
            [sys.executable, str(script), GUARD_START_METHOD, str(GUARD_WAIT)],
            capture_output=True, text=True, timeout=HAZARD_TIMEOUT, cwd=directory,
        )  # waits for EOF on its pipes, so also for its workers and resource tracker
    return done.stdout.strip(), done.stderr


def demo_main_guard(_ctx: BaseContext) -> Finding:
    out, err = _run_script(UNGUARDED)
    refusals = err.count(BOOTSTRAPPING)
    said = " ".join(err[err.find("RuntimeError:"):err.find(BOOTSTRAPPING)].split())  # one line
    evidence = (
        f"a script that creates its pool at import time, run under {GUARD_START_METHOD}: it said "
        f"{out!r} within {GUARD_WAIT:g} s; its workers refused to start {refusals} time(s) with "
        f"{said + ' ' + BOOTSTRAPPING if refusals else 'no RuntimeError'}"
    )
    return Finding(refusals > 0 and out == "no answer", evidence)


def fix_main_guard(_ctx: BaseContext) -> Finding:
    out, err = _run_script(GUARDED)
    held = out == "answer 49" and BOOTSTRAPPING not in err
    return Finding(held, f"the same script with the pool under if __name__ == \"__main__\": it "
                         f"said {out!r}, {'no' if BOOTSTRAPPING not in err else 'a'} RuntimeError")


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "pool-lambda-task",
        "a lambda or a nested function as a pool's task cannot be pickled: the call raises "
        "(under every start method, fork too: a pool pickles every task)",
        "define the task as a function at the top level of a module (functools.partial of one "
        "is fine)",
        demo_lambda_task,
        fix_lambda_task,
        per_start_method=False,
    ),
    Hazard(
        "pool-without-main-guard",
        "a pool created at import time, without the if __name__ == \"__main__\": guard: under "
        "spawn or forkserver every worker imports the main module again and refuses to start "
        "with RuntimeError (\"... before the current process has finished its bootstrapping "
        "phase\"); the pool keeps replacing them and never answers",
        "create the pool (and start any process) only under if __name__ == \"__main__\":",
        demo_main_guard,
        fix_main_guard,
        per_start_method=False,
    ),
)
