"""What one ``ipccheck bench`` run measures: the catalogue of rows and the validated settings.

``BenchSettings`` is checked when it is built, so bad input is a one-line ``ValueError`` or
``TypeError`` before any process starts, whether it came from Python or the command line. Its
default start method is this platform's, read without fixing the process-wide choice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .._validate import (
    DEFAULT_TIMEOUT,
    MAX_PROCS,
    platform_default_start_method,
    require_count,
    require_start_methods,
    require_timeout,
)
from .channels import CHANNELS
from .peers import PEERS
from .pools import CHUNKSIZES, POOL_NAMES
from .state import STATE_METHODS

SIZES = (8, 1024, 65536, 1048576)
DEFAULT_SIZES = ",".join(map(str, SIZES))
DEFAULT_MESSAGES = 20_000
DEFAULT_REPEAT = 5
BYTE_BUDGET = 64 * 1024 * 1024  # per run: big payloads send fewer messages
STATE_PROCS = (2, 4)
START_REPEAT = 5
# --quick: the same rows, fewer items and repeats (well under 30 s on a 2-core machine).
QUICK = {"messages": 8_000, "repeat": 3, "byte_budget": 8 * 1024 * 1024, "state_scale": 0.2}
MAX_MESSAGES = 10_000_000
MAX_REPEAT = 100
MAX_SIZE = 64 * 1024 * 1024

# The names --methods chooses from (the limits always run, so they are not among them).
CHANNEL_NAMES = tuple(c.name for c in CHANNELS) + tuple(peer.channel.name for peer in PEERS)
STATE_NAMES = tuple(m.name for m in STATE_METHODS)
MAX_CHUNKSIZE = 1_000_000


def parse_sizes(text: str) -> list[int]:
    """``"8,1024,64k,1m"`` -> ``[8, 1024, 65536, 1048576]``, sorted, duplicates removed."""
    sizes = set()
    for part in text.split(","):
        word = part.strip().lower()
        if not word:
            raise ValueError(f"empty size in {text!r}")
        factor = {"k": 1024, "m": 1024 * 1024}.get(word[-1], 1)
        number = word[:-1] if factor > 1 else word
        if not number.isdigit():
            raise ValueError(
                f"size {part.strip()!r} is not a whole number of bytes (e.g. 8, 64k, 1m)"
            )
        size = int(number) * factor
        if not 1 <= size <= MAX_SIZE:
            raise ValueError(f"size {part.strip()!r} must be between 1 byte and 64m")
        sizes.add(size)
    return sorted(sizes)


def parse_names(text: str, known: Sequence[str]) -> list[str]:
    """``"queue,pipe-send"`` -> those names in ``known``'s order; unknown names are an error."""
    wanted = [word.strip() for word in text.split(",") if word.strip()]
    if not wanted:
        raise ValueError("--methods needs at least one name")
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown bench method {unknown[0]!r}; choose from: {', '.join(known)}")
    return [name for name in known if name in wanted]


def require_names(what: str, names: Iterable[object], known: Sequence[str]) -> None:
    for name in names:
        if name not in known:
            raise ValueError(f"unknown bench {what} {name!r}; choose from: {', '.join(known)}")


def default_start_methods() -> tuple[str, ...]:
    """This platform's default start method alone; reading it fixes nothing process-wide."""
    return (platform_default_start_method(),)


@dataclass(frozen=True)
class BenchSettings:
    """Everything one bench run does, validated before any process starts.

    ``start_methods``: the channel, state and pool rows are measured under each, side by side in
    one run; the start-cost table always covers every start method this platform has. The pool
    rows time each pool's map at each of ``chunksizes``, with tasks of the smallest size.
    """

    channels: tuple[str, ...] = CHANNEL_NAMES
    state: tuple[str, ...] = STATE_NAMES
    pools: tuple[str, ...] = POOL_NAMES
    chunksizes: tuple[int, ...] = CHUNKSIZES
    sizes: tuple[int, ...] = SIZES
    messages: int = DEFAULT_MESSAGES
    repeat: int = DEFAULT_REPEAT
    start_methods: tuple[str, ...] = field(default_factory=default_start_methods)
    byte_budget: int = BYTE_BUDGET
    state_scale: float = 1.0
    state_procs: tuple[int, ...] = STATE_PROCS
    start_repeat: int = START_REPEAT
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        require_names("channel", self.channels, CHANNEL_NAMES)
        require_names("state method", self.state, STATE_NAMES)
        require_names("pool", self.pools, POOL_NAMES)
        if self.pools and not self.chunksizes:
            raise ValueError("bench of pools needs at least one chunksize")
        for chunksize in self.chunksizes:
            require_count("chunksize", chunksize, minimum=1, maximum=MAX_CHUNKSIZE)
        if not self.sizes:
            raise ValueError("bench needs at least one payload size")
        for size in self.sizes:
            require_count("payload size", size, minimum=1, maximum=MAX_SIZE)
        require_count("messages", self.messages, minimum=1, maximum=MAX_MESSAGES)
        require_count("repeat", self.repeat, minimum=1, maximum=MAX_REPEAT)
        # Normalised in place ("all", a list, duplicates -> a tuple of supported names): the
        # one field whose accepted spellings differ from its stored form.
        object.__setattr__(self, "start_methods", require_start_methods(self.start_methods))
        require_count("byte budget", self.byte_budget, minimum=1, maximum=2**40)
        if not (isinstance(self.state_scale, (int, float)) and math.isfinite(self.state_scale)):
            raise TypeError(f"state_scale must be a finite number, got {self.state_scale!r}")
        if self.state_scale <= 0:
            raise ValueError(f"state_scale must be above 0, got {self.state_scale}")
        for procs in self.state_procs:
            require_count("state processes", procs, minimum=1, maximum=MAX_PROCS)
        require_count("start repeat", self.start_repeat, minimum=1, maximum=MAX_REPEAT)
        require_timeout(self.timeout)
