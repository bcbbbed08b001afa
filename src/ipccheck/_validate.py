"""Input validation shared by every layer: one-line errors, raised before any process starts.

Every public entry point (a ``Workload``, a race trial, a bench setting, a conformance check)
validates with these, so bad input gets the same ``ValueError``/``TypeError`` wording whether it
came from Python or from the command line (which turns it into exit code 2).
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterable

START_METHODS: tuple[str, ...] = ("fork", "spawn", "forkserver")
ALL = "all"  # on the command line: every start method this platform supports

# Bounds that keep a run finite on a small machine; far above anything a test needs.
MAX_PROCS = 64
MAX_BASE = 10_000_000
MAX_TIMEOUT = 3600.0
# The deadline of one run (or trial, replay, measurement) unless the caller chooses another.
DEFAULT_TIMEOUT = 60.0


def supported_start_methods() -> tuple[str, ...]:
    """The start methods this platform offers, in ipccheck's canonical order."""
    available = set(multiprocessing.get_all_start_methods())
    return tuple(method for method in START_METHODS if method in available)


def platform_default_start_method() -> str:
    """This platform's default start method, read without fixing the process-wide choice.

    ``multiprocessing.get_start_method()`` and ``get_context()`` *set* the default the first
    time they run, after which a user's ``set_start_method()`` raises RuntimeError. The first
    entry of ``get_all_start_methods()`` is documented to be the default and fixes nothing.
    """
    chosen = multiprocessing.get_start_method(allow_none=True)
    return chosen if chosen is not None else multiprocessing.get_all_start_methods()[0]


def require_count(name: str, value: object, *, minimum: int, maximum: int) -> int:
    """Return ``value`` if it is an int in [minimum, maximum]; raise a one-line error otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def require_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; raise a one-line error naming them otherwise."""
    options = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; choose from: {', '.join(options)}")
    return value


def require_start_method(value: object) -> str:
    """A start method ipccheck knows and this platform supports."""
    method = require_choice("start method", value, START_METHODS)
    if method not in supported_start_methods():
        raise ValueError(f"start method {method!r} is not available on this platform")
    return method


def require_start_methods(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"all"``, one start method, or several: the supported ones, deduplicated, in order."""
    if value == ALL:
        return supported_start_methods()
    names = [value] if isinstance(value, str) else list(value)
    chosen = tuple(dict.fromkeys(require_start_method(name) for name in names))
    if not chosen:
        raise ValueError("name at least one start method")
    return chosen


def require_timeout(value: object) -> float:
    """A positive, finite number of seconds no larger than MAX_TIMEOUT."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, got {type(value).__name__} {value!r}")
    if not (0 < value <= MAX_TIMEOUT and math.isfinite(value)):  # also rejects NaN
        raise ValueError(f"timeout must be above 0 and at most {MAX_TIMEOUT:g} seconds, got {value}")
    return float(value)
