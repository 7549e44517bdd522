"""HAR 1.2 output of the HTTP trace (``--har FILE``).

Part of decision D6 of shared/spec/wasi-experimental-http-abi.md (section
11, "Tracing").  Every request that reached the network becomes one HAR
entry per hop (a redirect chain shows as its hops, each with its
``redirectURL``), in the HTTP Archive 1.2 format that browsers' developer
tools import.  Requests refused by the allowed-host check appear as failed entries (status
0, ``_error``).  Entries are serialised when the file is written, so the body
size and timings of a response include everything the guest read before
closing it.  Bodies themselves are not kept (they stream through); request
bodies are included as ``postData`` text when they are small UTF-8.
"""

import datetime
import json
import urllib.parse

__all__ = ["HarRecorder", "har_entry"]

_MAX_POST_TEXT = 1024 * 1024


def _iso(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _headers(pairs, redact):
    return [{"name": name, "value": value} for name, value in redact(pairs)]


def _query_string(url):
    if not url.query:
        return []
    return [{"name": name, "value": value}
            for name, value in urllib.parse.parse_qsl(url.query, keep_blank_values=True)]


def _header(pairs, name):
    for key, value in pairs:
        if key.lower() == name:
            return value
    return None


def _ms(start, end):
    if start is None or end is None:
        return -1
    return round(max(0.0, end - start) * 1000.0, 3)


def har_entry(hop, error, redact):
    """The HAR entry (a dict) for one client Hop."""
    connect = -1 if hop.connect is None else round(hop.connect * 1000.0, 3)
    if hop.headers_at is not None:
        wait = _ms(hop.start, hop.headers_at)
        if connect > 0:
            wait = max(0.0, round(wait - connect, 3))
        receive = _ms(hop.headers_at, hop.end)
    else:
        wait = _ms(hop.start, hop.end)
        receive = 0
    timings = {"blocked": -1, "dns": -1, "ssl": -1, "connect": connect, "send": 0,
               "wait": wait, "receive": receive if receive != -1 else 0}
    total = sum(value for value in timings.values() if value > 0)
    request = {
        "method": hop.method,
        "url": hop.url.serialize(userinfo=False),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(hop.request_headers, redact),
        "queryString": _query_string(hop.url),
        "headersSize": -1,
        "bodySize": len(hop.request_body) if hop.request_body else 0,
    }
    if hop.request_body:
        mime = _header(hop.request_headers, "content-type") or "application/octet-stream"
        post = {"mimeType": mime}
        try:
            if len(hop.request_body) <= _MAX_POST_TEXT:
                post["text"] = hop.request_body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        request["postData"] = post
    response = {
        "status": hop.status or 0,
        "statusText": hop.reason or "",
        "httpVersion": hop.http_version if hop.status else "",
        "cookies": [],
        "headers": _headers(hop.response_headers, redact),
        "content": {"size": hop.bytes_received,
                    "mimeType": _header(hop.response_headers, "content-type") or "x-unknown"},
        "redirectURL": hop.redirect_url,
        "headersSize": -1,
        "bodySize": hop.bytes_received if hop.status else -1,
    }
    entry = {
        "startedDateTime": _iso(hop.started),
        "time": round(total, 3),
        "request": request,
        "response": response,
        "cache": {},
        "timings": timings,
    }
    if hop.server_ip:
        entry["serverIPAddress"] = hop.server_ip
    failure = hop.error or error
    if failure:
        entry["_error"] = failure          # custom fields start with "_" (HAR 1.2)
    return entry


def refused_entry(method, url, reason, started):
    """A HAR entry for a request refused before reaching the network (the
    allowed-host check), so that devtools show it as a failed request."""
    return {
        "startedDateTime": _iso(started),
        "time": 0,
        "request": {"method": method or "GET", "url": url, "httpVersion": "HTTP/1.1",
                    "cookies": [], "headers": [], "queryString": [], "headersSize": -1,
                    "bodySize": 0},
        "response": {"status": 0, "statusText": "", "httpVersion": "", "cookies": [],
                     "headers": [], "content": {"size": 0, "mimeType": "x-unknown"},
                     "redirectURL": "", "headersSize": -1, "bodySize": -1},
        "cache": {},
        "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0,
                    "wait": 0, "receive": 0},
        "_error": "refused: %s" % reason,
    }


class HarRecorder:
    """Collects hops and writes the HAR file on ``write()``."""

    def __init__(self, path, redact):
        self.path = path
        self._redact = redact
        self._hops = []
        # Open now so that an unwritable path fails at start-up, not at exit.
        open(path, "w", encoding="utf-8").close()

    def add(self, hops, error):
        for index, hop in enumerate(hops):
            last = index == len(hops) - 1
            self._hops.append((hop, error if last else None))

    def add_refused(self, method, url, reason):
        self._hops.append((refused_entry(method, url, reason,
                                         datetime.datetime.now(datetime.timezone.utc)), None))

    def document(self):
        try:
            from importlib.metadata import version
            creator_version = version("pywasi_interp")
        except Exception:      # noqa: BLE001 - not installed: version unknown
            creator_version = "0"
        return {"log": {
            "version": "1.2",
            "creator": {"name": "pywasi_interp", "version": creator_version},
            "pages": [],
            "entries": [hop if isinstance(hop, dict) else har_entry(hop, error, self._redact)
                        for hop, error in self._hops],
        }}

    def write(self):
        with open(self.path, "w", encoding="utf-8") as stream:
            json.dump(self.document(), stream, indent=2, ensure_ascii=False)
            stream.write("\n")
