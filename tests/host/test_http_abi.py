"""ABI layer of wasi_experimental_http against a real local server.

Section 2 of shared/spec/wasi-experimental-http-abi.md (order of checks and
codes of each function), 1.3 (handle numbering), 4 (byte formats), 6
(concurrency) and the section 9.5 list.  The host functions are called with
a real Caller over a real linear memory (tests/http_servers.AbiGuest).
"""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from http_servers import AbiGuest, SENTINEL, http_server  # noqa: E402,F401
from pywasi_interp.host.http import HttpConfig, HttpHost  # noqa: E402
from pywasi_interp.host.http.abi import HttpErrorCode as E  # noqa: E402


@pytest.fixture
def make_guest(http_server):
    hosts = []

    def make(pages=2, memory=True, **config):
        config.setdefault("allowed_hosts", [http_server.origin])
        host = HttpHost(HttpConfig(**config))
        hosts.append(host)
        return AbiGuest(host, pages=pages, memory=memory)
    yield make
    for host in hosts:
        host.shutdown()


@pytest.fixture
def guest(make_guest):
    return make_guest()


def count_requests(server):
    return len(server.requests)


# -- req ----------------------------------------------------------------------

def test_req_get_writes_status_and_handle_with_exact_widths(guest, http_server):
    code, status, handle = guest.req(http_server.url("/facts/dog"))
    assert (code, status, handle) == (0, 200, 0)
    assert guest.read_all(handle) == b'{"fact": "Dogs have three eyelids."}'


def test_req_post_echo_sends_headers_and_body(guest, http_server):
    code, status, handle = guest.req(http_server.url("/post"), "POST",
                                     b"Content-Type:text/plain\nabc:def\n", b"hello body")
    assert (code, status) == (0, 200)
    import json
    echo = json.loads(guest.read_all(handle))
    assert echo["method"] == "POST" and echo["body"] == "hello body"
    headers = dict(echo["headers"])
    assert headers["content-type"] == "text/plain" and headers["abc"] == "def"
    assert headers["content-length"] == "10"


def test_req_memory_not_found_comes_first(make_guest):
    guest = make_guest(memory=False, max_concurrent_requests=0)
    assert guest.req_raw(*([0xFFFFFFFF] * 10)) == E.MEMORY_NOT_FOUND


def test_req_concurrency_checked_before_inputs(make_guest, http_server):
    guest = make_guest(max_concurrent_requests=1)
    assert guest.req(http_server.url("/facts/dog"))[0] == 0
    before = count_requests(http_server)
    # garbage URL pointer: still 13, as the limit is checked first
    assert guest.req_raw(0xFFFFFFF0, 100, 0, 0, 0, 0, 0, 0, 0, 0) == E.TOO_MANY_SESSIONS
    assert count_requests(http_server) == before


def test_req_concurrency_zero_refuses_everything(make_guest, http_server):
    guest = make_guest(max_concurrent_requests=0)
    assert guest.req(http_server.url("/facts/dog"))[0] == E.TOO_MANY_SESSIONS
    assert guest.req_raw(0xFFFFFFF0, 100, 0, 0, 0, 0, 0, 0, 0, 0) == E.TOO_MANY_SESSIONS


def test_req_concurrency_limit_counts_open_handles(make_guest, http_server):
    guest = make_guest(max_concurrent_requests=2)
    url = http_server.url("/facts/dog")
    assert guest.req(url)[:3:2] == (0, 0)
    assert guest.req(url)[:3:2] == (0, 1)
    assert guest.req(url)[0] == E.TOO_MANY_SESSIONS
    guest.read_all(1)                       # reading to the end frees nothing
    assert guest.req(url)[0] == E.TOO_MANY_SESSIONS
    assert guest.close(0) == 0
    assert guest.req(url)[:3:2] == (0, 2)   # probe starts at 1: occupied, then 2


def test_req_url_out_of_bounds_is_4(guest):
    size = guest.size
    assert guest.req_raw(size - 2, 3, 0, 3, 0, 0, 0, 0, 0, 8) == E.BUFFER_TOO_SMALL
    # ptr + len overflowing 32 bits
    assert guest.req_raw(0xFFFFFFFF, 2, 0, 3, 0, 0, 0, 0, 0, 8) == E.BUFFER_TOO_SMALL
    # len 0 at ptr == size is a valid (empty) read: the empty URL is then 10
    assert guest.req_raw(size, 0, 0, 3, 0, 0, 0, 0, 0, 8) == E.INVALID_URL
    assert guest.req_raw(size + 1, 0, 0, 3, 0, 0, 0, 0, 0, 8) == E.BUFFER_TOO_SMALL


