"""The socket seal: offline mode lets no lookup or connection leave this machine.

The SDK's own HTTP never reaches a socket offline (tests/reliability/test_network_seal.py);
these are the other ways a notebook reaches the network: Python's socket layer directly,
as ``urllib``, ``requests`` and raw sockets do.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

import lessonkit
from lessonkit._sockets import NetworkSealed, _check_address, sealed

OUTSIDE = ("203.0.113.7", 80)  # TEST-NET-3: documentation only, never routed


@pytest.fixture
def server() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        yield listening


def test_the_error_is_offline_modes_and_a_network_failure() -> None:
    assert issubclass(NetworkSealed, lessonkit.OfflineError)
    assert issubclass(NetworkSealed, ConnectionRefusedError)


def test_urllib_is_refused_at_the_lookup() -> None:
    with lessonkit.offline(), pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen("https://example.com")
    assert isinstance(caught.value.reason, NetworkSealed)
    assert "refuses to look up 'example.com'" in str(caught.value.reason)


@pytest.mark.parametrize("host", ["example.com", b"example.com"])
def test_every_lookup_of_another_host_is_refused(host: str | bytes) -> None:
    with sealed():
        with pytest.raises(NetworkSealed):
            socket.getaddrinfo(host, 443)
        with pytest.raises(NetworkSealed):
            socket.gethostbyname("example.com")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", OUTSIDE[0], None])
def test_lookups_that_send_no_query_still_work(host: str | None) -> None:
    with sealed():
        try:
            socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)
        except socket.gaierror:  # no IPv6 on this machine: the resolver's answer, not ours
            assert host == "::1"


def test_a_raw_connection_off_the_machine_is_refused(server: socket.socket) -> None:
    with sealed(), socket.socket() as sock:
        with pytest.raises(NetworkSealed, match=r"refuses a connection to 203\.0\.113\.7:80"):
            sock.connect(OUTSIDE)
        with pytest.raises(NetworkSealed):
            sock.connect_ex(OUTSIDE)
        sock.connect(server.getsockname())  # loopback is this machine
        assert sock.getpeername() == server.getsockname()


def test_a_datagram_off_the_machine_is_refused() -> None:
    with sealed(), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(NetworkSealed):
            sock.sendto(b"query", OUTSIDE)
        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        receiver.bind(("127.0.0.1", 0))
        with receiver:
            assert sock.sendto(b"hello", 0, receiver.getsockname()) == 5
            assert receiver.recv(5) == b"hello"


def test_a_loopback_proxy_leads_off_the_machine_and_is_refused(
    server: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = server.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://localhost:{port}")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:bad-port")  # ignored, not ours
    monkeypatch.setenv("FTP_PROXY", "http://127.0.0.1")  # no port: nothing to refuse
    monkeypatch.setenv("ALL_PROXY", "socks5://:1080")  # no host
    with sealed(), socket.socket() as sock:
        with pytest.raises(NetworkSealed, match="named by a \\*_PROXY variable"):
            sock.connect(("127.0.0.1", port))


def test_the_seal_leaves_exactly_what_was_there() -> None:
    before = (socket.getaddrinfo, socket.socket.__dict__.get("connect"))
    with lessonkit.offline():
        assert socket.getaddrinfo is not before[0]
    assert (socket.getaddrinfo, socket.socket.__dict__.get("connect")) == before


def test_unix_and_other_local_families_are_left_alone() -> None:
    """pytest-socket refuses unix connects in this suite, so the rule is checked directly."""
    assert _check_address(socket.AF_UNIX, "/tmp/kernel.sock", frozenset({1})) is None
    assert _check_address(socket.AF_INET, "not an address", frozenset()) is None


@pytest.mark.parametrize("lookup", ["getaddrinfo", "gethostbyname", "gethostbyname_ex"])
def test_the_instructors_dashboard_stays_reachable(
    lookup: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Zero to JupyterHub, ``q.check()`` reports to ``http://hub:10101/...``."""
    answers = {
        "getaddrinfo": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (OUTSIDE[0], 10101))],
        "gethostbyname": OUTSIDE[0],
        "gethostbyname_ex": ("hub", [], [OUTSIDE[0]]),
    }
    monkeypatch.setattr(socket, lookup, lambda host, *rest: answers[lookup])
    monkeypatch.setenv("LESSONKIT_EXCHANGE_URL", "http://HUB:10101/services/lessonkit/")
    with sealed():
        assert getattr(socket, lookup)("hub", 10101) == answers[lookup]
        with pytest.raises(NetworkSealed):
            socket.getaddrinfo("example.com", 443)  # every other name is still refused
        _passes_the_seal()
        with socket.socket() as sock, pytest.raises(NetworkSealed):
            sock.connect(("198.51.100.1", 80))  # any other address is still refused


def test_a_dashboard_given_by_address_stays_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LESSONKIT_EXCHANGE_URL", f"http://{OUTSIDE[0]}:10101/services/lessonkit/")
    with sealed():
        _passes_the_seal()


def _passes_the_seal() -> None:
    """A connection to OUTSIDE gets past the seal, to the suite's own guard (pytest-socket)."""
    with socket.socket() as sock, pytest.raises(Exception, match="tried to use socket") as caught:
        sock.connect(OUTSIDE)
    assert not isinstance(caught.value, NetworkSealed)
