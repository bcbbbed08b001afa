"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import os

from hypothesis import strategies as st

from ipccheck.workload import MODES, supported_start_methods


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