def test_req_url_not_utf8_is_6(guest):
    ptr, n = guest.put(b"http://\xff/")
    assert guest.req_raw(ptr, n, 0, 0, 0, 0, 0, 0, 0, 8) == E.UTF8_ERROR


@pytest.mark.parametrize("url", ["not even a url", "/relative/path", "mailto:x@y",
                                 "file:///etc/passwd", "http://example.com:99999/",
                                 "http://[::1/", ""])
def test_req_invalid_url_is_10(guest, url):
    assert guest.req(url)[0] == E.INVALID_URL


def test_req_invalid_url_beats_refusal(make_guest):
    guest = make_guest(allowed_hosts=None)
    assert guest.req("not a url")[0] == E.INVALID_URL
    assert guest.req("http://127.0.0.1/")[0] == E.DESTINATION_NOT_ALLOWED


def test_req_no_or_empty_list_refuses_with_7(make_guest, http_server):
    for hosts in (None, []):
        guest = make_guest(allowed_hosts=hosts)
        before = count_requests(http_server)
        assert guest.req(http_server.url("/facts/dog"))[0] == E.DESTINATION_NOT_ALLOWED
        assert count_requests(http_server) == before


def test_req_destination_checked_before_method(make_guest):
    guest = make_guest(allowed_hosts=["http://127.0.0.1"])
    assert guest.req("http://127.0.0.2/", method="bad method")[0] == E.DESTINATION_NOT_ALLOWED


@pytest.mark.parametrize("method", ["", "GET /", "G\u00c9T", "a b", "(x)"])
def test_req_invalid_method_is_8(guest, http_server, method):
    before = count_requests(http_server)
    assert guest.req(http_server.url("/echo"), method=method)[0] == E.INVALID_METHOD
    assert count_requests(http_server) == before


def test_req_method_not_utf8_is_6(guest, http_server):
    guest.reset()
    url = guest.put(http_server.url("/echo"))
    method = guest.put(b"\xc3")
    assert guest.req_raw(url[0], url[1], method[0], method[1], 0, 0, 0, 0, 0, 8) == E.UTF8_ERROR


@pytest.mark.parametrize("method", ["get", "DELET", "PURGE"])
def test_req_methods_sent_verbatim(guest, http_server, method):
    code, status, handle = guest.req(http_server.url("/echo"), method=method)
    assert (code, status) == (0, 200)
    assert http_server.requests[-1]["method"] == method


def test_req_body_out_of_bounds_is_4_before_header_errors(guest, http_server):
    guest.reset()
    url = guest.put(http_server.url("/echo"))
    method = guest.put("POST")
    bad_headers = guest.put(b"no colon here")
    code = guest.req_raw(url[0], url[1], method[0], method[1], bad_headers[0], bad_headers[1],
                         guest.size - 1, 2, 0, 8)
    assert code == E.BUFFER_TOO_SMALL


def test_req_headers_out_of_bounds_is_4(guest, http_server):
    guest.reset()
    url = guest.put(http_server.url("/echo"))
    method = guest.put("GET")
    assert guest.req_raw(url[0], url[1], method[0], method[1], guest.size, 1,
                         0, 0, 0, 8) == E.BUFFER_TOO_SMALL


@pytest.mark.parametrize("block,code", [
    (b"a:1\n\nb:2", E.INVALID_ENCODING),          # empty middle line (upstream panic)
    (b"no colon", E.INVALID_ENCODING),
    (b"bad name:1\n", E.INVALID_ENCODING),
    (b":value\n", E.INVALID_ENCODING),
    (b"x:a\rb\n", E.INVALID_ENCODING),            # stray CR inside a value
    (b"x:a\x01b\n", E.INVALID_ENCODING),
    (b"x:a\x7fb\n", E.INVALID_ENCODING),
    (b"x:\xff\n", E.UTF8_ERROR),
    (b"\n", E.INVALID_ENCODING),
])
def test_req_bad_header_blocks(guest, http_server, block, code):
    before = count_requests(http_server)
    assert guest.req(http_server.url("/echo"), headers=block)[0] == code
    assert count_requests(http_server) == before


