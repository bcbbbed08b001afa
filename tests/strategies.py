"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import os

from hypothesis import strategies as st

from ipccheck.workload import MODES, supported_start_methods

# ``thorough`` explores bigger workloads; the other profiles keep one example well under a second.
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
MAX_PROCS = 8 if THOROUGH else 4
MAX_BASE = 5000 if THOROUGH else 300

procs = st.integers(min_value=1, max_value=MAX_PROCS)
bases = st.integers(min_value=0, max_value=MAX_BASE)
modes = st.sampled_from(MODES)
start_methods = st.sampled_from(supported_start_methods())
