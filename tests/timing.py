"""The test tree's own deadlines, all scaled by one knob: ``IPCCHECK_TIMEOUT_SCALE``.

Every deadline a test sets (a run's timeout, a subprocess's, a patience) is written as
``seconds(n)``: n seconds on an ordinary machine, times the scale. A slow or swamped machine
(an emulator, a loaded CI runner) sets ``IPCCHECK_TIMEOUT_SCALE=3`` once, instead of a dozen
constants being tuned file by file. No test asserts a timing; these only bound waits.
"""

from __future__ import annotations

import math
import os

VARIABLE = "IPCCHECK_TIMEOUT_SCALE"


def read_scale(text: str | None) -> float:
    """The scale in ``text`` (default 1): a finite number above 0, or a one-line ValueError."""
    if text is None or text.strip() == "":
        return 1.0
    try:
        scale = float(text)
    except ValueError:
        raise ValueError(f"{VARIABLE} must be a number, got {text!r}") from None
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"{VARIABLE} must be above 0 and finite, got {text!r}")
    return scale


def _from_environment() -> tuple[float, str | None]:
    """The scale, and the problem with the variable if it is not a valid one (then scale 1)."""
    try:
        return read_scale(os.environ.get(VARIABLE)), None
    except ValueError as exc:
        return 1.0, str(exc)


# Read once, here; conftest.py turns PROBLEM into a one-line usage error.
SCALE, PROBLEM = _from_environment()


def seconds(base: float) -> float:
    """``base`` seconds, scaled for this machine."""
    return base * SCALE
