"""Execution on both tiers: control flow, calls, memory, traps, limits.

Every test runs under tier 0 (``interp``) and tier 1 (``translate``, and
``flat``: tier 1's state-machine form for every function); a property test
checks that the tiers agree on random arithmetic.
"""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from pywasi_interp import (Module, Linker, Store, Trap, TrapKind, ExhaustionError,
                           FuncType, ValType)

from pywasi_interp.engine import tiers
from pywasi_interp.engine.translate import TranslationUnsupported
from wasm_builder import (
    I32, I64, TYPE, FUNCTION, EXPORT, CODE, op, i32_const, s64, END, EMPTY_BLOCK, section,
    vec, u32, name, functype, module, func_body, build, get,
)

TIERS = ["interp", "translate", "flat"]


def instance(binary, tier, linker=None, **store_options):
    store = Store(engine=tier, **store_options)
    return (linker or Linker()).instantiate(store, Module(binary))



FAC = ("fac", I64, I64,
       get(0) + op("i64.eqz") + op("if") + I64 + op("i64.const") + s64(1) + op("else")
       + get(0) + get(0) + op("i64.const") + s64(1) + op("i64.sub") + op("call") + u32(0)
       + op("i64.mul") + END + END, ())

# sum = 0; while n: sum += n; n -= 1
SUM = ("sum", I32, I32,
       op("block") + EMPTY_BLOCK + op("loop") + EMPTY_BLOCK
       + get(0) + op("i32.eqz") + op("br_if") + u32(1)
       + get(1) + get(0) + op("i32.add") + op("local.set") + u32(1)
       + get(0) + i32_const(1) + op("i32.sub") + op("local.set") + u32(0)
       + op("br") + u32(0) + END + END + get(1) + END, [(1, I32)])

# br_table: 0 -> 10, 1 -> 20, else -> 30 (three nested blocks)
SWITCH = ("switch", I32, I32,
          op("block") + EMPTY_BLOCK + op("block") + EMPTY_BLOCK + op("block") + EMPTY_BLOCK
          + get(0) + op("br_table") + vec([u32(0), u32(1)]) + u32(2) + END
          + i32_const(10) + op("return") + END + i32_const(20) + op("return") + END
          + i32_const(30) + END, ())

DIV = ("div", I32 + I32, I32, get(0) + get(1) + op("i32.div_s") + END, ())


@pytest.mark.parametrize("tier", TIERS)
def test_engine_recursion_loops_and_br_table(tier):
    exports = instance(build([FAC, SUM, SWITCH]), tier).exports
    assert exports["fac"](20) == 2432902008176640000
    assert exports["sum"](1000) == 500500
    assert [exports["switch"](i) for i in range(4)] == [10, 20, 30, 30]


@pytest.mark.parametrize("tier", TIERS)
def test_engine_multi_value_block(tier):
    # block (result i32 i32) 1 2 end; i32.sub -> -1 ; type 1 is [] -> [i32 i32]
    body = op("block") + u32(1) + i32_const(1) + i32_const(2) + END + op("i32.sub") + END
    binary = module(section(TYPE, vec([functype(b"", I32), functype(b"", I32 + I32)])),
                    section(FUNCTION, vec([u32(0)])),
                    section(EXPORT, vec([name("f") + b"\x00" + u32(0)])),
                    section(CODE, vec([func_body(body)])))
    assert instance(binary, tier).exports["f"]() == -1


@pytest.mark.parametrize("tier", TIERS)
def test_engine_memory_roundtrip_and_bounds(tier):
    store_load = ("rt", I32 + I64, I64, get(0) + get(1) + op("i64.store") + b"\x03\x00"
                  + get(0) + op("i64.load") + b"\x03\x00" + END, ())
    exports = instance(build([store_load], memory=1), tier).exports
    assert exports["rt"](8, -5) == -5
    assert exports["rt"](65528, 7) == 7
    with pytest.raises(Trap) as info:
        exports["rt"](65529, 7)
    assert info.value.kind is TrapKind.MEMORY_OOB
    with pytest.raises(Trap):
        exports["rt"](-1, 7)          # 0xFFFFFFFF: unsigned, never wraps


