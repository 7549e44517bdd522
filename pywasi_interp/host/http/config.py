"""What a guest is granted by the ``wasi_experimental_http`` module.

Implements the configuration side of shared/spec/wasi-experimental-http-abi.md:
section 5 ("Allowed-hosts matching") with the section 5.4 policy, section 6
("Concurrency limit") and the section 11 decisions A1-A9 (entries validated
here, strict origin mode, timeouts, body cap, redirects, no implicit proxy).

The default grants nothing: no host is allowed.
"""

import dataclasses
import math
import os
from typing import Optional, Tuple

from .url import UrlError, parse_url

__all__ = ["HttpConfig", "AllowRule", "ALLOW_ALL", "DEFAULT_MAX_BODY_SIZE"]

ALLOW_ALL = "insecure:allow-all"        # exact and case-sensitive (5.1, A4)
DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class AllowRule:
    """One parsed allowed-host entry.

    ``host`` is the normalised host, or for a wildcard entry the suffix after
    ``*.`` (``*.example.com`` matches ``a.example.com`` and
    ``a.b.example.com`` but not ``example.com``, as asked in upstream issue
    #40).  ``scheme`` and ``port`` are used only in strict origin mode.
    """

    entry: str
    host: str
    wildcard: bool
    scheme: Optional[str]
    port: Optional[int]

    def matches(self, url, strict):
        if self.wildcard:
            # IP addresses are never matched by a domain pattern.
            if url.host.startswith("[") or url.host.replace(".", "").isdigit():
                return False
            host_ok = url.host.endswith("." + self.host)
        else:
            host_ok = url.host == self.host
        if not host_ok:
            return False
        if strict:
            return self.scheme == url.scheme and self.port == url.effective_port
        return True


def _parse_entry(entry, strict):
    if not isinstance(entry, str):
        raise ValueError("allowed host entry %r is not a string" % (entry,))
    bare_wildcard = entry.startswith("*.")
    try:
        url = parse_url("http://" + entry if bare_wildcard else entry)
    except UrlError as error:
        raise ValueError("invalid allowed host %r: %s (expected a URL such as "
                         "https://example.com, or %s)" % (entry, error, ALLOW_ALL)) from None
    if url.host is None or url.host == "":
        raise ValueError("invalid allowed host %r: the URL has no host (expected "
                         "a URL such as https://example.com)" % entry)
    host = url.host
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    if "*" in host or not host:
        raise ValueError("invalid allowed host %r: '*' may only stand alone as the "
                         "first label (*.example.com); use %r to allow every host"
                         % (entry, ALLOW_ALL))
    if bare_wildcard:
        if strict:
            raise ValueError("invalid allowed host %r: strict origin mode needs a "
                             "scheme (e.g. https://%s)" % (entry, entry))
        return AllowRule(entry, host, True, None, None)
    if strict and url.scheme not in ("http", "https"):
        raise ValueError("invalid allowed host %r: strict origin mode needs an "
                         "http or https URL" % entry)
    return AllowRule(entry, host, wildcard, url.scheme, url.effective_port)


def _positive_number(name, value, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError("%s must be a positive number of seconds, got %r" % (name, value))


def _count(name, value, allow_none):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("%s must be a non-negative integer, got %r" % (name, value))


@dataclasses.dataclass(frozen=True)
class HttpConfig:
    """Grants of the HTTP module.  Validated on construction (ValueError).

    allowed_hosts: None or a sequence of entries: URLs whose host is allowed
        (section 5; scheme, port and path ignored unless ``strict_origin``),
        ``*.example.com`` / ``https://*.example.com`` domain patterns, or the
        exact string ``insecure:allow-all``.  None or empty: nothing allowed.
    max_concurrent_requests: open handles allowed at once; None = unlimited,
        0 = every ``req`` fails with 13 (section 6, decision A9).
    connect_timeout, read_timeout: seconds; expiry gives 11 (A7).  The read
        timeout bounds each wait for data, headers and body alike.
    max_body_size: bytes of response body per request; exceeding it gives 11
        (A8).  None = no cap.
    max_redirects: hops followed before giving up with 11 (A5).
    follow_redirects: False returns 3xx responses as they are.
    strict_origin: match scheme and effective port too (A1, upstream #87).
    ca_file: PEM bundle of trusted CAs replacing the system store.
    proxy: explicit http(s) proxy URL; environment variables are ignored (A6).
    """

    allowed_hosts: Optional[Tuple[str, ...]] = None
    max_concurrent_requests: Optional[int] = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_body_size: Optional[int] = DEFAULT_MAX_BODY_SIZE
    max_redirects: int = 10
    follow_redirects: bool = True
    strict_origin: bool = False
    ca_file: Optional[str] = None
    proxy: Optional[str] = None
    allow_all: bool = dataclasses.field(init=False, repr=False, compare=False)
    rules: Tuple[AllowRule, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        hosts = self.allowed_hosts
        if hosts is not None:
            if isinstance(hosts, str):
                raise ValueError("allowed_hosts must be a sequence of entries, not a string")
            hosts = tuple(hosts)
            object.__setattr__(self, "allowed_hosts", hosts)
        entries = hosts or ()
        allow_all = ALLOW_ALL in entries
        rules = tuple(_parse_entry(entry, self.strict_origin)
                      for entry in entries if entry != ALLOW_ALL)
        object.__setattr__(self, "allow_all", allow_all)
        object.__setattr__(self, "rules", rules)
        _count("max_concurrent_requests", self.max_concurrent_requests, True)
        _positive_number("connect_timeout", self.connect_timeout)
        _positive_number("read_timeout", self.read_timeout)
        _count("max_body_size", self.max_body_size, True)
        _count("max_redirects", self.max_redirects, False)
        if self.ca_file is not None and not os.path.isfile(self.ca_file):
            raise ValueError("CA file %r does not exist" % (self.ca_file,))
        if self.proxy is not None:
            try:
                proxy = parse_url(self.proxy)
            except UrlError as error:
                raise ValueError("invalid proxy URL %r: %s" % (self.proxy, error)) from None
            if proxy.scheme not in ("http", "https"):
                raise ValueError("invalid proxy URL %r: must be http or https" % self.proxy)

    def check_destination(self, url):
        """None if ``url`` (a parsed Url with a host) may be contacted, else
        the reason it is refused (section 5.2 after our validation)."""
        if not self.allowed_hosts:
            return "no allowed hosts configured"
        if self.allow_all:
            return None
        for rule in self.rules:
            if rule.matches(url, self.strict_origin):
                return None
        if self.strict_origin:
            return "origin %s://%s:%s is not in the allowed hosts" % (
                url.scheme, url.host, url.effective_port)
        return "host %s is not in the allowed hosts" % url.host
