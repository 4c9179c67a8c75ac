"""The socket seal: while offline mode is on, no connection leaves this machine.

:mod:`lessonkit._transport` sends the SDK's HTTP to the fake and refuses every
other host *that goes through httpx*. A notebook also fetches with
``requests``, ``urllib`` or a raw socket; without this seal such a cell would
reach the real network (or hang on a name lookup on a machine without one).
While :func:`sealed` is entered, Python's own socket layer refuses, at once and
with :class:`NetworkSealed` naming offline mode:

- looking up a host name that is not this machine (``getaddrinfo``,
  ``gethostbyname``): no DNS query leaves;
- ``connect``/``connect_ex``/``sendto`` to an address that is not loopback,
  and to a loopback proxy the environment names (``HTTPS_PROXY=127.0.0.1:3128``
  is a way out, not a local service).

Loopback (Jupyter's own channels, a test server on 127.0.0.1), unix sockets and
the instructor's dashboard (the host of ``$LESSONKIT_EXCHANGE_URL``, e.g.
``hub`` on Zero to JupyterHub, where ``q.check()`` reports) work as before.
:class:`NetworkSealed` is an ``OSError`` as well as an
:class:`~lessonkit.OfflineError`, so code that copes with a network failure
(retries, a fallback) copes with this one, and fails fast.

The offline session (:mod:`lessonkit._offline`) is the one owner: it enters
this seal when it switches on and leaves it when it switches off, so the
offline kernel and ``pytest --lessonkit-offline`` get it with everything else.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Set
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import Any

from ._transport import OfflineError

__all__ = ["NetworkSealed", "sealed"]

_ADVICE = (
    "only api.anthropic.com (answered by the fake) and this machine are reachable; "
    "load the data from a file, or mock this call as you would in a test"
)
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_INTERNET = (socket.AF_INET, socket.AF_INET6)
_MISSING = object()


class NetworkSealed(OfflineError, ConnectionRefusedError):
    """A connection or name lookup that would leave this machine, refused by offline mode."""


def _loopback(host: object) -> bool:
    """Whether ``host`` (a name or an address literal) is this machine's loopback."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").lower().split("%")[0]
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def _proxy_ports() -> frozenset[int]:
    """Ports of the loopback proxies the environment names (they lead off this machine)."""
    ports = set()
    for url in urllib.request.getproxies().values():
        parsed = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
        try:
            port = parsed.port
        except ValueError:  # a malformed proxy variable is not ours to judge
            continue
        if _loopback(parsed.hostname) and port is not None:
            ports.add(port)
    return frozenset(ports)


def _dashboard_host() -> str | None:
    """The host ``q.check()`` reports to on a JupyterHub (:mod:`lessonkit.exchange`), if any."""
    url = os.environ.get("LESSONKIT_EXCHANGE_URL")
    host = urllib.parse.urlsplit(url).hostname if url else None
    return host.lower() if host else None


def _check_lookup(host: object) -> None:
    if host is None or _loopback(host):
        return
    text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    if _literal(text) or text == socket.gethostname():
        return  # no query leaves: the address is given, or the name is this machine's
    raise NetworkSealed(f"lessonkit offline mode refuses to look up {text!r}: {_ADVICE}")


def _check_address(
    family: int, address: object, proxies: frozenset[int], reachable: Set[str] = frozenset()
) -> None:
    if family not in _INTERNET or not isinstance(address, tuple) or len(address) < 2:
        return  # unix sockets, netlink and the like never leave the machine
    host, port = address[0], address[1]
    if host in reachable:
        return  # the dashboard's address
    if not _loopback(host):
        raise NetworkSealed(
            f"lessonkit offline mode refuses a connection to {host}:{port}: {_ADVICE}"
        )
    if port in proxies:
        raise NetworkSealed(
            f"lessonkit offline mode refuses the proxy at {host}:{port} (named by a *_PROXY "
            f"variable): it leads off this machine; {_ADVICE}"
        )


def _base_socket() -> type[socket.socket]:
    """Python's ``socket.socket`` class, even while pytest-socket has swapped in a subclass."""
    return next(
        c for c in socket.socket.__mro__ if c.__module__ == "socket" and c.__name__ == "socket"
    )


@contextmanager
def _replaced(owner: Any, name: str, make: Callable[[Any], Any]) -> Iterator[None]:
    """``owner.name`` is ``make(original)`` inside; afterwards exactly what it was at entry."""
    saved = owner.__dict__.get(name, _MISSING)
    setattr(owner, name, make(getattr(owner, name)))
    try:
        yield
    finally:
        if saved is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, saved)


def _addresses(lookup: str, found: Any) -> list[str]:
    """The addresses in what ``socket.<lookup>`` returned."""
    if lookup == "getaddrinfo":
        return [str(entry[4][0]) for entry in found]
    if lookup == "gethostbyname":
        return [str(found)]
    return [str(address) for address in found[2]]  # gethostbyname_ex


@contextmanager
def sealed() -> Iterator[None]:
    """While inside, Python's sockets reach loopback only (see the module docstring)."""
    proxies = _proxy_ports()
    dashboard = _dashboard_host()
    #: Addresses the dashboard's name resolved to (or its address, if given as one).
    reachable: set[str] = {dashboard} if dashboard and _literal(dashboard) else set()

    def lookup(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
            text = host.decode("ascii", "replace") if isinstance(host, bytes) else host
            if dashboard is None or not isinstance(text, str) or text.lower() != dashboard:
                _check_lookup(host)
                return original(host, *args, **kwargs)
            found = original(host, *args, **kwargs)
            reachable.update(_addresses(name, found))
            return found

        return guarded

    def connect(original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(self: socket.socket, address: Any) -> Any:
            _check_address(self.family, address, proxies, reachable)
            return original(self, address)

        return guarded

    def sendto(original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(self: socket.socket, data: Any, *rest: Any) -> Any:
            if rest:
                _check_address(self.family, rest[-1], proxies, reachable)
            return original(self, data, *rest)

        return guarded

    base = _base_socket()
    with ExitStack() as stack:
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
            stack.enter_context(_replaced(socket, name, partial(lookup, name)))
        for name in ("connect", "connect_ex"):
            stack.enter_context(_replaced(base, name, connect))
        stack.enter_context(_replaced(base, "sendto", sendto))
        yield