@pytest.mark.parametrize("tier", TIERS)
def test_engine_traps_carry_message_and_backtrace(tier):
    exports = instance(build([DIV]), tier).exports
    with pytest.raises(Trap) as info:
        exports["div"](1, 0)
    assert str(info.value) == "integer divide by zero"
    assert [f.index for f in info.value.frames] == [0]
    with pytest.raises(Trap, match="^integer overflow"):
        exports["div"](-2 ** 31, -1)
    assert exports["div"](-7, 2) == -3     # truncates toward zero


@pytest.mark.parametrize("tier", TIERS)
def test_engine_call_indirect_checks(tier):
    # f0: (i32) -> i32 calls table[arg] as [] -> i32 ; f1: [] -> i32 returns 7 ; f2: (i32)->i32
    caller = ("call", I32, I32, get(0) + op("call_indirect") + u32(1) + u32(0) + END, ())
    seven = (None, b"", I32, i32_const(7) + END, ())
    exports = instance(build([caller, seven], table=3), tier).exports
    assert exports["call"](1) == 7
    with pytest.raises(Trap, match="^indirect call type mismatch"):
        exports["call"](0)
    with pytest.raises(Trap, match="^uninitialized element 2"):
        exports["call"](2)
    with pytest.raises(Trap, match="^undefined element"):
        exports["call"](3)


@pytest.mark.parametrize("tier", TIERS)
def test_engine_deep_recursion_is_exhaustion(tier):
    forever = ("loop", b"", b"", op("call") + u32(0) + END, ())
    exports = instance(build([forever]), tier).exports
    with pytest.raises(ExhaustionError, match="^call stack exhausted"):
        exports["loop"]()
    with pytest.raises(ExhaustionError):      # and the runtime stays usable
        exports["loop"]()


# rec(n) = n == 0 ? 0 : other(n - 1) + 1, for two functions calling each other
def _ping_pong(callee):
    return (get(0) + op("i32.eqz") + op("if") + I32 + i32_const(0) + op("else")
            + get(0) + i32_const(1) + op("i32.sub") + op("call") + u32(callee)
            + i32_const(1) + op("i32.add") + END + END)


@pytest.mark.parametrize("tier", ["translate", "flat"])
def test_engine_call_depth_limit_holds_across_tiers(tier, monkeypatch):
    """Tier 1 passes the depth along, tier 0 counts it in the store
    (engine/tiers.py): where a translated function calls one left in tier 0
    and back, the deepest call that succeeds is the one tier 0 alone allows."""
    binary = build([("ping", I32, I32, _ping_pong(1), ()), ("pong", I32, I32, _ping_pong(0), ())])
    translate_function = tiers.translate_function

    def pong_stays_in_tier0(func):
        if func.index == 1:
            raise TranslationUnsupported("kept in tier 0 by the test")
        return translate_function(func)

    def deepest(engine):
        exports = instance(binary, engine, max_call_depth=40).exports
        for n in range(60):
            try:
                exports["ping"](n)
            except ExhaustionError:
                return n - 1
    alone = deepest("interp")
    monkeypatch.setattr(tiers, "translate_function", pong_stays_in_tier0)
    assert deepest(tier) == alone == 39


@pytest.mark.parametrize("tier", TIERS)
def test_engine_fuel_and_timeout(tier):
    spin = ("spin", b"", b"", op("loop") + EMPTY_BLOCK + op("br") + u32(0) + END + END, ())
    exports = instance(build([spin, SUM]), tier, fuel=10000).exports
    with pytest.raises(ExhaustionError, match="^all fuel consumed"):
        exports["spin"]()
    exports = instance(build([spin]), tier, timeout=0.2).exports
    with pytest.raises(ExhaustionError, match="timeout"):
        exports["spin"]()


