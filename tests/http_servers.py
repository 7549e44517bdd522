"""Real HTTP and HTTPS servers on loopback addresses for the HTTP tests.

Routes reproduce the endpoints of section 9.5 of
shared/spec/wasi-experimental-http-abi.md (``GET /facts/dog``, ``POST /post``
echo) plus the cases upstream never tested: redirects, stalls, large and
compressed bodies, odd response headers, connections dying mid-body.  Every
request a server receives is recorded, so tests can prove that a refused
destination was never contacted.

The HTTPS server uses a throwaway CA and certificate made at test time with
``cryptography`` (a test dependency only).
"""

import datetime
import gzip
import http.server
import json
import os
import socket
import socketserver
import ssl
import tempfile
import threading
import time
import urllib.parse

__all__ = ["LocalServer", "make_ca", "DOG_FACT"]

DOG_FACT = {"fact": "Dogs have three eyelids."}
_CHUNK = 64 * 1024


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass        # clients that hang up early are expected in these tests


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    # One method for every verb, including extension methods such as DELET.
    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _read_body(self):
        length = self.headers.get("content-length")
        if length is None:
            return b""
        return self.rfile.read(int(length))

    def _dispatch(self):
        body = self._read_body()
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        record = {"method": self.command, "path": self.path,
                  "headers": [(k.lower(), v) for k, v in self.headers.items()],
                  "raw_headers": list(self.headers.items()), "body": body,
                  "host": self.server.server_address[0]}
        self.server.owner.record(record)
        route = parsed.path.strip("/").split("/")
        handler = getattr(self, "route_" + route[0].replace("-", "_"), None)
        if handler is None:
            return self._send(404, b"not found\n", "text/plain")
        return handler(route[1:], query, body, record)

    def _send(self, status, body, content_type="application/octet-stream", headers=()):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # -- routes ---------------------------------------------------------------

    def route_facts(self, rest, query, body, record):
        self._send(200, json.dumps(DOG_FACT).encode(), "application/json")

    def route_post(self, rest, query, body, record):
        echo = {"method": record["method"], "headers": record["headers"],
                "body": body.decode("utf-8", "replace")}
        self._send(200, json.dumps(echo).encode(), "application/json")

    route_echo = route_post

    def route_status(self, rest, query, body, record):
        self._send(int(rest[0]), b"status %s\n" % rest[0].encode(), "text/plain")

    def route_redirect(self, rest, query, body, record):
        # /redirect/N -> N more hops, then 200; ?status=307 picks the code.
        hops = int(rest[0])
        status = int(query.get("status", "302"))
        if hops == 0:
            return self.route_post(rest, query, body, record)
        location = "/redirect/%d?status=%d" % (hops - 1, status)
        self._send(status, b"", "text/plain", [("location", location)])

    def route_redirect_to(self, rest, query, body, record):
        self._send(int(query.get("status", "302")), b"moved\n", "text/plain",
                   [("location", query["url"])])

    def route_headers(self, rest, query, body, record):
        kind = rest[0]
        if kind == "dup":
            headers = [("a", "1"), ("B", "2"), ("A", "3")]
        elif kind == "tab":
            headers = [("x-tab", "a\tb")]
        elif kind == "latin1":
            headers = [("x-latin1", "caf\xe9")]
        elif kind == "long":
            headers = [("x-long", "v" * int(query["n"]))]
        elif kind == "colon":
            headers = [("x-url", "http://example.com:80/x")]
        elif kind == "cookies":
            headers = [("set-cookie", "a=1"), ("set-cookie", "b=2")]
        else:
            headers = []
        self._send(200, b"ok", "text/plain", headers)

    def route_stall(self, rest, query, body, record):
        # Never answers within the test's timeout; exits when the server stops.
        deadline = time.monotonic() + float(query.get("seconds", "30"))
        while time.monotonic() < deadline and not self.server.owner.stopping.is_set():
            time.sleep(0.05)

    def route_stall_body(self, rest, query, body, record):
        self.send_response(200)
        self.send_header("content-length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 100)
        self.wfile.flush()
        self.route_stall(rest, query, body, record)

    def route_die_mid_body(self, rest, query, body, record):
        self.send_response(200)
        self.send_header("content-length", "100000")
        self.end_headers()
        self.wfile.write(b"y" * 1000)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def route_bytes(self, rest, query, body, record):
        # /bytes?n=N: N bytes (a repeating pattern), sent in chunks so the
        # server never holds the body either; ?chunked=1 for chunked coding.
        total = int(query["n"])
        pattern = bytes(range(256)) * (_CHUNK // 256)
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        chunked = query.get("chunked") == "1"
        if chunked:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(total))
        self.end_headers()
        sent = 0
        while sent < total:
            piece = pattern[:min(_CHUNK, total - sent)]
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            sent += len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def route_gzip(self, rest, query, body, record):
        payload = gzip.compress(b"hello gzip " * 100)
        self._send(200, payload, "text/plain", [("content-encoding", "gzip")])

    def route_close_delimited(self, rest, query, body, record):
        self.send_response(200)
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(b"until close")
        self.close_connection = True


class LocalServer:
    """A threaded HTTP(S) server on ``host`` (port chosen by the OS)."""

    def __init__(self, host="127.0.0.1", ssl_context=None):
        self.requests = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        server_class = _Server6 if ":" in host else _Server
        self.httpd = server_class((host, 0), _Handler)
        self.httpd.owner = self
        self.scheme = "http"
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def origin(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % (self.scheme, host, self.port)

    def url(self, path="/"):
        return self.origin + path

    def record(self, entry):
        with self._lock:
            self.requests.append(entry)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def make_ca(directory, hosts=("127.0.0.1", "127.0.0.2", "localhost")):
    """Write a throwaway CA and a server certificate for ``hosts``.

    Returns (ca_pem_path, cert_pem_path, key_pem_path).
    """
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return _make_ca_with_openssl(directory, hosts)
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pywasi test CA")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(True, False, False, False, False, True, True,
                                            False, False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = []
    for name, data in (("ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM)),
                       ("cert.pem", cert.public_bytes(serialization.Encoding.PEM)),
                       ("key.pem", key.private_bytes(serialization.Encoding.PEM,
                                                     serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))):
        path = os.path.join(directory, name)
        with open(path, "wb") as stream:
            stream.write(data)
        paths.append(path)
    return tuple(paths)


def _make_ca_with_openssl(directory, hosts):
    # Fallback where ``cryptography`` is not installed (e.g. a PyPy venv):
    # the same CA and certificate made with the openssl command.
    import ipaddress
    import shutil
    import subprocess
    if shutil.which("openssl") is None:
        pytest.skip("neither cryptography nor the openssl command is available")
    ca, cert, key = (os.path.join(directory, n) for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_key, csr, ext = (os.path.join(directory, n) for n in ("ca.key", "cert.csr", "ext.cnf"))
    names = []
    for host in hosts:
        try:
            ipaddress.ip_address(host)
            names.append("IP:" + host)
        except ValueError:
            names.append("DNS:" + host)
    with open(ext, "w") as stream:
        stream.write("subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\n"
                     "extendedKeyUsage=serverAuth\n" % ",".join(names))

    def openssl(*args):
        subprocess.run(("openssl",) + args, check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=pywasi test CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=%s" % hosts[0])
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", ext)
    return ca, cert, key


def https_context(cert_path, key_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def temporary_ca():
    directory = tempfile.mkdtemp(prefix="pywasi-ca-")
    return make_ca(directory)


# -- pytest fixtures (imported by the test modules that use them) -------------

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def http_server():
    server = LocalServer("127.0.0.1").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def other_server():
    """A "different host": same machine, address 127.0.0.2."""
    server = LocalServer("127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    return make_ca(str(tmp_path_factory.mktemp("ca")))


@pytest.fixture(scope="session")
def https_server(tls_files):
    ca, cert, key = tls_files
    server = LocalServer("127.0.0.1", https_context(cert, key)).start()
    yield server
    server.stop()


# -- a guest stand-in: real linear memory, real Caller, host functions called
# directly (used until/besides compiled guests) -------------------------------

from pywasi_interp.host.hostfunc import Caller  # noqa: E402
from pywasi_interp.runtime.memory import MemoryInstance  # noqa: E402
from pywasi_interp.types import Limits, MemoryType  # noqa: E402

SENTINEL = 0xAA


class FakeInstance:
    """Stands in for an instance: only ``exports`` is used by Caller."""

    def __init__(self, exports):
        self.exports = exports


class AbiGuest:
    """Calls the five functions the way a guest would, through real memory.

    Strings are placed in memory at increasing addresses; every output slot
    is pre-filled with 0xAA so tests can check exact output widths.
    """

    def __init__(self, host, pages=2, memory=True):
        self.host = host
        self.mem = MemoryInstance(None, MemoryType(Limits(pages)))
        self.caller = Caller(FakeInstance({"memory": self.mem} if memory else {}))
        self.top = 16

    @property
    def size(self):
        return len(self.mem.data)

    def put(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        ptr = self.top
        self.mem.data[ptr:ptr + len(data)] = data
        self.top += len(data) + 8
        return ptr, len(data)

    def slot(self, n):
        ptr = self.top
        self.mem.data[ptr:ptr + n + 4] = bytes([SENTINEL]) * (n + 4)
        self.top += n + 8
        return ptr

    def u16(self, ptr):
        return int.from_bytes(self.mem.data[ptr:ptr + 2], "little")

    def u32(self, ptr):
        return int.from_bytes(self.mem.data[ptr:ptr + 4], "little")

    def reset(self):
        self.top = 16

    def req_raw(self, *args):
        return self.host.req(self.caller, *args)

    def req(self, url, method="GET", headers=b"", body=b""):
        """(code, status or None, handle or None)."""
        self.reset()
        url_ptr, url_len = self.put(url)
        method_ptr, method_len = self.put(method)
        headers_ptr, headers_len = self.put(headers)
        body_ptr, body_len = self.put(body)
        status_out, handle_out = self.slot(2), self.slot(4)
        code = self.host.req(self.caller, url_ptr, url_len, method_ptr, method_len,
                             headers_ptr, headers_len, body_ptr, body_len,
                             status_out, handle_out)
        if code:
            return code, None, None
        # exact widths: the byte after each slot is untouched
        assert self.mem.data[status_out + 2] == SENTINEL
        assert self.mem.data[handle_out + 4] == SENTINEL
        return code, self.u16(status_out), self.u32(handle_out)

    def header_get(self, handle, name, cap=4096):
        self.reset()
        name_ptr, name_len = self.put(name)
        value_ptr = self.slot(cap)
        written = self.slot(4)
        code = self.host.header_get(self.caller, handle, name_ptr, name_len,
                                    value_ptr, cap, written)
        if code:
            return code, None
        n = self.u32(written)
        return code, bytes(self.mem.data[value_ptr:value_ptr + n])

    def headers_get_all(self, handle, cap=65536):
        self.reset()
        buf = self.slot(cap)
        written = self.slot(4)
        code = self.host.headers_get_all(self.caller, handle, buf, cap, written)
        if code:
            return code, None
        n = self.u32(written)
        return code, bytes(self.mem.data[buf:buf + n])

    def body_read(self, handle, cap=4096):
        self.reset()
        buf = self.slot(cap)
        written = self.slot(4)
        code = self.host.body_read(self.caller, handle, buf, cap, written)
        if code:
            return code, None
        n = self.u32(written)
        assert n <= cap
        return code, bytes(self.mem.data[buf:buf + n])

    def read_all(self, handle, cap=4096):
        out = bytearray()
        while True:
            code, chunk = self.body_read(handle, cap)
            assert code == 0, code
            if not chunk:
                return bytes(out)
            out += chunk

    def close(self, handle):
        return self.host.close(self.caller, handle)
