"""A fault-injecting Elasticsearch proxy: ``EsProxy`` (the header-rewriting proxy the Elasticsearch
tests use in front of osmem-server) plus scripted faults, optionally behind TLS.

A fault is an answer the proxy gives instead of forwarding: an HTTP status (429, 503), a dropped
connection (a server that died), or a stall past the client's timeout. Each rule matches requests
by path, can let the first ``after`` matching requests through (to fail mid-run) and stops after
``times`` faults (``None``: for ever, a server that never comes back).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass

from es_proxy import EsProxy, ProxyRequest, ProxyResponse


class DropConnection(Exception):
    """Raised in a request handler: the server closes the socket without answering."""


@dataclass
class Fault:
    kind: str  # "status" | "drop" | "stall"
    path: str = "/_bulk"  # requests whose path contains this
    status: int = 503
    after: int = 0  # matching requests forwarded before the faults start
    times: int | None = None  # faults to inject; None: every matching request from then on
    stall_s: float = 0.0  # for "stall": how long to hold the request before dropping it
    seen: int = 0
    injected: int = 0

    def takes(self, request: ProxyRequest) -> bool:
        """Whether this fault answers the request; counts the matching requests it has seen."""
        if self.path not in request.path:
            return False
        self.seen += 1
        return self.seen > self.after and (self.times is None or self.injected < self.times)


class FaultProxy(EsProxy):
    """``EsProxy`` with faults; ``tls`` (a server-side ``ssl.SSLContext``) makes it a TLS endpoint."""

    def __init__(self, upstream: str, *, tls: ssl.SSLContext | None = None):
        super().__init__(upstream)
        self.faults: list[Fault] = []
        self.requests: list[ProxyRequest] = []  # every request seen, for checks on what the client sent
        self._lock = threading.Lock()
        self._scheme = "https" if tls else "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        # A dropped connection is the fault, not an error worth a traceback on stderr.
        self._server.handle_error = lambda request, client_address: None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host}:{port}"

    @property
    def injected(self) -> int:
        return sum(f.injected for f in self.faults)

    def inject(self, kind: str, **rule) -> Fault:
        fault = Fault(kind, **rule)
        with self._lock:
            self.faults.append(fault)
        return fault

    def heal(self) -> None:
        """The server is back: no more faults (counts of past ones are kept)."""
        with self._lock:
            for fault in self.faults:
                fault.times = fault.injected

    def intercept(self, request: ProxyRequest) -> ProxyResponse | None:
        with self._lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if f.takes(request)), None)
            if fault is not None:
                fault.injected += 1
        if fault is None:
            return None
        if fault.kind == "status":
            body = json.dumps({"error": {"type": "injected_fault", "reason": f"injected {fault.status}"}, "status": fault.status})
            return ProxyResponse(fault.status, [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")], body.encode())
        if fault.kind == "stall":
            time.sleep(fault.stall_s)
        raise DropConnection(request.path)
