"""SIMD: lane helpers of simd.py against slow per-lane models (hypothesis),
decoding and validation of the 0xFD family, and v128 through both tiers and
the embedding API.

The models split a v128 into lanes with shifts and masks and compute each
lane with the spec's integer operators written out plainly, so they share
no code (and no trick) with simd.py's SWAR formulas and struct views.
"""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from pywasi_interp import (Module, Linker, Store, Trap, TrapKind, DecodeError,
                           ValidationError, Global, GlobalType, ValType)
from pywasi_interp import simd as S
from pywasi_interp import numeric as N

from wasm_builder import (
    I32, V128, TYPE, FUNCTION, MEMORY, GLOBAL, EXPORT, CODE, op, i32_const,
    END, section, vec, u32, name, functype, limits, module, func_body, one_func_module,
)

TIERS = ["interp", "translate"]
M128 = (1 << 128) - 1
v128s = st.integers(0, M128)
# Vectors whose lanes hit the edges (0, 1, top bit, all ones) often.
_EDGE_BYTES = st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x81])
edgy = st.one_of(v128s, st.lists(st.one_of(_EDGE_BYTES, st.integers(0, 255)),
                                 min_size=16, max_size=16).map(
                                     lambda bs: int.from_bytes(bytes(bs), "little")))
WIDTHS = {"i8x16": 8, "i16x8": 16, "i32x4": 32, "i64x2": 64}


# --- slow models ----------------------------------------------------------------

