"""Tier 1's inlining of small functions (engine/inline.py): inlined calls
compute what calls compute, run out of call stack at the same depth, and
leave the same frames in a trap's backtrace, in every tier."""

import pytest
from hypothesis import given, settings, strategies as st

from pywasi_interp import Module, Linker, Store, Trap, ExhaustionError
from pywasi_interp.engine import inline
from pywasi_interp.engine.flat import FlatTranslator
from pywasi_interp.engine.translate import Translator

from wasm_builder import I32, op, i32_const, u32, vec, END, EMPTY_BLOCK, build, get

TIERS = ["interp", "translate", "flat"]


def setl(i):
    return op("local.set") + u32(i)


def instance(funcs, tier, **options):
    store = Store(engine=tier, **options)
    return Linker().instantiate(store, Module(build(funcs, memory=1)))


# pick(x, y): 3y for x = 0 (a return from two blocks deep), x + y for x = 5
# (a br_if out of the function with a value), else ((x + y) & 1) + 1000
PICK = ("pick", I32 + I32, I32,
        op("block") + I32 + op("block") + EMPTY_BLOCK + op("block") + EMPTY_BLOCK
        + get(0) + op("br_table") + vec([u32(0), u32(1)]) + u32(1) + END
        + get(1) + i32_const(3) + op("i32.mul") + op("return") + END
        + get(0) + get(1) + op("i32.add") + op("local.tee") + u32(2)
        + get(0) + i32_const(5) + op("i32.eq") + op("br_if") + u32(1)
        + op("drop") + get(2) + i32_const(1) + op("i32.and") + END
        + i32_const(1000) + op("i32.add") + END,
        [(1, I32)])

# acc(x) = x, through a declared local that must start at zero in every call
ACC = ("acc", I32, I32, get(1) + get(0) + op("i32.add") + setl(1) + get(1) + END, [(1, I32)])


def caller():
    """(n, y) -> the xor over i < n of pick(i, y + i) + acc(i) and
    pick(y, i): three calls a loop iteration (function 2)."""
    pick, acc = op("call") + u32(0), op("call") + u32(1)
    return ("calls", I32 + I32, I32,
            op("block") + EMPTY_BLOCK + op("loop") + EMPTY_BLOCK
            + get(0) + op("i32.eqz") + op("br_if") + u32(1)
            + get(0) + i32_const(1) + op("i32.sub") + setl(0)
            + get(2) + get(0) + get(1) + get(0) + op("i32.add") + pick
            + get(0) + acc + op("i32.add") + op("i32.xor")
            + get(1) + get(0) + pick + op("i32.xor") + setl(2)
            + op("br") + u32(0) + END + END + get(2) + END,
            [(1, I32)])


def test_inlined_calls_compute_what_calls_compute():
    funcs = [PICK, ACC, caller()]
    translated = instance(funcs, "translate")
    expansion = inline.expand(translated.funcs[2])
    assert len(expansion.sites) == 3                        # inlined indeed
    for n, y in [(0, 0), (1, 5), (3, -7), (40, 123456789), (7, 2 ** 31 - 1), (9, 5)]:
        results = [instance(funcs, tier).exports["calls"](n, y) for tier in TIERS]
        assert results[0] == results[1] == results[2]
    assert [translated.exports["pick"](x, 10) for x in (0, 1, 2, 3, 5)] == [
        30, 1001, 1000, 1001, 15]


# depth(n) = n ? depth(n - 1) + 1 : 0: recursion through one inlined level
DEPTH = ("depth", I32, I32,
         get(0) + op("if") + I32 + get(0) + i32_const(1) + op("i32.sub") + op("call") + u32(0)
         + i32_const(1) + op("i32.add") + op("else") + i32_const(0) + END + END, ())


@pytest.mark.parametrize("limit", [50, 51])
def test_inlined_recursion_runs_out_of_stack_at_the_same_depth(limit):
    outcomes = {}
    for tier in TIERS:
        exports = instance([DEPTH], tier, max_call_depth=limit).exports
        row = []
        for n in range(limit - 3, limit + 3):
            try:
                row.append(exports["depth"](n))
            except ExhaustionError:
                row.append("exhausted")
        outcomes[tier] = row
    assert outcomes["translate"] == outcomes["interp"] == outcomes["flat"]
    assert "exhausted" in outcomes["interp"] and outcomes["interp"][0] == limit - 3


# a callee that traps itself (out of bounds, unreachable) or whose callee does
LOAD = ("load", I32, I32, get(0) + op("i32.load") + u32(2) + u32(0) + END, ())
CHECK = ("check", I32, I32,
         get(0) + op("if") + EMPTY_BLOCK + op("unreachable") + END + i32_const(1) + END, ())
