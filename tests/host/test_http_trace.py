"""Tracing of wasi_experimental_http: decision D6 of
shared/spec/wasi-experimental-http-abi.md (section 11).  One event per call,
live lines, JSON lines, HAR 1.2, credential redaction.
"""

import io
import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from http_servers import AbiGuest, http_server, other_server  # noqa: E402,F401
from pywasi_interp.host.http import HttpConfig, HttpHost, HttpTracer  # noqa: E402
from pywasi_interp.host.http.abi import HttpErrorCode as E  # noqa: E402


@pytest.fixture
def traced(http_server, tmp_path):
    made = []

    def make(secrets=False, **config):
        config.setdefault("allowed_hosts", [http_server.origin])
        live = io.StringIO()
        tracer = HttpTracer(live=live, jsonl_path=str(tmp_path / "trace.jsonl"),
                            har_path=str(tmp_path / "trace.har"), secrets=secrets,
                            keep_events=True)
        host = HttpHost(HttpConfig(**config), tracer)
        made.append((host, tracer))
        return AbiGuest(host), tracer, live
    yield make
    for host, tracer in made:
        host.shutdown()
        tracer.close()


def events(tracer, call):
    return [event for event in tracer.events if event["call"] == call]


def test_req_event_fields(traced, http_server):
    guest, tracer, live = traced()
    code, _, handle = guest.req(http_server.url("/post"), "POST", b"x-a:1\n", b"hello")
    body = guest.read_all(handle)
    guest.close(handle)
    (event,) = events(tracer, "req")
    assert event["method"] == "POST" and event["url"] == http_server.url("/post")
    assert event["allowed"] is True and event["refused_reason"] is None
    assert event["status"] == 200 and event["result"] == 0 and event["handle"] == 0
    assert ["x-a", "1"] in event["request_headers"]
    assert ["accept", "*/*"] in event["request_headers"]
    assert any(name == "content-type" for name, _ in event["response_headers"])
    assert event["bytes_sent"] == 5
    timings = event["timings_ms"]
    assert timings["connect"] is None or timings["connect"] >= 0
    assert 0 <= timings["first_byte"] <= timings["total"]
    (close,) = events(tracer, "close")
    assert close["bytes_received"] == len(body) and close["status"] == 200
    assert close["timings_ms"]["total"] >= timings["total"]
    reads = events(tracer, "body_read")
    assert sum(event["bytes"] for event in reads) == len(body)
    assert "[http] req POST %s: allowed -> 200 handle=0" % http_server.url("/post") in live.getvalue()
    assert "[http] close handle=0: %d body bytes" % len(body) in live.getvalue()


def test_refused_and_invalid_requests_are_traced_with_reason(traced, http_server,
                                                             other_server):
    guest, tracer, live = traced()
    assert guest.req(other_server.url("/x"))[0] == E.DESTINATION_NOT_ALLOWED
    assert guest.req("not a url")[0] == E.INVALID_URL
    refused, invalid = events(tracer, "req")
    assert refused["allowed"] is False and "127.0.0.2" in refused["refused_reason"]
    assert refused["result"] == 7 and refused["method"] == "GET"
    assert invalid["result"] == 10 and invalid["url"] == "not a url"
    text = live.getvalue()
    assert "error 7 destination_not_allowed" in text and "error 10 invalid_url" in text


def test_redirect_refusal_is_traced(traced, http_server, other_server):
    guest, tracer, live = traced()
    guest.req(http_server.url("/redirect-to?url=" + other_server.url("/x")))
    (event,) = events(tracer, "req")
    assert event["result"] == 7 and event["allowed"] is False
    assert "redirect to http://127.0.0.2" in event["refused_reason"]


def test_credentials_redacted_by_default(traced, http_server, tmp_path):
    guest, tracer, live = traced()
    code, _, handle = guest.req(http_server.url("/headers/cookies"),
                                headers=b"authorization:Bearer TOPSECRET\ncookie:c=SECRET2\n")
    guest.close(handle)
    tracer.close()
    everything = (live.getvalue() + (tmp_path / "trace.har").read_text()
                  + (tmp_path / "trace.jsonl").read_text())
    assert "TOPSECRET" not in everything and "SECRET2" not in everything
    assert "a=1" not in everything                   # set-cookie values
    (event,) = events(tracer, "req")
    assert ["authorization", "[redacted]"] in event["request_headers"]
    assert ["set-cookie", "[redacted]"] in event["response_headers"]


