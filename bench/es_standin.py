"""The local Elasticsearch stand-in: osmem-server behind a small header-rewriting HTTP proxy.

There is no Elasticsearch server on these machines; osmem-server (PyPI) is an in-memory
OpenSearch-compatible server. elasticsearch-py 8/9 sends ``application/vnd.elasticsearch+json;
compatible-with=N`` (and ``+x-ndjson`` for bulk) in Content-Type and Accept, which osmem-server
refuses; the proxy rewrites them to ``application/json`` / ``application/x-ndjson``. On the way
back it keeps a single ``X-Elastic-Product`` header (the client rejects a response that carries it
twice) and adds it when missing, since the client checks for it.

For the tests (``tests/es_server.py``, ``tests/reliability``) and the benchmark (``python -m bench``)
only, never production. ``EsProxy`` is built to be reused: subclass it and override ``intercept``
to answer a request yourself (a fault-injecting proxy returns a 429 or closes the socket there).
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# application/vnd.elasticsearch+json; compatible-with=9 -> application/json (same for +x-ndjson)
COMPAT_MEDIA = re.compile(r"application/vnd\.elasticsearch\+([\w-]+)\s*;\s*compatible-with=\d+", re.IGNORECASE)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


@dataclass
class ProxyRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ProxyResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def plain_media_type(value: str) -> str:
    return COMPAT_MEDIA.sub(r"application/\1", value)


class EsProxy:
    """Forwards every request to ``upstream`` (``http://host:port``) with the header rewrites above."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0):
        self.upstream = urlsplit(upstream)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> EsProxy:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> EsProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def intercept(self, request: ProxyRequest) -> ProxyResponse | None:
        """Answer a request without forwarding it; ``None`` forwards. The hook for fault injection."""
        return None

    def forward(self, request: ProxyRequest) -> ProxyResponse:
        headers = {k: plain_media_type(v) if k.lower() in ("content-type", "accept") else v for k, v in request.headers.items()}
        headers = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            conn.request(request.method, request.path, body=request.body or None, headers=headers)
            upstream = conn.getresponse()
            body = upstream.read()
            out = [(k, v) for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length", "x-elastic-product"}]
        finally:
            conn.close()
        out.append(("X-Elastic-Product", "Elasticsearch"))
        return ProxyResponse(upstream.status, out, body)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = ProxyRequest(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                response = proxy.intercept(request) or proxy.forward(request)
                self.send_response(response.status)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args) -> None:  # keep pytest output quiet
                pass

        return Handler


@contextmanager
def standin() -> Iterator[str]:
    """A fresh osmem-server behind an ``EsProxy``; yields the URL to give the Elasticsearch client."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    try:
        with EsProxy(server.url) as proxy:
            yield proxy.url
    finally:
        server.close()