def test_req_header_block_parsing_rules(guest, http_server):
    block = (b"X-One:1\r\nx-url:http://a.example:8080/p\n"
             b"dup:first\ndup:second\nspaced: lead\ntab:a\tb\nutf:caf\xc3\xa9")
    code, status, handle = guest.req(http_server.url("/echo"), headers=block)
    assert code == 0
    raw = dict((k.lower(), v) for k, v in http_server.requests[-1]["raw_headers"])
    assert raw["x-one"] == "1"                       # CRLF accepted, name folded
    assert raw["x-url"] == "http://a.example:8080/p"  # split at the first colon
    assert raw["dup"] == "second"                    # last wins, one value sent (C11)
    names = [k.lower() for k, _ in http_server.requests[-1]["raw_headers"]]
    assert names.count("dup") == 1
    assert raw["tab"] == "a\tb"
    # http.server decodes header bytes as Latin-1: the raw UTF-8 bytes arrived
    assert raw["utf"].encode("latin-1") == "caf\u00e9".encode("utf-8")


def test_req_lower_cases_header_names_on_the_wire(guest, http_server):
    guest.req(http_server.url("/echo"), headers=b"X-Custom-Thing:v\n")
    names = [k for k, _ in http_server.requests[-1]["raw_headers"]]
    assert "x-custom-thing" in names


def test_req_status_write_failure_is_3_and_stores_nothing(guest, http_server):
    guest.reset()
    url = guest.put(http_server.url("/facts/dog"))
    method = guest.put("GET")
    handle_out = guest.slot(4)
    code = guest.req_raw(url[0], url[1], method[0], method[1], 0, 0, 0, 0,
                         guest.size - 1, handle_out)
    assert code == E.MEMORY_ACCESS_ERROR
    assert guest.host._table(guest.caller).responses == {}
    assert guest.req(http_server.url("/facts/dog"))[2] == 0


def test_req_handle_write_failure_is_3_and_leaks_nothing(guest, http_server):
    guest.reset()
    url = guest.put(http_server.url("/facts/dog"))
    method = guest.put("GET")
    status_out = guest.slot(2)
    code = guest.req_raw(url[0], url[1], method[0], method[1], 0, 0, 0, 0,
                         status_out, guest.size - 3)
    assert code == E.MEMORY_ACCESS_ERROR
    assert guest.u16(status_out) == 200          # the status was already written
    assert guest.host._table(guest.caller).responses == {}     # B4
    assert guest.req(http_server.url("/facts/dog"))[2] == 0


def test_req_non_http_scheme_with_allowed_host_is_11(make_guest):
    guest = make_guest(allowed_hosts=["insecure:allow-all"])
    assert guest.req("ftp://127.0.0.1/file")[0] == E.REQUEST_ERROR


def test_req_connection_refused_is_11(make_guest):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    guest = make_guest(allowed_hosts=["http://127.0.0.1"])
    assert guest.req("http://127.0.0.1:%d/" % port)[0] == E.REQUEST_ERROR


# -- handle numbering (1.3) -----------------------------------------------------

def test_handles_start_at_0_and_reuse_after_close(guest, http_server):
    url = http_server.url("/facts/dog")
    for _ in range(3):
        code, _, handle = guest.req(url)
        assert (code, handle) == (0, 0)
        assert guest.close(handle) == 0


def test_handles_probe_from_current_counter(guest, http_server):
    url = http_server.url("/facts/dog")
    assert guest.req(url)[2] == 0
    assert guest.req(url)[2] == 1
    assert guest.close(1) == 0
    assert guest.req(url)[2] == 1           # open 0, 1; close 1 -> 1 again
    assert guest.close(0) == 0
    assert guest.req(url)[2] == 2           # close 0 -> probe 1 (open) -> 2
    assert guest.req(url)[2] == 3


def test_handles_wrap_modulo_2_32(guest, http_server):
    url = http_server.url("/facts/dog")
    guest.host._table(guest.caller).current_handle = 0xFFFFFFFF
    assert guest.req(url)[2] == 0xFFFFFFFF
    assert guest.req(url)[2] == 0


def test_handles_full_table_is_13():
    from pywasi_interp.host.http.abi import AbiError
    from pywasi_interp.host.http.functions import _Table

    class SmallTable(_Table):
        HANDLE_SPACE = 8            # same loop, a table of 8 numbers
    table = SmallTable()
    table.responses = dict.fromkeys(range(8))
    table.current_handle = 5
    with pytest.raises(AbiError) as info:
        table.allocate()
    assert info.value.code == E.TOO_MANY_SESSIONS