@pytest.mark.parametrize("tier", TIERS)
def test_engine_fuel_counts_deterministically(tier):
    store = Store(engine=tier, fuel=10 ** 9)
    exports = Linker().instantiate(store, Module(build([SUM]))).exports
    exports["sum"](100)
    first = store.fuel_consumed
    exports["sum"](100)
    assert store.fuel_consumed == 2 * first > 0


def test_engine_tier0_builds_large_bodies_lazily(monkeypatch):
    """A body above interp.LAZY_BUILD starts as stubs that build their
    handler when first run: results, traps and fuel are those of a body
    built at once, and a part never run is never built."""
    from pywasi_interp.engine import interp
    # if (x == 0) return 7; 300 times "+ 1" on x; if (result == 301) trap
    adds = (i32_const(1) + op("i32.add")) * 300
    body = (get(0) + op("i32.eqz") + op("if") + EMPTY_BLOCK + i32_const(7) + op("return") + END
            + get(0) + adds + op("local.tee") + u32(0) + i32_const(301) + op("i32.eq")
            + op("if") + EMPTY_BLOCK + op("unreachable") + END + get(0) + END)
    binary = build([("f", I32, I32, body, ())])
    built = []
    make_handler = interp._handler
    monkeypatch.setattr(interp, "_handler", lambda flat, env, pc: built.append(pc)
                        or make_handler(flat, env, pc))

    def run(lazy_above):
        monkeypatch.setattr(interp, "LAZY_BUILD", lazy_above)
        store = Store(engine="interp", fuel=10 ** 6)
        f = Linker().instantiate(store, Module(binary)).exports["f"]
        del built[:]
        results = [outcome(f, 0)]
        after_first = len(built)
        results += [outcome(f, x) for x in (0, 5, 1)]
        return results, after_first, len(built), store.fuel_consumed

    lazy, eager = run(interp.LAZY_BUILD), run(10 ** 6)
    assert lazy[0] == eager[0] == [7, 7, 305, "unreachable"]
    assert lazy[3] == eager[3]                          # fuel
    assert lazy[1] < 10 < 600 < eager[1] == eager[2]    # f(0) ran a few instructions
    assert lazy[2] == eager[2]                          # each built once, then all


@pytest.mark.parametrize("tier", TIERS)
def test_engine_host_calls_and_reentry(tier):
    calls = []
    linker = Linker()
    linker.define_func("env", "log", FuncType([ValType.I32], []), calls.append)
    body = get(0) + op("call") + u32(0) + END
    exports = instance(build([("f", I32, b"", body, ())], imports=[("env", "log", I32, b"")]),
                       tier, linker).exports
    exports["f"](-3)
    assert calls == [-3]


# --- both tiers agree on random arithmetic ------------------------------------

BINOPS = ["i32.add", "i32.sub", "i32.mul", "i32.and", "i32.or", "i32.xor", "i32.shl",
          "i32.shr_s", "i32.shr_u", "i32.rotl", "i32.rotr", "i32.lt_s", "i32.ge_u",
          "i32.le_s", "i32.gt_s", "i32.ge_s",
          "i32.div_u", "i32.rem_u", "i32.div_s", "i32.rem_s"]
# i32 -> i32 operations, some through i64 (extend, compute, wrap back).
UNOPS = [op("i32.clz"), op("i32.ctz"), op("i32.popcnt"), op("i32.eqz"), op("i32.extend8_s"),
         op("i64.extend_i32_s") + op("i64.const") + s64(-3) + op("i64.mul") + op("i32.wrap_i64"),
         op("i64.extend_i32_u") + op("i64.const") + s64(33) + op("i64.rotl") + op("i32.wrap_i64"),
         op("i64.extend_i32_s") + op("i64.const") + s64(7) + op("i64.rem_u") + op("i32.wrap_i64"),
         op("i64.extend_i32_u") + op("i64.extend32_s") + op("i64.popcnt") + op("i32.wrap_i64")]


