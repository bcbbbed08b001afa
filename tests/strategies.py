"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import os

from hypothesis import strategies as st

from ipccheck._validate import supported_start_methods
from ipccheck.workload import MODES


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
start_methods = st.sampled_from(selected_start_methods())


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
