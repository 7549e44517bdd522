"""Counted loops (engine/counters.py): tier 1 drops the wrap-around test of
a loop counter's step only under an entry test that proves it cannot
wrap; loops whose counter does wrap, or that are not counted loops, give
the same results as tier 0."""

import pytest

from pywasi_interp import Module, Linker, Store
from pywasi_interp.engine.counters import counted_loop

from wasm_builder import I32, op, i32_const, u32, END, EMPTY_BLOCK, build, get

TIERS = ["interp", "translate", "flat"]
CAP = 50        # iterations before the loop gives up


def tee(i):
    return op("local.tee") + u32(i)


def capped(step_and_test, extra=b""):
    """block { loop { l2 += 1; if l2 == CAP: leave; <extra>; <step and back edge> } }
    then (x >> 16) ^ (x & 0xFFFF) of x = l0, which tells a counter that went
    past 2**32 - 1 or below 0 from its wrapped value."""
    return (op("block") + EMPTY_BLOCK + op("loop") + EMPTY_BLOCK
            + get(2) + i32_const(1) + op("i32.add") + tee(2) + i32_const(CAP) + op("i32.eq")
            + op("br_if") + u32(1) + extra + step_and_test + END + END
            + get(0) + i32_const(16) + op("i32.shr_u")
            + get(0) + i32_const(0xFFFF) + op("i32.and") + op("i32.xor") + END)


def up(step, bound_first=True):
    """x += step; loop while x != n (l0 is x, l1 is n)"""
    add = get(0) + i32_const(step) + op("i32.add") + tee(0)
    return (get(1) + add if bound_first else add + get(1)) + op("i32.ne") + op("br_if") + u32(0)


def down(step):
    """x -= step; loop while x != 0"""
    return get(0) + i32_const(-step) + op("i32.add") + tee(0) + op("br_if") + u32(0)


LOOPS = {
    "up1": capped(up(1)),
    "up2_bound_last": capped(up(2, bound_first=False)),
    "up7": capped(up(7)),
    "up65535": capped(up(65535)),
    "down1": capped(down(1)),
    "down3": capped(down(3)),
    # x also doubles when it is odd: not a counted loop
    "written": capped(up(1), get(0) + i32_const(1) + op("i32.and") + op("if") + EMPTY_BLOCK
                      + get(0) + get(0) + op("i32.add") + op("local.set") + u32(0) + END),
    # the bound moves: not a counted loop
    "bound_moves": capped(up(1), get(1) + i32_const(1) + op("i32.add") + op("local.set") + u32(1)),
    # a second back edge, skipping the step when l2 is odd: still counted
    "second_edge": capped(up(3), get(2) + i32_const(1) + op("i32.and") + op("br_if") + u32(0)),
}
TOP = 1 << 32
# (x, n): entry values that meet the test and ones that do not (the
# counter wraps around within CAP steps, or never meets n exactly)
ENTRIES = [(0, 10), (3, 4), (0, 63), (5, 5), (10, 3), (TOP - 10, 4), (TOP - 6, 3),
           (TOP - 5, TOP - 2), (TOP - 20, TOP - 1), (TOP - 100000, TOP - 1),
           (TOP - 3 * 65535, TOP - 1), (1, 2), (7, 0), (0, 0), (9, 0), (10, 7), (TOP - 1, 0)]


def _signed(v):
    return v - TOP if v >= 1 << 31 else v


@pytest.fixture(scope="module")
def exports():
    funcs = [(name, I32 + I32, I32, body, [(1, I32)]) for name, body in LOOPS.items()]
    binary = build(funcs)
    return [Linker().instantiate(Store(engine=tier), Module(binary)).exports for tier in TIERS]


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_counted_loops_agree_with_tier0(exports, name):
    for x, n in ENTRIES:
        results = [e[name](_signed(x), _signed(n)) for e in exports]
        assert results[0] == results[1] == results[2], (name, x, n, results)


def _analysis(name):
    module = Module(build([(name, I32 + I32, I32, LOOPS[name], [(1, I32)])]))
    body = module.ast.funcs[0].body
    start = next(i for i, (op_, _, _) in enumerate(body) if op_.name == "loop")
    end = next(i for i in range(len(body) - 1, 0, -1) if body[i][0].name == "end"
               and body[i - 1][0].name == "br_if") + 1
    return counted_loop(body, start, end)


def test_counted_loops_are_recognised():
    """The entry test of each counted shape, and None where the counter or
    the bound is written elsewhere in the loop (the agreement test above
    runs those too, so a wrong None costs only speed and a wrong test
    fails there)."""
    assert _analysis("up1")[0] == "l0 < l1"
    assert _analysis("up2_bound_last")[0] == "l0 < l1 and not (l1 - l0) % 2"
    assert _analysis("down1")[0] == "l0"
    assert _analysis("down3")[0] == "l0 and not l0 % 3"
    assert _analysis("second_edge")[0] == "l0 < l1 and not (l1 - l0) % 3"
    for name in ("written", "bound_moves"):
        assert _analysis(name) is None, name
