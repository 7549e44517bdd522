"""HTTP transport of the ``wasi_experimental_http`` module, over urllib3.

Implements section 2.1.1 ("The HTTP exchange") of
shared/spec/wasi-experimental-http-abi.md with the section 11 decisions
(A5 redirects, A6 proxies, A7 timeouts, A8 body cap, C13/C14/D7/D8 wire
details) and the urllib3 notes of section 11.1.  This is the only module of
the package that imports urllib3; it knows nothing of guest memory or
handles.  Every failure leaves it as a TransportError carrying the ABI code.

Bodies are streamed: ``Client.request`` returns once the final status and
headers have arrived, and ``Exchange.read`` pulls body bytes from the socket
as the guest asks for them, so host memory stays flat whatever the size.
"""

import base64
import datetime
import time
from urllib.parse import unquote_to_bytes

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (ConnectTimeoutError, NewConnectionError,
                                ProtocolError, ReadTimeoutError, SSLError)
from urllib3.util import SKIP_HEADER

from .abi import HttpErrorCode, TransportError
from .url import UrlError, join_url

__all__ = ["Client", "Exchange", "Hop", "TransportError"]

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Dropped when a redirect leaves the origin (A5), like common clients do.
CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
# Headers describing a body; dropped when a redirect turns the request into a
# body-less GET (301/302/303).
BODY_HEADERS = ("content-type", "content-encoding", "content-length", "transfer-encoding")
# How much of a redirect response's body is drained so that its connection
# can be reused; a longer body closes the connection instead.
_DRAIN_LIMIT = 64 * 1024


class _TimedConnectMixin:
    # Records how long the TCP (and TLS) connect took, for the trace's
    # "connect" timing; None on a reused keep-alive connection.
    pw_connect_seconds = None

    def connect(self):
        start = time.perf_counter()
        super().connect()
        self.pw_connect_seconds = time.perf_counter() - start


class _TimedHTTPConnection(_TimedConnectMixin, HTTPConnection):
    pass


