"""Tier 1's alignment analyses (engine/alignment.py) and the memoryview
accesses they allow: what they prove, that they never prove too much (a
wrong proof would read the wrong bytes), both arms of versioned regions,
and views surviving memory.grow from the guest and from the host."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from pywasi_interp import Module, Linker, Store
from pywasi_interp.engine import translate
from pywasi_interp.engine.alignment import (aligned_accesses, conditional_accesses,
                                            region_end, innermost_loop_end, MIN_VERSIONED,
                                            MIN_VERSIONED_LOOP)

from wasm_builder import I32, F64, op, i32_const, u32, END, EMPTY_BLOCK, build, get

TIERS = ["interp", "translate", "flat"]


def memarg(offset=0, align=3):
    return u32(align) + u32(offset)


def setl(i):
    return op("local.set") + u32(i)


def f64_sum_loop(start, step, offset=0):
    """(n) -> sum of n doubles read at start, start+step, ... (+ offset).
    Locals: 0 n, 1 p, 2 acc."""
    return (i32_const(start) + setl(1)
            + op("loop") + EMPTY_BLOCK
            + get(2) + get(1) + op("f64.load") + memarg(offset) + op("f64.add") + setl(2)
            + get(1) + i32_const(step) + op("i32.add") + setl(1)
            + get(0) + i32_const(1) + op("i32.sub") + op("local.tee") + u32(0)
            + op("br_if") + u32(0) + END
            + get(2) + END)


DOUBLES = b"".join(struct.pack("<d", 1.0 + i / 8) for i in range(64))


def instance_of(funcs, tier="translate", pages=1):
    binary = build(funcs, memory=pages, datas=[(0, DOUBLES)])
    return Linker().instantiate(Store(engine=tier), Module(binary))


def address_zeros(body, locals_=((2, I32),), params=I32, results=F64):
    """Known zero low bits of the one f64 access in ``body``."""
    inst = instance_of([("f", params, results, body, list(locals_))])
    func = inst.funcs[0]
    found = aligned_accesses(func)
    (index,) = [i for i in found if func.ast.body[i][0].name.startswith("f64.")]
    return found[index]


@pytest.mark.parametrize("start, step, offset, zeros", [
    (16, 8, 0, 3), (16, 8, 8, 3), (16, 8, 4, 2), (4, 8, 0, 2), (16, 4, 0, 2),
    (16, 24, 0, 3), (0, 2, 0, 1), (8, 1, 0, 0), (0, 0, 0, 3),
])
def test_alignment_of_an_induction_variable(start, step, offset, zeros):
    # (the back edge lowers what the loop entry promised: the loop is
    # walked again; (16, 4) and (0, 2) prove it is)
    body = f64_sum_loop(start, step, offset)
    assert address_zeros(body, locals_=[(1, I32), (1, F64)]) == zeros


def load_at(address_code):
    return address_code + op("f64.load") + memarg() + END


@pytest.mark.parametrize("address, zeros", [
    (get(0), 0),                                                      # a parameter
    (get(0) + i32_const(8) + op("i32.mul"), 3),
    (get(0) + i32_const(12) + op("i32.mul"), 2),
    (get(0) + i32_const(3) + op("i32.shl") + i32_const(8) + op("i32.add"), 3),
    (get(0) + i32_const(1) + op("i32.shl"), 1),
    (get(0) + i32_const(-8) + op("i32.and"), 3),
    (get(0) + i32_const(8) + op("i32.or"), 0),
    (get(0) + i32_const(3) + op("i32.shr_u"), 0),                    # no rule: unknown
    (i32_const(40), 3), (i32_const(44), 2),
    # block results are not followed: unknown, even when both arms agree
    (get(0) + op("if") + I32 + i32_const(16) + op("else") + i32_const(32) + END, 0),
])
def test_alignment_of_address_expressions(address, zeros):
    assert address_zeros(load_at(address), locals_=[]) == zeros


def test_alignment_merges_locals_at_joins():
    # p = 16; if (n) p = 12;  load p  -> the join keeps the smaller count
    body = (i32_const(16) + setl(1) + get(0) + op("if") + EMPTY_BLOCK
            + i32_const(12) + setl(1) + END + load_at(get(1)))
    assert address_zeros(body, locals_=[(1, I32)]) == 2
    # a branch out of a block carries its state to the block's end
    body = (i32_const(16) + setl(1) + op("block") + EMPTY_BLOCK
            + i32_const(4) + setl(1) + get(0) + op("br_if") + u32(0)
            + i32_const(32) + setl(1) + END + load_at(get(1)))
    assert address_zeros(body, locals_=[(1, I32)]) == 2


def test_alignment_keeps_the_stack_across_dead_code():
    # the address (8) waits below an if whose then-arm branches away and
    # then holds a dead block: the values below the if are still there
    body = (i32_const(8) + get(0) + op("if") + EMPTY_BLOCK + op("br") + u32(0)
            + op("block") + EMPTY_BLOCK + END + op("else") + END + load_at(b"")[:-1]
            + op("drop") + i32_const(0) + op("f64.convert_i32_u") + END)
    assert address_zeros(body, locals_=[]) == 3


def f64_sum_from(step):
    """(n, p) -> sum over n iterations of the doubles at p, p+8, p+16 and
    p+24, p advancing by ``step``: four loads a loop iteration from an
    address known only at run time, which tier 1 versions
    (alignment.conditional_accesses, MIN_VERSIONED).  Locals: 0 n, 1 p,
    2 acc."""
    loads = b"".join(get(1) + op("f64.load") + memarg(8 * k) + op("f64.add")
                     for k in range(MIN_VERSIONED))
    return (op("loop") + EMPTY_BLOCK
            + get(2) + loads + setl(2)
            + get(1) + i32_const(step) + op("i32.add") + setl(1)
            + get(0) + i32_const(1) + op("i32.sub") + op("local.tee") + u32(0)
            + op("br_if") + u32(0) + END
            + get(2) + END)


def f64_sum_two_bases():
    """(n, p, q) -> sum over n iterations of the doubles at p+q, p+q+8, ...:
    the test must cover both p and q.  Locals: 0 n, 1 p, 2 q, 3 acc."""
    address = get(1) + get(2) + op("i32.add")
    loads = b"".join(address + op("f64.load") + memarg(8 * k) + op("f64.add")
                     for k in range(MIN_VERSIONED))
    return (op("loop") + EMPTY_BLOCK
            + get(3) + loads + setl(3)
            + get(1) + i32_const(8) + op("i32.add") + setl(1)
            + get(0) + i32_const(1) + op("i32.sub") + op("local.tee") + u32(0)
            + op("br_if") + u32(0) + END
            + get(3) + END)


@pytest.mark.parametrize("p, q", [(0, 0), (8, 16), (8, 4), (4, 8), (3, 5)])
def test_versioned_regions_test_every_base(p, q):
    funcs = [("sum", I32 + I32 + I32, F64, f64_sum_two_bases(), [(1, F64)])]
    results = [instance_of(funcs, tier).exports["sum"](20, p, q) for tier in TIERS]
    assert results[0] == results[1] == results[2]


def test_regions_start_with_the_values_from_before():
    # the first load of the region after the empty block takes its address
    # from before the block: the region's analysis must not assume an
    # empty stack there
    loads = b"".join(get(1) + op("f64.load") + memarg(8 * k) + op("f64.add")
                     for k in range(1, MIN_VERSIONED + 1))
    body = (op("loop") + EMPTY_BLOCK + get(1) + op("block") + EMPTY_BLOCK + END
            + op("f64.load") + memarg() + loads + get(2) + op("f64.add") + setl(2)
            + get(0) + i32_const(1) + op("i32.sub") + op("local.tee") + u32(0)
            + op("br_if") + u32(0) + END + get(2) + END)
    funcs = [("f", I32 + I32, F64, body, [(1, F64)])]
    results = [instance_of(funcs, tier).exports["f"](3, p) for tier in TIERS for p in (8, 4)]
    assert results[0::2] == [results[0]] * 3 and results[1::2] == [results[1]] * 3


def test_regions_are_versioned_on_the_locals_they_rest_on():
    inst = instance_of([("f", I32 + I32, F64, f64_sum_from(8), [(1, F64)])])
    func = inst.funcs[0]
    body = func.ast.body
    start = 1                       # after the loop instruction
    end = region_end(body, start)
    loads = {i: 3 for i in range(start, end) if body[i][0].name == "f64.load"}
    tested, zeros, accesses = conditional_accesses(func, start, end, loads)
    assert tested == [1] and zeros == 3 and accesses == set(loads)


@pytest.mark.parametrize("p", [0, 8, 16, 4, 1, 7])
@pytest.mark.parametrize("step", [8, 4])
def test_versioned_regions_read_the_same_bytes(p, step):
    """Both arms of a versioned region, in every tier, sum the same doubles:
    an aligned p takes the memoryview arm until a step of 4 misaligns it."""
    funcs = [("sum", I32 + I32, F64, f64_sum_from(step), [(1, F64)])]
    results = [instance_of(funcs, tier).exports["sum"](20, p) for tier in TIERS]
    assert results[0] == results[1] == results[2]


def f64_loop_with_exit(step):
    """(n, p) -> the sum of the doubles at p, p+8, p+step, p+step+8, ...
    over n iterations, leaving the loop early (a branch out of it, carrying
    the sum) once the sum passes 30: an innermost loop with
    MIN_VERSIONED_LOOP accesses, which tier 1 versions as a whole when p
    stays as aligned as it came in.  Locals: 0 n, 1 p, 2 acc."""
    loads = b"".join(get(1) + op("f64.load") + memarg(8 * k) + op("f64.add")
                     for k in range(MIN_VERSIONED_LOOP))
    return (op("block") + F64 + op("loop") + EMPTY_BLOCK
            + get(2) + loads + setl(2)
            + get(2) + get(2) + i32_const(30) + op("f64.convert_i32_u") + op("f64.gt")
            + op("br_if") + u32(1)
            + op("drop")
            + get(1) + i32_const(step) + op("i32.add") + setl(1)
            + get(0) + i32_const(1) + op("i32.sub") + op("local.tee") + u32(0)
            + op("br_if") + u32(0) + END
            + get(2) + END + END)


def loop_versioning(step):
    """The test tier 1 puts before the loop of f64_loop_with_exit, or None."""
    inst = instance_of([("f", I32 + I32, F64, f64_loop_with_exit(step), [(1, F64)])])
    lines = [line.strip() for line in
             translate._translate_with_index(translate.Translator(inst.funcs[0])).splitlines()]
    tests = [i for i, line in enumerate(lines) if line.startswith("if not (")]
    if not tests:
        return None
    (at,) = tests
    assert lines[at + 1] == "while True:"          # the test runs once, before the loop
    return lines[at]


@pytest.mark.skipif(not translate._USE_VIEWS, reason="no memoryviews here (PyPy): nothing to version")
def test_whole_loops_are_versioned_when_back_edges_keep_alignment():
    assert loop_versioning(8) == "if not (l1) & 7:"
    assert loop_versioning(16) == "if not (l1) & 7:"
    assert loop_versioning(4) is None       # p + 4 comes back less aligned


def test_loop_regions_are_innermost_loops():
    body_of = lambda code: instance_of([("f", I32 + I32, F64, code, [(1, F64)])]).funcs[0]
    func = body_of(f64_loop_with_exit(8))
    body = func.ast.body
    start = 1                                       # the loop, inside the block
    end = innermost_loop_end(body, start)
    assert body[end - 1][0].name == "end" and body[end][0].name == "local.get"
    loads = {i: 3 for i in range(start, end) if body[i][0].name == "f64.load"}
    assert conditional_accesses(func, start, end, loads, MIN_VERSIONED_LOOP) == (
        [1], 3, set(loads))
    # a loop holding another is not innermost
    inner = f64_sum_from(8)[:-len(get(2) + END)]          # the loop alone
    nested = body_of(op("loop") + EMPTY_BLOCK + inner + END + get(2) + END)
    assert innermost_loop_end(nested.ast.body, 0) is None
    assert innermost_loop_end(nested.ast.body, 1) is not None


@pytest.mark.parametrize("p", [0, 8, 16, 4, 1])
@pytest.mark.parametrize("step", [8, 16, 4])
@pytest.mark.parametrize("n", [1, 3, 40])
def test_versioned_loops_read_the_same_bytes(p, step, n):
    """Both versions of a whole loop, in every tier, sum the same doubles
    and leave it the same way, early or not."""
    funcs = [("sum", I32 + I32, F64, f64_loop_with_exit(step), [(1, F64)])]
    results = [instance_of(funcs, tier).exports["sum"](n, p) for tier in TIERS]
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("start, step, offset", [
    (16, 8, 0), (4, 8, 0), (16, 4, 0), (16, 8, 4), (1, 8, 0), (0, 8, 8),
])
def test_views_and_struct_read_the_same_bytes(start, step, offset):
    """Aligned or not, every tier sums the same doubles."""
    funcs = [("sum", I32, F64, f64_sum_loop(start, step, offset), [(1, I32), (1, F64)])]
    count = (len(DOUBLES) - start - offset - 8) // step + 1 if step else 4
    results = [instance_of(funcs, tier).exports["sum"](min(count, 40)) for tier in TIERS]
    assert results[0] == results[1] == results[2]


def grow_and_store():
    """(x) -> grows memory by a page, stores x as a double at 65536 (in
    the second page) and at 8, and returns their sum read back.  (In a loop
    run once: tier 1 uses views only in functions with loops.)"""
    return (op("loop") + EMPTY_BLOCK + END
            + i32_const(1) + op("memory.grow") + u32(0) + op("drop")
            + i32_const(65536) + get(0) + op("f64.convert_i32_u") + op("f64.store") + memarg()
            + i32_const(8) + get(0) + op("f64.convert_i32_u") + op("f64.store") + memarg()
            + i32_const(65536) + op("f64.load") + memarg()
            + i32_const(8) + op("f64.load") + memarg() + op("f64.add") + END)


@pytest.mark.parametrize("tier", TIERS)
def test_views_follow_memory_growth(tier):
    inst = instance_of([("grow", I32, F64, grow_and_store(), [])], tier)
    assert inst.exports["grow"](21) == 42.0
    # grown from the host between calls: the views are replaced again
    memory = inst.exports["memory"]
    assert memory.grow(2) == 2
    assert inst.exports["grow"](5) == 10.0
    assert memory.size == 5
    for address in (8, 65536):
        assert struct.unpack("<d", memory.read(address, 8))[0] == 5.0


# --- random address expressions: the views never read other bytes -----------

_OPS = ["i32.add", "i32.sub", "i32.mul", "i32.shl", "i32.and", "i32.or", "i32.xor"]


@st.composite
def addresses(draw, depth=0):
    if depth > 2 or draw(st.booleans()):
        if draw(st.booleans()):
            return get(0)
        return i32_const(draw(st.sampled_from([0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 40, -8])))
    return (draw(addresses(depth + 1)) + draw(addresses(depth + 1))
            + op(draw(st.sampled_from(_OPS))))


@settings(max_examples=150, deadline=None)
@given(addresses(), st.integers(0, 64), st.sampled_from(["f64", "i64", "i32"]))
def test_views_agree_with_tier_0_on_random_addresses(address, x, kind):
    load = {"f64": op("f64.load") + memarg(align=3),
            "i64": op("i64.load") + memarg(align=3) + op("f64.convert_i64_u"),
            "i32": op("i32.load") + memarg(align=2) + op("f64.convert_i32_u")}[kind]
    store = address + address + load + op("f64.store") + memarg(offset=8)
    # inside a loop run once, twice (four accesses): tier 1 versions the
    # region on the parameter
    body = (op("loop") + EMPTY_BLOCK + store + store + END + address + load + END)
    funcs = [("f", I32, F64, body, [])]
    results = []
    for tier in ("interp", "translate"):
        try:
            results.append(instance_of(funcs, tier).exports["f"](x))
        except Exception as error:          # a trap: compare its message
            results.append(str(error))
    assert results[0] == results[1]
