"""``ipccheck bench``: Pipe vs Queue vs the rest, side by side, against the raw ``os.pipe`` limit.

One run measures everything on the same machine at the same time, because on a shared machine
only figures taken side by side can be compared: the limits (raw ``os.pipe``, AF_UNIX socket
pair, memcpy into shared memory), every message-passing channel at every payload size, the
shared-state increment rates at 2 and 4 processes, each pool's map at each chunksize, under
each start method asked for, and the start cost of every start method.

The modules, bottom up:

- ``stats`` (median, range, rates, the byte budget) and ``results`` (one record per table row):
  pure arithmetic, tested without timing anything;
- ``handshake`` (ready, go, done) and ``transfer`` (one timed producer -> parent transfer);
- the catalogues of rows: ``limits``, ``channels``, ``peers`` (optional libraries), ``state``,
  ``pools`` (``Pool.map`` and ``Executor.map`` at each chunksize);
- ``settings`` (what a run measures, validated) and ``machine``;
- ``run`` (rows, round-robin repeats, ``run_bench``);
- the output: ``tables`` and ``render`` (text), ``report`` (JSON, and reading it back), ``plot``.
"""

from __future__ import annotations

from .pools import POOL_NAMES
from .render import render
from .report import document_fields, read_document
from .results import BenchResults, ChannelResult, PoolResult, StartResult, StateResult
from .run import run_bench
from .settings import (
    BYTE_BUDGET,
    CHANNEL_NAMES,
    DEFAULT_MESSAGES,
    DEFAULT_REPEAT,
    DEFAULT_SIZES,
    QUICK,
    STATE_NAMES,
    BenchSettings,
    parse_names,
    parse_sizes,
)

__all__ = [
    "BYTE_BUDGET",
    "CHANNEL_NAMES",
    "DEFAULT_MESSAGES",
    "DEFAULT_REPEAT",
    "DEFAULT_SIZES",
    "POOL_NAMES",
    "QUICK",
    "STATE_NAMES",
    "BenchResults",
    "BenchSettings",
    "ChannelResult",
    "PoolResult",
    "StartResult",
    "StateResult",
    "document_fields",
    "parse_names",
    "parse_sizes",
    "read_document",
    "render",
    "run_bench",
]
