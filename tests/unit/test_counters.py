"""Counted loops (engine/counters.py): tier 1 drops the wrap-around test of
a loop counter's step only under an entry test that proves it cannot
wrap; loops whose counter does wrap, or that are not counted loops, give
the same results as tier 0."""

import pytest

from pywasi_interp import Module, Linker, Store, Trap
from pywasi_interp.engine.counters import counted_loop

from wasm_builder import I32, op, i32_const, u32, END, EMPTY_BLOCK, build, get

TIERS = ["interp", "translate", "flat"]
CAP = 50        # iterations before the loop gives up


def tee(i):
    return op("local.tee") + u32(i)


def setl(i):
    return op("local.set") + u32(i)


def mix(i):
    """(l >> 16) ^ (l & 0xFFFF): tells a value that went past 2**32 - 1 or
    below 0 from its wrapped value"""
    return (get(i) + i32_const(16) + op("i32.shr_u")
            + get(i) + i32_const(0xFFFF) + op("i32.and") + op("i32.xor"))


def capped(step_and_test, extra=b""):
    """block { loop { l3 += 1; if l3 == CAP: leave; <extra>; <step and back
    edge> } }, then mix(l0) ^ mix(l2) ^ mix(l4) ^ mix(l5): l0 the counter,
    l1 its bound, l2 a pointer, l4 and l5 values computed from it."""
    return (op("block") + EMPTY_BLOCK + op("loop") + EMPTY_BLOCK
            + get(3) + i32_const(1) + op("i32.add") + tee(3) + i32_const(CAP) + op("i32.eq")
            + op("br_if") + u32(1) + extra + step_and_test + END + END
            + mix(0) + mix(2) + op("i32.xor") + mix(4) + op("i32.xor") + mix(5) + op("i32.xor")
            + END)


def up(step, bound_first=True):
    """x += step; loop while x != n (l0 is x, l1 is n)"""
    add = get(0) + i32_const(step) + op("i32.add") + tee(0)
    return (get(1) + add if bound_first else add + get(1)) + op("i32.ne") + op("br_if") + u32(0)


def down(step):
    """x -= step; loop while x != 0"""
    return get(0) + i32_const(-step) + op("i32.add") + tee(0) + op("br_if") + u32(0)


def bounded(step, compare):
    """x += step (a constant, or l2); loop while x <= n (or < n)"""
    add = get(0) + (get(2) if step is None else i32_const(step)) + op("i32.add") + tee(0)
    return add + get(1) + op(compare) + op("br_if") + u32(0)


def pointer(step):
    """l4 = l2 - 40; l2 += step"""
    return (get(2) + i32_const(40) + op("i32.sub") + setl(4)
            + get(2) + i32_const(step) + op("i32.add") + setl(2))


def memarg(offset, align=3):
    return u32(align) + u32(offset)


# memory[p + 16] = memory[p] + memory[p + 8] (i64), l5 = its low half: tier 1
# reads memoryviews when p is a multiple of 8 (the test joins the loop's)
ACCESSES = (get(2) + get(2) + op("i64.load") + memarg(0) + get(2) + op("i64.load") + memarg(8)
            + op("i64.add") + op("i64.store") + memarg(16)
            + get(2) + op("i32.load") + memarg(16, 2) + setl(5))

