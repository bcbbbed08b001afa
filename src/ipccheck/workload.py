"""What to run: one sharing method, how many processes, how much work each, how they start.

A Workload is validated when it is made, so every client (the command, the tests, the
conformance kit) gets the same clear ``ValueError``/``TypeError`` for bad input instead of a
hang or a traceback from deep inside multiprocessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._validate import (
    DEFAULT_TIMEOUT,
    MAX_BASE,
    MAX_PROCS,
    require_choice,
    require_count,
    require_start_method,
    require_timeout,
)
from .faults import Fault, require_fits
from .methods import METHODS, POOLS
from .methods.pooling import refuse_pool_options

# How a message-passing method reports its work: every item, or one subtotal per producer.
# Shared-state methods accept these too, and ignore them.
MODES: tuple[str, ...] = ("stream", "summary")
# "The method's own default": the first of its modes (a pool's modes are its call styles).
DEFAULT_MODE = "default"


def modes_of(method: str) -> tuple[str, ...]:
    """The modes ``method`` accepts, its default first."""
    pool = POOLS.get(method)
    return MODES if pool is None else pool.MODES


# Every mode some method accepts, for the command line's choices.
ALL_MODES: tuple[str, ...] = tuple(dict.fromkeys(mode for name in METHODS for mode in modes_of(name)))


@dataclass(frozen=True)
class Workload:
    """One run: ``procs`` workers each doing ``base`` units of work with ``method``.

    ``mode`` matters to message-passing methods: ``stream`` sends every item (what really
    tests a channel); ``summary`` sends one subtotal per worker, as most tutorials do. To a pool
    method it is the call style (``map``, ``imap``...), and ``chunksize`` and
    ``max_tasks_per_child`` are the pool's own options (None: the pool's default). The default
    mode is the method's first (see ``modes_of``).
    ``fault``, if given, makes one producer or worker die part way (see ``ipccheck.faults``).
    """

    method: str
    procs: int = 3
    base: int = 1000
    start_method: str = "fork"
    mode: str = DEFAULT_MODE
    timeout: float = DEFAULT_TIMEOUT
    fault: Fault | None = None
    chunksize: int | None = None
    max_tasks_per_child: int | None = None

    def __post_init__(self) -> None:
        require_choice("method", self.method, METHODS)
        require_count("procs", self.procs, minimum=1, maximum=MAX_PROCS)
        require_count("base", self.base, minimum=0, maximum=MAX_BASE)
        require_start_method(self.start_method)
        if self.mode == DEFAULT_MODE:
            object.__setattr__(self, "mode", modes_of(self.method)[0])
        require_choice("mode", self.mode, modes_of(self.method))
        object.__setattr__(self, "timeout", require_timeout(self.timeout))
        if self.fault is not None:
            if not isinstance(self.fault, Fault):
                raise TypeError(f"fault must be a Fault, got {type(self.fault).__name__}")
            require_fits(self.fault, self.procs, self.base)
        pool = POOLS.get(self.method)
        if pool is None:
            refuse_pool_options(self)
        else:
            pool.require_options(self)

    @property
    def expected_total(self) -> int:
        """What every correct method must end with: each worker contributed ``base``."""
        return self.procs * self.base
