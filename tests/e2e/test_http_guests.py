"""Compiled C guests (pywasi_interp/examples) through ``pywasi-interp run``.

The example guests use the five imports of
shared/spec/wasi-experimental-http-abi.md through the bundled C helpers
(retry on 4, read until 0 bytes).  Each test runs the real CLI in a
subprocess against real local servers and checks guest output, exit status,
trace output and files.
"""

import hashlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from http_servers import http_server, other_server, https_server, tls_files  # noqa: E402,F401

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "pywasi_interp" / "examples"


def run(*argv, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "pywasi_interp", "run"] + [str(a) for a in argv],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def guest(name):
    return EXAMPLES / (name + ".wasm")


def test_get_guest_with_headers_and_live_trace(http_server):
    result = run("--allowed-host", http_server.origin, "--trace", "http", guest("http_get"),
                 http_server.url("/echo"), "X-Demo:one", "accept:application/json")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("status: 200\ncontent-type: application/json\nheaders:\n")
    echo = json.loads(out.split("bytes):\n", 1)[1])
    headers = dict(echo["headers"])
    assert headers["x-demo"] == "one" and headers["accept"] == "application/json"
    assert "user-agent" not in headers
    assert "[http] req GET %s: allowed -> 200 handle=0" % http_server.url("/echo") in result.stderr
    assert "[http]   > x-demo: one" in result.stderr
    assert "[http] close handle=0" in result.stderr


def test_post_guest_echo(http_server):
    result = run("-a", http_server.origin, guest("http_post"), http_server.url("/post"),
                 "body from the guest")
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.split("\n", 1)
    assert status == "status: 200"
    echo = json.loads(body)
    assert echo["method"] == "POST" and echo["body"] == "body from the guest"
    assert dict(echo["headers"])["content-type"] == "text/plain"
    assert result.stderr == ""                          # no trace unless asked


def test_download_guest_streams_to_a_preopened_dir(http_server, tmp_path):
    size = 5 * 1024 * 1024 + 123
    result = run("--allowed-host", http_server.origin, "--dir", "%s::/out" % tmp_path,
                 guest("http_download"), http_server.url("/bytes?n=%d&chunked=1" % size),
                 "/out/body.bin")
    assert result.returncode == 0, result.stderr
    assert "saved %d bytes" % size in result.stdout
    data = (tmp_path / "body.bin").read_bytes()
    expected = (bytes(range(256)) * (size // 256 + 1))
    assert len(data) == size
    assert hashlib.sha256(data).digest() == hashlib.sha256(
        b"".join(expected[:65536] for _ in range(size // 65536 + 1))[:size]).digest()


def test_download_over_the_body_cap_fails_with_11(http_server, tmp_path):
    result = run("--allowed-host", http_server.origin, "--http-max-body", "100k",
                 "--dir", "%s::/out" % tmp_path, guest("http_download"),
                 http_server.url("/bytes?n=1000000&chunked=1"), "/out/body.bin")
    assert result.returncode == 1
    assert "body_read failed: error 11 (request_error)" in result.stderr


def test_refused_destination_exits_with_error_7(http_server, other_server):
    before = len(other_server.requests)
    result = run("--allowed-host", http_server.origin, "--trace", "http",
                 guest("http_get"), other_server.url("/echo"))
    assert result.returncode == 1
    assert "req failed: error 7 (destination_not_allowed)" in result.stderr
    assert "host 127.0.0.2 is not in the allowed hosts" in result.stderr
    assert len(other_server.requests) == before


def test_no_allowed_host_flag_refuses(http_server):
    result = run(guest("http_get"), http_server.url("/echo"))
    assert result.returncode == 1
    assert "error 7 (destination_not_allowed)" in result.stderr


def test_redirect_to_disallowed_host_never_reaches_it(http_server, other_server):
    before = len(other_server.requests)
    result = run("-a", http_server.origin, guest("http_get"),
                 http_server.url("/redirect-to?url=" + other_server.url("/echo")))
    assert "error 7 (destination_not_allowed)" in result.stderr
    assert len(other_server.requests) == before


def test_concurrency_zero_refuses_every_request(http_server):
    result = run("-a", http_server.origin, "-c", "0", guest("http_get"),
                 http_server.url("/echo"))
    assert result.returncode == 1
    assert "error 13 (too_many_sessions)" in result.stderr


def test_timeout_flag(http_server):
    result = run("-a", http_server.origin, "--http-timeout", "0.5", guest("http_get"),
                 http_server.url("/stall?seconds=10"), timeout=60)
    assert result.returncode == 1
    assert "error 11 (request_error)" in result.stderr


def test_redirect_limit_flag(http_server):
    result = run("-a", http_server.origin, "--http-max-redirects", "1", guest("http_get"),
                 http_server.url("/redirect/2"))
    assert "error 11 (request_error)" in result.stderr
    result = run("-a", http_server.origin, "--http-max-redirects", "2", guest("http_get"),
                 http_server.url("/redirect/2"))
    assert result.returncode == 0 and result.stdout.startswith("status: 200")


def test_strict_origin_flag(http_server):
    other_port = "http://127.0.0.1:1"
    result = run("-a", other_port, "--http-strict-origin", guest("http_get"),
                 http_server.url("/echo"))
    assert "error 7" in result.stderr
    result = run("-a", other_port, guest("http_get"), http_server.url("/echo"))
    assert result.returncode == 0


def test_https_with_ca_file_flag(https_server, tls_files):
    result = run("-a", https_server.origin, "--http-ca-file", tls_files[0],
                 guest("http_get"), https_server.url("/facts/dog"))
    assert result.returncode == 0, result.stderr
    result = run("-a", https_server.origin, guest("http_get"), https_server.url("/facts/dog"))
    assert "error 11 (request_error)" in result.stderr


def test_trace_file_and_har(http_server, tmp_path):
    trace, har = tmp_path / "t.jsonl", tmp_path / "t.har"
    result = run("-a", http_server.origin, "--trace-file", trace, "--har", har,
                 guest("http_get"), http_server.url("/redirect/1"), "authorization:Bearer XYZ")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert events[0]["call"] == "req" and events[0]["status"] == 200
    assert events[-1]["call"] == "close"
    assert "XYZ" not in trace.read_text() and "XYZ" not in har.read_text()
    entries = json.loads(har.read_text())["log"]["entries"]
    assert [e["response"]["status"] for e in entries] == [302, 200]


def test_trace_secrets_flag(http_server, tmp_path):
    trace = tmp_path / "t.jsonl"
    run("-a", http_server.origin, "--trace-file", trace, "--trace-secrets",
        guest("http_get"), http_server.url("/echo"), "authorization:Bearer XYZ")
    assert "Bearer XYZ" in trace.read_text()


@pytest.mark.parametrize("entry", ["example.com", "*", "localhost:3000", ""])
def test_bad_allowed_host_is_a_one_line_usage_error(entry):
    result = run("--allowed-host", entry, guest("http_get"), "http://127.0.0.1/")
    assert result.returncode != 0 and result.returncode != 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and repr(entry) in lines[0] and "--allowed-host" in lines[0]


def test_demo_command_runs_offline():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "pywasi_interp", "demo"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "status: 200" in result.stdout
    assert "--- guest exited with status 0 ---" in result.stdout
    assert "[http] req GET http://127.0.0.1:" in result.stderr