THROUGH = ("through", I32, I32, get(0) + op("call") + u32(0) + i32_const(1) + op("i32.add") + END, ())


def frames_of(funcs, export, arg, tier):
    with pytest.raises(Trap) as info:
        instance(funcs, tier).exports[export](arg)
    return str(info.value), [f.index for f in info.value.frames]


@pytest.mark.parametrize("trapping, through", [(LOAD, False), (CHECK, False), (LOAD, True)])
def test_traps_in_inlined_code_keep_their_frames(trapping, through):
    outer = op("call") + u32(1) if through else op("call") + u32(0)
    caller = ("top", I32, I32, i32_const(0) + op("drop") + get(0) + outer + END, ())
    funcs = [trapping, THROUGH, caller]
    seen = [frames_of(funcs, "top", 70000 if trapping is LOAD else 1, tier) for tier in TIERS]
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][1] == ([0, 1, 2] if through else [0, 2])


def test_calls_to_another_instance_are_not_inlined():
    """An imported function of another instance reads its own memory."""
    store = Store(engine="translate")
    linker = Linker()
    other = linker.instantiate(store, Module(build([LOAD], memory=1)))
    other.exports["memory"].write(8, (1234).to_bytes(4, "little"))
    linker.define("other", "load", other.exports["load"])
    binary = build([("read", I32, I32, get(0) + op("call") + u32(0) + END, ())], memory=1,
                   imports=[("other", "load", I32, I32)])
    reader = linker.instantiate(store, Module(binary))
    assert reader.exports["read"](8) == 1234
    assert inline.expand(reader.funcs[1]) is None


def test_no_inlining_under_fuel_or_in_the_state_machine():
    funcs = [PICK, ACC, caller()]
    assert Translator(instance(funcs, "translate").funcs[2]).inline_sites
    assert not Translator(instance(funcs, "translate", fuel=10 ** 6).funcs[2]).inline_sites
    assert not FlatTranslator(instance(funcs, "flat").funcs[2]).inline_sites


# --- random callees: every tier computes, traps and backtraces alike ----------

_BINOPS = ["i32.add", "i32.sub", "i32.mul", "i32.xor", "i32.and", "i32.shl", "i32.shr_u",
           "i32.div_u", "i32.rem_s", "i32.lt_u"]


@st.composite
def values(draw, depth=0):
    """An i32 expression over the callee's locals 0-2 (a, b, c)."""
    if depth > 1 or draw(st.booleans()):
        if draw(st.booleans()):
            return get(draw(st.integers(0, 2)))
        return i32_const(draw(st.sampled_from([0, 1, 3, 7, -1, 255, 2 ** 31 - 1])))
    return draw(values(depth + 1)) + draw(values(depth + 1)) + op(draw(st.sampled_from(_BINOPS)))


@st.composite
def statements(draw, nesting=0):
    """Code leaving the stack as it found it, ``nesting`` blocks deep in the
    callee: assignments, returns, branches out of the function, blocks, ifs."""
    kind = draw(st.sampled_from(["set", "set", "return", "br_if", "block", "if"]))
    if kind == "set":
        return draw(values()) + setl(2)
    if kind == "return":
        return draw(values()) + op("return")
    if kind == "br_if":             # to the function's label, with its result
        return draw(values()) + draw(values()) + op("br_if") + u32(nesting) + op("drop")
    inner = b"".join(draw(st.lists(statements(nesting + 1), max_size=2))) if nesting < 2 else b""
    if kind == "block":
        return op("block") + EMPTY_BLOCK + inner + END
    return draw(values()) + op("if") + EMPTY_BLOCK + inner + END


@settings(max_examples=150, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=3), values(), st.integers(0, 2 ** 32 - 1))
def test_inlined_random_callees_agree_with_calls(body, result, y):
    callee = ("g", I32 + I32, I32, b"".join(body) + result + END, [(1, I32)])
    call_twice = (get(0) + get(1) + op("call") + u32(0)
                  + get(1) + get(0) + op("call") + u32(0) + op("i32.add") + END)
    funcs = [callee, ("f", I32 + I32, I32, call_twice, ())]
    inlinable = len(Module(build(funcs, memory=1)).ast.funcs[0].body) <= inline.MAX_CALLEE
    seen = []
    for tier in TIERS:
        inst = instance(funcs, tier)
        if tier == "translate":
            assert (inline.expand(inst.funcs[1]) is not None) == inlinable
        try:
            seen.append(inst.exports["f"](y, 12345))
        except Trap as trap:
            seen.append((str(trap), [f.index for f in trap.frames]))
    assert seen[0] == seen[1] == seen[2]
