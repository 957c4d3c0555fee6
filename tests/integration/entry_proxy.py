"""A local stand-in for an API Gateway HTTP API in front of the tracking server: a threaded
reverse proxy on 127.0.0.1 that enforces the gateway's limits and records every exchange.

It answers what API Gateway answers when a limit is hit, so the MLflow client and the UI can
be run through it to see which of their paths an HTTP API entry point would carry
(tests/integration/test_entry_proxy.py, docs/entry-point.md).

The limits, with their sources:

- Request payload at most 10 MB, answered with 413. "Payload size: 10 MB", not adjustable:
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
  The status is the one API Gateway documents for a request over the payload limit
  (REQUEST_TOO_LARGE, 413): https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
  (that table is the REST API's; HTTP APIs publish no table of their own).
- Response payload at most 10 MB (the same quota row: the payload limit covers both
  directions), answered with 500 Internal Server Error: AWS lists "Backend payload size
  exceeding 10 MB" among the causes of API Gateway's 500 errors,
  https://repost.aws/knowledge-center/api-gateway-5xx-error
  API Gateway buffers an integration's response (HTTP APIs do not stream), so an oversized
  response is refused as a whole; nothing of it reaches the client.
- Integration timeout 30 s, not adjustable ("Maximum integration timeout: 30 seconds", the
  quotas page above), answered with 504: "If an integration request takes longer than your
  API Gateway ... maximum integration timeout ..., API Gateway returns an HTTP 504 status code"
  (the page covers REST, HTTP and WebSocket APIs):
  https://repost.aws/knowledge-center/api-gateway-504-errors
  The deadline covers the whole exchange with the upstream: sending the request and receiving
  the complete response, which the gateway must hold before it answers.

"10 MB" is not given in bytes on the quotas page; a REST API's own error message reports
"larger than allowed maximum of 10485760 bytes" (https://repost.aws/questions/QUQx1CzpQHRWqZW-bjSUukTw),
so the default is 10 MiB. The findings this proxy is used for (100 MB artifacts) do not depend
on which reading is right. The quotas page also limits the request line and header values to
10240 bytes together; AWS documents no status for it, so the proxy only measures that size
(`Exchange.header_bytes`) for a test to check, and does not refuse on it.

The bodies of the refusals are API Gateway's style (`{"message": ...}`); AWS does not document
their exact text for HTTP APIs, and MLflow's client only looks at the status.

Limits are parameters (`Limits`): a test may use smaller values where that keeps it quick and
is honest (checking the proxy itself against a stub upstream); the MLflow traffic runs through
the real ones (`Limits()`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MIB = 1024 * 1024

#: Connection-scoped headers a proxy does not pass on (RFC 9110, section 7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

#: Why the proxy refused an exchange (`Exchange.refused`).
REQUEST_TOO_LARGE = "request_too_large"
RESPONSE_TOO_LARGE = "response_too_large"
TIMEOUT = "integration_timeout"
BAD_GATEWAY = "upstream_unreachable"


@dataclass(frozen=True)
class Limits:
    """The entry point's limits; the defaults are API Gateway HTTP API's."""

    request_payload_bytes: int = 10 * MIB
    response_payload_bytes: int = 10 * MIB
    integration_timeout_s: float = 30.0
    #: A refused request body is read and discarded up to this many bytes, so the client sees
    #: the 413 instead of a reset connection; beyond it the connection is closed.
    drain_bytes: int = 1024 * MIB


@dataclass(frozen=True)
class Exchange:
    """One request through the proxy, as the gateway saw it."""

    method: str
    path: str
    #: What the proxy answered: the upstream's status, or the refusal's.
    status: int
    #: Bytes of the request body (as far as it was read, for a refused one).
    request_bytes: int
    #: Bytes of the upstream's response body (as far as it was read, for a refused one).
    response_bytes: int
    #: The upstream response's Content-Length, if it sent one (a response announced as too
    #: large is refused before any of its body is read).
    declared_bytes: int | None
    #: The request line and the header values, the quantity of the 10240-byte quota.
    header_bytes: int
    #: Seconds from receiving the request until the upstream's response was complete (or the
    #: refusal was decided).
    upstream_s: float
    #: None if passed through, else REQUEST_TOO_LARGE, RESPONSE_TOO_LARGE, TIMEOUT, BAD_GATEWAY.
    refused: str | None
    #: The response body when it was at most `EntryProxy.keep_body_bytes` (for inspection).
    body: bytes | None = None


#: The gateway's answer for each refusal.
REFUSALS: dict[str, tuple[int, str]] = {
    REQUEST_TOO_LARGE: (413, "Request Entity Too Large"),
    RESPONSE_TOO_LARGE: (500, "Internal Server Error"),
    TIMEOUT: (504, "Gateway Timeout"),
    BAD_GATEWAY: (503, "Service Unavailable"),
}


class _Refused(Exception):
    """A limit was hit after `read` bytes of the body in question."""

    def __init__(self, reason: str, read: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.read = read


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (the MLflow client gives up on a refused upload) is no error
        of the proxy's; anything else is printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class EntryProxy:
    """Listen on 127.0.0.1 (a free port unless given) and forward to `upstream_port`.

    Use as a context manager, or start()/stop(). Every exchange is recorded before the client
    gets its answer: `snapshot()` lists them in order, `window()` those of a `with` block,
    `refused()` counts the refusals by reason.
    """

    upstream_port: int
    limits: Limits = field(default_factory=Limits)
    upstream_host: str = "127.0.0.1"
    port: int = 0
    #: Keep response bodies up to this size in the records (0: keep none).
    keep_body_bytes: int = 0
    _exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> EntryProxy:
        self._server = _Server(("127.0.0.1", self.port), _handler_for(self))
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"entry-proxy-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> EntryProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def snapshot(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def refused(self) -> Counter[str]:
        return Counter(e.refused for e in self.snapshot() if e.refused is not None)

    @contextlib.contextmanager
    def window(self) -> Iterator[list[Exchange]]:
        """The exchanges completed inside the `with` block (the list is filled when it exits)."""
        start = len(self.snapshot())
        seen: list[Exchange] = []
        try:
            yield seen
        finally:
            seen.extend(self.snapshot()[start:])


@dataclass
class _Outcome:
    """What one exchange came to, filled in as it goes."""

    request_bytes: int = 0
    response_bytes: int = 0
    declared_bytes: int | None = None
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    refused: str | None = None


def _handler_for(proxy: EntryProxy) -> type[BaseHTTPRequestHandler]:
    limits = proxy.limits

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive to the client, like the gateway

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the records are the log

        def _forward(self) -> None:
            started = time.monotonic()
            outcome = _Outcome()
            try:
                self._exchange(outcome, started + limits.integration_timeout_s)
            except _Refused as refusal:
                outcome.refused = refusal.reason
                outcome.status, message = REFUSALS[refusal.reason]
                outcome.headers = [
                    ("Content-Type", "application/json"),
                    ("apigw-requestid", "entry-proxy"),
                ]
                outcome.body = json.dumps({"message": message}).encode()
            keep = outcome.refused is None and len(outcome.body) <= proxy.keep_body_bytes
            proxy.record(
                Exchange(
                    method=self.command,
                    path=self.path,
                    status=outcome.status,
                    request_bytes=outcome.request_bytes,
                    response_bytes=outcome.response_bytes,
                    declared_bytes=outcome.declared_bytes,
                    header_bytes=self._header_bytes(),
                    upstream_s=time.monotonic() - started,
                    refused=outcome.refused,
                    body=outcome.body if keep else None,
                )
            )
            self._answer(outcome)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

        def _exchange(self, outcome: _Outcome, deadline: float) -> None:
            """Read the request, forward it, read the whole response: or raise _Refused."""
            try:
                body = self._read_body()
            except _Refused as refusal:
                outcome.request_bytes = refusal.read
                raise
            outcome.request_bytes = len(body)
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
            }
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            upstream = http.client.HTTPConnection(
                proxy.upstream_host, proxy.upstream_port, timeout=limits.integration_timeout_s
            )
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                _settimeout(upstream, deadline)
                response = upstream.getresponse()
                length = response.getheader("Content-Length")
                outcome.declared_bytes = int(length) if length is not None else None
                if (outcome.declared_bytes or 0) > limits.response_payload_bytes:
                    raise _Refused(RESPONSE_TOO_LARGE)
                while chunk := _read_within(upstream, response, deadline):
                    outcome.response_bytes += len(chunk)
                    if outcome.response_bytes > limits.response_payload_bytes:
                        raise _Refused(RESPONSE_TOO_LARGE, outcome.response_bytes)
                    outcome.body += chunk
            except TimeoutError:
                raise _Refused(TIMEOUT, outcome.response_bytes) from None
            except OSError:
                raise _Refused(BAD_GATEWAY, outcome.response_bytes) from None
            finally:
                upstream.close()
            outcome.status = response.status
            outcome.headers = [
                (k, v)
                for k, v in response.getheaders()
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
            ]

        def _header_bytes(self) -> int:
            line = len(self.requestline.encode("latin-1", "replace"))
            return line + sum(len(v.encode("latin-1", "replace")) for v in self.headers.values())

        def _read_body(self) -> bytes:
            """The request body, or _Refused(REQUEST_TOO_LARGE) once it is over the limit."""
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunked()
            length = int(self.headers.get("Content-Length") or 0)
            if length > limits.request_payload_bytes:
                raise _Refused(REQUEST_TOO_LARGE, self._drain(length))
            return self.rfile.read(length)

        def _read_chunked(self) -> bytes:
            parts: list[bytes] = []
            total = 0
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunk = self.rfile.read(size)
                self.rfile.readline()
                total += len(chunk)
                if total > limits.drain_bytes:
                    self.close_connection = True
                    raise _Refused(REQUEST_TOO_LARGE, total)
                if total <= limits.request_payload_bytes:
                    parts.append(chunk)
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            if total > limits.request_payload_bytes:
                raise _Refused(REQUEST_TOO_LARGE, total)
            return b"".join(parts)

        def _drain(self, length: int) -> int:
            todo = min(length, limits.drain_bytes)
            read = 0
            while read < todo:
                chunk = self.rfile.read(min(MIB, todo - read))
                if not chunk:
                    break
                read += len(chunk)
            if read < length:
                self.close_connection = True
            return read

        def _answer(self, outcome: _Outcome) -> None:
            self.send_response_only(outcome.status)
            for name, value in outcome.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(outcome.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(outcome.body)

    return Handler


def _settimeout(upstream: http.client.HTTPConnection, deadline: float) -> None:
    """The socket may wait only for what is left of the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    if upstream.sock is not None:
        upstream.sock.settimeout(left)


def _read_within(
    upstream: http.client.HTTPConnection,
    response: http.client.HTTPResponse,
    deadline: float,
) -> bytes:
    """The next piece of the response body, waiting no longer than the deadline."""
    _settimeout(upstream, deadline)
    return response.read1(MIB)