class _TimedHTTPSConnection(_TimedConnectMixin, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TimedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TimedHTTPSConnection


class Hop:
    """One request/response on the wire (a redirect chain has several).

    Plain data for the tracer: timings in seconds (perf_counter based,
    ``started`` is wall-clock UTC), headers as (name, str value) lists.
    """

    __slots__ = ("method", "url", "request_headers", "request_body",
                 "status", "reason", "http_version", "response_headers",
                 "started", "start", "connect", "headers_at", "end",
                 "bytes_received", "server_ip", "error", "redirect_url")

    def __init__(self, method, url, request_headers, request_body):
        self.method = method
        self.url = url
        self.request_headers = request_headers
        self.request_body = request_body
        self.status = None
        self.reason = ""
        self.http_version = "HTTP/1.1"
        self.response_headers = []
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.start = time.perf_counter()
        self.connect = None
        self.headers_at = None
        self.end = None
        self.bytes_received = 0
        self.server_ip = None
        self.error = None
        self.redirect_url = ""


def _describe(error):
    """A short reason for a urllib3/http.client/socket failure."""
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
    if isinstance(error, NewConnectionError):
        cause = error.__cause__ or error.__context__
        if isinstance(cause, TimeoutError):
            return "connect timeout"
        return "connection failed: %s" % (cause or error)
    if isinstance(error, ConnectTimeoutError):
        return "connect timeout"
    if isinstance(error, ReadTimeoutError):
        return "read timeout"
    if isinstance(error, SSLError):
        return "TLS error: %s" % (error.__cause__ or error)
    if isinstance(error, ProtocolError):
        cause = error.args[1] if len(error.args) > 1 else error
        return "connection broken: %s" % (cause,)
    return "%s: %s" % (type(error).__name__, error)


def _timeout_error(error):
    # urllib3 raises socket timeouts during body reads as ReadTimeoutError,
    # but sometimes wrapped in ProtocolError; both count as timeouts.
    return isinstance(error, (ReadTimeoutError, ConnectTimeoutError, TimeoutError))


class Exchange:
    """A response whose status and headers have arrived; the body streams.

    ``headers`` is a list of (lower-case name bytes, value bytes) in the
    order of section 4.6: grouped by name, names in first-seen order, values
    in arrival order.
    """

    def __init__(self, response, hops, max_body_size):
        self._response = response
        self.hops = hops
        self.status = response.status
        self.headers = _response_headers(response)
        self._max_body_size = max_body_size
        self._pending = b""
        self._done = False
        self._closed = False
        self.error = None
        self.bytes_received = 0

    @property
    def last_hop(self):
        return self.hops[-1]

    def read(self, amt):
        """Up to ``amt`` body bytes; fewer only at the end of the body.

        Raises:
            TransportError: the connection failed or the body exceeded the cap
                (the failure is sticky: later reads fail the same way).
        """
        if self.error is not None:
            raise TransportError(HttpErrorCode.REQUEST_ERROR, self.error)
        if amt <= 0:
            return b""
        data = self._pending[:amt]
        self._pending = self._pending[amt:]
        if len(data) < amt and not self._done and not self._closed:
            want = amt - len(data)
            try:
                chunk = self._response.read(want, decode_content=False)
            except Exception as error:      # noqa: BLE001 - all map to 11
                self._fail("read timeout" if _timeout_error(error) else _describe(error))
            self.bytes_received += len(chunk)
            self.last_hop.bytes_received = self.bytes_received
            if self._max_body_size is not None and self.bytes_received > self._max_body_size:
                self._fail("response body exceeds the %d-byte cap" % self._max_body_size)
            if len(chunk) < want:
                self._finish()
            data += chunk
        return data

    def unread(self, data):
        """Put back bytes the guest could not receive (write to memory failed)."""
        self._pending = data + self._pending

    def _fail(self, reason):
        self.error = reason
        self.last_hop.error = reason
        self.close()
        raise TransportError(HttpErrorCode.REQUEST_ERROR, reason)

    def _finish(self):
        # The whole body was read: the connection may go back to the pool.
        self._done = True
        if self.last_hop.end is None:
            self.last_hop.end = time.perf_counter()
        self._response.release_conn()

    def close(self):
        """Release the connection (closing it if body bytes remain unread)."""
        if self._closed:
            return
        self._closed = True
        if self.last_hop.end is None:
            self.last_hop.end = time.perf_counter()
        try:
            if not self._done:
                self._response.close()
            self._response.release_conn()
        except Exception:      # noqa: BLE001 - closing must never fail the guest
            pass


def _response_headers(response):
    # urllib3's HTTPHeaderDict keeps every received value and iterates them
    # grouped by (case-insensitive) name in first-seen order, which is the
    # section 4.6 order.  http.client decoded the bytes as Latin-1, so
    # encoding back gives the exact bytes received.
    headers = []
    for name, value in response.headers.iteritems():
        headers.append((name.lower().encode("latin-1"),
                        value.rstrip(" \t").encode("latin-1")))
    return headers


class Client:
    """One urllib3 PoolManager per module registration (section 11.1)."""

    def __init__(self, config):
        self._config = config
        kwargs = {
            "num_pools": 16,
            # One connection per open handle may be in use at once.
            "maxsize": max(4, config.max_concurrent_requests or 0),
            "block": False,
            "retries": False,
            "cert_reqs": "CERT_REQUIRED",
        }
        if config.ca_file is not None:
            kwargs["ca_certs"] = config.ca_file
        if config.proxy is not None:
            self._manager = urllib3.ProxyManager(config.proxy, **kwargs)
        else:
            self._manager = urllib3.PoolManager(**kwargs)
        self._manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        self._timeout = urllib3.Timeout(connect=config.connect_timeout,
                                        read=config.read_timeout)

    def close(self):
        self._manager.clear()

    def request(self, method, url, headers, body, check_destination):
        """Perform the exchange, following redirects; return an Exchange.

        ``headers``: (lower-case name, value bytes) pairs, already parsed and
        de-duplicated; ``body``: bytes or None; ``check_destination(url)``
        returns None or the reason a redirect target is refused.  ``hops`` of
        the raised error or the result record what went on the wire.

        Raises:
            TransportError: 11 transport failure, redirect limit, body over
                the cap, unsupported scheme; 7 redirect to a refused host.
        """
        hops = []
        try:
            return self._request(method, url, headers, body, check_destination, hops)
        except TransportError as error:
            error.hops = hops
            raise

    def _request(self, method, url, headers, body, check_destination, hops):
        config = self._config
        headers = dict(headers)
        redirects = 0
        while True:
            if url.scheme not in ("http", "https"):
                raise TransportError(HttpErrorCode.REQUEST_ERROR,
                                     "unsupported scheme %r" % url.scheme)
            response, hop = self._send(method, url, headers, body, hops)
            location = response.headers.get("location")
            if not (config.follow_redirects and response.status in REDIRECT_STATUSES
                    and location is not None):
                break
            try:
                target = join_url(url, location.encode("latin-1").decode("utf-8", "replace"))
            except UrlError:
                # Like upstream's client: an unusable Location ends the chain
                # and the 3xx response itself is returned.
                break
            hop.redirect_url = target.serialize(userinfo=False)
            if redirects >= config.max_redirects:
                self._discard(response, hop)
                raise TransportError(HttpErrorCode.REQUEST_ERROR,
                                     "too many redirects (limit %d)" % config.max_redirects)
            refused = check_destination(target)
            if refused is not None:
                self._discard(response, hop)
                raise TransportError(HttpErrorCode.DESTINATION_NOT_ALLOWED,
                                     "redirect to %s refused: %s"
                                     % (target.serialize(userinfo=False), refused))
            self._discard(response, hop)
            redirects += 1
            if response.status in (301, 302, 303) and method not in ("GET", "HEAD"):
                method, body = "GET", None
                for name in BODY_HEADERS:
                    headers.pop(name, None)
            if (target.scheme, target.host, target.effective_port) != url.origin:
                for name in CREDENTIAL_HEADERS:
                    headers.pop(name, None)
                # A guest-set Host named the old origin; the new one gets its own.
                headers.pop("host", None)
            url = target
        if (config.max_body_size is not None and response.headers.get("content-length", "").isdigit()
                and int(response.headers["content-length"]) > config.max_body_size):
            hop.end = time.perf_counter()
            hop.error = "body over the cap"
            response.close()
            response.release_conn()
            raise TransportError(HttpErrorCode.REQUEST_ERROR,
                                 "response body of %s bytes exceeds the %d-byte cap"
                                 % (response.headers["content-length"], config.max_body_size))
        return Exchange(response, hops, config.max_body_size)

    def _wire_headers(self, url, headers, body):
        """The header dict handed to urllib3 and the list traced for it."""
        wire = {}
        for name, value in headers.items():
            # Framing comes from the body, never from the guest (D7).
            if name in ("content-length", "transfer-encoding"):
                continue
            # Latin-1 maps each byte to one code point and http.client encodes
            # str values as Latin-1, so the guest's bytes go out unchanged.
            wire[name] = value.decode("latin-1")
        if (url.username or url.password) and "authorization" not in wire:
            # The URL's user-info becomes Basic credentials, as with
            # upstream's client; it is never sent as part of the URL.
            token = unquote_to_bytes(url.username) + b":" + unquote_to_bytes(url.password)
            wire["authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        wire.setdefault("accept", "*/*")                     # C14
        traced = [("host", url.host + ("" if url.port is None else ":%d" % url.port))]
        traced += list(wire.items())
        if body is not None:
            traced.append(("content-length", str(len(body))))
        # urllib3/http.client would add these on their own (C13, C14).
        wire.setdefault("user-agent", SKIP_HEADER)
        wire.setdefault("accept-encoding", SKIP_HEADER)
        return wire, traced

    def _send(self, method, url, headers, body, hops):
        wire, traced = self._wire_headers(url, headers, body)
        hop = Hop(method, url, traced, body)
        hops.append(hop)
        try:
            if self._config.proxy is not None:
                response = self._manager.urlopen(
                    method, url.serialize(userinfo=False), body=body, headers=wire,
                    redirect=False, retries=False, timeout=self._timeout,
                    preload_content=False, decode_content=False)
            else:
                # Connect to exactly the host the allowed list was checked
                # against (C16): no re-parsing of the URL text.
                pool = self._manager.connection_from_host(url.host, url.effective_port,
                                                          scheme=url.scheme)
                response = pool.urlopen(
                    method, url.target, body=body, headers=wire, retries=False,
                    redirect=False, assert_same_host=False, timeout=self._timeout,
                    preload_content=False, decode_content=False, release_conn=False)
        except Exception as error:      # noqa: BLE001 - every failure is 11
            hop.error = _describe(error)
            hop.end = time.perf_counter()
            raise TransportError(HttpErrorCode.REQUEST_ERROR, hop.error) from None
        hop.headers_at = time.perf_counter()
        hop.status = response.status
        hop.reason = response.reason or ""
        hop.http_version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(response.version, "HTTP/1.1")
        hop.response_headers = [(n.decode("latin-1"), v.decode("latin-1"))
                                for n, v in _response_headers(response)]
        connection = response.connection
        if connection is not None:
            hop.connect = connection.pw_connect_seconds
            connection.pw_connect_seconds = None
            try:
                hop.server_ip = connection.sock.getpeername()[0]
            except (AttributeError, OSError, IndexError):
                pass
        return response, hop

    @staticmethod
    def _discard(response, hop):
        """Finish with a response that is not handed to the guest."""
        try:
            data = response.read(_DRAIN_LIMIT + 1, decode_content=False)
            hop.bytes_received = len(data)
            if len(data) > _DRAIN_LIMIT:
                response.close()
        except Exception:      # noqa: BLE001 - a failed drain just closes
            response.close()
        hop.end = time.perf_counter()
        response.release_conn()