def test_secrets_kept_when_asked(traced, http_server):
    guest, tracer, live = traced(secrets=True)
    guest.req(http_server.url("/headers/cookies"), headers=b"authorization:Bearer T\n")
    (event,) = events(tracer, "req")
    assert ["authorization", "Bearer T"] in event["request_headers"]
    assert ["set-cookie", "a=1"] in event["response_headers"]


def test_userinfo_never_traced(traced, http_server):
    guest, tracer, live = traced()
    guest.req("http://bob:hunter2@127.0.0.1:%d/echo" % http_server.port)
    assert "hunter2" not in live.getvalue()
    assert "hunter2" not in json.dumps(tracer.events)


def test_jsonl_file_has_one_event_per_call(traced, http_server, tmp_path):
    guest, tracer, live = traced()
    code, _, handle = guest.req(http_server.url("/facts/dog"))
    guest.header_get(handle, "content-type")
    guest.headers_get_all(handle)
    guest.read_all(handle)
    guest.close(handle)
    tracer.close()
    lines = (tmp_path / "trace.jsonl").read_text().splitlines()
    calls = [json.loads(line)["call"] for line in lines]
    assert calls == ["req", "header_get", "headers_get_all", "body_read", "body_read",
                     "close"]
    assert all(json.loads(line)["type"] == "http" for line in lines)


def test_har_file_is_valid_har_1_2(traced, http_server, tmp_path):
    guest, tracer, live = traced()
    code, _, handle = guest.req(http_server.url("/redirect/2"), "POST",
                                b"content-type:text/plain\n", b"data")
    guest.read_all(handle)
    guest.close(handle)
    guest.req(http_server.url("/facts/dog?a=1&b=two"))
    tracer.close()
    har = json.loads((tmp_path / "trace.har").read_text())
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "pywasi_interp"
    entries = log["entries"]
    assert len(entries) == 4                        # 3 hops + 1
    assert [e["response"]["status"] for e in entries] == [302, 302, 200, 200]
    assert entries[0]["response"]["redirectURL"].endswith("/redirect/1?status=302")
    assert entries[0]["request"]["postData"] == {"mimeType": "text/plain", "text": "data"}
    assert entries[3]["request"]["queryString"] == [{"name": "a", "value": "1"},
                                                    {"name": "b", "value": "two"}]
    for entry in entries:
        for key in ("startedDateTime", "time", "request", "response", "cache", "timings"):
            assert key in entry
        for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString",
                    "headersSize", "bodySize"):
            assert key in entry["request"]
        for key in ("status", "statusText", "httpVersion", "cookies", "headers", "content",
                    "redirectURL", "headersSize", "bodySize"):
            assert key in entry["response"]
        assert {"send", "wait", "receive"} <= set(entry["timings"])
        assert entry["startedDateTime"].endswith("Z")
    assert entries[2]["response"]["content"]["size"] > 0
    assert entries[3]["response"]["content"]["mimeType"] == "application/json"


def test_har_records_transport_failures(traced, http_server):
    guest, tracer, live = traced(read_timeout=0.3)
    assert guest.req(http_server.url("/stall?seconds=5"))[0] == E.REQUEST_ERROR
    (entry,) = tracer._har.document()["log"]["entries"]
    assert entry["response"]["status"] == 0 and "timeout" in entry["_error"]


def test_allow_all_notice(http_server):
    tracer = HttpTracer(keep_events=True)
    from pywasi_interp.host.http import register

    class Recorder:
        def __init__(self):
            self.names = []

        def define_host(self, module, name, fn):
            assert module == "wasi_experimental_http" and fn.wasm_type is not None
            self.names.append(name)
    linker = Recorder()
    host = register(linker, HttpConfig(allowed_hosts=["insecure:allow-all"]), tracer)
    host.shutdown()
    assert sorted(linker.names) == ["body_read", "close", "header_get", "headers_get_all",
                                    "req"]
    assert "insecure:allow-all" in tracer.events[0]["message"]


def test_unclosed_handles_reported_at_shutdown(traced, http_server):
    guest, tracer, live = traced()
    guest.req(http_server.url("/facts/dog"))
    guest.host.shutdown()
    (close,) = events(tracer, "close")
    assert close["reason"] == "closed by the host at exit"


def test_har_shows_refused_requests_as_failed_entries(traced, other_server):
    guest, tracer, live = traced()
    assert guest.req(other_server.url("/x"), method="PUT")[0] == E.DESTINATION_NOT_ALLOWED
    (entry,) = tracer._har.document()["log"]["entries"]
    assert entry["request"]["method"] == "PUT"
    assert entry["request"]["url"] == other_server.url("/x")
    assert entry["response"]["status"] == 0 and entry["_error"].startswith("refused: ")
