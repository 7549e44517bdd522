"""Command-line flags of the HTTP module for ``pywasi-interp run``.

Implements the CLI side of shared/spec/wasi-experimental-http-abi.md,
section 8 ("The wasmtime-http binary": ``--allowed-host/-a``,
``--concurrency/-c``) plus what upstream lacks (timeouts, body cap,
redirects, strict origin, CA bundle, tracing; section 11).

Contract with the CLI: ``add_arguments(run_parser)`` adds the flags;
``setup(linker, args)`` builds the HttpConfig (ValueError with a one-line
message on bad values), registers the module and returns a zero-argument
closer that releases connections and finishes the trace and HAR files.

Unlike upstream, ``-a`` takes one entry per occurrence (repeat it), so the
module path after it is never taken for a host; a comma-separated list in
one occurrence is not split (commas are legal in URLs).
"""

import argparse
import sys

__all__ = ["add_arguments", "needed", "setup", "parse_size"]

# The flags' destinations; all default to None or False.
_DESTS = ("allowed_host", "concurrency", "http_timeout", "http_connect_timeout",
          "http_read_timeout", "http_max_body", "http_max_redirects", "http_no_redirects",
          "http_strict_origin", "http_ca_file", "http_proxy", "trace", "trace_file", "har",
          "trace_secrets")

_SUFFIXES = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def parse_size(text):
    """Bytes from ``123``, ``64k``, ``64M``, ``1G`` or ``unlimited`` (None).

    Raises:
        ValueError: anything else.
    """
    value = text.strip().lower()
    if value in ("unlimited", "none"):
        return None
    if value.endswith("ib"):
        value = value[:-2]
    elif value.endswith("b"):
        value = value[:-1]
    suffix = value[-1:] if value[-1:] in ("k", "m", "g") else ""
    number = value[:len(value) - len(suffix)]
    if not number.isdigit():
        raise ValueError("--http-max-body: expected a byte count such as 1048576, 64M "
                         "or 'unlimited', got %r" % text)
    return int(number) * _SUFFIXES[suffix]


def add_arguments(parser):
    """Add the HTTP flags to the ``run`` sub-command's argparse parser."""
    group = parser.add_argument_group(
        "HTTP (wasi_experimental_http)",
        "Outgoing HTTP for guests importing wasi_experimental_http. "
        "Nothing is allowed unless granted with --allowed-host.")
    group.add_argument(
        "-a", "--allowed-host", action="append", metavar="URL", dest="allowed_host",
        help="allow requests to this URL's host (repeatable); scheme, port and path "
             "are ignored unless --http-strict-origin; '*.example.com' matches "
             "subdomains; 'insecure:allow-all' allows every host")
    group.add_argument(
        "-c", "--concurrency", type=int, metavar="N", dest="concurrency",
        help="at most N open response handles at once (0 refuses every request; "
             "default unlimited)")
    group.add_argument(
        "--http-timeout", type=float, metavar="S", dest="http_timeout",
        help="connect and read timeout in seconds (default connect 10, read 30)")
    group.add_argument("--http-connect-timeout", type=float, metavar="S",
                       dest="http_connect_timeout", help=argparse.SUPPRESS)
    group.add_argument("--http-read-timeout", type=float, metavar="S",
                       dest="http_read_timeout", help=argparse.SUPPRESS)
    group.add_argument(
        "--http-max-body", metavar="BYTES", dest="http_max_body",
        help="cap on each response body, e.g. 1048576, 64M or 'unlimited' "
             "(default 64M); a larger body fails with request_error")
    group.add_argument(
        "--http-max-redirects", type=int, metavar="N", dest="http_max_redirects",
        help="redirects followed per request (default 10); each hop is checked "
             "against the allowed hosts")
    group.add_argument(
        "--http-no-redirects", action="store_true", dest="http_no_redirects",
        help="return 3xx responses to the guest instead of following them")
    group.add_argument(
        "--http-strict-origin", action="store_true", dest="http_strict_origin",
        help="allowed hosts must also match scheme and port")
    group.add_argument(
        "--http-ca-file", metavar="PEM", dest="http_ca_file",
        help="trust the CA certificates in this PEM file instead of the system's")
    group.add_argument(
        "--http-proxy", metavar="URL", dest="http_proxy",
        help="send requests through this proxy (proxy environment variables are "
             "never used)")
    group.add_argument(
        "--trace", action="append", metavar="WHAT", dest="trace",
        help="show trace events live on stderr; 'http' for HTTP requests "
             "(comma-separated or repeated)")
    group.add_argument(
        "--trace-file", metavar="FILE", dest="trace_file",
        help="write HTTP trace events to FILE as JSON lines")
    group.add_argument(
        "--har", metavar="FILE", dest="har",
        help="write the HTTP requests to FILE as a HAR 1.2 archive (opens in "
             "browsers' developer tools)")
    group.add_argument(
        "--trace-secrets", action="store_true", dest="trace_secrets",
        help="do not redact authorization, cookie, set-cookie and "
             "proxy-authorization values in traces")
    return group


