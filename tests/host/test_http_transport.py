"""What goes on the wire: section 2.1.1 of
shared/spec/wasi-experimental-http-abi.md with the section 11 decisions A5-A8
(redirects re-checked per hop, no proxies, timeouts, body cap), C13-C16
(no decompression, default headers, schemes, normalised URL) and D7/D8
(framing), plus streaming bodies, TLS and a second loopback host.
Real servers on 127.0.0.1 / 127.0.0.2 / ::1, no mocks.
"""

import base64
import gzip
import json
import pathlib
import socket
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from http_servers import (AbiGuest, LocalServer, http_server, https_server,  # noqa: E402,F401
                          other_server, tls_files)
from pywasi_interp.host.http import HttpConfig, HttpHost  # noqa: E402
from pywasi_interp.host.http.abi import HttpErrorCode as E  # noqa: E402


@pytest.fixture
def make_guest(http_server, other_server):
    hosts = []

    def make(**config):
        config.setdefault("allowed_hosts", [http_server.origin])
        host = HttpHost(HttpConfig(**config))
        hosts.append(host)
        return AbiGuest(host, pages=4)
    yield make
    for host in hosts:
        host.shutdown()


@pytest.fixture
def guest(make_guest):
    return make_guest()


def last_headers(server):
    return dict(server.requests[-1]["headers"])


# -- request details ----------------------------------------------------------

def test_default_headers_accept_only(guest, http_server):
    assert guest.req(http_server.url("/echo"))[0] == 0
    headers = last_headers(http_server)
    assert headers["accept"] == "*/*"
    assert "user-agent" not in headers and "accept-encoding" not in headers
    assert "content-length" not in headers          # empty GET: no body, no length
    assert headers["host"] == "127.0.0.1:%d" % http_server.port


def test_guest_headers_replace_defaults(guest, http_server):
    guest.req(http_server.url("/echo"),
              headers=b"accept:text/html\nuser-agent:me\naccept-encoding:gzip\nhost:h.example\n")
    headers = last_headers(http_server)
    assert headers["accept"] == "text/html" and headers["user-agent"] == "me"
    assert headers["accept-encoding"] == "gzip" and headers["host"] == "h.example"


def test_empty_post_sends_content_length_zero(guest, http_server):
    guest.req(http_server.url("/echo"), method="POST")
    assert last_headers(http_server)["content-length"] == "0"
    guest.req(http_server.url("/echo"), method="DELETE")
    assert "content-length" not in last_headers(http_server)


def test_guest_framing_headers_are_ignored(guest, http_server):
    code, status, handle = guest.req(http_server.url("/echo"), method="PUT",
                                     headers=b"content-length:999\ntransfer-encoding:chunked\n",
                                     body=b"abc")
    assert (code, status) == (0, 200)
    headers = last_headers(http_server)
    assert headers["content-length"] == "3" and "transfer-encoding" not in headers
    assert http_server.requests[-1]["body"] == b"abc"


def test_request_target_is_normalised(guest, http_server):
    url = "HTTP://127.0.0.1:%d/a/../echo/./x?q=a b#fragment" % http_server.port
    assert guest.req(url)[0] == 0
    assert http_server.requests[-1]["path"] == "/echo/x?q=a%20b"


def test_userinfo_becomes_basic_auth(guest, http_server):
    url = "http://user:pa%%20ss@127.0.0.1:%d/echo" % http_server.port
    assert guest.req(url)[0] == 0
    token = base64.b64encode(b"user:pa ss").decode()
    assert last_headers(http_server)["authorization"] == "Basic " + token


def test_gzip_body_delivered_undecoded(guest, http_server):
    code, _, handle = guest.req(http_server.url("/gzip"))
    assert guest.header_get(handle, "content-encoding") == (0, b"gzip")
    body = guest.read_all(handle)
    assert body[:2] == b"\x1f\x8b"
    assert gzip.decompress(body) == b"hello gzip " * 100


def test_non_2xx_status_is_returned_normally(guest, http_server):
    for status in (204, 404, 418, 500, 503):
        code, got, handle = guest.req(http_server.url("/status/%d" % status))
        assert (code, got) == (0, status)
        guest.close(handle)


