"""The manager over TCP: loopback by default, a random key, strangers refused, always shut down."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import socket

import pytest

from ipccheck import Workload, check, run
from ipccheck.faults import Fault
from ipccheck.methods import manager_tcp

from ..timing import seconds

# Long enough for a busy machine; the server answers in milliseconds.
HANDSHAKE_SECONDS = seconds(10)


class Plant:
    """A pickle that creates a directory when it is unpickled: what an attacker would send."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.mkdir, (self.path,))


def test_default_address_is_loopback_with_an_ephemeral_port():
    """With no address given, the server listens on 127.0.0.1 on a port the OS chose."""
    with manager_tcp.serve(multiprocessing.get_context("fork")) as server:
        host, port = server.address
        assert host == "127.0.0.1"
        assert port > 0


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "example.com", ""])
def test_non_loopback_hosts_are_refused_unless_allowed(host):
    """A host that is not loopback needs allow_remote=True; without it, a one-line ValueError."""
    with pytest.raises(ValueError, match="refusing to listen on non-loopback host"):
        manager_tcp.server_address(host)
    assert manager_tcp.server_address(host, allow_remote=True) == (host, 0)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost"])
def test_loopback_hosts_are_accepted(host):
    """Every loopback spelling is accepted without allow_remote."""
    assert manager_tcp.server_address(host, 5000) == (host, 5000)


def test_bad_ports_are_refused():
    """A port outside 0..65535 is a one-line ValueError."""
    for port in (-1, 65536, True):
        with pytest.raises(ValueError, match="port must be an integer from 0 to 65535"):
            manager_tcp.server_address(port=port)


def test_every_server_gets_a_fresh_random_authkey():
    """Two runs never share a key: each key is 32 random bytes."""
    ctx = multiprocessing.get_context("fork")
    keys = []
    for _ in range(2):
        with manager_tcp.serve(ctx) as server:
            keys.append(server._authkey)  # type: ignore[attr-defined]
    assert keys[0] != keys[1]
    assert all(len(key) == manager_tcp.AUTHKEY_BYTES for key in keys)


def test_a_client_with_the_wrong_authkey_is_refused():
    """A client that does not hold the key gets AuthenticationError and changes nothing."""
    with manager_tcp.serve(multiprocessing.get_context("fork")) as server:
        total = server.total()
        with pytest.raises(multiprocessing.AuthenticationError):
            manager_tcp.connect(server.address, b"not the key")
        assert total.value == 0
        assert dict(server.counts()) == {}


def test_a_stranger_pickle_is_never_unpickled(tmp_path):
    """A peer without the key that sends a malicious pickle is refused before it is unpickled."""
    planted, control = tmp_path / "planted", tmp_path / "control"
    pickle.loads(pickle.dumps(Plant(str(control))))
    assert control.exists(), "the payload must really act when unpickled, or the test shows nothing"
    with manager_tcp.serve(multiprocessing.get_context("fork")) as server:
        sock = socket.create_connection(server.address, timeout=HANDSHAKE_SECONDS)
        sock.settimeout(None)  # a Connection needs a blocking socket; poll() bounds every wait
        with multiprocessing.connection.Connection(sock.detach()) as stranger:
            assert stranger.poll(HANDSHAKE_SECONDS)
            assert stranger.recv_bytes().startswith(b"#CHALLENGE#")
            stranger.send_bytes(pickle.dumps(Plant(str(planted))))  # instead of the digest
            assert stranger.poll(HANDSHAKE_SECONDS)
            assert stranger.recv_bytes() == b"#FAILURE#"
        assert server.total().value == 0  # the server is still up and nothing was applied
    assert not planted.exists()


def test_the_server_is_shut_down_when_the_block_raises():
    """Leaving serve() with an exception still stops and joins the server process."""
    with pytest.raises(RuntimeError, match="boom"):
        with manager_tcp.serve(multiprocessing.get_context("fork")) as server:
            assert server.total().value == 0
            assert len(multiprocessing.active_children()) == 1
            raise RuntimeError("boom")
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("kind", ["raise", "kill"])
def test_the_server_is_shut_down_when_a_worker_fails(kind):
    """A worker that dies part way leaves the others' updates whole and no server behind."""
    workload = Workload("manager-tcp", procs=2, base=20, fault=Fault(kind, 1, 5), timeout=seconds(30))
    outcome = run(workload)
    assert check(outcome) == []
    assert outcome.observed == 20 + 5
    assert outcome.left_processes == ()
    assert multiprocessing.active_children() == []
    assert outcome.died[0].startswith("worker-1 ")


def test_the_same_invariants_as_manager_hold():
    """Clients connecting by address and key lose no update: total and slots are exact."""
    outcome = run(Workload("manager-tcp", procs=3, base=30, start_method="spawn"))
    assert check(outcome) == []
    assert outcome.observed == 90
    assert outcome.slots == (30, 30, 30)