@st.composite
def expressions(draw, depth=0):
    if depth > 4 or draw(st.booleans()):
        if draw(st.booleans()):
            return get(draw(st.integers(0, 1)))
        return i32_const(draw(st.integers(-2 ** 31, 2 ** 31 - 1)))
    if draw(st.booleans()):
        return draw(expressions(depth + 1)) + draw(st.sampled_from(UNOPS))
    return (draw(expressions(depth + 1)) + draw(expressions(depth + 1))
            + op(draw(st.sampled_from(BINOPS))))


def outcome(function, *args):
    """The result of a call, or its trap's message."""
    try:
        return function(*args)
    except Trap as trap:
        return str(trap)


@settings(max_examples=300, deadline=None)
@given(expressions(), st.integers(-2 ** 31, 2 ** 31 - 1), st.integers(-2 ** 31, 2 ** 31 - 1))
def test_engine_tiers_agree_on_arithmetic(expr, a, b):
    binary = build([("e", I32 + I32, I32, expr + END, ())])
    results = [outcome(instance(binary, tier).exports["e"], a, b) for tier in TIERS]
    assert results[0] == results[1] == results[2]


# --- literal operands: tier 1's special forms (translate._constant_form) ---------

def _boundaries(bits):
    top = 1 << bits
    values = {0, 1, 2, 3, 7, 56, 1000, (1 << 15) - 1, 1 << 15, (1 << 30) - 57, (1 << 30) - 1,
              1 << 30, (1 << 31) - 1, 1 << 31, (1 << 31) + 1, top - (1 << 30),
              top - (1 << 30) - 1, top - 1000, top - 2, top - 1}
    if bits == 64:
        values |= {(1 << 32) - 1, 1 << 32, (1 << 63) - 1, 1 << 63}
    return sorted(values)


def _signed(value, bits):
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


@pytest.mark.parametrize("bits", [32, 64])
def test_engine_tiers_agree_on_literal_operands(bits):
    """Every operation with a cheaper literal-operand form in tier 1, each
    literal on either side, on boundary values; x^x-style operands force
    the non-atom path."""
    p, t = ("i32", I32) if bits == 32 else ("i64", I64)
    const = (lambda v: i32_const(_signed(v, 32))) if bits == 32 else (
        lambda v: op("i64.const") + s64(_signed(v, 64)))
    operations = ["add", "sub", "mul", "shl", "lt_s", "le_s", "gt_s", "ge_s"]
    funcs = []
    for operation in operations:
        result = I32 if operation.endswith("_s") else t
        for c in _boundaries(bits):
            for left in (False, True):
                for operand in (get(0), get(0) + const(0) + op(p + ".or")):
                    body = const(c) + operand if left else operand + const(c)
                    funcs.append(("f%d" % len(funcs), t, result,
                                  body + op(p + "." + operation) + END, ()))
    binary = build(funcs)
    exports = [instance(binary, tier).exports for tier in TIERS]
    for x in _boundaries(bits):
        arg = _signed(x, bits)
        for fname, _, _, _, _ in funcs:
            expected = exports[0][fname](arg)
            assert all(e[fname](arg) == expected for e in exports[1:]), (fname, x)


@pytest.mark.parametrize("bits", [32, 64])
def test_engine_tiers_agree_on_signed_division(bits):
    """Tier 1 divides signed values inline (translate._SIGNED_DIVISIONS),
    calling the helper only for its traps: every sign combination, zero,
    -1 and INT_MIN on both sides."""
    p, t = ("i32", I32) if bits == 32 else ("i64", I64)
    funcs = [(name, t + t, t, get(0) + get(1) + op(p + "." + name) + END, ())
             for name in ("div_s", "rem_s")]
    exports = [instance(build(funcs), tier).exports for tier in TIERS]
    values = _boundaries(bits)
    for a in values:
        for b in values:
            args = (_signed(a, bits), _signed(b, bits))
            for fname, _, _, _, _ in funcs:
                results = [outcome(e[fname], *args) for e in exports]
                assert results[0] == results[1] == results[2], (fname, a, b, results)


