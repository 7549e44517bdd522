"""The five imports of ``wasi_experimental_http``: the guest-facing ABI layer.

Implements section 2 ("Functions") of shared/spec/wasi-experimental-http-abi.md
bit for bit: the order of checks of each function, input out-of-bounds -> 4
and output out-of-bounds -> 3 (2.0), exact output widths (4.1), handle
numbering from 0 (1.3), request header block decoding (4.4), the response
header block (4.6), and the section 11 decisions (B1-B4, C1-C12, D1-D4).
Guest pointers, handles and byte formats live here; the network lives in
client.py.  No function traps: every guest-caused fault is a code.

One response table per calling instance (1.2, D1), kept while the instance
lives.  A response's body streams from its connection as the guest reads it.
"""

import functools
import time
import weakref

from ..hostfunc import host_func
from .abi import (AbiError, BODY_READ_PARAMS, CLOSE_PARAMS, HEADER_GET_PARAMS,
                  HEADERS_GET_ALL_PARAMS, HttpErrorCode, REQ_PARAMS, RESPONSE_HANDLE,
                  RESULTS, STATUS_CODE, TransportError, U32_MAX, WRITTEN_BYTES)
from .url import UrlError, parse_url

__all__ = ["HttpHost"]

E = HttpErrorCode
_BODY_PIECE = 1024 * 1024      # host-side copy unit of body_read

# RFC 9110 token characters: the alphabet of methods (4.3) and header names (4.4).
_TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                   b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _is_token(data):
    return bool(data) and all(byte in _TCHAR for byte in data)


def _valid_value(data):
    # 4.4 rule 6: HTAB or a byte >= 0x20 other than DEL.
    return all(byte == 0x09 or (byte >= 0x20 and byte != 0x7F) for byte in data)


def _read_input(mem, ptr, length):
    """Input region (URL, method, headers, body, name): out of bounds -> 4 (C1)."""
    end = ptr + length
    if end > U32_MAX or end > len(mem.data):
        raise AbiError(E.BUFFER_TOO_SMALL, "input region %#x+%d outside memory" % (ptr, length))
    return bytes(mem.data[ptr:end])


def _write_output(mem, ptr, data):
    """Output region: out of bounds -> 3 (C1); all or nothing."""
    end = ptr + len(data)
    if end > len(mem.data):
        raise AbiError(E.MEMORY_ACCESS_ERROR, "output region %#x+%d outside memory"
                       % (ptr, len(data)))
    mem.data[ptr:end] = data


def _utf8(data, what):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AbiError(E.UTF8_ERROR, "%s is not UTF-8" % what) from None


def parse_request_headers(block):
    """Decode the request header block (section 4.4) into {name: value bytes}.

    Raises:
        AbiError: 6 not UTF-8; 9 a line without ':', an invalid name or value.
    """
    _utf8(block, "header block")
    headers = {}
    if not block:
        return headers
    lines = block.split(b"\n")
    if lines[-1] == b"":
        lines.pop()                       # the empty remainder after a final \n
    for index, line in enumerate(lines):
        ended = index < len(lines) - 1 or block.endswith(b"\n")
        if ended and line.endswith(b"\r"):
            line = line[:-1]              # CRLF blocks work
        name, colon, value = line.partition(b":")
        if not colon:
            raise AbiError(E.INVALID_ENCODING, "header line without ':'")
        if not _is_token(name):
            raise AbiError(E.INVALID_ENCODING, "invalid header name %r" % name)
        if not _valid_value(value):
            raise AbiError(E.INVALID_ENCODING, "invalid value for header %r" % name)
        name = name.lower()
        headers.pop(name.decode("ascii"), None)      # last occurrence wins (C11)
        headers[name.decode("ascii")] = value
    return headers


def encode_response_headers(headers):
    """The section 4.6 block for (name, value) byte pairs already in order.

    Raises:
        AbiError: 12 when a value is not UTF-8 or holds a control character
            (U+0000-U+001F, U+007F-U+009F; tab included) - decision C8.
    """
    out = []
    for name, value in headers:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            raise AbiError(E.RUNTIME_ERROR, "header %r value is not UTF-8"
                           % name.decode("latin-1")) from None
        if any(char < " " or "\x7f" <= char <= "\x9f" for char in text):
            raise AbiError(E.RUNTIME_ERROR, "header %r value holds a control character"
                           % name.decode("latin-1"))
        out.append(name + b":" + value + b"\n")
    return b"".join(out)


