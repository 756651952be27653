"""A web server on loopback for the fetcher's tests: routes answer as real sites do."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE = """<!doctype html>
<html><head>
<title>Compute Governance Explained | Policy Lab</title>
<meta name="author" content="Ada Example">
<meta property="article:published_time" content="2024-03-15">
</head><body>
<nav>Home · About · Donate</nav>
<article>
<h1>Compute Governance Explained</h1>
<p>Compute governance means tracking and controlling the chips that train frontier models.
It is one of the few levers that regulators can observe and verify from the outside.</p>
<p>Export controls, reporting thresholds and know-your-customer rules for cloud providers
are the main instruments discussed in the literature, each with its own trade-offs.</p>
</article>
<footer>© Policy Lab</footer>
</body></html>
"""


def pdf_with_text(text: str, title: str = "A Report", author: str = "Bo Author") -> bytes:
    """A small valid PDF with one page of text and an information dictionary."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author ({author}) /CreationDate (D:20230601120000Z) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


Response = tuple[int, dict[str, str], bytes]


@dataclass
class Drip:
    """A raw answer (status line and headers included) written a piece at a time, `pause`
    seconds apart, until it is done or the client hangs up: a slow or hostile server."""

    pieces: list[bytes]
    pause: float

    @classmethod
    def bytewise(cls, data: bytes, pause: float) -> Drip:
        return cls([data[i : i + 1] for i in range(len(data))], pause)

    @property
    def seconds(self) -> float:
        """How long the whole answer takes to write."""
        return self.pause * (len(self.pieces) - 1)


class LocalWeb:
    """Routes are path -> (status, headers, body), a callable returning that, or a `Drip`.
    With a `tls` context the server speaks HTTPS."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Response | Callable[[], Response] | Drip] = {}
        self.requests: list[tuple[str, dict]] = []
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                web.requests.append((self.path, dict(self.headers)))
                route = web.routes.get(self.path.split("?")[0])
                if isinstance(route, Drip):
                    self.drip(route)
                    return
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/html"}, b"Not here"
                else:
                    status, headers, body = route() if callable(route) else route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def drip(self, answer: Drip):
                self.close_connection = True
                try:
                    for number, piece in enumerate(answer.pieces):
                        if number:
                            time.sleep(answer.pause)
                        self.wfile.write(piece)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the client gave up: what a dripping answer is there to test

            def log_message(self, *args):  # quiet tests
                pass

        self.scheme = "https" if tls else "http"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def html(self, path: str, body: str, status: int = 200) -> str:
        self.routes[path] = (status, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.routes[path] = (status, {"Location": to}, b"")
        return self.url(path)

    def slow(self, path: str, seconds: float) -> str:
        def answer():
            time.sleep(seconds)
            return 200, {"Content-Type": "text/plain"}, b"late"

        self.routes[path] = answer
        return self.url(path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