def _memarg(offset):
    return u32(0) + u32(offset)


@pytest.mark.parametrize("bits", [32, 64])
def test_engine_tiers_agree_on_wrapping_sums(bits):
    """Tier 1 corrects the sum or difference of two variables with one test
    instead of a mask (translate._Entry.wrap): in a local, in a slot, as
    an operand, and as an address (where a wrapped address is in bounds and the unwrapped
    one is not); boundary values on both sides."""
    p, t = ("i32", I32) if bits == 32 else ("i64", I64)
    loads = {"local": lambda body: body + op("local.set") + u32(2) + get(2),
             # entering a block writes the pending value to its slot
             "slot": lambda body: body + op("block") + EMPTY_BLOCK + END,
             # an operand of an operation that needs it in range
             "operand": lambda body: body + get(0) + op(p + ".lt_u")
             + (op("i64.extend_i32_u") if bits == 64 else b"")}
    funcs = []
    for operation in ("add", "sub"):
        for context, shape in loads.items():
            funcs.append(("%s_%s" % (operation, context), t + t, t,
                          shape(get(0) + get(1) + op(p + "." + operation)) + END, [(1, t)]))
    if bits == 32:
        for operation in ("add", "sub"):
            # memory[a op b + 1] = 7, then read it back: the last byte of
            # memory is reached only through the wrapped address
            addr = get(0) + get(1) + op("i32." + operation)
            funcs.append(("mem_" + operation, I32 + I32, I32,
                          addr + i32_const(7) + op("i32.store8") + _memarg(1)
                          + addr + op("i32.load8_u") + _memarg(1) + END, ()))
    binary = build(funcs, memory=1)
    exports = [instance(binary, tier).exports for tier in TIERS]
    values = _boundaries(bits) + ([65534, 65535, (1 << 32) - 65532] if bits == 32 else [])
    for a in values:
        for b in values:
            for fname, _, _, _, _ in funcs:
                args = (_signed(a, bits), _signed(b, bits))
                results = [outcome(e[fname], *args) for e in exports]
                assert results[0] == results[1] == results[2], (fname, a, b, results)


_ACCESSES = {   # store, load, what the load returns as i64
    "byte": ("i32.store8", "i32.load8_u", "i64.extend_i32_u"),
    "half": ("i32.store16", "i32.load16_u", "i64.extend_i32_u"),
    "word": ("i32.store", "i32.load", "i64.extend_i32_u"),
    "f32": ("f32.store", "f32.load", "i64.trunc_sat_f32_u"),
    "i64": ("i64.store", "i64.load", None),
    "f64": ("f64.store", "f64.load", "i64.trunc_sat_f64_u"),
}
_ADDRESSES = {  # shapes of a computed address tier 1 may try uncorrected
    "sum": get(0) + get(1) + op("i32.add"),
    "plus8": get(0) + i32_const(8) + op("i32.add"),
    "shl3": get(0) + i32_const(3) + op("i32.shl"),
    "mul8": get(0) + i32_const(8) + op("i32.mul"),
    "chain": get(1) + get(0) + i32_const(3) + op("i32.shl") + op("i32.add"),
    "diff": get(0) + get(1) + op("i32.sub"),
}