class _Response:
    """An entry of the response table: a handle's state."""

    __slots__ = ("handle", "exchange", "url", "status", "first_values", "block",
                 "started", "closed_event")

    def __init__(self, exchange, url, started):
        self.handle = None
        self.exchange = exchange
        self.url = url
        self.status = exchange.status
        self.started = started
        self.first_values = {}
        for name, value in exchange.headers:
            self.first_values.setdefault(name, value)     # first value wins (C7)
        self.block = None


class _Table:
    """Per-instance response table and handle counter (section 1.2, 1.3)."""

    __slots__ = ("responses", "current_handle", "__weakref__")
    HANDLE_SPACE = 1 << 32      # handles are u32; a subclass may shrink it in tests

    def __init__(self):
        self.responses = {}
        self.current_handle = 0

    def close_all(self):
        for response in list(self.responses.values()):
            response.exchange.close()
        self.responses.clear()

    def allocate(self):
        """The next handle per section 1.3 (13 after a full cycle)."""
        start = self.current_handle
        while self.current_handle in self.responses:
            self.current_handle = (self.current_handle + 1) % self.HANDLE_SPACE
            if self.current_handle == start:
                raise AbiError(E.TOO_MANY_SESSIONS, "no free handle number")
        return self.current_handle


def abi_function(trace=True):
    """The one adapter: run the function, turn AbiError(code) into the return
    value, 0 on success; record the call when tracing."""

    def wrap(method):
        name = method.__name__

        @functools.wraps(method)
        def adapter(self, caller, *args):
            try:
                fields = method(self, caller, *args)
            except AbiError as error:
                if trace and self.tracer is not None:
                    self.tracer.call(name, args[0], error.code, reason=error.reason)
                return int(error.code)
            except Exception as error:      # noqa: BLE001 - see below
                # A host bug must not trap the guest (section 2.0: no function
                # traps); it is the "internal failure" of code 12.
                if self.tracer is not None:
                    self.tracer.call(name, args[0] if args else None, E.RUNTIME_ERROR,
                                     reason="internal error: %s: %s"
                                     % (type(error).__name__, error))
                return int(E.RUNTIME_ERROR)
            if trace and self.tracer is not None:
                self.tracer.call(name, args[0], E.SUCCESS, **(fields or {}))
            return 0
        return adapter
    return wrap


