"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import os

from hypothesis import strategies as st

from ipccheck._validate import supported_start_methods
from ipccheck.faults import FAULT_KINDS, TASK_FAULT_KINDS, Fault
from ipccheck.methods import POOLS
from ipccheck.methods.process_pool import HAS_MAX_TASKS_PER_CHILD, MAP_CAN_CRASH_THE_EXECUTOR
from ipccheck.workload import MODES, Workload

from .timing import seconds


def selected_start_methods() -> tuple[str, ...]:
    """Supported start methods, narrowed by ``pytest --start-method`` (IPCCHECK_START_METHODS)."""
    chosen = [m for m in os.environ.get("IPCCHECK_START_METHODS", "").split(",") if m]
    return tuple(m for m in supported_start_methods() if not chosen or m in chosen)


# ``thorough`` explores bigger workloads; the other profiles keep one example well under a second.
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
MAX_PROCS = 8 if THOROUGH else 4
MAX_BASE = 5000 if THOROUGH else 300

procs = st.integers(min_value=1, max_value=MAX_PROCS)
bases = st.integers(min_value=0, max_value=MAX_BASE)
modes = st.sampled_from(MODES)


# --- schedule explorer ------------------------------------------------------------------------
# Worker programs are built from blocks that are valid on their own (each lock released, each
# write after a read, each act after a check), so any concatenation is a valid worker.
EXPLORE_BLOCKS = (
    ("read", "write"),
    ("read", "write +3"),
    ("write =7",),
    ("read",),
    ("check 0", "act"),
    ("check 1", "act +2"),
    ("lock a", "read", "write", "unlock a"),
    ("lock a", "lock b", "read", "write", "unlock b", "unlock a"),
    ("lock b", "lock a", "read", "write +2", "unlock a", "unlock b"),
    ("lock b", "check 0", "act", "unlock b"),
)
explore_workers = st.lists(st.sampled_from(EXPLORE_BLOCKS), min_size=1, max_size=3).map(
    lambda blocks: [step for block in blocks for step in block]
)
explore_programs = st.builds(
    lambda workers, initial: {"workers": workers, "initial": initial},
    st.lists(explore_workers, min_size=1, max_size=3),
    st.integers(min_value=-2, max_value=2),
)


def explore_schedules(procs: int, total_steps: int) -> st.SearchStrategy[list[int]]:
    """Raw schedules: any worker ids, so turns that block or find a worker finished occur too."""
    return st.lists(st.integers(min_value=0, max_value=procs - 1), max_size=total_steps + 4)


def explore_choices(procs: int, total_steps: int) -> st.SearchStrategy[list[int]]:
    """Choices that ``ipccheck.explore.resolve`` turns into complete schedules."""
    return st.lists(
        st.integers(min_value=0, max_value=procs - 1), min_size=total_steps, max_size=total_steps
    )


# --- pools --------------------------------------------------------------------------------------
@st.composite
def pool_faults(draw, procs: int, base: int,  # type: ignore[no-untyped-def]
                kinds: tuple[str, ...] = FAULT_KINDS + TASK_FAULT_KINDS) -> Fault:
    """A fault that strikes in a task that exists: any of ``kinds``, any block, any item."""
    kind = draw(st.sampled_from(kinds))
    return Fault(kind, draw(st.integers(0, procs - 1)), draw(st.integers(0, base - 1)))


def safe_fault_kinds(method: str, mode: str) -> tuple[str, ...]:
    """The fault kinds a pool run survives on this Python: before 3.12 a worker that dies under
    ``ProcessPoolExecutor.map`` can crash the executor's manager thread (CPython gh-107219)."""
    if method == "process-pool" and mode == "map" and MAP_CAN_CRASH_THE_EXECUTOR:
        return ("raise",) + TASK_FAULT_KINDS
    return FAULT_KINDS + TASK_FAULT_KINDS


@st.composite
def pool_workloads(  # type: ignore[no-untyped-def]
    draw, method: str, start_method: str, faulted: bool = False
) -> Workload:
    """A valid pool workload: pool size, tasks per block, call style, chunksize, max tasks, and
    (if ``faulted``) a fault in one of its tasks.

    Retiring a worker costs a process start (about 0.2 s under spawn), so ``max tasks`` is
    drawn large enough that each worker retires only a few times; the executor takes only
    ``max_tasks_per_child=1`` (CPython gh-115634), so then the run is kept to a few tasks.
    """
    pool = POOLS[method]
    mode = draw(st.sampled_from(pool.MODES))
    procs = draw(st.integers(1, MAX_PROCS))
    base = draw(st.integers(1 if faulted else 0, MAX_BASE))
    chunksize = draw(st.none() | st.integers(1, max(1, base))) if pool.STYLES[mode].chunked else None
    max_tasks = None
    if method == "process-pool":
        if HAS_MAX_TASKS_PER_CHILD and start_method != "fork" and draw(st.booleans()):
            max_tasks, procs, base = 1, min(procs, 3), min(base, 4)
            chunksize = None if chunksize is None else max(1, min(chunksize, base))
    elif draw(st.booleans()):
        per_worker = max(1, base if start_method == "spawn" else base // 4)
        max_tasks = draw(st.integers(per_worker, per_worker * 2))
    fault = draw(pool_faults(procs, base, safe_fault_kinds(method, mode))) if faulted else None
    return Workload(method, procs=procs, base=base, start_method=start_method, mode=mode,
                    chunksize=chunksize, max_tasks_per_child=max_tasks, fault=fault, timeout=seconds(60))