def test_engine_tiers_agree_on_tried_addresses():
    """Tier 1 tries an address computed without its final correction (a sum,
    a shift) and corrects it only when the access fails
    (translate._access_forms): an address that wraps around to the start
    of memory must reach it, one past the end must trap, for every access
    kind (byte, struct and memoryview ones: the loop lets alignment.py
    prove ``x << 3`` aligned) and with a memarg offset."""
    funcs = []
    for kind, (store, load, widen) in _ACCESSES.items():
        for shape, address in _ADDRESSES.items():
            for offset in (0, 8):
                if kind == "i64":
                    stored = op("i64.const") + s64(0x0102030405060708)
                elif kind == "f64":
                    stored = op("f64.const") + struct.pack("<d", 1234.5)
                elif kind == "f32":
                    stored = op("f32.const") + struct.pack("<f", 1234.5)
                else:
                    stored = i32_const(0x05060708)
                body = (op("loop") + EMPTY_BLOCK + END      # a loop: views are allowed
                        + address + stored + op(store) + _memarg(offset)
                        + address + op(load) + _memarg(offset)
                        + (op(widen) if widen else b"") + END)
                funcs.append(("%s_%s_%d" % (kind, shape, offset), I32 + I32, I64, body, ()))
    binary = build(funcs, memory=1)
    exports = [instance(binary, tier).exports for tier in TIERS]
    top = 1 << 32
    values = [0, 8, 16, 65528, 65536, 1 << 29, (1 << 29) + 1, (1 << 29) + 8191,
              (1 << 29) + 8192, top - 16, top - 8, top - 1, (1 << 31) - 8]
    for a in values:
        for b in (0, 8, 16, 65520, 65536):
            for fname, _, _, _, _ in funcs:
                args = (_signed(a, 32), _signed(b, 32))
                results = [outcome(e[fname], *args) for e in exports]
                assert results[0] == results[1] == results[2], (fname, a, b, results)


def test_engine_tiers_agree_on_branch_facts():
    """Tier 1 drops the wrap-around test of ``x - c`` where a br_if that fell
    through proved x >= c (translate.Translator.floors); the proof must not
    outlive an assignment to x, a loop header or a join."""
    def body(test, after):
        return (op("block") + EMPTY_BLOCK + get(0) + test + op("br_if") + u32(0)
                + after + op("local.set") + u32(0) + END + get(0) + END)
    minus = lambda c: get(0) + i32_const(c) + op("i32.sub")
    lt_u = lambda c: i32_const(c) + op("i32.lt_u")
    lt_s = lambda c: i32_const(c) + op("i32.lt_s")
    funcs = [
        ("sub_below", I32, I32, body(lt_u(2), minus(2)), ()),
        ("sub_beyond", I32, I32, body(lt_u(2), minus(3)), ()),
        ("signed", I32, I32, body(lt_s(5), minus(5)), ()),
        ("eqz", I32, I32, body(op("i32.eqz"), minus(1)), ()),
        # x >= 1, then x = 0: the floor is gone
        ("reassigned", I32, I32, body(op("i32.eqz"), i32_const(0) + op("local.set") + u32(0)
                                      + minus(1)), ()),
        # x >= 1 before a loop that takes 1 from x twice: the loop header
        # (reached again by the back edge) knows nothing
        ("loop", I32 + I32, I32,
         op("block") + EMPTY_BLOCK + get(0) + op("i32.eqz") + op("br_if") + u32(0)
         + op("loop") + EMPTY_BLOCK + minus(1) + op("local.set") + u32(0)
         + get(1) + i32_const(1) + op("i32.sub") + op("local.tee") + u32(1)
         + op("br_if") + u32(0) + END + END + get(0) + i32_const(1) + op("i32.shr_u") + END, ()),
    ]
    exports = [instance(build(funcs), tier).exports for tier in TIERS]
    for x in (0, 1, 2, 3, 4, 5, 6, 2 ** 31 - 1, -2 ** 31, -1):
        for fname, params, _, _, _ in funcs:
            args = (x, 2) if params == I32 + I32 else (x,)
            results = [outcome(e[fname], *args) for e in exports]
            assert results[0] == results[1] == results[2], (fname, x, results)