class HttpHost:
    """The ``wasi_experimental_http`` module for one registration.

    Holds the configuration, the transport (one PoolManager), the tracer
    and one response table per calling instance.
    """

    def __init__(self, config, tracer=None):
        self.config = config
        self.tracer = tracer
        self._client = None         # made on first request: urllib3 loads lazily
        self._tables = weakref.WeakKeyDictionary()
        self._tables_strong = {}    # instances that cannot be weakly referenced
        self._closed = False

    @property
    def client(self):
        """The transport, created (and urllib3 imported) on first use, so
        guests that never make a request pay nothing for it."""
        if self._client is None:
            from .client import Client
            self._client = Client(self.config)
        return self._client

    # -- helpers --------------------------------------------------------------

    @staticmethod
    def _memory(caller):
        mem = caller.memory
        if mem is None:
            raise AbiError(E.MEMORY_NOT_FOUND, "caller exports no memory named 'memory'")
        return mem

    def _table(self, caller):
        instance = caller.instance
        try:
            table = self._tables.get(instance)
            if table is None:
                table = self._tables[instance] = _Table()
                # D2: the table dies with the instance; release its connections
                # then rather than whenever the sockets are garbage-collected.
                weakref.finalize(instance, table.close_all)
        except TypeError:
            # Not weakly referenceable: keep it (and its table) until shutdown
            # rather than keying by id(), which a later instance could reuse.
            table = self._tables_strong.setdefault(instance, _Table())
        return table

    def _response(self, caller, handle):
        response = self._table(caller).responses.get(handle)
        if response is None:
            raise AbiError(E.INVALID_HANDLE, "handle %d is not open" % handle)
        return response

    @staticmethod
    def _summary(response):
        """Trace fields describing a response's whole life."""
        exchange = response.exchange
        exchange.close()
        ended = exchange.last_hop.end or time.perf_counter()
        return {"url": response.url, "status": response.status,
                "bytes_received": exchange.bytes_received, "error": exchange.error,
                "timings_ms": {"total": round((ended - response.started) * 1000.0, 3)}}

    def shutdown(self):
        """Release every open response and the connection pools.  Idempotent.
        (Not ``close``: that name is the guest import of section 2.2.)"""
        if self._closed:
            return
        self._closed = True
        tables = list(self._tables.values()) + list(self._tables_strong.values())
        for table in tables:
            for response in list(table.responses.values()):
                fields = self._summary(response)
                if self.tracer is not None:
                    # still open when the module shut down: closed by the host
                    self.tracer.call("close", response.handle, E.SUCCESS,
                                     reason="closed by the host at exit", **fields)
            table.responses.clear()
        if self._client is not None:
            self._client.close()

    # -- the imports (section 2) ----------------------------------------------

    @host_func(REQ_PARAMS, RESULTS)
    @abi_function(trace=False)
    def req(self, caller, url_ptr, url_len, method_ptr, method_len, headers_ptr,
            headers_len, body_ptr, body_len, status_out, handle_out):
        """Section 2.1: perform a request; write status (2 bytes) and handle (4)."""
        started = time.perf_counter()
        trace = {"method": None, "url": None, "allowed": None, "refused": None,
                 "error": None, "body": 0, "hops": None, "handle": None}
        try:
            self._req(caller, trace, started, url_ptr, url_len, method_ptr, method_len,
                      headers_ptr, headers_len, body_ptr, body_len, status_out, handle_out)
        except AbiError as error:
            if trace["error"] is None and trace["refused"] is None:
                trace["error"] = error.reason
            self._trace_req(trace, error.code, started)
            raise
        self._trace_req(trace, E.SUCCESS, started)

    def _trace_req(self, trace, code, started):
        if self.tracer is None:
            return
        self.tracer.request(trace["handle"], code, trace["method"], trace["url"],
                            trace["allowed"], trace["refused"], trace["error"], trace["body"],
                            trace["hops"], started, time.perf_counter())

    @staticmethod
    def _peek_method(mem, ptr, length):
        # For the trace of a refused request only: the method is checked
        # after the destination (step 5), so its codes must not surface here.
        try:
            return _utf8(_read_input(mem, ptr, min(length, 64)), "method")
        except AbiError:
            return None

    def _req(self, caller, trace, started, url_ptr, url_len, method_ptr, method_len,
             headers_ptr, headers_len, body_ptr, body_len, status_out, handle_out):
        mem = self._memory(caller)                                          # step 1
        table = self._table(caller)
        limit = self.config.max_concurrent_requests
        if limit is not None and len(table.responses) >= limit:             # step 2
            raise AbiError(E.TOO_MANY_SESSIONS, "concurrency limit %d reached" % limit)
        url_text = _utf8(_read_input(mem, url_ptr, url_len), "URL")        # step 3
        trace["url"] = url_text
        try:                                                                # step 4
            url = parse_url(url_text)
        except UrlError as error:
            raise AbiError(E.INVALID_URL, "invalid URL: %s" % error) from None
        if not url.host:
            raise AbiError(E.INVALID_URL, "URL has no host")
        trace["url"] = url.serialize(userinfo=False)
        refused = self.config.check_destination(url)
        trace["allowed"] = refused is None
        if refused is not None:
            trace["refused"] = refused
            trace["method"] = self._peek_method(mem, method_ptr, method_len)
            raise AbiError(E.DESTINATION_NOT_ALLOWED, refused)
        method = _read_input(mem, method_ptr, method_len)                  # step 5
        trace["method"] = _utf8(method, "method")
        if not _is_token(method):
            raise AbiError(E.INVALID_METHOD, "invalid method %r" % trace["method"])
        body = _read_input(mem, body_ptr, body_len)                        # step 6
        headers = parse_request_headers(_read_input(mem, headers_ptr, headers_len))  # 7
        trace["body"] = len(body)
        try:                                                                # step 8
            exchange = self.client.request(trace["method"], url, headers.items(),
                                           body or None, self.config.check_destination)
        except TransportError as error:
            trace["hops"] = getattr(error, "hops", None)
            if error.code == E.DESTINATION_NOT_ALLOWED:
                trace["allowed"] = False
                trace["refused"] = error.reason
            else:
                trace["error"] = error.reason
            raise AbiError(error.code, error.reason) from None
        trace["hops"] = exchange.hops
        response = _Response(exchange, trace["url"], started)
        try:
            _write_output(mem, status_out, STATUS_CODE.pack(exchange.status))    # step 9
            handle = table.allocate()                                           # step 10
            response.handle = handle
            table.responses[handle] = response                                  # step 11
            try:
                _write_output(mem, handle_out, RESPONSE_HANDLE.pack(handle))
            except AbiError:
                # B4: upstream leaks the stored response; we remove it again.
                del table.responses[handle]
                raise
        except AbiError:
            exchange.close()
            raise
        trace["handle"] = handle

    @host_func(CLOSE_PARAMS, RESULTS)
    @abi_function()
    def close(self, caller, handle):
        """Section 2.2: release the handle; always 0 (C5), even if not open."""
        response = self._table(caller).responses.pop(handle, None)
        if response is None:
            return {"reason": "handle was not open"}
        return self._summary(response)

    @host_func(HEADER_GET_PARAMS, RESULTS)
    @abi_function()
    def header_get(self, caller, handle, name_ptr, name_len, value_ptr, value_cap,
                   written_out):
        """Section 2.3: the first value of one response header."""
        mem = self._memory(caller)
        response = self._response(caller, handle)
        name = _read_input(mem, name_ptr, name_len)
        _utf8(name, "header name")
        name = name.lower()                   # bytes.lower() folds ASCII letters only
        value = response.first_values.get(name)
        if value is None:
            raise AbiError(E.HEADER_NOT_FOUND, "no header %r" % name.decode("utf-8"))
        if len(value) > value_cap:
            # C6: nothing written, the required size is not reported.
            raise AbiError(E.BUFFER_TOO_SMALL, "value of %d bytes, buffer of %d"
                           % (len(value), value_cap))
        _write_output(mem, value_ptr, value)
        _write_output(mem, written_out, WRITTEN_BYTES.pack(len(value)))
        return {"name": name.decode("utf-8"), "bytes": len(value)}

    @host_func(HEADERS_GET_ALL_PARAMS, RESULTS)
    @abi_function()
    def headers_get_all(self, caller, handle, buf_ptr, buf_cap, written_out):
        """Section 2.4: every response header as a section 4.6 block."""
        mem = self._memory(caller)
        response = self._response(caller, handle)
        if response.block is None:
            response.block = encode_response_headers(response.exchange.headers)
        block = response.block
        if len(block) > buf_cap:
            raise AbiError(E.BUFFER_TOO_SMALL, "header block of %d bytes, buffer of %d"
                           % (len(block), buf_cap))
        _write_output(mem, buf_ptr, block)
        _write_output(mem, written_out, WRITTEN_BYTES.pack(len(block)))
        return {"bytes": len(block)}

    @host_func(BODY_READ_PARAMS, RESULTS)
    @abi_function()
    def body_read(self, caller, handle, buf_ptr, buf_cap, written_out):
        """Section 2.5: the next min(buf_cap, remaining) body bytes.

        The bytes come from the connection now (streaming).  When the buffer
        lies inside memory they are copied in pieces of at most 1 MiB.
        Otherwise at most the memory beyond ``buf_ptr`` plus one byte is
        read: one more than fits proves the write would fail (3), and those
        bytes are put back, as upstream's cursor does not move on that failure.
        """
        mem = self._memory(caller)
        response = self._response(caller, handle)                 # B1: 1, no panic
        exchange = response.exchange
        room = max(len(mem.data) - buf_ptr, 0)
        try:
            if buf_ptr <= len(mem.data) and buf_cap <= room:
                # The whole buffer is in memory, so the write cannot fail:
                # copy piece by piece, never holding more than one piece.
                count = 0
                while count < buf_cap:
                    want = min(_BODY_PIECE, buf_cap - count)
                    piece = exchange.read(want)
                    mem.data[buf_ptr + count:buf_ptr + count + len(piece)] = piece
                    count += len(piece)
                    if len(piece) < want:
                        break                                     # end of body
            else:
                data = exchange.read(room + 1)
                try:
                    _write_output(mem, buf_ptr, data)
                except AbiError:
                    exchange.unread(data)                         # cursor not advanced
                    raise
                count = len(data)
        except TransportError as error:
            raise AbiError(error.code, error.reason) from None
        _write_output(mem, written_out, WRITTEN_BYTES.pack(count))     # cursor advanced
        return {"bytes": count}