def test_close_delimited_body(guest, http_server):
    code, _, handle = guest.req(http_server.url("/close-delimited"))
    assert guest.read_all(handle) == b"until close"


# -- redirects (A5) -------------------------------------------------------------

def test_redirect_chain_returns_last_response(guest, http_server):
    code, status, handle = guest.req(http_server.url("/redirect/3"))
    assert (code, status) == (0, 200)
    assert json.loads(guest.read_all(handle))["method"] == "GET"


def test_redirect_limit(make_guest, http_server):
    guest = make_guest()
    assert guest.req(http_server.url("/redirect/10"))[:2] == (0, 200)
    before = len(http_server.requests)
    assert guest.req(http_server.url("/redirect/11"))[0] == E.REQUEST_ERROR
    assert len(http_server.requests) - before == 11       # the 12th is never asked
    guest = make_guest(max_redirects=2)
    assert guest.req(http_server.url("/redirect/2"))[:2] == (0, 200)
    assert guest.req(http_server.url("/redirect/3"))[0] == E.REQUEST_ERROR


def test_redirects_can_be_returned_as_is(make_guest, http_server):
    guest = make_guest(follow_redirects=False)
    code, status, handle = guest.req(http_server.url("/redirect/1"))
    assert (code, status) == (0, 302)
    assert guest.header_get(handle, "location")[1] == b"/redirect/0?status=302"


def test_redirect_to_disallowed_host_is_7_and_never_contacted(guest, http_server,
                                                               other_server):
    before = len(other_server.requests)
    target = other_server.url("/echo")
    code = guest.req(http_server.url("/redirect-to?url=" + target))[0]
    assert code == E.DESTINATION_NOT_ALLOWED
    assert len(other_server.requests) == before


def test_redirect_chain_rechecks_every_hop(guest, http_server, other_server):
    # allowed -> allowed -> disallowed: refused at the last hop
    inner = "/redirect-to?url=" + other_server.url("/echo")
    import urllib.parse
    url = http_server.url("/redirect-to?url=" + urllib.parse.quote(inner, safe=""))
    before = len(other_server.requests)
    assert guest.req(url)[0] == E.DESTINATION_NOT_ALLOWED
    assert len(other_server.requests) == before


def test_redirect_to_other_allowed_host_drops_credentials(make_guest, http_server,
                                                          other_server):
    guest = make_guest(allowed_hosts=[http_server.origin, other_server.origin])
    headers = b"authorization:Bearer s3cret\ncookie:a=1\nproxy-authorization:x\nx-keep:1\n"
    code, status, _ = guest.req(http_server.url("/redirect-to?url=" + other_server.url("/echo")),
                                headers=headers)
    assert (code, status) == (0, 200)
    received = last_headers(other_server)
    assert "authorization" not in received and "cookie" not in received
    assert "proxy-authorization" not in received and received["x-keep"] == "1"


def test_redirect_same_host_keeps_credentials(guest, http_server):
    code, _, _ = guest.req(http_server.url("/redirect/1"), headers=b"authorization:Bearer t\n")
    assert code == 0 and last_headers(http_server)["authorization"] == "Bearer t"


@pytest.mark.parametrize("status,method,body", [
    (301, "GET", b""), (302, "GET", b""), (303, "GET", b""),
    (307, "POST", b"payload"), (308, "POST", b"payload"),
])
def test_redirect_method_rules(guest, http_server, status, method, body):
    code, _, handle = guest.req(http_server.url("/redirect/1?status=%d" % status), "POST",
                                b"content-type:text/plain\n", b"payload")
    assert code == 0
    echo = json.loads(guest.read_all(handle))
    assert echo["method"] == method and echo["body"] == body.decode()
    if method == "GET":
        assert "content-type" not in dict(echo["headers"])


def test_redirect_head_stays_head(guest, http_server):
    assert guest.req(http_server.url("/redirect/1?status=303"), "HEAD")[0] == 0
    assert http_server.requests[-1]["method"] == "HEAD"


