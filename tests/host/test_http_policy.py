"""URL parsing and allowed-host policy of wasi_experimental_http.

Sections 4.2 (URL), 5 (allowed-hosts matching, tables of 5.3), 5.4 and the
section 11 decisions A1-A4, A9 and C16 of
shared/spec/wasi-experimental-http-abi.md.  No network here.
"""

import pytest

from pywasi_interp.host.http import HttpConfig
from pywasi_interp.host.http.url import UrlError, join_url, parse_url


@pytest.mark.parametrize("text,host,serialized", [
    ("https://api.example.com/v1/items?id=3", "api.example.com",
     "https://api.example.com/v1/items?id=3"),
    ("HTTP://EXAMPLE.com:80", "example.com", "http://example.com/"),
    ("  http://example.com/\t\n ", "example.com", "http://example.com/"),
    ("http://exa\tmple.com/", "example.com", "http://example.com/"),
    ("https://b\u00fccher.example/", "xn--bcher-kva.example", "https://xn--bcher-kva.example/"),
    ("http:\\\\example.com\\a\\b", "example.com", "http://example.com/a/b"),
    ("https:///example.com/", "example.com", "https://example.com/"),
    ("http:example.com", "example.com", "http://example.com/"),
    ("http://0xC0.0xA8.0.1/", "192.168.0.1", "http://192.168.0.1/"),
    ("http://3232235521/", "192.168.0.1", "http://192.168.0.1/"),
    ("http://0300.0250.0.1/", "192.168.0.1", "http://192.168.0.1/"),
    ("http://[::1]:8080/", "[::1]", "http://[::1]:8080/"),
    ("http://[0:0::0:1]/", "[::1]", "http://[::1]/"),
    ("http://u:p@example.com/", "example.com", "http://u:p@example.com/"),
    ("https://example.com./", "example.com.", "https://example.com./"),
    ("http://a/b/../c/./d?q=a b#frag", "a", "http://a/c/d?q=a%20b"),
    ("http://a/ sp\u00e9ce", "a", "http://a/%20sp%C3%A9ce"),
    ("ftp://example.com/file", "example.com", "ftp://example.com/file"),
])
def test_url_whatwg_normalisation(text, host, serialized):
    url = parse_url(text)
    assert url.host == host
    assert url.serialize() == serialized


def test_url_backslash_userinfo_trap_uses_one_parse():
    # C16: WHATWG (and urllib3) see host allowed.example; urlsplit sees evil.
    url = parse_url("http://allowed.example\\@evil.example/")
    assert url.host == "allowed.example"
    assert url.target == "/@evil.example/"


@pytest.mark.parametrize("text", ["not even a url", "/relative/path", "", "http://",
                                  "http://exa mple.com/", "http://[::1/", "http://1.2.3.256/",
                                  "http://example.com:65536/", "http://a:b:c/",
                                  "http://[fe80::1%25eth0]/", "http://%zz/"])
def test_url_rejects(text):
    with pytest.raises(UrlError):
        parse_url(text)


@pytest.mark.parametrize("text", ["mailto:x@y", "data:text/plain,hi", "file:///etc/passwd",
                                  "urn:isbn:1"])
def test_url_without_host(text):
    assert not parse_url(text).host


@pytest.mark.parametrize("location,result", [
    ("/x", "http://h:81/x"),
    ("d", "http://h:81/a/b/d"),
    ("../up", "http://h:81/a/up"),
    ("?z=1", "http://h:81/a/b/c?z=1"),
    ("//other.example/p", "http://other.example/p"),
    ("https://z.example/", "https://z.example/"),
    ("http:rel", "http://h:81/a/b/rel"),
])
def test_url_join_for_redirects(location, result):
    assert join_url(parse_url("http://h:81/a/b/c?q"), location).serialize() == result


# -- section 5.3 --------------------------------------------------------------

UPSTREAM_LIST = ["https://api.brigade.sh", "https://example.com", "http://192.168.0.1"]


@pytest.mark.parametrize("url,allowed", [
    ("https://api.brigade.sh/healthz", True),
    ("https://example.com/some/path/with/more/paths", True),
    ("http://192.168.0.1/login", True),
    ("https://test.brigade.sh", False),
    ("http://example.com:9999/x", True),
    ("https://EXAMPLE.com/", True),
    ("https://www.example.com/", False),
    ("https://192.168.0.1/", True),
    ("http://3232235521/", True),
    ("https://example.com./", False),
    ("ftp://example.com/file", True),
])
def test_policy_upstream_table(url, allowed):
    config = HttpConfig(allowed_hosts=UPSTREAM_LIST)
    assert (config.check_destination(parse_url(url)) is None) is allowed


