"""The fetcher's guard against server-side request forgery: it connects to public addresses only.

Feeds and URL lists come from outside; a link in them must not make the run fetch, and index, what
only this machine can reach: itself (127.0.0.1 in any spelling, ``localhost``, ``[::1]``), its
private network, the cloud metadata service (169.254.169.254), multicast or reserved addresses.
``settings.allow_private_hosts`` names what may be reached anyway.

The check is made where the connection is opened, on the resolved address: every redirect hop
opens its own connection, so it is checked too, and the socket goes to exactly the address that
was checked (the name is resolved once, so a second answer -- DNS rebinding -- is never used).
TLS and the Host header keep the URL's name: httpcore verifies the certificate for the host of the
request, not for the address it connected to.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Iterable

import httpcore
import httpx

from etl.redact import redact_url
from etl.settings import Settings

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 addresses as an IPv6-only network's gateway writes them


class RefusedAddress(Exception):
    """A connection the guard would not open; ``url`` is set by the transport, for the message."""

    def __init__(self, host: str, address: str, kind: str):
        super().__init__(host, address, kind)
        self.host, self.address, self.kind = host, address, kind
        self.url: str | None = None

    def __str__(self) -> str:
        what = f"{self.address} is {self.kind}" if self.host == self.address else f"{self.host} resolves to {self.address}, {self.kind}"
        where = f" {self.url}" if self.url else ""
        return f"refused{where}: {what}; list it in NEWS_ETL_ALLOW_PRIVATE_HOSTS to allow"


def kind_of(ip: _Address) -> str | None:
    """Why ``ip`` is not a public address ("a loopback address", ...), or None when it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 form of an IPv4 address reaches that IPv4 address: judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return kind_of(embedded)
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((kind for failed, kind in checks if failed), None)


class AddressPolicy:
    """Which resolved addresses may be connected to: public ones, and what the settings allow."""

    def __init__(self, settings: Settings):
        self.names, self.networks = settings.private_hosts_allowed()

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``, resolved once; RefusedAddress if any is not allowed.

        One refused answer refuses the name: a resolver that mixes a private address into public
        ones is not to be tried address by address.
        """
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as err:  # no such name: a connection error, as it was before the guard
            raise httpcore.ConnectError(str(err)) from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if host.lower().rstrip(".") in self.names:
            return addresses
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])  # without an IPv6 zone ("fe80::1%eth0")
            kind = kind_of(ip)
            if kind and not self._allowed(ip):
                raise RefusedAddress(host, address, kind)
        return addresses

    def _allowed(self, ip: _Address) -> bool:
        forms = [ip, *([ip.ipv4_mapped] if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else [])]
        return any(form in network for form in forms for network in self.networks if form.version == network.version)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's sockets, opened only to addresses the policy allows."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self.policy.addresses(host, port):
            try:  # by address, as socket.create_connection would after resolving: each in turn
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                error = err
        raise error or httpcore.ConnectError(f"{host} has no address")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a ``GuardedBackend``; a refusal names the URL (redacted) it was for."""

    def __init__(self, settings: Settings):
        super().__init__()
        # httpx takes no network backend, so its pool is rebuilt with one, with httpx's default limits.
        # The CA bundle is httpx's default (SSL_CERT_FILE / SSL_CERT_DIR when set, else certifi).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(AddressPolicy(settings)),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except RefusedAddress as err:
            err.url = redact_url(str(request.url))
            raise


def guarded_client(settings: Settings, accept: str, hooks: list, **options) -> httpx.Client:
    """An HTTP client whose every connection the guard checks, following redirects; ``hooks`` see each
    response (redirect hops included)."""
    return httpx.Client(
        follow_redirects=True,
        headers={"User-Agent": settings.user_agent, "Accept": accept},
        transport=GuardedTransport(settings),
        trust_env=False,  # no proxy from the environment: it would connect where the guard cannot see
        event_hooks={"response": hooks},
        **options,
    )
