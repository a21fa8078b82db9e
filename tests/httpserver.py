"""A local HTTP server that replays recorded responses (a test helper, not a test module).

Import it from any test (``tests/`` is on ``sys.path`` because of ``tests/conftest.py``)::

    from httpserver import RecordedServer, Response

    with RecordedServer() as server:
        server.add("/file.gz", [Response(status=500), Response(body=b"data")])
        download(server.url + "/file.gz", dest)
        assert server.requests == ["/file.gz", "/file.gz"]

Routes
    ``server.add(route, responses, ignore_query=False)``; ``route`` is one of

    - ``"/path?a=1&b=2"``: matches a request with the same path and the same query parameters
      (compared decoded and as a sorted list, so parameter order and percent-encoding do not
      matter); a route without ``?`` matches only requests without a query;
    - ``"/path"`` with ``ignore_query=True``: matches that path with any query;
    - a callable ``f(path_and_query: str) -> bool`` (the raw request target).

    Routes are tried in the order they were added; the first match answers. A request that
    matches no route gets a 404 whose body lists the routes (it still appears in ``requests``).

Responses
    The list given to ``add`` is consumed in order, one per request, and its last response
    repeats. ``Response.truncate_after=N`` sends the full ``Content-Length`` but only the first
    ``N`` body bytes, then closes the connection: an interrupted transfer.

``server.requests`` lists the raw request targets (path + query) in arrival order.
"""
from __future__ import annotations

import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Response:
    """One recorded answer: status, body (str is UTF-8 encoded), extra headers, truncation."""

    status: int = 200
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    truncate_after: int | None = None

    def payload(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


def _query_key(query: str) -> list[tuple[str, str]]:
    return sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))


class _Route:
    def __init__(self, route, responses: list[Response], ignore_query: bool):
        if not responses:
            raise ValueError("a route needs at least one Response")
        self.route, self.responses, self.ignore_query = route, list(responses), ignore_query
        self.served = 0

    def matches(self, target: str) -> bool:
        if callable(self.route):
            return bool(self.route(target))
        want = urllib.parse.urlsplit(self.route)
        got = urllib.parse.urlsplit(target)
        if urllib.parse.unquote(want.path) != urllib.parse.unquote(got.path):
            return False
        return self.ignore_query or _query_key(want.query) == _query_key(got.query)

    def next(self) -> Response:
        response = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return response


class RecordedServer:
    """``ThreadingHTTPServer`` on 127.0.0.1 (a free port) replaying :class:`Response` lists.

    Use as a context manager; ``url`` is the base URL (``http://127.0.0.1:<port>``), still
    readable after the server stopped.
    """

    def __init__(self):
        self.routes: list[_Route] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base: str | None = None  # kept after exit (a closed port: connection refused)

    @property
    def url(self) -> str:
        if self._base is None:
            raise RuntimeError("server not started (use it as a context manager)")
        return self._base

    def add(self, route: str | Callable[[str], bool], responses: list[Response] | Response,
            ignore_query: bool = False) -> None:
        """Answer requests matching ``route`` with ``responses`` (in order, the last repeating)."""
        if isinstance(responses, Response):
            responses = [responses]
        with self._lock:
            self.routes.append(_Route(route, responses, ignore_query))

    def _answer(self, target: str) -> Response:
        with self._lock:
            self.requests.append(target)
            for route in self.routes:
                if route.matches(target):
                    return route.next()
        known = "\n".join(str(r.route) for r in self.routes)
        return Response(status=404, body=f"no recorded route for {target}; routes:\n{known}\n")

    def __enter__(self) -> "RecordedServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                response = server._answer(self.path)
                body = response.payload()
                self.send_response(response.status)
                headers = {"Content-Length": str(len(body)), **response.headers}
                for name, value in headers.items():
                    self.send_header(name, str(value))
                self.end_headers()
                if response.status == 204:
                    return
                if response.truncate_after is not None:
                    self.wfile.write(body[:response.truncate_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002 (keep test output quiet)
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self._base = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="RecordedServer", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None