def test_redirect_to_unsupported_scheme_is_11(make_guest, http_server):
    guest = make_guest(allowed_hosts=["insecure:allow-all"])
    code = guest.req(http_server.url("/redirect-to?url=ftp://127.0.0.1/x"))[0]
    assert code == E.REQUEST_ERROR


# -- timeouts, cap, broken connections (A7, A8) ----------------------------------

def test_stalled_server_times_out_with_11(make_guest, http_server):
    guest = make_guest(read_timeout=0.5)
    start = time.monotonic()
    assert guest.req(http_server.url("/stall?seconds=10"))[0] == E.REQUEST_ERROR
    assert time.monotonic() - start < 5


def test_stall_mid_body_is_11_from_body_read(make_guest, http_server):
    guest = make_guest(read_timeout=0.5)
    code, status, handle = guest.req(http_server.url("/stall-body?seconds=10"))
    assert (code, status) == (0, 200)
    assert guest.body_read(handle, cap=100) == (0, b"x" * 100)
    assert guest.body_read(handle, cap=100)[0] == E.REQUEST_ERROR
    assert guest.body_read(handle, cap=100)[0] == E.REQUEST_ERROR      # sticky
    assert guest.close(handle) == 0


def test_connect_timeout_is_11(make_guest):
    # A listening socket whose backlog is full never completes new connects;
    # if the kernel accepts anyway the request then fails on reading (11 too).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(listener.getsockname())
            fillers.append(s)
        guest = make_guest(allowed_hosts=["http://127.0.0.1"], connect_timeout=0.3,
                           read_timeout=0.3)
        start = time.monotonic()
        assert guest.req("http://127.0.0.1:%d/" % listener.getsockname()[1])[0] \
            == E.REQUEST_ERROR
        assert time.monotonic() - start < 5
    finally:
        for s in fillers:
            s.close()
        listener.close()


def test_declared_body_over_cap_fails_req(make_guest, http_server):
    guest = make_guest(max_body_size=1000)
    assert guest.req(http_server.url("/bytes?n=1001"))[0] == E.REQUEST_ERROR
    code, _, handle = guest.req(http_server.url("/bytes?n=1000"))
    assert code == 0 and len(guest.read_all(handle)) == 1000
    assert guest.host._table(guest.caller).responses.keys() == {handle}


def test_streamed_body_over_cap_fails_body_read(make_guest, http_server):
    guest = make_guest(max_body_size=100000)
    code, _, handle = guest.req(http_server.url("/bytes?n=300000&chunked=1"))
    assert code == 0
    results = []
    while True:
        code, chunk = guest.body_read(handle, cap=30000)
        results.append(code)
        if code or not chunk:
            break
    assert results[-1] == E.REQUEST_ERROR
    assert sum(1 for c in results if c == 0) == 3          # 90000 bytes delivered


def test_connection_dying_mid_body_is_11(guest, http_server):
    code, _, handle = guest.req(http_server.url("/die-mid-body"))
    assert code == 0
    codes = set()
    for _ in range(50):
        code, chunk = guest.body_read(handle, cap=500)
        codes.add(code)
        if code:
            break
        assert chunk            # never a clean EOF before the declared length
    assert E.REQUEST_ERROR in codes


def test_closing_partially_read_bodies_releases_connections(guest, http_server):
    url = http_server.url("/bytes?n=20000000")
    start = time.monotonic()
    for _ in range(10):
        code, _, handle = guest.req(url)
        assert code == 0
        assert len(guest.body_read(handle, cap=1000)[1]) == 1000
        assert guest.close(handle) == 0
    assert time.monotonic() - start < 10     # nothing drained the 20 MB bodies


def test_large_body_streams_with_flat_host_memory(make_guest, http_server):
    try:
        import tracemalloc
    except ImportError:                 # PyPy has no tracemalloc
        pytest.skip("tracemalloc unavailable")
    size = 32 * 1024 * 1024
    guest = make_guest(max_body_size=None)
    code, _, handle = guest.req(http_server.url("/bytes?n=%d" % size))
    assert code == 0
    tracemalloc.start()
    try:
        total = 0
        pattern = bytes(range(256))
        while True:
            code, chunk = guest.body_read(handle, cap=65536)
            assert code == 0
            if not chunk:
                break
            assert chunk[:256] == pattern[total % 256:] + pattern[:total % 256]
            total += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 4 * 1024 * 1024, peak


