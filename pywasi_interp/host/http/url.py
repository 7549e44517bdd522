"""URL parsing for request URLs, allowed-host entries and redirect targets.

Implements the subset of the WHATWG URL standard that section 4.2 of
shared/spec/wasi-experimental-http-abi.md relies on ("URL"), and section 11
decision C16: one parser decides both the host that is checked against the
allowed list and the host that is contacted, so no parser difference can make
them disagree (urllib.parse and WHATWG disagree on ``http://a\\@b/``).

Covered: stripping of C0/space and removal of tab/newline, scheme
lower-casing, special-scheme authority rules (``\\`` as ``/``, extra slashes
skipped, user-info split at the last ``@``), ports (default dropped, range
checked), IPv6 (bracketed, compressed), IPv4 in every numeric form, domain
lower-casing and IDNA to punycode, forbidden host code points, path dot
segments and percent-encoding sets, query percent-encoding, fragments dropped,
opaque hosts of non-special schemes, and relative references (redirects).

Known differences from WHATWG: IDNA uses Python's IDNA 2003 codec rather than
UTS 46 (same result for ordinary names; exotic mappings differ), Windows drive
letters in ``file:`` URLs are not special-cased, and non-special URLs keep
their path unnormalised (they never reach the network: only http and https
are contacted).
"""

import ipaddress
import re

__all__ = ["UrlError", "Url", "parse_url", "join_url", "SPECIAL_SCHEMES"]