LOOPS = {
    "up1": capped(up(1)),
    "up2_bound_last": capped(up(2, bound_first=False)),
    "up7": capped(up(7)),
    "up65535": capped(up(65535)),
    "down1": capped(down(1)),
    "down3": capped(down(3)),
    # a pointer stepped up by 48 (and 40 taken from it), or down by 8
    "up1_pointer": capped(up(1), pointer(48)),
    "down1_pointer": capped(down(1), pointer(-8)),
    "up3_pointer": capped(up(3), pointer(1000)),
    "up1_accesses": capped(up(1), ACCESSES + pointer(8)),
    # x stepped by a constant or by l2 while below or at n
    "le_l2": capped(bounded(None, "i32.le_u")),
    "lt_100": capped(bounded(100, "i32.lt_u")),
    # the step moves: not a counted loop
    "step_moves": capped(bounded(None, "i32.le_u"), pointer(48)),
    # x also doubles when it is odd: not a counted loop
    "written": capped(up(1), get(0) + i32_const(1) + op("i32.and") + op("if") + EMPTY_BLOCK
                      + get(0) + get(0) + op("i32.add") + setl(0) + END),
    # the bound moves: not a counted loop
    "bound_moves": capped(up(1), get(1) + i32_const(1) + op("i32.add") + setl(1)),
    # a second back edge, skipping the step when l3 is odd: still counted,
    # but the pointer's steps are no longer bounded by the counter's
    "second_edge": capped(up(3), pointer(48) + get(3) + i32_const(1) + op("i32.and")
                          + op("br_if") + u32(0)),
}
TOP = 1 << 32
# (x, n): entry values that meet the test and ones that do not (the
# counter wraps around within CAP steps, or never meets n exactly)
ENTRIES = [(0, 10), (3, 4), (0, 63), (5, 5), (10, 3), (TOP - 10, 4), (TOP - 6, 3),
           (TOP - 5, TOP - 2), (TOP - 20, TOP - 1), (TOP - 2000, TOP - 1),
           (TOP - 100000, TOP - 1),
           (TOP - 3 * 65535, TOP - 1), (1, 2), (7, 0), (0, 0), (9, 0), (10, 7), (TOP - 1, 0)]
# pointers: one with room, ones that pass 2**32 - 1 or 0 within a few
# steps, and ones below the 40 taken from them
POINTERS = [1 << 20, TOP - 200, TOP - 2000, 100, 20, 0,     # also the step of le_l2
            64, 1000, 1004]                                 # in memory, aligned or not


def _signed(v):
    return v - TOP if v >= 1 << 31 else v


@pytest.fixture(scope="module")
def exports():
    funcs = [(name, I32 + I32 + I32, I32, body, [(3, I32)]) for name, body in LOOPS.items()]
    binary = build(funcs, memory=1, datas=[(0, bytes(range(256)) * 16)])
    return [Linker().instantiate(Store(engine=tier), Module(binary)).exports for tier in TIERS]


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_counted_loops_agree_with_tier0(exports, name):
    for x, n in ENTRIES:
        for p in POINTERS:
            args = (_signed(x), _signed(n), _signed(p))
            results = [outcome(e[name], *args) for e in exports]
            assert results[0] == results[1] == results[2], (name, x, n, p, results)


def outcome(function, *args):
    try:
        return function(*args)
    except Trap as trap:
        return str(trap)


def _analysis(name):
    module = Module(build([(name, I32 + I32 + I32, I32, LOOPS[name], [(3, I32)])], memory=1))
    body = module.ast.funcs[0].body
    start = next(i for i, (op_, _, _) in enumerate(body) if op_.name == "loop")
    end = next(i for i in range(len(body) - 1, 0, -1) if body[i][0].name == "end"
               and body[i - 1][0].name == "br_if") + 1
    return counted_loop(body, start, end)


def test_counted_loops_are_recognised():
    """The entry test of each counted shape (l3, the CAP counter, is a
    pointer stepped by 1), and None where the counter or the bound is
    written elsewhere in the loop (the agreement test above runs those too,
    so a wrong None costs only speed and a wrong test fails there)."""
    cap = "l3 + 1 * %s < 4294967296"
    assert _analysis("up1")[0] == "l0 < l1 and " + cap % "(l1 - l0)"
    assert _analysis("up2_bound_last")[0] == (
        "l0 < l1 and not (l1 - l0) % 2 and " + cap % "((l1 - l0) // 2)")
    assert _analysis("down1")[0] == "l0 and " + cap % "l0"
    assert _analysis("down3")[0] == "l0 and not l0 % 3 and " + cap % "(l0 // 3)"
    assert _analysis("up1_pointer")[0] == (
        "l0 < l1 and l2 + 48 * (l1 - l0) < 4294967296 and l2 >= 40 and " + cap % "(l1 - l0)")
    assert _analysis("down1_pointer")[0] == "l0 and l2 >= 8 * l0 and " + cap % "l0"
    test, steps, floors = _analysis("second_edge")
    assert test == "l0 < l1 and not (l1 - l0) % 3" and len(steps) == 1 and not floors
    assert _analysis("le_l2")[0] == "l0 + l2 < 4294967296 and l1 + l2 < 4294967296"
    assert _analysis("lt_100")[0] == "l0 + 100 < 4294967296 and l1 + 100 < 4294967296"
    for name in ("written", "bound_moves", "step_moves"):
        assert _analysis(name) is None, name