# -- hosts: a second loopback address, IPv6, TLS -------------------------------------

def test_host_only_matching_ignores_port_but_not_address(make_guest, http_server,
                                                         other_server):
    guest = make_guest(allowed_hosts=["https://127.0.0.1"])
    assert guest.req(http_server.url("/facts/dog"))[:2] == (0, 200)
    assert guest.req(other_server.url("/facts/dog"))[0] == E.DESTINATION_NOT_ALLOWED
    guest = make_guest(allowed_hosts=[other_server.origin])
    assert guest.req(other_server.url("/facts/dog"))[:2] == (0, 200)


def test_strict_origin_checks_scheme_and_port(make_guest, http_server):
    guest = make_guest(allowed_hosts=[http_server.origin], strict_origin=True)
    assert guest.req(http_server.url("/facts/dog"))[:2] == (0, 200)
    assert guest.req("http://127.0.0.1:1/")[0] == E.DESTINATION_NOT_ALLOWED
    assert guest.req("https://127.0.0.1:%d/" % http_server.port)[0] \
        == E.DESTINATION_NOT_ALLOWED


def test_ipv6_loopback():
    try:
        server = LocalServer("::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback")
    host = HttpHost(HttpConfig(allowed_hosts=["http://[::1]"]))
    try:
        guest = AbiGuest(host)
        code, status, handle = guest.req(server.url("/facts/dog"))
        assert (code, status) == (0, 200)
        assert guest.read_all(handle).startswith(b'{"fact"')
    finally:
        host.shutdown()
        server.stop()


def test_https_with_ca_file(make_guest, https_server, tls_files):
    ca = tls_files[0]
    guest = make_guest(allowed_hosts=[https_server.origin], ca_file=ca)
    code, status, handle = guest.req(https_server.url("/facts/dog"))
    assert (code, status) == (0, 200)
    assert guest.read_all(handle).startswith(b'{"fact"')


def test_https_untrusted_certificate_is_11(make_guest, https_server):
    guest = make_guest(allowed_hosts=[https_server.origin])
    assert guest.req(https_server.url("/facts/dog"))[0] == E.REQUEST_ERROR


def test_https_hostname_mismatch_is_11(make_guest, https_server, tls_files):
    # the certificate names 127.0.0.1, 127.0.0.2 and localhost, not this alias
    guest = make_guest(allowed_hosts=["insecure:allow-all"], ca_file=tls_files[0])
    url = "https://127.1:%d/facts/dog" % https_server.port     # WHATWG: 127.0.0.1
    assert guest.req(url)[:2] == (0, 200)
    assert guest.req("https://[::ffff:127.0.0.1]:%d/facts/dog" % https_server.port)[0] \
        == E.REQUEST_ERROR


def test_proxy_environment_is_ignored(guest, http_server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:1")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:1")
    assert guest.req(http_server.url("/facts/dog"))[:2] == (0, 200)


def test_explicit_proxy_is_used(make_guest, http_server):
    # the local server is its own "proxy": it receives the absolute URL
    guest = make_guest(allowed_hosts=["http://proxied.example"], proxy=http_server.origin)
    code, status, _ = guest.req("http://proxied.example/echo")
    assert code == 0
    assert http_server.requests[-1]["path"] == "http://proxied.example/echo"


def test_punycode_host_is_contacted_in_ascii(make_guest, http_server):
    # Through the explicit proxy the absolute URL shows the host as sent.
    guest = make_guest(allowed_hosts=["https://b\u00fccher.example"], proxy=http_server.origin)
    code, _, _ = guest.req("http://B\u00fccher.example/echo")
    assert code == 0
    assert http_server.requests[-1]["path"] == "http://xn--bcher-kva.example/echo"
