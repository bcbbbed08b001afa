"""What to run: one sharing method, how many processes, how much work each, how they start.

A Workload is validated when it is made, so every client (the command, the tests, the
conformance kit) gets the same clear ``ValueError``/``TypeError`` for bad input instead of a
hang or a traceback from deep inside multiprocessing.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .faults import Fault

START_METHODS: tuple[str, ...] = ("fork", "spawn", "forkserver")
MODES: tuple[str, ...] = ("stream", "summary")

# Bounds that keep a run finite on a small machine; far above anything a test needs.
MAX_PROCS = 64
MAX_BASE = 10_000_000
MAX_TIMEOUT = 3600.0
DEFAULT_TIMEOUT = 60.0


def supported_start_methods() -> tuple[str, ...]:
    """The start methods this platform offers, in ipccheck's canonical order."""
    available = set(multiprocessing.get_all_start_methods())
    return tuple(method for method in START_METHODS if method in available)


def check_count(name: str, value: object, *, minimum: int, maximum: int) -> int:
    """Return ``value`` if it is an int in [minimum, maximum]; raise a one-line error otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``; raise a one-line error naming them otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose from: {', '.join(choices)}")
    return value


def check_start_method(value: object) -> str:
    """A start method ipccheck knows and this platform supports."""
    check_choice("start method", value, START_METHODS)
    if value not in supported_start_methods():
        raise ValueError(f"start method {value!r} is not available on this platform")
    return value  # type: ignore[return-value]


def check_timeout(value: object) -> float:
    """A positive, finite number of seconds no larger than MAX_TIMEOUT."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, got {type(value).__name__} {value!r}")
    if not 0 < value <= MAX_TIMEOUT:  # also rejects NaN
        raise ValueError(f"timeout must be above 0 and at most {MAX_TIMEOUT:g} seconds, got {value}")
    return float(value)


@dataclass(frozen=True)
class Workload:
    """One run: ``procs`` workers each doing ``base`` units of work with ``method``.

    ``mode`` matters only to message-passing methods: ``stream`` sends every item (what really
    tests a channel); ``summary`` sends one subtotal per worker, as most tutorials do.
    ``fault``, if given, makes one producer or worker die part way (see ``ipccheck.faults``).
    """

    method: str
    procs: int = 3
    base: int = 1000
    start_method: str = "fork"
    mode: str = "stream"
    timeout: float = DEFAULT_TIMEOUT
    fault: Fault | None = None

    def __post_init__(self) -> None:
        from .faults import Fault, check_fits  # late imports: both import this module
        from .methods import METHODS

        check_choice("method", self.method, tuple(METHODS))
        check_count("procs", self.procs, minimum=1, maximum=MAX_PROCS)
        check_count("base", self.base, minimum=0, maximum=MAX_BASE)
        check_start_method(self.start_method)
        check_choice("mode", self.mode, MODES)
        object.__setattr__(self, "timeout", check_timeout(self.timeout))
        if self.fault is not None:
            if not isinstance(self.fault, Fault):
                raise TypeError(f"fault must be a Fault, got {type(self.fault).__name__}")
            check_fits(self.fault, self.method, self.procs, self.base)

    @property
    def expected_total(self) -> int:
        """What every correct method must end with: each worker contributed ``base``."""
        return self.procs * self.base
