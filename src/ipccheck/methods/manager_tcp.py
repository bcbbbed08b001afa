"""``manager-tcp``: a manager server on a loopback TCP port; clients connect by address and key.

This is the pattern for sharing state with processes that were *not* started by the parent
(another program, or another machine). Its two safety rules:

- the server binds ``127.0.0.1`` with an ephemeral port unless an address is given explicitly,
  and ``server_address`` refuses a non-loopback host unless ``allow_remote=True``;
- the authkey is fresh random bytes from ``secrets`` for every server. A client without it is
  refused during the handshake (``multiprocessing.AuthenticationError``), before the server
  unpickles anything it sent.

Connections unpickle what they receive, and unpickling can run arbitrary code: never expose a
manager (or any ``multiprocessing.connection`` listener) to peers you do not trust, and never
reuse an authkey that someone else could have seen.

The shared objects are a ``Value``, a ``dict`` and a ``Lock`` that live in the server process.
Clients reach them through registered callables, exactly as a separate program would.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import connection, managers
from multiprocessing.context import BaseContext
from multiprocessing.managers import BaseManager, DictProxy, ValueProxy
from typing import Any

from .. import faults
from ..interrupts import running_manager
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "manager-tcp"
FAMILY = STATE
DESCRIPTION = "a manager server on 127.0.0.1, clients connect by (address, random authkey)"

LOOPBACK = "127.0.0.1"
AUTHKEY_BYTES = 32

# The shared objects, created on first use inside the *server* process (one server per run).
_shared: dict[str, object] = {}
_shared_guard = threading.Lock()  # the server answers each client in its own thread


def _get(name: str, make: Callable[[], object]) -> object:
    with _shared_guard:
        if name not in _shared:
            _shared[name] = make()
        return _shared[name]


class Tally:
    """The counter that lives in the server; a ``ValueProxy`` reads and sets it through get/set."""

    def __init__(self) -> None:
        self._value = 0

    def get(self) -> int:
        return self._value

    def set(self, value: int) -> None:
        self._value = value


def shared_total() -> object:
    return _get("total", Tally)


def shared_counts() -> object:
    return _get("counts", dict)


def shared_lock() -> object:
    return _get("lock", threading.Lock)


def client_without_nagle(
    address: tuple[str, int] | str, family: str | None = None, authkey: bytes | None = None
) -> connection.Connection:
    """``connection.Client`` with TCP_NODELAY set once the handshake is done.

    The handshake ends with the client writing twice in a row (its last handshake reply, then
    its first request). With Nagle's algorithm the second small write waits for the ACK of the
    first, which the server delays by ~40 ms: measured here, every proxy cost 140-180 ms to
    create instead of about 1 ms.
    """
    client = connection.Client(address, family, authkey)
    if isinstance(address, tuple):  # a TCP address, not a Unix socket path
        with socket.fromfd(client.fileno(), socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # affects the shared socket
    return client


SERIALIZER = "pickle-nodelay"
# Managers look their Listener and Client up by serializer name, in every process that
# imports this module (the server, and clients under any start method).
managers.listener_client[SERIALIZER] = (  # type: ignore[attr-defined]  # not in typeshed
    connection.Listener,
    client_without_nagle,
)


class TallyManager(BaseManager):
    """A manager that serves one counter, one dict of per-worker counts, and one lock."""

    # Made by ``register`` below; declared here so the type checker knows what they return.
    total: Any
    counts: Any
    lock: Any

    def __init__(
        self,
        address: tuple[str, int] | None = None,
        authkey: bytes | None = None,
        ctx: BaseContext | None = None,
    ) -> None:
        super().__init__(address, authkey, serializer=SERIALIZER, ctx=ctx)


TallyManager.register("total", callable=shared_total, proxytype=ValueProxy)
TallyManager.register("counts", callable=shared_counts, proxytype=DictProxy)
TallyManager.register("lock", callable=shared_lock, proxytype=managers.AcquirerProxy)  # type: ignore[attr-defined]


def server_address(
    host: str | None = None, port: int = 0, *, allow_remote: bool = False
) -> tuple[str, int]:
    """Where to listen: loopback with an ephemeral port unless told otherwise.

    A host that is not a loopback address is refused unless ``allow_remote=True``: anyone who
    can reach the port can try keys, and whoever holds the key can make the server unpickle.
    """
    host = LOOPBACK if host is None else host
    if not isinstance(host, str):
        raise TypeError(f"host must be a string, got {type(host).__name__} {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer from 0 to 65535, got {port!r}")
    if not allow_remote and not is_loopback(host):
        raise ValueError(
            f"refusing to listen on non-loopback host {host!r}; pass allow_remote=True "
            "only on a network where every peer is trusted"
        )
    return (host, port)


def is_loopback(host: str) -> bool:
    """Is ``host`` a loopback address (``127.0.0.0/8``, ``::1``) or ``localhost``?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # any other name may resolve to anything


@contextmanager
def serve(
    ctx: BaseContext, address: tuple[str, int] | None = None, authkey: bytes | None = None
) -> Iterator[TallyManager]:
    """Start a TallyManager server; on leaving the block, shut it down and join its process."""

    def start() -> TallyManager:
        manager = TallyManager(
            address=address if address is not None else server_address(),
            authkey=authkey if authkey is not None else secrets.token_bytes(AUTHKEY_BYTES),
            ctx=ctx,
        )
        manager.start()
        return manager

    with running_manager(start) as manager:  # Ctrl-C cannot strand it; always shut down
        yield manager


def connect(address: tuple[str, int], authkey: bytes) -> TallyManager:
    """A client of a running server; raises AuthenticationError if ``authkey`` is wrong."""
    client = TallyManager(address=address, authkey=authkey)
    client.connect()
    return client


def worker(
    address: tuple[str, int], authkey: bytes, index: int, base: int, fault: faults.Fault | None = None
) -> None:
    client = connect(address, authkey)
    total, counts, lock = client.total(), client.counts(), client.lock()
    done = 0
    for _ in range(base):
        faults.strike(fault, index, done)
        with lock:
            total.value += 1
        done += 1
    faults.strike(fault, index, done)
    counts[index] = done


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    authkey = secrets.token_bytes(AUTHKEY_BYTES)  # fresh for every server, never reused
    with serve(ctx, authkey=authkey) as manager:
        try:
            total, counts = manager.total(), manager.counts()
            manager.lock()  # create all three before any client can race to
            address = manager.address  # the port the OS chose
            for index in range(workload.procs):
                args = (address, authkey, index, workload.base, workload.fault)
                group.start(worker, args, role=worker_role(index))
            group.join(deadline)
            observation.state_total = total.value
            observation.slots = [counts.get(index, 0) for index in range(workload.procs)]
        finally:
            group.stop()  # stop the clients before the server they talk to goes away