SPECIAL_SCHEMES = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21,
                   "file": None}

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_C0_OR_SPACE = "".join(chr(i) for i in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_FORBIDDEN_HOST = set("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | set(chr(i) for i in range(0x20)) | {"%", "\x7f"}

# Percent-encode sets (WHATWG "Percent-encoded bytes"): C0 controls and
# everything above 0x7E are always encoded; these are the extra ASCII bytes.
_PATH_SET = frozenset(b' "#<>?`{}')
_QUERY_SET = frozenset(b' "#<>\'')          # the special-query set
_USERINFO_SET = frozenset(b' "#<>?`{}/:;=@[\\]^|')
_DOT_SEGMENTS = {".", "%2e"}
_DOUBLE_DOT_SEGMENTS = {"..", ".%2e", "%2e.", "%2e%2e"}


class UrlError(ValueError):
    """The text is not a URL this parser accepts (ABI code 10 for guests)."""


def _percent_encode(text, extra):
    out = []
    for byte in text.encode("utf-8"):
        if byte < 0x20 or byte > 0x7E or byte in extra:
            out.append("%%%02X" % byte)
        else:
            out.append(chr(byte))
    return "".join(out)


def _percent_decode(text):
    raw = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x25 and i + 2 < len(raw) + 0 and _is_hex2(raw[i + 1:i + 3]):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def _is_hex2(pair):
    return len(pair) == 2 and all(c in b"0123456789abcdefABCDEF" for c in pair)


class Url:
    """A parsed absolute URL.  ``host`` is the serialised host (IPv6 keeps its
    brackets, as in section 4.2) or None; ``port`` is None for the scheme's
    default port; ``path`` and ``query`` are already percent-encoded."""

    __slots__ = ("scheme", "username", "password", "host", "port", "path", "query")

    def __init__(self, scheme, username, password, host, port, path, query):
        self.scheme = scheme
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.path = path
        self.query = query

    @property
    def special(self):
        return self.scheme in SPECIAL_SCHEMES

    @property
    def effective_port(self):
        """The explicit port, else the scheme's default (None if it has none)."""
        return self.port if self.port is not None else SPECIAL_SCHEMES.get(self.scheme)

    @property
    def origin(self):
        return (self.scheme, self.host, self.effective_port)

    @property
    def target(self):
        """The request target sent on the request line: path and query."""
        return self.path + ("" if self.query is None else "?" + self.query)

    def serialize(self, userinfo=True):
        """The normalised URL text (the fragment is never kept)."""
        text = self.scheme + ":"
        if self.host is None and self.scheme == "file":
            text += "//"
        elif self.host is not None:
            text += "//"
            if userinfo and (self.username or self.password):
                text += self.username
                if self.password:
                    text += ":" + self.password
                text += "@"
            text += self.host
            if self.port is not None:
                text += ":%d" % self.port
        return text + self.target

    def __str__(self):
        return self.serialize()

    def __repr__(self):
        return "Url(%r)" % self.serialize()


def _clean(text):
    return _TAB_OR_NEWLINE.sub("", text.strip(_C0_OR_SPACE))


def parse_url(text):
    """Parse an absolute URL.

    Raises:
        UrlError: not an absolute URL, or an invalid host or port.
    """
    if not isinstance(text, str):
        raise TypeError("URL must be str")
    text = _clean(text)
    match = _SCHEME.match(text)
    if match is None:
        raise UrlError("no scheme")
    scheme = match.group()[:-1].lower()
    rest = text[match.end():]
    if scheme in SPECIAL_SCHEMES:
        return _parse_special(scheme, rest)
    return _parse_opaque(scheme, rest)


def _split_authority(rest, special):
    """Split ``rest`` (after the slashes) into authority and remainder."""
    stops = "/\\?#" if special else "/?#"
    end = len(rest)
    for i, char in enumerate(rest):
        if char in stops:
            end = i
            break
    return rest[:end], rest[end:]


def _split_userinfo(authority):
    if "@" not in authority:
        return "", "", authority
    userinfo, hostport = authority.rsplit("@", 1)
    username, _, password = userinfo.partition(":")
    return (_percent_encode(username, _USERINFO_SET),
            _percent_encode(password, _USERINFO_SET), hostport)


def _split_port(hostport, scheme):
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            raise UrlError("unclosed IPv6 address")
        host, after = hostport[:close + 1], hostport[close + 1:]
        if after and not after.startswith(":"):
            raise UrlError("junk after IPv6 address")
        port_text = after[1:] if after else None
    else:
        host, colon, port_text = hostport.partition(":")
        if not colon:
            port_text = None
    port = None
    if port_text:
        if not port_text.isdigit() or not port_text.isascii():
            raise UrlError("invalid port")
        port = int(port_text)
        if port > 65535:
            raise UrlError("port out of range")
        if port == SPECIAL_SCHEMES.get(scheme):
            port = None
    return host, port


def _parse_special(scheme, rest):
    if scheme == "file":
        return _parse_file(rest)
    rest = rest.lstrip("/\\")
    authority, remainder = _split_authority(rest, True)
    username, password, hostport = _split_userinfo(authority)
    host_text, port = _split_port(hostport, scheme)
    if not host_text:
        raise UrlError("empty host")
    host = _parse_host(host_text)
    path, query = _parse_path_query(remainder, True)
    return Url(scheme, username, password, host, port, path, query)


def _parse_file(rest):
    host = None
    if rest[:2] in ("//", "\\\\", "/\\", "\\/"):
        authority, rest = _split_authority(rest[2:], True)
        if authority:
            host = _parse_host(authority)
            if host == "localhost":
                host = None
    path, query = _parse_path_query(rest, True)
    return Url("file", "", "", host, None, path, query)


def _parse_opaque(scheme, rest):
    # Non-special schemes (mailto:, data:, foo://h/): only an authority
    # introduced by "//" gives them a host; without one they have none (→ 10).
    host = None
    port = None
    username = password = ""
    if rest.startswith("//"):
        authority, rest = _split_authority(rest[2:], False)
        username, password, hostport = _split_userinfo(authority)
        host_text, port = _split_port(hostport, scheme)
        if host_text.startswith("["):
            host = _parse_host(host_text)
        elif host_text:
            if any(c in _FORBIDDEN_HOST and c != "%" for c in host_text):
                raise UrlError("forbidden host code point")
            host = _percent_encode(host_text, frozenset())
    rest = rest.split("#", 1)[0]
    path, _, query = rest.partition("?")
    return Url(scheme, username, password, host, port,
               _percent_encode(path, frozenset()),
               query if "?" in rest else None)


def _parse_path_query(remainder, special):
    remainder = remainder.split("#", 1)[0]
    path_text, question, query_text = remainder.partition("?")
    if special:
        path_text = path_text.replace("\\", "/")
    segments = path_text.split("/")[1:] if path_text.startswith("/") else path_text.split("/")
    out = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT_SEGMENTS:
            if out:
                out.pop()
            if last:
                out.append("")
        elif lowered in _DOT_SEGMENTS:
            if last:
                out.append("")
        else:
            out.append(_percent_encode(segment, _PATH_SET))
    path = "/" + "/".join(out)
    query = _percent_encode(query_text, _QUERY_SET) if question else None
    return path, query


def _parse_host(text):
    """Host parser for special schemes: IPv6, IPv4 or a domain (to ASCII)."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise UrlError("invalid IPv6 address")
        inner = text[1:-1]
        if "%" in inner:
            raise UrlError("zone identifiers are not allowed")
        try:
            address = ipaddress.IPv6Address(inner)
        except ValueError:
            raise UrlError("invalid IPv6 address") from None
        return "[%s]" % _ipv6_serialize(address)
    try:
        domain = _percent_decode(text).decode("utf-8")
    except UnicodeDecodeError:
        raise UrlError("host is not UTF-8") from None
    ascii_domain = _domain_to_ascii(domain)
    if any(c in _FORBIDDEN_DOMAIN for c in ascii_domain):
        raise UrlError("forbidden host code point")
    if _ends_in_number(ascii_domain):
        return _parse_ipv4(ascii_domain)
    return ascii_domain


def _domain_to_ascii(domain):
    if domain.isascii():
        result = domain.lower()
    else:
        labels = domain.split(".")
        out = []
        for label in labels:
            if label.isascii():
                out.append(label.lower())
                continue
            try:
                out.append(label.encode("idna").decode("ascii").lower())
            except UnicodeError:
                raise UrlError("invalid international domain name") from None
        result = ".".join(out)
    if not result:
        raise UrlError("empty host")
    return result


def _ends_in_number(domain):
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    if last and all(c in "0123456789" for c in last):
        return True
    return _ipv4_number(last) is not None and last[:2].lower() == "0x"


def _ipv4_number(text):
    if text == "":
        return None
    base = 10
    if text[:2].lower() == "0x":
        text, base = text[2:], 16
        if text == "":
            return 0
    elif len(text) > 1 and text[0] == "0":
        text, base = text[1:], 8
    digits = {10: "0123456789", 16: "0123456789abcdefABCDEF", 8: "01234567"}[base]
    if not all(c in digits for c in text):
        return None
    return int(text, base)


def _parse_ipv4(domain):
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise UrlError("too many IPv4 parts")
    numbers = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            raise UrlError("invalid IPv4 number")
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]):
        raise UrlError("IPv4 part out of range")
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise UrlError("IPv4 address out of range")
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number * 256 ** (3 - index)
    return str(ipaddress.IPv4Address(value))


def _ipv6_serialize(address):
    # WHATWG compresses the first longest run of two or more zero pieces and
    # never prints embedded IPv4 dotted forms; ipaddress may print
    # "::ffff:1.2.3.4" on some versions, so serialise by hand.
    pieces = [int(address.exploded[i:i + 4], 16) for i in range(0, 39, 5)]
    best_start, best_len, start = -1, 1, None
    for index in range(9):
        if index < 8 and pieces[index] == 0:
            if start is None:
                start = index
        elif start is not None:
            if index - start > best_len:
                best_start, best_len = start, index - start
            start = None
    if best_start < 0:
        return ":".join("%x" % p for p in pieces)
    head = ":".join("%x" % p for p in pieces[:best_start])
    tail = ":".join("%x" % p for p in pieces[best_start + best_len:])
    return head + "::" + tail


def join_url(base, reference):
    """Resolve ``reference`` (e.g. a Location header) against the Url ``base``.

    Raises:
        UrlError: the result is not a valid URL.
    """
    reference = _clean(reference)
    match = _SCHEME.match(reference)
    if match is not None:
        scheme = match.group()[:-1].lower()
        rest = reference[match.end():]
        # WHATWG: "http:path" relative to an http base is a relative reference.
        if not (scheme == base.scheme and base.special and rest[:1] not in ("/", "\\")):
            return parse_url(reference)
        reference = rest
    slashes = "/\\" if base.special else "/"
    authority = base.serialize()[:-len(base.target)]
    if len(reference) >= 2 and reference[0] in slashes and reference[1] in slashes:
        return parse_url(base.scheme + ":" + reference)
    if reference[:1] and reference[0] in slashes:
        return parse_url(authority + reference)
    if reference.startswith("?"):
        return parse_url(authority + base.path + reference)
    if reference == "" or reference.startswith("#"):
        return parse_url(authority + base.target)
    directory = base.path[:base.path.rfind("/") + 1]
    return parse_url(authority + directory + reference)
