"""Trace events of the ``wasi_experimental_http`` module.

Implements decision D6 of shared/spec/wasi-experimental-http-abi.md
(section 11, "Tracing"): one event per host call.  A ``req`` event carries
the method, the normalised URL, whether the destination was allowed and why
not, request and response headers, status, bytes each way, timings
(connect, first byte, total) and the result code; ``close`` reports the
bytes received over the handle's life and the total time.  The calls that
move data (``body_read``, ``header_get``, ``headers_get_all``) get compact
events.

Sinks: live lines on a text stream (``--trace http``), JSON lines in a file
(``--trace-file``) and a HAR 1.2 file (``--har``, see har.py).  Credential
headers are redacted unless ``secrets`` is set.
"""

import datetime
import json
import sys
import threading

from .abi import HttpErrorCode
from .har import HarRecorder

__all__ = ["HttpTracer", "REDACTED", "SECRET_HEADERS"]

SECRET_HEADERS = frozenset(("authorization", "cookie", "set-cookie", "proxy-authorization"))
REDACTED = "[redacted]"
# Calls shown on the live stream even when they succeed; the others (one per
# body chunk for a large download) appear live only when they fail.
_LIVE_CALLS = ("req", "close")


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 3)


class HttpTracer:
    """Collects HTTP trace events and writes them to the configured sinks.

    live: a text stream (e.g. sys.stderr) or None; jsonl_path, har_path:
    file paths or None; secrets: keep credential headers in clear.
    """

    def __init__(self, live=None, jsonl_path=None, har_path=None, secrets=False,
                 keep_events=False):
        self.live = live
        self.keep_events = keep_events
        self.secrets = secrets
        self._lock = threading.Lock()
        self._jsonl = open(jsonl_path, "w", encoding="utf-8") if jsonl_path else None
        self._har = HarRecorder(har_path, self.redact_headers) if har_path else None
        self.events = []        # filled only with keep_events (tests, embedders)
        self._closed = False

    def redact_headers(self, headers):
        """(name, value) pairs with credential values replaced."""
        if self.secrets:
            return [[name, value] for name, value in headers]
        return [[name, REDACTED if name.lower() in SECRET_HEADERS else value]
                for name, value in headers]

    # -- events -----------------------------------------------------------

    def notice(self, message):
        """A configuration notice (e.g. insecure:allow-all in effect)."""
        self.emit({"call": "notice", "message": message})

    def call(self, call, handle, code, **fields):
        """Record one host call: ``call`` is the import name, ``code`` the
        HttpErrorCode returned."""
        event = {"call": call, "handle": handle, "result": int(code),
                 "result_name": HttpErrorCode(code).name.lower()}
        event.update(fields)
        self.emit(event)

    def request(self, handle, code, method, url, allowed, refused, error,
                request_body_size, exchange_hops, started, ended):
        """The ``req`` event.  ``exchange_hops``: the client's Hop records."""
        hops = exchange_hops or []
        first = hops[0] if hops else None
        last = hops[-1] if hops else None
        event = {
            "call": "req", "handle": handle, "result": int(code),
            "result_name": HttpErrorCode(code).name.lower(),
            "method": method, "url": url, "allowed": allowed,
            "refused_reason": refused, "error": error,
            "status": None if last is None else last.status,
            "request_headers": self.redact_headers(last.request_headers) if last else [],
            "response_headers": self.redact_headers(last.response_headers) if last else [],
            "bytes_sent": request_body_size,
            "bytes_received": 0,
            "timings_ms": {
                "connect": _ms(first.connect) if first else None,
                "first_byte": (_ms(last.headers_at - started)
                               if last is not None and last.headers_at is not None else None),
                "total": _ms(ended - started),
            },
            "redirects": [{"url": hop.url.serialize(userinfo=False), "status": hop.status,
                           "location": hop.redirect_url} for hop in hops[:-1]],
        }
        self.emit(event)
        if self._har is not None:
            if hops:
                self._har.add(hops, error if code else None)
            elif refused is not None and allowed is False:
                self._har.add_refused(method, url, refused)

    def emit(self, event):
        event = dict(event)
        event["time"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        event["type"] = "http"
        with self._lock:
            if self.keep_events:
                self.events.append(event)
            if self._jsonl is not None and not self._closed:
                try:
                    self._jsonl.write(json.dumps(event, ensure_ascii=False) + "\n")
                    self._jsonl.flush()
                except (OSError, ValueError):
                    pass        # a full disk must not fail the guest's request
            if self.live is not None and (event["call"] in _LIVE_CALLS or event.get("result")
                                          or event["call"] == "notice"):
                try:
                    self.live.write(format_event(event))
                    self.live.flush()
                except (OSError, ValueError):
                    pass

    def close(self):
        """Finish the files (the HAR is written here).  Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._jsonl is not None:
                self._jsonl.close()
            if self._har is not None:
                self._har.write()


def format_event(event):
    """One event as human-readable lines (the ``--trace http`` format)."""
    call = event["call"]
    if call == "notice":
        return "[http] %s\n" % event["message"]
    code = event.get("result", 0)
    outcome = "" if not code else " -> error %d %s" % (code, event.get("result_name"))
    if call == "req":
        lines = []
        head = "[http] req %s %s" % (event["method"] or "?", event["url"])
        if event.get("allowed") is True:
            head += ": allowed"
        elif event.get("allowed") is False:
            head += ": refused (%s)" % event.get("refused_reason")
        if event.get("status") is not None and not code:
            timings = event["timings_ms"]
            head += " -> %d handle=%d (connect %s, first byte %s ms, total %s ms)" % (
                event["status"], event["handle"],
                "reused" if timings["connect"] is None else "%.1f ms" % timings["connect"],
                _fmt(timings["first_byte"]), _fmt(timings["total"]))
        else:
            head += outcome
            if event.get("error") and event.get("allowed") is not False:
                head += ": " + event["error"]
        lines.append(head)
        for redirect in event.get("redirects", ()):
            lines.append("[http]   redirect %s %s -> %s" % (
                redirect["status"], redirect["url"], redirect["location"]))
        for name, value in event.get("request_headers", ()):
            lines.append("[http]   > %s: %s" % (name, value))
        for name, value in event.get("response_headers", ()):
            lines.append("[http]   < %s: %s" % (name, value))
        if event.get("request_headers") or event.get("status") is not None:
            lines.append("[http]   sent %d body bytes" % event.get("bytes_sent", 0))
        return "\n".join(lines) + "\n"
    if call == "close":
        if "bytes_received" not in event:
            return "[http] close handle=%s (%s)\n" % (event["handle"], event.get("reason"))
        return "[http] close handle=%d: %d body bytes received, total %s ms%s%s\n" % (
            event["handle"], event["bytes_received"], _fmt(event["timings_ms"]["total"]),
            "" if not event.get("error") else " (error: %s)" % event["error"],
            "" if not event.get("reason") else " (%s)" % event["reason"])
    detail = event.get("reason") or ""
    return "[http] %s handle=%s%s%s\n" % (call, event.get("handle"), outcome,
                                          ": " + detail if detail else "")


def _fmt(value):
    return "?" if value is None else "%.1f" % value


def stderr_tracer(**kwargs):
    """A tracer showing events live on sys.stderr."""
    return HttpTracer(live=sys.stderr, **kwargs)