def test_tables_are_per_instance(make_guest, http_server):
    first = make_guest()
    second = AbiGuest(first.host)            # same registration, other instance
    assert first.req(http_server.url("/facts/dog"))[2] == 0
    assert second.req(http_server.url("/facts/dog"))[2] == 0
    assert second.header_get(0, "content-type")[0] == 0


# -- close (2.2) --------------------------------------------------------------

def test_close_is_always_0(make_guest, http_server):
    guest = make_guest()
    assert guest.close(0) == 0               # never issued
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    assert guest.close(handle) == 0
    assert guest.close(handle) == 0          # twice
    assert guest.close(0xFFFFFFFF) == 0
    assert make_guest(memory=False).close(3) == 0   # close never looks at memory


def test_closed_handle_is_invalid(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    guest.close(handle)
    assert guest.header_get(handle, "content-type")[0] == E.INVALID_HANDLE
    assert guest.headers_get_all(handle)[0] == E.INVALID_HANDLE
    assert guest.body_read(handle)[0] == E.INVALID_HANDLE          # B1: no panic


# -- header_get (2.3) -----------------------------------------------------------

def test_header_get_case_insensitive_first_value(guest, http_server):
    code, _, handle = guest.req(http_server.url("/headers/dup"))
    assert guest.header_get(handle, "A") == (0, b"1")
    assert guest.header_get(handle, "b") == (0, b"2")
    assert guest.header_get(handle, "CONTENT-type") == (0, b"text/plain")


@pytest.mark.parametrize("name", ["x-missing", "", "a b", "content-type:", "caf\u00e9"])
def test_header_get_missing_or_invalid_name_is_5(guest, http_server, name):
    code, _, handle = guest.req(http_server.url("/headers/dup"))
    assert guest.header_get(handle, name)[0] == E.HEADER_NOT_FOUND


def test_header_get_exact_cap_fits_and_cap_minus_one_is_4(guest, http_server):
    code, _, handle = guest.req(http_server.url("/headers/long?n=100"))
    assert guest.header_get(handle, "x-long", cap=100) == (0, b"v" * 100)
    guest.reset()
    name = guest.put("x-long")
    value = guest.slot(99)
    written = guest.slot(4)
    assert guest.host.header_get(guest.caller, handle, name[0], name[1], value, 99,
                                 written) == E.BUFFER_TOO_SMALL
    # nothing written, no size reported (C6)
    assert guest.mem.data[value:value + 99] == bytes([SENTINEL]) * 99
    assert guest.mem.data[written:written + 4] == bytes([SENTINEL]) * 4


def test_header_get_rust_retry_sequence(guest, http_server):
    code, _, handle = guest.req(http_server.url("/headers/long?n=40000"))
    results = []
    cap = 4096
    while True:
        code, value = guest.header_get(handle, "x-long", cap=cap)
        results.append((cap, code))
        if code != E.BUFFER_TOO_SMALL or cap >= 65536:
            break
        cap *= 2
    assert results == [(4096, 4), (8192, 4), (16384, 4), (32768, 4), (65536, 0)]
    assert value == b"v" * 40000


def test_header_get_bad_pointers(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    h = guest.host
    c = guest.caller
    size = guest.size
    guest.reset()
    name = guest.put("content-type")
    value = guest.slot(64)
    written = guest.slot(4)
    assert h.header_get(c, handle, size - 3, 12, value, 64, written) == E.BUFFER_TOO_SMALL
    assert h.header_get(c, handle, 0xFFFFFFFF, 12, value, 64, written) == E.BUFFER_TOO_SMALL
    bad = guest.put(b"\xff\xfe")
    assert h.header_get(c, handle, bad[0], bad[1], value, 64, written) == E.UTF8_ERROR
    assert h.header_get(c, handle, name[0], name[1], size - 4, 64, written) \
        == E.MEMORY_ACCESS_ERROR
    assert h.header_get(c, handle, name[0], name[1], value, 64, size - 2) \
        == E.MEMORY_ACCESS_ERROR
    # the value bytes were written before the count failed
    assert guest.mem.data[value:value + 16] == b"application/json"
    assert h.header_get(c, 99, name[0], name[1], value, 64, written) == E.INVALID_HANDLE
    # handle checked before the name
    assert h.header_get(c, 99, size, 12, value, 64, written) == E.INVALID_HANDLE


def test_header_get_memory_not_found_first(make_guest):
    guest = make_guest(memory=False)
    assert guest.host.header_get(guest.caller, 99, 0, 0, 0, 0, 0) == E.MEMORY_NOT_FOUND


# -- headers_get_all (2.4, 4.6) -----------------------------------------------

def test_headers_get_all_groups_repeated_names_in_first_seen_order(guest, http_server):
    code, _, handle = guest.req(http_server.url("/headers/dup"))
    code, block = guest.headers_get_all(handle)
    assert code == 0
    lines = block.split(b"\n")
    assert block.endswith(b"\n") and b"\r" not in block
    ours = [line for line in lines if line[:2] in (b"a:", b"b:")]
    assert ours == [b"a:1", b"a:3", b"b:2"]
    assert all(line == line.lower() or b":" in line for line in lines)
    for line in lines[:-1]:
        name, _, value = line.partition(b":")
        assert name == name.lower() and not value.startswith(b" ")


def test_headers_get_all_keeps_each_set_cookie(guest, http_server):
    code, _, handle = guest.req(http_server.url("/headers/cookies"))
    block = guest.headers_get_all(handle)[1]
    assert b"set-cookie:a=1\nset-cookie:b=2\n" in block


@pytest.mark.parametrize("kind", ["tab", "latin1"])
def test_headers_get_all_control_or_non_utf8_value_is_12(guest, http_server, kind):
    code, _, handle = guest.req(http_server.url("/headers/" + kind))
    assert guest.headers_get_all(handle)[0] == E.RUNTIME_ERROR
    # header_get has no such check (4.7)
    name = "x-tab" if kind == "tab" else "x-latin1"
    expected = b"a\tb" if kind == "tab" else b"caf\xe9"
    assert guest.header_get(handle, name) == (0, expected)


def test_headers_get_all_too_small_is_4_and_writes_nothing(guest, http_server):
    code, _, handle = guest.req(http_server.url("/headers/long?n=5000"))
    guest.reset()
    buf = guest.slot(4096)
    written = guest.slot(4)
    assert guest.host.headers_get_all(guest.caller, handle, buf, 4096, written) \
        == E.BUFFER_TOO_SMALL               # the AssemblyScript 4096-byte limit
    assert guest.mem.data[buf:buf + 4096] == bytes([SENTINEL]) * 4096
    assert guest.mem.data[written:written + 4] == bytes([SENTINEL]) * 4
    code, block = guest.headers_get_all(handle, cap=8192)
    assert code == 0 and b"x-long:" + b"v" * 5000 + b"\n" in block


def test_headers_get_all_exact_cap(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    size = len(guest.headers_get_all(handle)[1])
    assert guest.headers_get_all(handle, cap=size)[0] == 0
    assert guest.headers_get_all(handle, cap=size - 1)[0] == E.BUFFER_TOO_SMALL


def test_headers_get_all_bad_pointers(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    h, c, size = guest.host, guest.caller, guest.size
    guest.reset()
    buf = guest.slot(1024)
    written = guest.slot(4)
    assert h.headers_get_all(c, handle, size - 10, 1024, written) == E.MEMORY_ACCESS_ERROR
    assert h.headers_get_all(c, handle, buf, 1024, size - 1) == E.MEMORY_ACCESS_ERROR
    assert h.headers_get_all(c, 77, buf, 1024, written) == E.INVALID_HANDLE
    assert make_guest_without_memory(h).headers_get_all(0)[0] == E.MEMORY_NOT_FOUND


def make_guest_without_memory(host):
    return AbiGuest(host, memory=False)


# -- body_read (2.5) ------------------------------------------------------------

def test_body_read_chunks_then_repeated_eof(guest, http_server):
    code, _, handle = guest.req(http_server.url("/bytes?n=10000"))
    sizes = []
    data = b""
    while True:
        code, chunk = guest.body_read(handle, cap=3000)
        assert code == 0
        sizes.append(len(chunk))
        data += chunk
        if not chunk:
            break
    assert sizes == [3000, 3000, 3000, 1000, 0]
    assert data == (bytes(range(256)) * 40)[:10000]
    assert guest.body_read(handle) == (0, b"")
    assert guest.body_read(handle) == (0, b"")


def test_body_read_chunked_response(guest, http_server):
    code, _, handle = guest.req(http_server.url("/bytes?n=200000&chunked=1"))
    assert len(guest.read_all(handle, cap=7000)) == 200000


def test_body_read_cap_zero_yields_nothing_but_data_remains(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    assert guest.body_read(handle, cap=0) == (0, b"")
    assert guest.read_all(handle) == b'{"fact": "Dogs have three eyelids."}'


def test_body_read_interleaved_with_header_calls(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    assert guest.body_read(handle, cap=5)[1] == b'{"fac'
    assert guest.header_get(handle, "content-type")[0] == 0
    assert guest.headers_get_all(handle)[0] == 0
    assert guest.read_all(handle) == b't": "Dogs have three eyelids."}'


def test_body_read_buffer_out_of_bounds_is_3_and_keeps_cursor(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    h, c, size = guest.host, guest.caller, guest.size
    written = guest.slot(4)
    assert h.body_read(c, handle, size - 10, 100, written) == E.MEMORY_ACCESS_ERROR
    assert h.body_read(c, handle, size + 5, 100, written) == E.MEMORY_ACCESS_ERROR
    assert guest.read_all(handle) == b'{"fact": "Dogs have three eyelids."}'


def test_body_read_fits_at_end_of_memory(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    h, c, size = guest.host, guest.caller, guest.size
    written = guest.slot(4)
    # cap far beyond memory, but the 36 remaining bytes fit: success
    assert h.body_read(c, handle, size - 36, 0xFFFFFFFF, written) == 0
    assert guest.u32(written) == 36
    # at EOF a zero-length write at ptr == size succeeds
    assert h.body_read(c, handle, size, 10, written) == 0
    assert guest.u32(written) == 0


def test_body_read_count_write_failure_advances_cursor(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    h, c, size = guest.host, guest.caller, guest.size
    buf = guest.slot(16)
    assert h.body_read(c, handle, buf, 8, size - 2) == E.MEMORY_ACCESS_ERROR
    assert guest.mem.data[buf:buf + 8] == b'{"fact":'
    assert guest.read_all(handle) == b' "Dogs have three eyelids."}'


def test_body_read_memory_not_found_first(make_guest):
    guest = make_guest(memory=False)
    assert guest.host.body_read(guest.caller, 5, 0, 0, 0) == E.MEMORY_NOT_FOUND


def test_memory_growth_between_calls_is_seen(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    size = guest.size
    written = guest.slot(4)
    assert guest.host.body_read(guest.caller, handle, size, 36, written) \
        == E.MEMORY_ACCESS_ERROR
    guest.mem.grow(1)
    assert guest.host.body_read(guest.caller, handle, size, 36, written) == 0
    assert guest.u32(written) == 36


def test_no_function_raises_on_random_pointers(guest, http_server):
    import random
    rng = random.Random(7)
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    h, c = guest.host, guest.caller
    for _ in range(300):
        values = [rng.choice([0, 1, handle, guest.size - 1, guest.size, 0xFFFFFFFF,
                              rng.randrange(1 << 32)]) for _ in range(10)]
        assert 0 <= h.header_get(c, *values[:6]) <= 13
        assert 0 <= h.headers_get_all(c, *values[:4]) <= 13
        assert 0 <= h.body_read(c, *values[:4]) <= 13
    assert 0 <= guest.req_raw(0, 0, 0, 0, 0, 0, 0, 0, 0, 0) <= 13


def test_body_read_zero_length_write_past_the_end_is_3(guest, http_server):
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    written = guest.slot(4)
    h, c, size = guest.host, guest.caller, guest.size
    assert h.body_read(c, handle, size + 1, 0, written) == E.MEMORY_ACCESS_ERROR
    assert h.body_read(c, handle, size, 0, written) == 0
    assert guest.read_all(handle) == b'{"fact": "Dogs have three eyelids."}'
    assert h.body_read(c, handle, size + 1, 10, written) == E.MEMORY_ACCESS_ERROR


def test_body_read_large_buffer_is_copied_in_pieces(make_guest, http_server):
    guest = make_guest(pages=80)            # 5 MiB of memory
    code, _, handle = guest.req(http_server.url("/bytes?n=3000000"))
    written = guest.slot(4)
    assert guest.host.body_read(guest.caller, handle, 1 << 20, 4 << 20, written) == 0
    assert guest.u32(written) == 3000000
    data = bytes(guest.mem.data[1 << 20:(1 << 20) + 3000000])
    assert data == (bytes(range(256)) * (3000000 // 256 + 1))[:3000000]