def split(v, width):
    mask = (1 << width) - 1
    return [(v >> (i * width)) & mask for i in range(128 // width)]


def join(lanes, width):
    mask = (1 << width) - 1
    v = 0
    for i, lane in enumerate(lanes):
        v |= (lane & mask) << (i * width)
    return v


def signed(x, width):
    return x - (1 << width) if x >> (width - 1) else x


def model_binary(fn, a, b, width):
    return join([fn(x, y) for x, y in zip(split(a, width), split(b, width))], width)


def model_compare(pred, a, b, width, is_signed):
    def lane(x, y):
        if is_signed:
            x, y = signed(x, width), signed(y, width)
        return -1 if pred(x, y) else 0
    return model_binary(lane, a, b, width)


_PREDICATES = {"eq": lambda x, y: x == y, "ne": lambda x, y: x != y,
               "lt": lambda x, y: x < y, "gt": lambda x, y: x > y,
               "le": lambda x, y: x <= y, "ge": lambda x, y: x >= y}


# --- integer lane helpers against the models -----------------------------------

@pytest.mark.parametrize("shape", sorted(WIDTHS))
@given(a=edgy, b=edgy)
def test_simd_add_sub_neg_match_lanewise_model(shape, a, b):
    w = WIDTHS[shape]
    assert getattr(S, shape + "_add")(a, b) == model_binary(lambda x, y: x + y, a, b, w)
    assert getattr(S, shape + "_sub")(a, b) == model_binary(lambda x, y: x - y, a, b, w)
    assert getattr(S, shape + "_neg")(a) == join([-x for x in split(a, w)], w)
    assert getattr(S, shape + "_abs")(a) == join([abs(signed(x, w)) for x in split(a, w)], w)


@pytest.mark.parametrize("shape", sorted(WIDTHS))
@given(a=edgy, b=edgy)
def test_simd_comparisons_match_lanewise_model(shape, a, b):
    w = WIDTHS[shape]
    for cmp, pred in _PREDICATES.items():
        for suffix, is_signed in (("", False), ("_s", True), ("_u", False)):
            fn = getattr(S, "%s_%s%s" % (shape, cmp, suffix), None)
            if fn is None or (suffix == "" and cmp not in ("eq", "ne")):
                continue
            assert fn(a, b) == model_compare(pred, a, b, w, is_signed), (cmp, suffix)


@pytest.mark.parametrize("shape", ["i8x16", "i16x8", "i32x4"])
@given(a=edgy, b=edgy)
def test_simd_min_max_avgr_match_lanewise_model(shape, a, b):
    w = WIDTHS[shape]
    s = lambda x: signed(x, w)  # noqa: E731
    assert getattr(S, shape + "_min_u")(a, b) == model_binary(min, a, b, w)
    assert getattr(S, shape + "_max_u")(a, b) == model_binary(max, a, b, w)
    assert getattr(S, shape + "_min_s")(a, b) == model_binary(
        lambda x, y: x if s(x) <= s(y) else y, a, b, w)
    assert getattr(S, shape + "_max_s")(a, b) == model_binary(
        lambda x, y: x if s(x) >= s(y) else y, a, b, w)
    if w < 32:
        assert getattr(S, shape + "_avgr_u")(a, b) == model_binary(
            lambda x, y: (x + y + 1) // 2, a, b, w)


@pytest.mark.parametrize("shape", sorted(WIDTHS))
@given(a=edgy, count=st.integers(0, 2 ** 32 - 1))
def test_simd_shifts_mask_the_count_per_lane(shape, a, count):
    w = WIDTHS[shape]
    k = count % w
    lanes = split(a, w)
    assert getattr(S, shape + "_shl")(a, count) == join([x << k for x in lanes], w)
    assert getattr(S, shape + "_shr_u")(a, count) == join([x >> k for x in lanes], w)
    assert getattr(S, shape + "_shr_s")(a, count) == join([signed(x, w) >> k for x in lanes], w)


@pytest.mark.parametrize("shape", sorted(WIDTHS))
@given(a=edgy)
def test_simd_all_true_and_bitmask(shape, a):
    w = WIDTHS[shape]
    lanes = split(a, w)
    assert getattr(S, shape + "_all_true")(a) == int(all(lanes))
    assert getattr(S, shape + "_bitmask")(a) == sum(
        1 << i for i, x in enumerate(lanes) if x >> (w - 1))


@pytest.mark.parametrize("shape", ["i16x8", "i32x4", "i64x2"])
@given(a=edgy, b=edgy)
def test_simd_mul_wraps_per_lane(shape, a, b):
    w = WIDTHS[shape]
    assert getattr(S, shape + "_mul")(a, b) == model_binary(lambda x, y: x * y, a, b, w)


@pytest.mark.parametrize("shape", ["i8x16", "i16x8"])
@given(a=edgy, b=edgy)
def test_simd_saturating_arithmetic(shape, a, b):
    w = WIDTHS[shape]
    lo, hi, umax = -(1 << (w - 1)), (1 << (w - 1)) - 1, (1 << w) - 1
    sat = lambda v: max(lo, min(hi, v))  # noqa: E731
    s = lambda x: signed(x, w)  # noqa: E731
    assert getattr(S, shape + "_add_sat_s")(a, b) == model_binary(
        lambda x, y: sat(s(x) + s(y)), a, b, w)
    assert getattr(S, shape + "_sub_sat_s")(a, b) == model_binary(
        lambda x, y: sat(s(x) - s(y)), a, b, w)
    assert getattr(S, shape + "_add_sat_u")(a, b) == model_binary(
        lambda x, y: min(umax, x + y), a, b, w)
    assert getattr(S, shape + "_sub_sat_u")(a, b) == model_binary(
        lambda x, y: max(0, x - y), a, b, w)


@given(a=edgy, b=edgy)
def test_simd_narrow_saturates_a_then_b(a, b):
    for name_, win, wout, is_signed in (("i8x16_narrow_i16x8", 16, 8, True),
                                        ("i16x8_narrow_i32x4", 32, 16, True)):
        source = [signed(x, win) for x in split(a, win) + split(b, win)]
        lo_s, hi_s = -(1 << (wout - 1)), (1 << (wout - 1)) - 1
        assert getattr(S, name_ + "_s")(a, b) == join(
            [max(lo_s, min(hi_s, x)) for x in source], wout)
        assert getattr(S, name_ + "_u")(a, b) == join(
            [max(0, min((1 << wout) - 1, x)) for x in source], wout)


@given(a=edgy, b=edgy)
def test_simd_extend_extmul_extadd(a, b):
    for wide, narrow_shape, nb in (("i16x8", "i8x16", 8), ("i32x4", "i16x8", 16),
                                   ("i64x2", "i32x4", 32)):
        half = 64 // nb
        for sign in ("s", "u"):
            conv = (lambda x: signed(x, nb)) if sign == "s" else (lambda x: x)
            xs = [conv(x) for x in split(a, nb)]
            ys = [conv(y) for y in split(b, nb)]
            for part, sl in (("low", slice(0, half)), ("high", slice(half, 2 * half))):
                fn = getattr(S, "%s_extend_%s_%s_%s" % (wide, part, narrow_shape, sign))
                assert fn(a) == join(xs[sl], 2 * nb)
                fn = getattr(S, "%s_extmul_%s_%s_%s" % (wide, part, narrow_shape, sign))
                assert fn(a, b) == join([x * y for x, y in zip(xs[sl], ys[sl])], 2 * nb)
            if nb < 32:
                fn = getattr(S, "%s_extadd_pairwise_%s_%s" % (wide, narrow_shape, sign))
                assert fn(a) == join([xs[i] + xs[i + 1] for i in range(0, len(xs), 2)], 2 * nb)


@given(a=edgy, b=edgy)
def test_simd_q15mulr_dot_popcnt(a, b):
    xs = [signed(x, 16) for x in split(a, 16)]
    ys = [signed(y, 16) for y in split(b, 16)]
    assert S.i16x8_q15mulr_sat_s(a, b) == join(
        [max(-32768, min(32767, (x * y + 0x4000) >> 15)) for x, y in zip(xs, ys)], 16)
    assert S.i32x4_dot_i16x8_s(a, b) == join(
        [xs[i] * ys[i] + xs[i + 1] * ys[i + 1] for i in range(0, 8, 2)], 32)
    assert S.i8x16_popcnt(a) == join([bin(x).count("1") for x in split(a, 8)], 8)


@given(a=v128s, b=v128s, lanes=st.lists(st.integers(0, 31), min_size=16, max_size=16))
def test_simd_shuffle_and_swizzle(a, b, lanes):
    source = split(a, 8) + split(b, 8)
    assert S.i8x16_shuffle(a, b, tuple(lanes)) == join([source[i] for i in lanes], 8)
    indexes = join(lanes, 8) ^ (b & (0x80 << 64))      # some indexes >= 128 too
    expected = [source[i] if i < 16 else 0 for i in split(indexes, 8)]
    assert S.i8x16_swizzle(a, indexes) == join(expected, 8)


# --- float lanes ------------------------------------------------------------------

f32_bits = st.one_of(st.integers(0, 0xFFFFFFFF), st.sampled_from(
    [0x7FA00000, 0xFFA00001, 0x7FC00000, 0x80000000, 0, 0x7F800000, 0xFF800000, 1]))


@given(xs=st.lists(f32_bits, min_size=4, max_size=4), ys=st.lists(f32_bits, min_size=4, max_size=4))
def test_simd_f32x4_lanes_follow_scalar_numeric(xs, ys):
    a, b = join(xs, 32), join(ys, 32)
    for op_ in ("add", "sub", "mul", "div", "min", "max"):
        assert getattr(S, "f32x4_" + op_)(a, b) == join(
            [getattr(N, "f32_" + op_)(x, y) for x, y in zip(xs, ys)], 32), op_
    for op_ in ("sqrt", "ceil", "floor", "trunc", "nearest"):
        assert getattr(S, "f32x4_" + op_)(a) == join(
            [getattr(N, "f32_" + op_)(x) for x in xs], 32), op_
    for op_ in ("eq", "ne", "lt", "gt", "le", "ge"):
        assert getattr(S, "f32x4_" + op_)(a, b) == join(
            [-getattr(N, "f32_" + op_)(x, y) for x, y in zip(xs, ys)], 32), op_


def test_simd_pmin_pmax_keep_signalling_nan_bits():
    snan, one = 0x7FA00001, 0x3F800000
    a = join([snan, one, 0x80000000, one], 32)
    b = join([one, snan, 0, 0x40000000], 32)
    # NaN compares false: the first operand's lane, bits untouched.
    assert split(S.f32x4_pmin(a, b), 32) == [snan, one, 0x80000000, one]
    assert split(S.f32x4_pmax(a, b), 32) == [snan, one, 0x80000000, 0x40000000]


def f64(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def test_simd_conversions_edges():
    big = join([0x4F000000, 0xCF000001, 0x7FC00000, 0x4F800000], 32)   # 2**31, <-2**31, nan, 2**32
    assert split(S.i32x4_trunc_sat_f32x4_s(big), 32) == [0x7FFFFFFF, 0x80000000, 0, 0x7FFFFFFF]
    assert split(S.i32x4_trunc_sat_f32x4_u(big), 32) == [0x80000000, 0, 0, 0xFFFFFFFF]
    pair = join([0x41E0000000000000, 0xFFF8000000000000], 64)          # 2**31, nan
    assert split(S.i32x4_trunc_sat_f64x2_s_zero(pair), 32) == [0x7FFFFFFF, 0, 0, 0]
    assert split(S.f32x4_demote_f64x2_zero(pair), 32)[1:] == [0xFFC00000, 0, 0]
    assert split(S.f64x2_convert_low_i32x4_s(join([0xFFFFFFFF, 7, 9, 9], 32)), 64) == [
        0xBFF0000000000000, 0x401C000000000000]
    assert S.f64x2_promote_low_f32x4(join([0x3F800000, 0, 5, 5], 32)) == join(
        [0x3FF0000000000000, 0], 64)


# --- memory helpers ------------------------------------------------------------------

def test_simd_memory_helpers_bounds_and_lane_order():
    mem = bytearray(range(32))
    assert S.v128_load(mem, 16) == int.from_bytes(bytes(range(16, 32)), "little")
    assert split(S.v128_load8x8_s(bytearray([0xFF] * 8), 0), 16) == [0xFFFF] * 8
    assert split(S.v128_load16_splat(mem, 2), 16) == [0x0302] * 8
    assert S.v128_load32_zero(mem, 4) == 0x07060504
    assert split(S.v128_load8_lane(mem, 5, 0, 15), 8)[15] == 5
    S.v128_store64_lane(mem, 0, join([1, 2], 64), 1)
    assert mem[:8] == b"\x02" + bytes(7)
    for fn, args in ((S.v128_load, (mem, 17)), (S.v128_load64_splat, (mem, 25)),
                     (S.v128_store, (mem, 17, 0)), (S.v128_store8_lane, (mem, 32, 0, 0)),
                     (S.v128_load32_lane, (mem, 29, 0, 0))):
        with pytest.raises(Trap) as info:
            fn(*args)
        assert info.value.kind is TrapKind.MEMORY_OOB
    assert mem[17:] == bytes(range(17, 32))        # nothing written on a trap


# --- decoding, validation, execution -------------------------------------------------

def simd(mnemonic, *imm_bytes):
    return op(mnemonic) + bytes(imm_bytes)


def v128_const(value):
    return op("v128.const") + value.to_bytes(16, "little")


def exported(params, results, instrs, memory=None):
    sections = [section(TYPE, vec([functype(params, results)])),
                section(FUNCTION, vec([u32(0)]))]
    if memory is not None:
        sections.append(section(MEMORY, vec([limits(memory)])))
    sections.append(section(EXPORT, vec([name("f") + b"\x00" + u32(0)])))
    sections.append(section(CODE, vec([func_body(instrs)])))
    return module(*sections)


def test_simd_unknown_sub_opcode_is_illegal():
    binary = one_func_module(b"\xfd" + u32(0x9A) + END)       # a reserved code
    with pytest.raises(DecodeError, match="^illegal opcode"):
        Module(binary)


def test_simd_truncated_const_is_unexpected_end():
    binary = one_func_module(op("v128.const") + bytes(3))
    with pytest.raises(DecodeError, match="^unexpected end"):
        Module(binary)


@pytest.mark.parametrize("instrs", [
    v128_const(0) + simd("i8x16.extract_lane_u", 16) + op("drop") + END,
    v128_const(0) + simd("i64x2.extract_lane", 2) + op("drop") + END,
    v128_const(0) + v128_const(0) + simd("i8x16.shuffle", *([0] * 15 + [32])) + op("drop") + END,
])
def test_simd_lane_index_out_of_range_is_invalid(instrs):
    with pytest.raises(ValidationError, match="^invalid lane index"):
        Module(one_func_module(instrs))


def test_simd_memory_lane_index_and_alignment_are_validated():
    load_lane = i32_const(0) + v128_const(0) + simd("v128.load32_lane", 2, 0, 4)
    with pytest.raises(ValidationError, match="^invalid lane index"):
        Module(exported(b"", b"", load_lane + op("drop") + END, memory=1))
    splat = i32_const(0) + simd("v128.load16_splat", 2, 0)      # align 4 > 2 bytes
    with pytest.raises(ValidationError, match="^alignment must not be larger than natural"):
        Module(exported(b"", b"", splat + op("drop") + END, memory=1))
    load = i32_const(0) + simd("v128.load", 4, 0)               # 16 bytes: align 4 ok
    Module(exported(b"", b"", load + op("drop") + END, memory=1))


@pytest.mark.parametrize("tier", TIERS)
def test_simd_v128_arguments_results_and_select(tier):
    body = (op("local.get") + u32(0) + op("local.get") + u32(1) + op("local.get") + u32(2)
            + op("select") + END)
    f = Linker().instantiate(Store(engine=tier), Module(exported(
        V128 + V128 + I32, V128, body))).exports["f"]
    assert f(M128, 5, 1) == M128
    assert f(M128, 5, 0) == 5
    with pytest.raises(ValueError):
        f(1 << 128, 0, 0)


@pytest.mark.parametrize("tier", TIERS)
def test_simd_lane_ops_and_memory_through_the_engine(tier):
    # Store a vector at arg0 + 1, load it back, move its lane 0 (an i16)
    # into lane 1 of the splat of arg1, extract that and add arg1.
    body = (op("local.get") + u32(0) + v128_const(0x0F0E0D0C0B0A09080706050403028180)
            + simd("v128.store", 0, 1)
            + op("local.get") + u32(1) + simd("i16x8.splat")
            + op("local.get") + u32(0) + simd("v128.load", 0, 1)
            + simd("i16x8.extract_lane_s", 0) + simd("i16x8.replace_lane", 1)
            + simd("i16x8.extract_lane_s", 1) + op("local.get") + u32(1) + op("i32.add") + END)
    f = Linker().instantiate(Store(engine=tier), Module(exported(
        I32 + I32, I32, body, memory=1))).exports["f"]
    assert f(0, 7) == 7 + -32384          # lane 0 of the store is 0x8180
    with pytest.raises(Trap, match="^out of bounds memory access"):
        f(65520, 0)


@pytest.mark.parametrize("tier", TIERS)
@settings(max_examples=25, deadline=None)
@given(a=edgy, b=edgy, c=edgy)
def test_simd_tiers_agree_with_helpers(tier, a, b, c):
    """bitselect (the one 3-operand template), a lane template and a helper
    call, through the engine, against the helpers called directly."""
    body = (op("local.get") + u32(0) + op("local.get") + u32(1) + op("local.get") + u32(2)
            + simd("v128.bitselect") + op("local.get") + u32(0) + simd("i8x16.sub_sat_s")
            + op("local.get") + u32(1) + simd("i32x4.extract_lane", 2)
            + simd("i32x4.replace_lane", 3) + END)
    f = Linker().instantiate(Store(engine=tier), Module(exported(
        V128 + V128 + V128, V128, body))).exports["f"]
    selected = (a & c) | (b & ~c & M128)
    expected = S.i8x16_sub_sat_s(selected, a)
    expected = (expected & ~(0xFFFFFFFF << 96)) | (((b >> 64) & 0xFFFFFFFF) << 96)
    assert f(a, b, c) == expected


def test_simd_v128_global_initialiser_and_api():
    value = 0x0123456789ABCDEF0011223344556677
    binary = module(
        section(TYPE, vec([functype(b"", V128)])),
        section(FUNCTION, vec([u32(0)])),
        section(GLOBAL, vec([V128 + b"\x01" + v128_const(value) + END])),
        section(EXPORT, vec([name("f") + b"\x00" + u32(0), name("g") + b"\x03" + u32(0)])),
        section(CODE, vec([func_body(op("global.get") + u32(0) + END)])))
    for tier in TIERS:
        exports = Linker().instantiate(Store(engine=tier), Module(binary)).exports
        assert exports["f"]() == value
        assert exports["g"].value == value
    store = Store()
    g = Global(store, GlobalType(ValType.V128, True), M128)
    assert g.value == M128
