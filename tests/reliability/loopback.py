"""Servers on loopback addresses and a net that keeps every connection on this machine.

The hostile-fetch tests point the fetcher at addresses it must refuse. Those that have a server
(127.0.0.1, 127.0.0.2, ::1) prove a refused request never reached it; the others (10.x, 169.254.x,
...) must be refused before any connection, and ``OffMachineNet`` makes sure of it: every TCP
connection to another machine is recorded and fails at once, so no packet leaves.
"""

from __future__ import annotations

import ipaddress
import socket

from pytest_httpserver import HTTPServer

from reliability.corpus import PARAGRAPHS, html_page

# What an internal service would answer: a page the cleaner accepts, so a fetch of it gets indexed.
INTERNAL_PAGE = html_page("INTERNAL admin console", [f"INTERNAL-ONLY {p}" for p in PARAGRAPHS[:3]])


def start(host: str, port: int = 0) -> HTTPServer:
    server = HTTPServer(host=host, port=port)
    server.start()
    return server


def requests_seen(server: HTTPServer) -> list[str]:
    return [request.full_path.rstrip("?") for request, _ in server.log]


def is_this_machine(host: str) -> bool:
    """Loopback, or the unspecified address (which connects to this machine on Linux)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return ip.is_loopback or ip.is_unspecified


class OffMachineNet:
    """Stands in for ``socket.create_connection`` (which httpcore connects with)."""

    def __init__(self, real):
        self.real = real
        self.attempts: list[tuple] = []

    def __call__(self, address, *args, **kwargs):
        host = address[0]
        try:  # a host name (before a guard resolves it) is checked by its local resolution
            resolved = {info[4][0] for info in socket.getaddrinfo(host, address[1], type=socket.SOCK_STREAM)}
        except OSError:
            resolved = {host}
        if not all(is_this_machine(ip) for ip in resolved):
            self.attempts.append(tuple(address))
            raise ConnectionRefusedError(f"test net: no connection to {host} ({', '.join(sorted(resolved))})")
        return self.real(address, *args, **kwargs)
