"""A real HTTP server on loopback that answers some paths slowly: the slow-server faults of issue #17.

``/trickle/<n>`` sends its headers, then one byte a second for up to ``TRICKLE_SECONDS`` (never
slow enough for a read timeout); ``/stall/<n>`` sends its headers and then nothing; any other
path is an article page at once. Every slow answer served counts as an injected fault.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reliability.corpus import PARAGRAPHS, html_page, own

TRICKLE_SECONDS = 30  # what the old fetcher waited, per attempt, for a page that never ends


class SlowServer:
    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.slow_answers = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                kind, _, n = self.path.strip("/").partition("/")
                if kind in ("trickle", "stall"):
                    server.slow_answers += 1
                    self._headers(10_000)
                    self._slowly(b"<" if kind == "trickle" else b"", 1.0)
                    return
                body = html_page(f"Dispatch {n} from the talks", own(PARAGRAPHS[:3], int(n or 0))).encode()
                self._headers(len(body))
                self.wfile.write(body)

            def _headers(self, length: int) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.flush()

            def _slowly(self, byte: bytes, every: float) -> None:
                ends = time.monotonic() + TRICKLE_SECONDS
                try:
                    while time.monotonic() < ends and not server.stopping.wait(every):
                        self.wfile.write(byte)
                        self.wfile.flush()
                except OSError:  # the client gave up: that is the point
                    pass
                self.close_connection = True

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._http.server_port}/{path.lstrip('/')}"

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self._http.shutdown()
        self._http.server_close()
