"""The optional ppci path (engine "ppci", pywasi_interp/engine/ppci_engine.py).

The feature gate, the error without ppci and the fallback to the built-in
engine need no ppci and always run.  Tests that execute code through ppci
skip when ppci is not importable (the ``test`` extra installs it, so CI
runs them, on CPython and PyPy).
"""

import io
import logging
import math
import os
import pathlib
import subprocess
import sys

import pytest

from pywasi_interp import (Module, Linker, Store, Trap, TrapKind, ExhaustionError,
                           ProcExit, FuncType, ValType)
from pywasi_interp.engine import ppci_engine
from pywasi_interp.host.hostfunc import host_func
from pywasi_interp.runtime.store import ENGINES
from wasm_builder import (
    I32, I64, F32, F64, TYPE, IMPORT, MEMORY, GLOBAL, EXPORT, DATA, op, i32_const, s64,
    END, EMPTY_BLOCK, section, vec, u32, name, limits, module, byte_vec, build, get,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "guests" / "bench"


def supported(binary):
    return ppci_engine.supports(Module(binary))


ADD = ("add", I32 + I32, I32, get(0) + get(1) + op("i32.add") + END)


# --- the feature gate (no ppci needed) ---------------------------------------------

def test_ppci_engine_listed():
    assert "ppci" in ENGINES


def test_ppci_supports_mvp_module():
    binary = build([ADD, ("load", I32, I64, get(0) + op("i64.load") + b"\x03\x00" + END),
                    ("div", F64 + F64, F64, get(0) + get(1) + op("f64.div") + END)],
                   memory=1, table=3, datas=[(8, b"abc")])
    assert supported(binary) == (True, "")


def _f32_module():
    return build([("f", F32, F32, get(0) + END)])


@pytest.mark.parametrize("binary, reason", [
    (_f32_module(), "uses f32"),
    (build([("f", I32, I32, get(0) + op("i32.extend8_s") + END)]), "i32.extend8_s"),
    (build([("f", F64, I32, get(0) + op("i32.trunc_sat_f64_s") + END)]),
     "i32.trunc_sat_f64_s"),
    (build([("f", I32, b"", get(0) + i32_const(0) + i32_const(0) + op("memory.fill") + b"\x00"
             + END)], memory=1), "memory.fill"),
    (build([("f", b"", I32 + I32, i32_const(1) + i32_const(2) + END)]), "multi-value"),
    (build([("f", b"", b"", op("f32.const") + b"\x00\x00\x00\x00" + op("drop") + END)]),
     "f32.const"),
    (build([("f", b"", F64, op("f64.const") + b"\x00\x00\x00\x00\x00\x00\xf8\x7f" + END)]),
     "NaN constant"),
    (build([("f", b"", b"", op("ref.null") + b"\x70" + op("drop") + END)]), "ref.null"),
    (build([("f", I32, I32, get(0) + get(0) + get(0) + op("select_t") + vec([I32]) + END)]),
     "select_t"),
    (build([ADD], memory=1, datas=[(65535, b"xy")]), "does not fit"),
    (build([ADD], table=1, elems=[0, 0]), "does not fit"),
    (build([ADD], extra=[section(GLOBAL, vec([I32 + b"\x00" + i32_const(1) + END]))]), None),
])
def test_ppci_supports_rejects_post_mvp_features(binary, reason):
    ok, why = supported(binary)
    if reason is None:          # a plain global is fine
        assert ok, why
        return
    assert not ok
    assert reason in why


def test_ppci_supports_rejects_imported_memory_and_exported_global():
    imported = module(
        section(TYPE, vec([])),
        section(IMPORT, vec([name("env") + name("mem") + b"\x02" + limits(1)])))
    assert supported(imported) == (False, "imports a memory (env::mem)")
    exported = module(
        section(GLOBAL, vec([I32 + b"\x00" + i32_const(1) + END])),
        section(EXPORT, vec([name("g") + b"\x03" + u32(0)])))
    assert supported(exported) == (False, "exports a global (g)")


def test_ppci_supports_rejects_passive_segments():
    passive = module(
        section(MEMORY, vec([limits(1)])),
        section(DATA, vec([b"\x01" + byte_vec(b"abc")])))
    ok, why = supported(passive)
    assert not ok and "passive" in why


# --- without ppci: a clear error, or the documented fallback -------------------------

@pytest.fixture
def without_ppci(monkeypatch):
    monkeypatch.setattr(ppci_engine, "_availability", "the optional ppci package is not "
                        "installed (pip install 'pywasi_interp[jit]'): No module named 'ppci'")


@pytest.fixture
def ppci_claimed(monkeypatch):
    """Pretend ppci is available: only modules the gate rejects may be used
    (they never reach ppci)."""
    monkeypatch.setattr(ppci_engine, "_availability", "")


def test_ppci_store_without_ppci_is_a_clear_error(without_ppci):
    with pytest.raises(ValueError, match=r"engine 'ppci': .*pip install"):
        Store(engine="ppci")


def test_ppci_cli_without_ppci_prints_one_line(without_ppci, capsys):
    from pywasi_interp.cli import main
    status = main(["run", "--engine", "ppci", str(ROOT / "tests" / "guests" / "trap.wasm")])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and err.startswith("Error: engine 'ppci': ")


def test_ppci_unsupported_module_falls_back(ppci_claimed, caplog):
    binary = build([("f", F32 + F32, F32, get(0) + get(1) + op("f32.add") + END)])
    with caplog.at_level(logging.WARNING, logger="pywasi_interp.ppci"):
        instance = Linker().instantiate(Store(engine="ppci"), Module(binary))
    assert not isinstance(instance, ppci_engine.PpciInstance)
    assert instance.exports["f"](1.5, 2.25) == 3.75
    assert "ppci cannot run this module (type 0 uses f32): using the built-in engine" \
        in caplog.text


def test_ppci_metered_store_falls_back(ppci_claimed, caplog):
    # The gate would accept this module; a fuel budget cannot be honoured.
    loop = ("spin", b"", b"", op("loop") + EMPTY_BLOCK + op("br") + u32(0) + END + END)
    with caplog.at_level(logging.WARNING, logger="pywasi_interp.ppci"):
        instance = Linker().instantiate(Store(engine="ppci", fuel=1000),
                                        Module(build([loop])))
    assert "fuel and timeouts" in caplog.text
    with pytest.raises(ExhaustionError, match="all fuel consumed"):
        instance.exports["spin"]()


def test_ppci_compile_failure_falls_back(ppci_claimed, monkeypatch, caplog):
    def broken(module):
        raise AssertionError("ppci bug")
    monkeypatch.setattr(ppci_engine, "_compile", broken)
    with caplog.at_level(logging.WARNING, logger="pywasi_interp.ppci"):
        instance = Linker().instantiate(Store(engine="ppci"), Module(build([ADD])))
    assert instance.exports["add"](2, 3) == 5
    assert "ppci failed to compile it: AssertionError: ppci bug" in caplog.text


# --- through ppci ------------------------------------------------------------------

@pytest.fixture
def ppci():
    return pytest.importorskip("ppci")


def ppci_instance(binary, linker=None, **store_options):
    instance = (linker or Linker()).instantiate(Store(engine="ppci", **store_options),
                                                Module(binary))
    assert isinstance(instance, ppci_engine.PpciInstance)
    return instance


def test_ppci_runs_arithmetic(ppci):
    funcs = [ADD,
             ("mul64", I64 + I64, I64, get(0) + get(1) + op("i64.mul") + END),
             ("div_u", I32 + I32, I32, get(0) + get(1) + op("i32.div_u") + END),
             ("rotl", I32 + I32, I32, get(0) + get(1) + op("i32.rotl") + END),
             ("sqrt", F64, F64, get(0) + op("f64.sqrt") + END),
             ("min", F64 + F64, F64, get(0) + get(1) + op("f64.min") + END),
             ("fdiv", F64 + F64, F64, get(0) + get(1) + op("f64.div") + END),
             ("nearest", F64, F64, get(0) + op("f64.nearest") + END)]
    exports = ppci_instance(build(funcs)).exports
    assert exports["add"](0x7FFFFFFF, 1) == -0x80000000
    assert exports["add"].call_raw([0xFFFFFFFF, 2]) == [1]
    assert exports["mul64"](-3, 1 << 62) == -(1 << 62) * 3 + (1 << 64)
    assert exports["div_u"](-1, 2) == 0x7FFFFFFF
    assert exports["rotl"](0x80000001, 1) == 3
    assert exports["sqrt"](2.0) == math.sqrt(2.0)
    assert math.copysign(1.0, exports["min"](0.0, -0.0)) == -1.0
    assert math.isnan(exports["min"](1.0, math.nan))
    assert exports["fdiv"](1.0, -0.0) == -math.inf
    assert math.copysign(1.0, exports["nearest"](-0.4)) == -1.0
    assert exports["add"].type == FuncType([ValType.I32, ValType.I32], [ValType.I32])


@pytest.mark.parametrize("export, args, kind", [
    ("div_s", (1, 0), TrapKind.INT_DIV_BY_ZERO),
    ("div_s", (-0x80000000, -1), TrapKind.INT_OVERFLOW),
    ("rem_s", (5, 0), TrapKind.INT_DIV_BY_ZERO),
    ("trunc", (math.nan,), TrapKind.INVALID_CONVERSION),
    ("trunc", (3e9,), TrapKind.INT_OVERFLOW),
    ("crash", (), TrapKind.UNREACHABLE),
    ("load", (65533,), TrapKind.MEMORY_OOB),
    ("load", (-16,), TrapKind.MEMORY_OOB),       # 0xFFFFFFF0: no signed wrap-around
    ("store", (65535,), TrapKind.MEMORY_OOB),
])
def test_ppci_traps(ppci, export, args, kind):
    funcs = [("div_s", I32 + I32, I32, get(0) + get(1) + op("i32.div_s") + END),
             ("rem_s", I32 + I32, I32, get(0) + get(1) + op("i32.rem_s") + END),
             ("trunc", F64, I32, get(0) + op("i32.trunc_f64_s") + END),
             ("crash", b"", b"", op("unreachable") + END),
             ("load", I32, I32, get(0) + op("i32.load") + b"\x02\x00" + END),
             ("store", I32, b"", get(0) + i32_const(7) + op("i32.store16") + b"\x01\x00" + END)]
    exports = ppci_instance(build(funcs, memory=1)).exports
    with pytest.raises(Trap) as info:
        exports[export](*args)
    assert info.value.kind == kind
    assert str(info.value).startswith(kind.value)


def test_ppci_memory_is_shared_and_grows(ppci):
    funcs = [("load", I32, I32, get(0) + op("i32.load8_u") + b"\x00\x00" + END),
             ("store", I32 + I32, b"", get(0) + get(1) + op("i32.store8") + b"\x00\x00" + END),
             ("grow", I32, I32, get(0) + op("memory.grow") + b"\x00" + END),
             ("size", b"", I32, op("memory.size") + b"\x00" + END)]
    instance = ppci_instance(build(funcs, memory=1, datas=[(3, b"xyz")]), max_memory=3 * 65536)
    exports = instance.exports
    memory = exports["memory"]
    assert memory.read(3, 3) == b"xyz" and exports["load"](4) == ord("y")
    exports["store"](10, 300)               # the low byte only
    assert memory.data[10] == 300 & 0xFF
    memory.write(20, b"\x7f")
    assert exports["load"](20) == 0x7F
    assert exports["grow"](1) == 1 and exports["size"]() == 2 and memory.size == 2
    assert exports["grow"](5) == -1         # over the store's max_memory
    exports["store"](65536 + 5, 9)
    assert memory.data[65536 + 5] == 9


def test_ppci_call_indirect_checks(ppci):
    call = ("call", I32 + I32, I32, get(0) + get(0) + get(1)
            + op("call_indirect") + u32(0) + b"\x00" + END)
    # Type 0 is ADD's (i32 i32 -> i32); "call" has the same type; "neg" differs.
    neg = ("neg", I64, I64, op("i64.const") + s64(0) + get(0) + op("i64.sub") + END)
    binary = build([ADD, call, neg], table=4, elems=[0, 2])
    exports = ppci_instance(binary).exports
    assert exports["call"](21, 0) == 42
    for index, kind in ((1, TrapKind.INDIRECT_CALL_TYPE_MISMATCH),
                        (2, TrapKind.UNINITIALIZED_ELEMENT),
                        (4, TrapKind.UNDEFINED_ELEMENT), (-1, TrapKind.UNDEFINED_ELEMENT)):
        with pytest.raises(Trap) as info:
            exports["call"](1, index)
        assert info.value.kind == kind


def test_ppci_host_functions_get_raw_values_and_a_caller(ppci):
    seen = []

    @host_func([ValType.I32, ValType.I64, ValType.F64], [ValType.I32])
    def probe(caller, a, b, c):
        seen.append((a, b, c, caller.memory.data[0:2]))
        return -2

    @host_func([ValType.I32])
    def leave(caller, code):
        raise ProcExit(code)

    @host_func([])
    def broken(caller):
        raise KeyError("oops")

    linker = Linker()
    linker.define_host("env", "probe", probe)
    linker.define_host("env", "leave", leave)
    linker.define_host("env", "broken", broken)
    imports = [("env", "probe", I32 + I64 + F64, I32), ("env", "leave", I32, b""),
               ("env", "broken", b"", b"")]
    funcs = [("probe", I32 + I64 + F64, I32, get(0) + get(1) + get(2) + op("call") + u32(0) + END),
             ("leave", I32, b"", get(0) + op("call") + u32(1) + END),
             ("broken", b"", b"", op("call") + u32(2) + END)]
    exports = ppci_instance(build(funcs, memory=1, imports=imports, datas=[(0, b"hi")]),
                            linker).exports
    assert exports["probe"](-1, -2, 0.5) == -2
    assert seen == [(0xFFFFFFFF, 0xFFFFFFFFFFFFFFFE, 0.5, b"hi")]
    with pytest.raises(ProcExit) as info:
        exports["leave"](3)
    assert info.value.code == 3
    with pytest.raises(Trap) as trap:
        exports["broken"]()
    assert trap.value.kind == TrapKind.HOST


def test_ppci_block_results_and_br_table(ppci):
    # if (result i64) ... else ... end; br_table out of blocks with a value.
    pick = ("pick", I32, I64, get(0) + op("if") + I64 + op("i64.const") + s64(7) + op("else")
            + op("i64.const") + s64(-9) + END + END)
    table = ("table", I32, I32,
             op("block") + I32 + op("block") + I32 + i32_const(10) + get(0)
             + op("br_table") + vec([u32(0), u32(1)]) + u32(0) + END
             + i32_const(100) + op("i32.add") + END + END)
    exports = ppci_instance(build([pick, table])).exports
    assert exports["pick"](1) == 7 and exports["pick"](0) == -9
    assert exports["table"](0) == 110 and exports["table"](1) == 10
    assert exports["table"](5) == 110


def test_ppci_deep_recursion_is_exhaustion(ppci):
    forever = ("forever", b"", b"", op("call") + u32(0) + END)
    with pytest.raises(ExhaustionError, match="call stack exhausted"):
        ppci_instance(build([forever]), max_call_depth=200).exports["forever"]()


@pytest.mark.parametrize("max_call_depth", [50, 2000])
def test_ppci_call_depth_is_max_call_depth(ppci, max_call_depth):
    """Frames count against max_call_depth exactly, as in the built-in
    tiers (on PyPy, Python's process-wide recursion limit, raised by any
    default Store, would let the C stack overflow first)."""
    Store()                                 # raises the recursion limit, as any default store
    down = ("down", I32, I32, get(0) + op("i32.eqz") + op("if") + I32 + i32_const(0)
            + op("else") + get(0) + i32_const(1) + op("i32.sub") + op("call") + u32(0)
            + i32_const(1) + op("i32.add") + END + END)
    exports = ppci_instance(build([down]), max_call_depth=max_call_depth).exports
    assert exports["down"](max_call_depth - 1) == max_call_depth - 1
    with pytest.raises(ExhaustionError, match="call stack exhausted"):
        exports["down"](max_call_depth)
    assert exports["down"](3) == 3          # the depth count is back to zero


def test_ppci_call_depth_continues_from_a_built_in_caller(ppci):
    """A function of the built-in engine (its module uses an instruction
    ppci is not given) calling into a ppci instance: the ppci frames count
    on from the caller's depth."""
    down = ("down", I32, I32, get(0) + op("i32.eqz") + op("if") + I32 + i32_const(0)
            + op("else") + get(0) + i32_const(1) + op("i32.sub") + op("call") + u32(0)
            + i32_const(1) + op("i32.add") + END + END)
    store = Store(engine="ppci", max_call_depth=40)
    linker = Linker()
    lib = linker.instantiate(store, Module(build([down])))
    assert isinstance(lib, ppci_engine.PpciInstance)
    linker.define_instance("lib", lib)
    # (the empty loop sends it to tier 1 at once, which calls ppci's direct())
    caller = ("caller", I32, I32, get(0) + op("i32.extend8_s") + op("call") + u32(0)
              + op("loop") + EMPTY_BLOCK + END + END)
    main = linker.instantiate(store, Module(build([caller], imports=[("lib", "down", I32, I32)])))
    assert not isinstance(main, ppci_engine.PpciInstance)
    assert main.exports["caller"](38) == 38     # 1 frame + 39 of down
    assert main.funcs[1].tier == 1
    with pytest.raises(ExhaustionError, match="call stack exhausted"):
        main.exports["caller"](39)


def test_ppci_trap_backtrace_names_functions(ppci):
    inner = ("inner", b"", b"", op("unreachable") + END)
    outer = ("outer", b"", b"", op("call") + u32(0) + END)
    instance = ppci_instance(build([inner, outer]))
    with pytest.raises(Trap) as info:
        instance.exports["outer"]()
    assert [frame.index for frame in info.value.frames] == [0, 1]


def test_ppci_wasi_guest_in_process(ppci):
    from pywasi_interp.host.wasi import register, WasiConfig
    path = BENCH / "fib.wasm"
    if not path.exists():
        pytest.skip("benchmark guests not found")
    out = io.BytesIO()
    linker = Linker()
    wasi = register(linker, WasiConfig(args=("fib", "15"), stdout=out))
    try:
        instance = ppci_instance(path.read_bytes(), linker)
        instance.exports["_start"]()
    finally:
        wasi.close()
    assert out.getvalue() == b"fib(15) = 610\n"


@pytest.mark.parametrize("guest, args, expected", [
    ("fib", ("20",), "fib(20) = 6765\n"),
    ("sha256", ("1000", "1"), None),
    ("strmem", ("50",), None),
])
def test_ppci_cli_matches_built_in_engine(ppci, guest, args, expected):
    path = BENCH / (guest + ".wasm")
    if not path.exists():
        pytest.skip("benchmark guests not found")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in sys.path if p])

    def run(engine):
        return subprocess.run([sys.executable, "-m", "pywasi_interp", "run", "--engine", engine,
                               str(path)] + list(args),
                              capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    ours, theirs = run("translate"), run("ppci")
    assert theirs.returncode == ours.returncode == 0, theirs.stderr
    assert theirs.stderr == ""              # no fallback warning: ppci ran it
    assert theirs.stdout == ours.stdout
    if expected is not None:
        assert theirs.stdout == expected