def test_engine_facts_outlive_blocks_that_keep_them():
    """What tier 1 knows of a local on entry to a block or if still holds at
    its else and end unless the local was written inside
    (Translator.recall); a fact found inside never outlives it.  The
    results go through ``shr_u``, which tells a wrongly kept floor (a
    negative value) from the right one."""
    minus1 = get(0) + i32_const(1) + op("i32.sub") + op("local.set") + u32(0)
    shr = get(0) + i32_const(1) + op("i32.shr_u") + END
    nonzero = get(0) + op("i32.eqz") + op("br_if")
    byte = i32_const(0) + op("i32.load8_u") + u32(0) + u32(0)      # memory[0] = 255
    funcs = [
        # x >= 1, then a block that does not write x: x - 1 after it
        ("kept", I32 + I32, I32,
         op("block") + EMPTY_BLOCK + nonzero + u32(0) + op("block") + EMPTY_BLOCK + get(1)
         + op("br_if") + u32(0) + END + minus1 + END + shr, ()),
        # x >= 1, then a block whose if sets x = 0 when y: x - 1 after it
        ("written", I32 + I32, I32,
         op("block") + EMPTY_BLOCK + nonzero + u32(0) + op("block") + EMPTY_BLOCK + get(1)
         + op("if") + EMPTY_BLOCK + i32_const(0) + op("local.set") + u32(0) + END + END
         + minus1 + END + shr, ()),
        # x >= 1 found inside a block (its br_if leaves the block when x == 0)
        ("inside", I32 + I32, I32,
         op("block") + EMPTY_BLOCK + nonzero + u32(0) + END + minus1 + shr, ()),
        # x >= 1 found in the then arm; the else arm subtracts
        ("else", I32 + I32, I32,
         op("block") + EMPTY_BLOCK + get(1) + op("if") + EMPTY_BLOCK + nonzero + u32(1)
         + op("else") + minus1 + END + END + shr, ()),
        # l2 is a byte, then a block whose if sets l2 = x when y: l2 & 255
        ("bits", I32 + I32, I32,
         byte + op("local.set") + u32(2) + op("block") + EMPTY_BLOCK + get(1) + op("if")
         + EMPTY_BLOCK + get(0) + op("local.set") + u32(2) + END + END
         + get(2) + i32_const(255) + op("i32.and") + END, [(1, I32)]),
    ]
    binary = build(funcs, memory=1, datas=[(0, bytes([255]))])
    exports = [instance(binary, tier).exports for tier in TIERS]
    for x in (0, 1, 2, 0x1FF, -1):
        for y in (0, 1):
            for fname, _, _, _, _ in funcs:
                results = [outcome(e[fname], x, y) for e in exports]
                assert results[0] == results[1] == results[2], (fname, x, y, results)


def test_engine_tiers_agree_on_known_bits():
    """Tier 1 drops ``& 255`` (and store8's mask) on a value known to be a
    byte (translate._Entry.bits, Translator.masks); the knowledge must not
    outlive an assignment, a loop header or a join."""
    byte = i32_const(0) + op("i32.load8_u") + u32(0) + u32(0)      # memory[0]
    and255 = i32_const(255) + op("i32.and")
    first_time = get(3) + op("i32.eqz") + i32_const(1) + op("local.set") + u32(3)   # l3 was 0
    funcs = [
        # l1 = byte; l1 & 255
        ("byte", I32, I32, byte + op("local.set") + u32(1) + get(1) + and255 + END, [(1, I32)]),
        # l1 = byte; l1 = x; l1 & 255
        ("reassigned", I32, I32, byte + op("local.set") + u32(1) + get(0) + op("local.set")
         + u32(1) + get(1) + and255 + END, [(1, I32)]),
        # l1 = byte; loop { l2 = l1 & 255; l1 = x; br_if first_time }
        ("loop", I32, I32, byte + op("local.set") + u32(1)
         + op("loop") + EMPTY_BLOCK + get(1) + and255 + op("local.set") + u32(2)
         + get(0) + op("local.set") + u32(1) + first_time + op("br_if") + u32(0) + END
         + get(2) + END, [(3, I32)]),
        # a loop whose param is a byte on entry and x on the back edge
        # (blocktype 0 is byte's type, [i32] -> [i32])
        ("param", I32, I32, byte + op("loop") + u32(0) + and255 + op("local.set") + u32(2)
         + get(0) + first_time + op("br_if") + u32(0) + op("drop") + get(2) + END + END, [(3, I32)]),
        # if (x) l1 = byte else l1 = x; l1 & 255
        ("join", I32, I32, get(0) + op("if") + EMPTY_BLOCK + byte + op("local.set") + u32(1)
         + op("else") + get(0) + op("local.set") + u32(1) + END + get(1) + and255 + END,
         [(1, I32)]),
        # memory[1] = x & 0x1FF through store8, read back
        ("store8", I32, I32, i32_const(1) + get(0) + i32_const(0x1FF) + op("i32.and")
         + op("i32.store8") + u32(0) + u32(0)
         + i32_const(1) + op("i32.load8_u") + u32(0) + u32(0) + END, ()),
    ]
    binary = build(funcs, memory=1, datas=[(0, bytes([255]))])
    exports = [instance(binary, tier).exports for tier in TIERS]
    for x in (0, 1, 255, 256, 0x1FF, 0x12345, -1):
        for fname, _, _, _, _ in funcs:
            results = [outcome(e[fname], x) for e in exports]
            assert results[0] == results[1] == results[2], (fname, x, results)