def _trace_categories(args):
    categories = set()
    for value in getattr(args, "trace", None) or ():
        categories.update(part.strip() for part in value.split(",") if part.strip())
    return categories


def needed(args, module):
    """Whether ``setup`` has work to do: the module imports the HTTP module,
    or an HTTP flag was given (bad values must still be reported).  When
    not, the CLI skips it and never loads the HTTP code."""
    from . import abi
    if any(item.module == abi.MODULE_NAME for item in module.imports):
        return True
    values = [getattr(args, dest, None) for dest in _DESTS]
    return any(value is not None and value is not False for value in values)


def config_from_args(args):
    """The HttpConfig the flags describe.

    Raises:
        ValueError: a bad value; the message names the flag or entry.
    """
    from .config import DEFAULT_MAX_BODY_SIZE, HttpConfig
    kwargs = {}
    if getattr(args, "allowed_host", None) is not None:
        kwargs["allowed_hosts"] = tuple(args.allowed_host)
    concurrency = getattr(args, "concurrency", None)
    if concurrency is not None:
        if concurrency < 0:
            raise ValueError("--concurrency must be 0 or more, got %d" % concurrency)
        kwargs["max_concurrent_requests"] = concurrency
    for flag, attribute, fields in (
            ("--http-timeout", "http_timeout", ("connect_timeout", "read_timeout")),
            ("--http-connect-timeout", "http_connect_timeout", ("connect_timeout",)),
            ("--http-read-timeout", "http_read_timeout", ("read_timeout",))):
        value = getattr(args, attribute, None)
        if value is not None:
            if not value > 0 or value == float("inf"):
                raise ValueError("%s must be a positive number of seconds, got %r"
                                 % (flag, value))
            for field in fields:
                kwargs[field] = value
    max_body = getattr(args, "http_max_body", None)
    kwargs["max_body_size"] = (DEFAULT_MAX_BODY_SIZE if max_body is None
                               else parse_size(str(max_body)))
    redirects = getattr(args, "http_max_redirects", None)
    if redirects is not None:
        if redirects < 0:
            raise ValueError("--http-max-redirects must be 0 or more, got %d" % redirects)
        kwargs["max_redirects"] = redirects
    kwargs["follow_redirects"] = not getattr(args, "http_no_redirects", False)
    kwargs["strict_origin"] = bool(getattr(args, "http_strict_origin", False))
    ca_file = getattr(args, "http_ca_file", None)
    if ca_file is not None:
        kwargs["ca_file"] = ca_file
    proxy = getattr(args, "http_proxy", None)
    if proxy is not None:
        kwargs["proxy"] = proxy
    try:
        return HttpConfig(**kwargs)
    except ValueError as error:
        message = str(error)
        if message.startswith("invalid allowed host"):
            message = "--allowed-host: " + message
        elif message.startswith("CA file"):
            message = "--http-ca-file: " + message
        elif message.startswith("invalid proxy"):
            message = "--http-proxy: " + message
        raise ValueError(message) from None


def tracer_from_args(args, stream=None):
    """The HttpTracer the flags ask for, or None."""
    from .trace import HttpTracer
    live = "http" in _trace_categories(args) or "all" in _trace_categories(args)
    trace_file = getattr(args, "trace_file", None)
    har = getattr(args, "har", None)
    if not (live or trace_file or har):
        return None
    try:
        return HttpTracer(live=(stream or sys.stderr) if live else None,
                          jsonl_path=trace_file, har_path=har,
                          secrets=bool(getattr(args, "trace_secrets", False)))
    except OSError as error:
        raise ValueError("cannot write trace output: %s" % error) from None


def setup(linker, args, stream=None):
    """Build the config from ``args``, register the module on ``linker`` and
    return a zero-argument closer (releases connections, writes trace files).

    Raises:
        ValueError: bad flag values (one-line message naming flag or entry).
    """
    from . import register
    config = config_from_args(args)
    tracer = tracer_from_args(args, stream)
    if config.allow_all:
        (stream or sys.stderr).write(
            "warning: insecure:allow-all lets the guest contact any host\n")
    host = register(linker, config, tracer)

    def closer():
        try:
            host.shutdown()
        finally:
            if tracer is not None:
                tracer.close()
    return closer
