"""Optional peers: other libraries' cross-process channels, as rows only when installed.

ipccheck has no runtime dependencies, so a peer is imported only inside its own runner, and
only after ``available_peers`` found its module. A missing peer becomes a one-line note saying
how to add it, never an error.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from multiprocessing.context import BaseContext

from ..processes import Deadline
from .transfer import Channel, Timing, get_all, put_producer, timed


def run_faster_fifo(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    """``faster_fifo.Queue``: a shared-memory ring buffer with put/get(timeout)."""
    # An optional peer, imported only once available_peers() found it. Where it is missing
    # mypy finds no module; where it is installed the ignore is unused: hence both codes.
    # faster_fifo_reduction lets spawn and forkserver children receive the queue.
    import faster_fifo  # type: ignore[import-not-found,unused-ignore]
    import faster_fifo_reduction  # type: ignore[import-not-found,unused-ignore]  # noqa: F401

    channel = faster_fifo.Queue(max_size_bytes=max(1_000_000, 4 * (size + 64)))
    try:
        args = (channel, size, count)
        return timed(
            ctx, deadline, put_producer, args, lambda group: get_all(channel, count, deadline)
        )
    finally:
        channel.close()


@dataclass(frozen=True)
class Peer:
    """A row that needs ``module``, installed from PyPI as ``package``."""

    module: str
    package: str
    channel: Channel


PEERS: tuple[Peer, ...] = (
    Peer(
        "faster_fifo",
        "faster-fifo",
        Channel("faster-fifo", "peer", "faster_fifo.Queue (optional peer)", run_faster_fifo),
    ),
)


def available_peers() -> tuple[list[Channel], list[str]]:
    """The peer channels whose library imports here, and a note for each one that does not."""
    found, notes = [], []
    for peer in PEERS:
        if importlib.util.find_spec(peer.module) is not None:
            found.append(peer.channel)
        else:
            notes.append(
                f"{peer.channel.name} skipped: not installed "
                f"(pip install {peer.package} adds it as a row)"
            )
    return found, notes