@pytest.mark.parametrize("hosts,url,allowed", [
    (["insecure:allow-all"], "https://anything.test/", True),
    (["https://example.com", "insecure:allow-all"], "https://other.test/", True),
    (["https://example.com:8443/api"], "http://example.com/", True),
    (["http://[::1]"], "http://[::1]:8080/", True),
    (["https://b\u00fccher.example"], "https://xn--bcher-kva.example/", True),
    ([], "https://example.com/", False),
    (None, "https://example.com/", False),
])
def test_policy_other_lists(hosts, url, allowed):
    config = HttpConfig(allowed_hosts=hosts)
    assert (config.check_destination(parse_url(url)) is None) is allowed


@pytest.mark.parametrize("entry", ["example.com", "", "*", "INSECURE:ALLOW-ALL",
                                   "localhost:3000", "mailto:a@b", "https://a.*.com",
                                   "http://[::1", "https://exa mple.com"])
def test_policy_bad_entries_rejected_at_configuration_naming_the_entry(entry):
    with pytest.raises(ValueError) as info:
        HttpConfig(allowed_hosts=["https://good.example", entry])
    assert repr(entry) in str(info.value)


def test_policy_allowed_hosts_must_be_a_sequence():
    with pytest.raises(ValueError):
        HttpConfig(allowed_hosts="https://example.com")


@pytest.mark.parametrize("url,allowed", [
    ("https://a.example.com/", True),
    ("http://a.b.example.com:8080/", True),
    ("https://example.com/", False),              # *.x does not match x itself
    ("https://badexample.com/", False),
    ("https://a.example.com.evil/", False),
])
def test_policy_wildcard_entries(url, allowed):
    for entry in ("*.example.com", "https://*.example.com"):
        config = HttpConfig(allowed_hosts=[entry])
        assert (config.check_destination(parse_url(url)) is None) is allowed


def test_policy_wildcard_never_matches_ip_addresses():
    with pytest.raises(ValueError):
        HttpConfig(allowed_hosts=["*.0.1"])      # an IPv4 "pattern" is no domain
    config = HttpConfig(allowed_hosts=["*.example.com"])
    assert config.check_destination(parse_url("http://127.0.0.1/")) is not None


@pytest.mark.parametrize("url,allowed", [
    ("https://example.com/", True),
    ("https://example.com:443/x", True),
    ("http://example.com/", False),
    ("https://example.com:8443/", False),
    ("http://api.example.net:8080/", True),
    ("http://api.example.net/", False),
    ("https://x.wild.example/", True),
    ("http://x.wild.example/", False),
])
def test_policy_strict_origin(url, allowed):
    config = HttpConfig(allowed_hosts=["https://example.com", "http://api.example.net:8080",
                                       "https://*.wild.example"], strict_origin=True)
    assert (config.check_destination(parse_url(url)) is None) is allowed


def test_policy_strict_origin_rejects_scheme_less_wildcard():
    with pytest.raises(ValueError):
        HttpConfig(allowed_hosts=["*.example.com"], strict_origin=True)


@pytest.mark.parametrize("kwargs", [
    {"max_concurrent_requests": -1}, {"max_concurrent_requests": 1.5},
    {"max_concurrent_requests": True}, {"connect_timeout": 0}, {"read_timeout": -1},
    {"read_timeout": float("inf")}, {"max_body_size": -5}, {"max_redirects": -1},
    {"ca_file": "/nonexistent/ca.pem"}, {"proxy": "socks5://x"}, {"proxy": "nope"},
])
def test_config_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        HttpConfig(**kwargs)


def test_config_defaults_grant_nothing_and_are_finite():
    config = HttpConfig()
    assert config.allowed_hosts is None
    assert config.check_destination(parse_url("http://127.0.0.1/")) is not None
    assert config.connect_timeout > 0 and config.read_timeout > 0
    assert config.max_body_size == 64 * 1024 * 1024
    assert config.max_redirects == 10 and config.proxy is None


def test_config_is_frozen():
    import dataclasses
    config = HttpConfig(allowed_hosts=["https://example.com"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.allowed_hosts = ("insecure:allow-all",)
    assert config.allowed_hosts == ("https://example.com",)
