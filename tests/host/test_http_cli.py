"""The CLI contract of the HTTP module (pywasi_interp/host/http/cli.py):
``add_arguments(run_parser)`` and ``setup(linker, args) -> closer``.
Flags of section 8 of shared/spec/wasi-experimental-http-abi.md
(``-a/--allowed-host``, ``-c/--concurrency``) plus the section 11 settings.
"""

import argparse
import io
import json

import pytest

from pywasi_interp.host.http import cli as http_cli


def parse(*argv):
    parser = argparse.ArgumentParser()
    http_cli.add_arguments(parser)
    parser.add_argument("module")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(list(argv))


class RecordingLinker:
    def __init__(self):
        self.defined = {}

    def define_host(self, module, name, fn):
        self.defined[(module, name)] = fn


def test_guest_arguments_after_the_module_are_untouched():
    args = parse("-a", "https://one.example", "m.wasm", "x", "-a", "y")
    assert args.allowed_host == ["https://one.example"]
    assert args.module == "m.wasm" and args.args == ["x", "-a", "y"]


def test_flags_build_the_config_values():
    args = parse("-a", "https://one.example", "-a", "https://*.two.example", "-c", "3",
                 "--http-timeout", "2.5", "--http-max-body", "1M",
                 "--http-max-redirects", "4", "--http-strict-origin", "m.wasm")
    config = http_cli.config_from_args(args)
    assert config.allowed_hosts == ("https://one.example", "https://*.two.example")
    assert config.max_concurrent_requests == 3
    assert config.connect_timeout == config.read_timeout == 2.5
    assert config.max_body_size == 1024 * 1024
    assert config.max_redirects == 4 and config.strict_origin
    assert config.follow_redirects and config.proxy is None


def test_defaults_grant_nothing():
    config = http_cli.config_from_args(parse("m.wasm"))
    assert config.allowed_hosts is None and config.max_concurrent_requests is None


@pytest.mark.parametrize("argv,needle", [
    (["-a", "example.com"], "--allowed-host: invalid allowed host 'example.com'"),
    (["-a", "https://ok.example", "-a", "*"], "'*'"),
    (["-c", "-1"], "--concurrency"),
    (["--http-timeout", "0"], "--http-timeout"),
    (["--http-max-body", "lots"], "--http-max-body"),
    (["--http-max-redirects", "-2"], "--http-max-redirects"),
    (["--http-ca-file", "/nonexistent.pem"], "--http-ca-file"),
    (["--http-proxy", "socks5://p"], "--http-proxy"),
])
def test_bad_values_are_one_line_value_errors(argv, needle):
    with pytest.raises(ValueError) as info:
        http_cli.setup(RecordingLinker(), parse(*(argv + ["m.wasm"])))
    message = str(info.value)
    assert needle in message and "\n" not in message


@pytest.mark.parametrize("text,value", [("0", 0), ("123", 123), ("64k", 65536),
                                        ("64M", 64 << 20), ("1G", 1 << 30), ("2MiB", 2 << 20),
                                        ("unlimited", None)])
def test_parse_size(text, value):
    assert http_cli.parse_size(text) == value


def test_setup_registers_five_imports_and_closer_finishes_files(tmp_path):
    linker = RecordingLinker()
    trace, har = tmp_path / "t.jsonl", tmp_path / "t.har"
    stream = io.StringIO()
    args = parse("-a", "insecure:allow-all", "--trace", "http", "--trace-file", str(trace),
                 "--har", str(har), "m.wasm")
    closer = http_cli.setup(linker, args, stream=stream)
    assert sorted(name for _, name in linker.defined) == [
        "body_read", "close", "header_get", "headers_get_all", "req"]
    assert "insecure:allow-all" in stream.getvalue()
    closer()
    closer()                                              # idempotent
    assert json.loads(har.read_text())["log"]["entries"] == []
    assert "insecure:allow-all" in trace.read_text()


def test_no_trace_flags_no_tracer():
    assert http_cli.tracer_from_args(parse("m.wasm")) is None
    assert http_cli.tracer_from_args(parse("--trace", "wasi", "m.wasm")) is None
    tracer = http_cli.tracer_from_args(parse("--trace", "wasi,http", "m.wasm"))
    assert tracer is not None and tracer.live is not None
    tracer.close()


def test_needed_only_for_http_guests_or_http_flags():
    """The CLI skips the HTTP module (and never loads its code) for a guest
    that does not import it, unless an HTTP flag asks for checking."""
    import os
    from pywasi_interp import Module
    examples = os.path.join(os.path.dirname(http_cli.__file__), "..", "..", "examples")
    http_guest = Module.from_file(os.path.join(examples, "http_get.wasm"))
    plain = Module(b"\0asm\x01\0\0\0")
    assert http_cli.needed(parse("m.wasm"), http_guest)
    assert not http_cli.needed(parse("m.wasm"), plain)
    for flags in (["-a", "https://x.example"], ["-c", "0"], ["--http-no-redirects"],
                  ["--trace", "http"], ["--har", "out.har"]):
        assert http_cli.needed(parse(*(flags + ["m.wasm"])), plain), flags


def test_needed_knows_every_flag():
    parser = argparse.ArgumentParser()
    group = http_cli.add_arguments(parser)
    assert {action.dest for action in group._group_actions} == set(http_cli._DESTS)