# --- auto: which functions wait in tier 0 (engine/tiers.py) ---------------------

def test_engine_auto_tiering():
    """auto translates a small function with a loop at once, runs a loop-free
    one LOOP_FREE_CALLS times in tier 0, and a large function with loops
    used from several places for len(body)/LARGE_BODY_CALL calls, but one
    used from a single place (a program's main) at once; every call gives
    the same answer."""
    from pywasi_interp.engine import tiers
    padding = (i32_const(0) + op("drop")) * 1100            # 2,200 instructions
    large = ("large", I32, I32, padding + SUM[3], SUM[4])   # function 2
    driver = ("driver", I32, I32, padding + SUM[3], SUM[4])
    call_large = ("call_large", I32, I32, get(0) + op("call") + u32(2) + END, ())
    inst = instance(build([SUM, DIV, large, driver, call_large]), "auto")
    small_loop, loop_free, big, main, _ = inst.funcs
    assert inst.exports["sum"](10) == 55 and small_loop.tier == 1
    for _ in range(tiers.LOOP_FREE_CALLS):
        assert inst.exports["div"](7, 2) == 3 and loop_free.tier == 0
    assert inst.exports["div"](9, 2) == 4 and loop_free.tier == 1
    assert inst.exports["driver"](4) == 10 and main.tier == 1
    calls = len(big.ast.body) // tiers.LARGE_BODY_CALL
    assert len(big.ast.body) > tiers.LARGE_BODY
    for _ in range(calls):
        assert inst.exports["call_large"](4) == 10 and big.tier == 0
    assert inst.exports["large"](5) == 15 and big.tier == 1


# --- blocks nested deeper than Python allows (engine/flat.py) -------------------

@pytest.mark.parametrize("tier", ["translate", "auto"])
def test_engine_deep_switch_is_translated(tier):
    """A 60-case switch (61 nested blocks, each a br_table target) is more
    than CPython's 20 nested loops: tier 1 takes it as a state machine."""
    cases = 60
    body = op("block") + EMPTY_BLOCK                  # the switch's exit
    body += (op("block") + EMPTY_BLOCK) * cases
    body += get(0) + op("br_table") + vec([u32(i) for i in range(cases)]) + u32(cases)
    for case in range(cases):
        # case k: result = k * k + 1, leave the switch
        body += END + i32_const(case * case + 1) + op("local.set") + u32(1)
        body += op("br") + u32(cases - 1 - case)
    body += END + get(1) + END
    switch = ("switch", I32, I32, body, [(1, I32)])
    inst = instance(build([switch]), tier)
    from pywasi_interp.engine import tiers
    for _ in range(tiers.LOOP_FREE_CALLS):            # auto: loop-free, tier 0 first
        assert inst.exports["switch"](3) == 10
    assert [inst.exports["switch"](k) for k in (0, 1, 7, 59, 60, 1000)] == [1, 2, 50, 3482, 0, 0]
    assert inst.funcs[0].tier == 1
