"""numeric.py against slow, obvious models.

Floats are modelled exactly: a bit pattern decodes to (kind, sign, Fraction)
and an exact rational result is rounded to nearest-even by a Fraction-only
encoder that never touches struct or float rounding.  Integer operators are
modelled with explicit sign handling (truncating Fraction division) and
bit-by-bit loops.  NaN results are checked by the spec's rule: canonical when
every NaN operand was canonical, otherwise at least arithmetic (quiet bit).
"""

import math
import platform
import random
import struct
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from pywasi_interp import numeric as N
from pywasi_interp.errors import Trap, TrapKind


# Hypothesis costs several ms per example under PyPy, whose run is there to
# catch interpreter differences (struct, float formatting, int conversion)
# rather than to search further: give it a third of the examples.
_EXAMPLE_SHARE = 3 if platform.python_implementation() == "PyPy" else 1


def examples(n):
    # No example database: keeps the work tree clean.  No deadline: CI is slow.
    return settings(max_examples=max(20, n // _EXAMPLE_SHARE), deadline=None, database=None)


M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def f64_from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


# --- exact float model ----------------------------------------------------------

class Fmt:
    def __init__(self, ebits, mbits):
        self.ebits, self.mbits = ebits, mbits
        self.width = 1 + ebits + mbits
        self.bias = (1 << (ebits - 1)) - 1
        self.emin = 1 - self.bias                 # exponent of the smallest normal
        self.emax = self.bias
        self.emask = (1 << ebits) - 1
        self.sign = 1 << (self.width - 1)
        self.quiet = 1 << (mbits - 1)
        self.canonical = (self.emask << mbits) | self.quiet


F32 = Fmt(8, 23)
F64 = Fmt(11, 52)


def decode(bits, fmt):
    """(kind, sign, magnitude) with kind 'nan', 'inf' or 'fin'."""
    sign = bits >> (fmt.width - 1)
    e = (bits >> fmt.mbits) & fmt.emask
    m = bits & ((1 << fmt.mbits) - 1)
    if e == fmt.emask:
        return ("nan" if m else "inf", sign, None)
    if e == 0:
        return ("fin", sign, scaled(m, fmt.emin - fmt.mbits))
    return ("fin", sign, scaled(m | (1 << fmt.mbits), e - fmt.bias - fmt.mbits))


def scaled(m, k):
    """The Fraction m * 2**k."""
    return Fraction(m << k) if k >= 0 else Fraction(m, 1 << -k)


def floor_log2(n, d):
    """e with 2**e <= n/d < 2**(e+1), for positive integers n, d."""
    e = n.bit_length() - d.bit_length()        # n/d is in [2**(e-1), 2**(e+1))
    if (n << -e if e < 0 else n) < (d << e if e > 0 else d):
        e -= 1
    return e


def encode_rounded(q, fmt, zero_sign=0):
    """Bits of the rational q rounded to nearest, ties to even; +-inf on overflow.

    Integer arithmetic on q's numerator and denominator only.  A zero result
    (exact or after underflow) takes q's sign, or zero_sign when q is zero.
    """
    sign = zero_sign if q == 0 else int(q < 0)
    signbit = fmt.sign if sign else 0
    n, d = abs(q.numerator), q.denominator
    if n == 0:
        return signbit
    e = max(floor_log2(n, d), fmt.emin)        # subnormals share emin's ulp
    k = fmt.mbits - e                          # significand = n/d * 2**k
    num, den = (n << k, d) if k >= 0 else (n, d << -k)
    m, rest = divmod(num, den)
    if 2 * rest > den or (2 * rest == den and m & 1):
        m += 1
    if m == 1 << (fmt.mbits + 1):              # rounding carried into the next binade
        m >>= 1
        e += 1
    if e > fmt.emax:
        return signbit | (fmt.emask << fmt.mbits)
    if m < 1 << fmt.mbits:                     # subnormal or zero: exponent field 0
        return signbit | m
    return signbit | ((e + fmt.bias) << fmt.mbits) | (m - (1 << fmt.mbits))


def signed_value(kind_sign_mag):
    _, sign, mag = kind_sign_mag
    return -mag if sign else mag


def is_nan(bits, fmt):
    return (bits & ~fmt.sign) > (fmt.emask << fmt.mbits)


def check_nan(result, operands, fmt, operand_fmt=None):
    """The spec's NaN rule for an operator whose result is a NaN."""
    assert is_nan(result, fmt), hex(result)
    ofmt = operand_fmt or fmt
    nan_operands = [x for x in operands if is_nan(x, ofmt)]
    if all((x & ~ofmt.sign) == ofmt.canonical for x in nan_operands):
        assert (result & ~fmt.sign) == fmt.canonical, hex(result)
    else:
        assert result & fmt.quiet, hex(result)


NAN = "NaN"


def check_float(result, expected, operands, fmt):
    if expected is NAN:
        check_nan(result, operands, fmt)
    else:
        assert result == expected, (hex(result), hex(expected))


def model_binop(op, a, b, fmt):
    """IEEE-754 add/sub/mul/div in round-to-nearest: expected bits or NAN."""
    ka, sa, xa = decode(a, fmt)
    kb, sb, xb = decode(b, fmt)
    inf = fmt.emask << fmt.mbits
    if ka == "nan" or kb == "nan":
        return NAN
    if op == "sub":
        op, sb = "add", sb ^ 1
    if op == "add":
        if ka == "inf" and kb == "inf":
            return NAN if sa != sb else (sa << (fmt.width - 1)) | inf
        if ka == "inf" or kb == "inf":
            s = sa if ka == "inf" else sb
            return (s << (fmt.width - 1)) | inf
        exact = (-xa if sa else xa) + (-xb if sb else xb)
        # An exact zero sum is -0 only when both addends are -0.
        return encode_rounded(exact, fmt, zero_sign=sa & sb)
    s = sa ^ sb
    signbit = s << (fmt.width - 1)
    if op == "mul":
        if (ka == "inf" and kb == "fin" and xb == 0) or (kb == "inf" and ka == "fin" and xa == 0):
            return NAN
        if ka == "inf" or kb == "inf":
            return signbit | inf
        return encode_rounded(xa * xb * (-1 if s else 1), fmt, zero_sign=s)
    assert op == "div"
    if ka == "inf":
        return NAN if kb == "inf" else signbit | inf
    if kb == "inf":
        return signbit
    if xb == 0:
        return NAN if xa == 0 else signbit | inf
    return encode_rounded(xa / xb * (-1 if s else 1), fmt, zero_sign=s)


def model_sqrt(a, fmt):
    k, s, x = decode(a, fmt)
    if k == "nan" or (s and not (k == "fin" and x == 0)):
        return NAN
    if k == "inf" or x == 0:
        return a
    # floor(sqrt(x) * 2**K) by integer sqrt; every rounding boundary of the
    # result lies on the 2**-K grid, so "exact or just above the floor" is
    # enough to round correctly.
    K = 1200
    scaled = x * Fraction(4) ** K
    n = scaled.numerator // scaled.denominator
    r = math.isqrt(n)
    exact = r * r == n and scaled.denominator == 1
    approx = Fraction(r, 2 ** K) if exact else Fraction(2 * r + 1, 2 ** (K + 1))
    return encode_rounded(approx, fmt)


BIG = Fraction(2 ** 2000)                           # stands in for infinity


def model_minmax(op, a, b, fmt):
    ka, sa, xa = decode(a, fmt)
    kb, sb, xb = decode(b, fmt)
    if ka == "nan" or kb == "nan":
        return NAN
    va = (BIG if ka == "inf" else xa) * (-1 if sa else 1)
    vb = (BIG if kb == "inf" else xb) * (-1 if sb else 1)
    if va == vb:
        if op == "min":
            return a if sa else b                   # -0 wins for min
        return b if sa else a                       # +0 wins for max
    pick_a = (va < vb) if op == "min" else (va > vb)
    return a if pick_a else b


def model_round_integral(op, a, fmt):
    k, s, x = decode(a, fmt)
    if k == "nan":
        return NAN
    if k == "inf":
        return a
    v = -x if s else x
    if op == "ceil":
        r = math.ceil(v)
    elif op == "floor":
        r = math.floor(v)
    elif op == "trunc":
        r = int(v)                                  # Fraction int(): toward zero
    else:
        r = round(v)                                # Fraction round(): half to even
    return encode_rounded(Fraction(r), fmt, zero_sign=s)   # zero keeps the sign


def model_compare(op, a, b, fmt):
    ka, sa, xa = decode(a, fmt)
    kb, sb, xb = decode(b, fmt)
    if ka == "nan" or kb == "nan":
        return 1 if op == "ne" else 0
    va = (BIG if ka == "inf" else xa) * (-1 if sa else 1)
    vb = (BIG if kb == "inf" else xb) * (-1 if sb else 1)
    return int({"eq": va == vb, "ne": va != vb, "lt": va < vb, "gt": va > vb,
                "le": va <= vb, "ge": va >= vb}[op])


# --- strategies -------------------------------------------------------------------

F32_SPECIALS = [
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00800000,
    0x3F000000, 0xBF000000, 0x3F800000, 0xBF800000, 0x3FC00000, 0xC0200000,
    0x4B000000, 0x4AFFFFFF, 0x4B7FFFFF, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000,
    0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FA00000, 0x7F800001, 0xFFFFFFFF,
    0x4F000000, 0xCF000000, 0x4F800000, 0x5F000000, 0xDF000000, 0x5F800000,
]
F64_SPECIAL_BITS = [
    0x0, 0x8000000000000000, 0x1, 0x000FFFFFFFFFFFFF, 0x0010000000000000,
    0x3FE0000000000000, 0xBFE0000000000000, 0x3FF0000000000000, 0x3FF8000000000000,
    0x4330000000000000, 0x432FFFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF,
    0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000,
    0x7FF4000000000000, 0x7FF0000000000001, 0x41E0000000000000, 0xC1E0000000000000,
    0x41F0000000000000, 0x43E0000000000000, 0xC3E0000000000000, 0x43F0000000000000,
    0x47EFFFFFE0000000, 0x47EFFFFFF0000000, 0x36A0000000000000, 0x3690000000000000,
]

MANTISSA_SHAPES = st.one_of(
    st.integers(0, 0x7FFFFF),
    st.sampled_from([0, 1, 2, 3, 0x7FFFFF, 0x7FFFFE, 0x400000, 0x400001, 0x3FFFFF]),
)


@st.composite
def f32_bits_structured(draw, exponents=st.integers(0, 255)):
    return (draw(st.integers(0, 1)) << 31) | (draw(exponents) << 23) | draw(MANTISSA_SHAPES)


f32_bits = st.one_of(st.integers(0, M32), st.sampled_from(F32_SPECIALS), f32_bits_structured())


@st.composite
def f32_close_pairs(draw):
    """Finite operands whose exponents differ by little: results near ties."""
    ea = draw(st.integers(0, 254))
    eb = min(254, max(0, ea + draw(st.integers(-30, 30))))
    a = draw(f32_bits_structured(st.just(ea)))
    b = draw(f32_bits_structured(st.just(eb)))
    return a, b


f32_pairs = st.one_of(st.tuples(f32_bits, f32_bits), f32_close_pairs())

f64_bit_patterns = st.one_of(
    st.integers(0, M64), st.sampled_from(F64_SPECIAL_BITS),
    st.floats(allow_nan=False).map(f64_bits),
    st.floats(-1e7, 1e7).map(f64_bits),
)
f64_values = f64_bit_patterns.map(f64_from_bits)

I32_EDGES = [0, 1, 2, 3, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFFE]
I64_EDGES = [0, 1, 2, 3, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x8000000000000001,
             M64, M64 - 1, 1 << 53, (1 << 53) + 1, (1 << 60) + (1 << 36) + 1]
i32s = st.one_of(st.integers(0, M32), st.sampled_from(I32_EDGES), st.integers(0, 40))
i64s = st.one_of(st.integers(0, M64), st.sampled_from(I64_EDGES), st.integers(0, 40),
                 st.integers(0, 40).map(lambda x: -x & M64))


def signed(v, bits):
    return v - (1 << bits) if v >> (bits - 1) else v


# --- integer operators ------------------------------------------------------------

def model_div_rem(a, b, bits, op):
    sa, sb = (signed(a, bits), signed(b, bits)) if op.endswith("_s") else (a, b)
    if sb == 0:
        return TrapKind.INT_DIV_BY_ZERO
    q = int(Fraction(sa, sb))                       # truncates toward zero
    if op.startswith("div"):
        if not (-(1 << (bits - 1)) <= q < (1 << (bits - 1))) and op == "div_s":
            return TrapKind.INT_OVERFLOW
        return q & ((1 << bits) - 1)
    return (sa - sb * q) & ((1 << bits) - 1)


def run_trapping(func, *args):
    try:
        return func(*args)
    except Trap as trap:
        return trap.kind


# One example checks every operator of a family: hypothesis' per-example cost,
# not the models, dominates the run time (much more so under PyPy).
DIV_REM = ("div_s", "div_u", "rem_s", "rem_u")


@examples(400)
@given(a=i32s, b=i32s)
def test_numeric_i32_div_rem_match_truncating_model(a, b):
    for op in DIV_REM:
        assert run_trapping(getattr(N, "i32_" + op), a, b) == model_div_rem(a, b, 32, op), op


@examples(400)
@given(a=i64s, b=i64s)
def test_numeric_i64_div_rem_match_truncating_model(a, b):
    for op in DIV_REM:
        assert run_trapping(getattr(N, "i64_" + op), a, b) == model_div_rem(a, b, 64, op), op


@pytest.mark.parametrize("bits", [32, 64])
def test_numeric_div_rem_edge_cases(bits):
    p = "i%d_" % bits
    mask = (1 << bits) - 1
    int_min = 1 << (bits - 1)
    minus = lambda v: -v & mask                      # noqa: E731
    div_s, rem_s = getattr(N, p + "div_s"), getattr(N, p + "rem_s")
    div_u, rem_u = getattr(N, p + "div_u"), getattr(N, p + "rem_u")
    for func in (div_s, rem_s, div_u, rem_u):
        with pytest.raises(Trap) as info:
            func(7, 0)
        assert info.value.kind is TrapKind.INT_DIV_BY_ZERO
        assert str(info.value) == "integer divide by zero"
    with pytest.raises(Trap) as info:
        div_s(int_min, mask)
    assert info.value.kind is TrapKind.INT_OVERFLOW
    assert str(info.value) == "integer overflow"
    assert rem_s(int_min, mask) == 0                 # no trap for rem_s
    assert div_u(int_min, mask) == 0
    assert rem_u(int_min, mask) == int_min
    assert div_s(minus(7), 2) == minus(3)            # toward zero, not floor
    assert rem_s(minus(7), 2) == minus(1)            # dividend's sign
    assert div_s(7, minus(2)) == minus(3)
    assert rem_s(7, minus(2)) == 1
    assert div_s(minus(7), minus(2)) == 3
    assert rem_s(minus(7), minus(2)) == minus(1)
    assert div_s(int_min, 2) == minus(1 << (bits - 2))
    assert div_s(int_min, 1) == int_min


def model_ctz(a, bits):
    n = 0
    while n < bits and not (a >> n) & 1:
        n += 1
    return n


def model_rotl(a, k, bits):
    digits = [(a >> i) & 1 for i in range(bits)]     # little-endian bit list
    k %= bits
    rotated = digits[bits - k:] + digits[:bits - k]
    return sum(bit << i for i, bit in enumerate(rotated))


@examples(150)
@given(a=i32s, b=i32s, c=i64s, d=i64s)
def test_numeric_ctz_and_rotations_match_bitwise_model(a, b, c, d):
    assert N.i32_ctz(a) == model_ctz(a, 32)
    assert N.i64_ctz(c) == model_ctz(c, 64)
    assert N.i32_rotl(a, b) == model_rotl(a, b, 32)
    assert N.i32_rotr(a, b) == model_rotl(a, -b % 32, 32)
    assert N.i64_rotl(c, d) == model_rotl(c, d, 64)
    assert N.i64_rotr(c, d) == model_rotl(c, -d % 64, 64)


def test_numeric_ctz_rotate_edge_cases():
    assert N.i32_ctz(0) == 32 and N.i64_ctz(0) == 64
    assert N.i32_ctz(0x80000000) == 31 and N.i64_ctz(1 << 63) == 63
    assert N.i32_rotl(0x80000001, 1) == 3
    assert N.i32_rotl(0x12345678, 32) == 0x12345678      # count taken mod 32
    assert N.i32_rotr(1, 0xFFFFFFFF) == 2                # -1 mod 32 = 31: rotr 31 = rotl 1
    assert N.i64_rotr(1, 1) == 1 << 63
    assert N.i64_rotl(1 << 63, 65) == 1                 # 65 mod 64 = 1


# --- f32 arithmetic: the double-rounding claim ---------------------------------------

@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@examples(300)
@given(pair=f32_pairs)
def test_numeric_f32_arithmetic_is_correctly_rounded(op, pair):
    a, b = pair
    result = getattr(N, "f32_" + op)(a, b)
    assert isinstance(result, int) and 0 <= result <= M32
    check_float(result, model_binop(op, a, b, F32), (a, b), F32)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_numeric_f32_double_rounding_random_sweep(op):
    """Many close-exponent operands: where computing in double could bite.

    A seeded sweep, cheaper per case than hypothesis, for volume."""
    rng = random.Random(0xF32 + len(op))
    func = getattr(N, "f32_" + op)
    for _ in range(3000):
        ea = rng.randrange(1, 254)
        eb = min(253, max(1, ea + rng.randrange(-26, 27)))
        a = (rng.getrandbits(1) << 31) | (ea << 23) | rng.getrandbits(23)
        b = (rng.getrandbits(1) << 31) | (eb << 23) | rng.getrandbits(23)
        assert func(a, b) == model_binop(op, a, b, F32), (hex(a), hex(b))


@examples(300)
@given(a=f32_bits)
def test_numeric_f32_sqrt_is_correctly_rounded(a):
    check_float(N.f32_sqrt(a), model_sqrt(a, F32), (a,), F32)


def test_numeric_f32_sqrt_random_sweep():
    rng = random.Random(0x5917)
    for _ in range(3000):
        a = rng.randrange(0x7F800000)                 # positive, finite
        assert N.f32_sqrt(a) == model_sqrt(a, F32), hex(a)


@examples(150)
@given(a=f64_bit_patterns)
def test_numeric_f64_sqrt_is_correctly_rounded(a):
    check_float(f64_bits(N.f64_sqrt(f64_from_bits(a))), model_sqrt(a, F64), (a,), F64)


@examples(200)
@given(a=f64_values, b=f64_values)
def test_numeric_f64_div_matches_ieee_model(a, b):
    result = N.f64_div(a, b)
    assert isinstance(result, float)
    ab, bb = f64_bits(a), f64_bits(b)
    check_float(f64_bits(result), model_binop("div", ab, bb, F64), (ab, bb), F64)


def test_numeric_f32_arithmetic_edge_cases():
    min_sub, neg_zero = 0x00000001, 0x80000000
    assert N.f32_mul(min_sub, 0x3F000000) == 0                # 2**-150: tie to even (0)
    assert N.f32_mul(min_sub, 0x3FC00000) == 2                # 1.5 ulp: tie to even (2)
    assert N.f32_mul(0x80000001, 0x3F000000) == neg_zero      # underflow keeps the sign
    assert N.f32_add(neg_zero, neg_zero) == neg_zero
    assert N.f32_add(neg_zero, 0) == 0
    assert N.f32_sub(0x3F800000, 0x3F800000) == 0             # x - x = +0
    assert N.f32_add(0x7F7FFFFF, 0x7F7FFFFF) == 0x7F800000    # overflow: no exception
    assert N.f32_mul(0xFF7FFFFF, 0x40000000) == 0xFF800000
    assert N.f32_div(0x3F800000, 0) == 0x7F800000
    assert N.f32_div(0x3F800000, neg_zero) == 0xFF800000
    assert N.f32_div(0xBF800000, neg_zero) == 0x7F800000
    assert N.f32_div(0, 0) & 0x7FFFFFFF == 0x7FC00000
    assert N.f32_div(0x7FC00000, 0) & 0x7FFFFFFF == 0x7FC00000
    assert N.f32_add(0x7F800000, 0xFF800000) & 0x7FFFFFFF == 0x7FC00000
    assert N.f32_sqrt(neg_zero) == neg_zero
    assert N.f32_sqrt(0xBF800000) & 0x7FFFFFFF == 0x7FC00000
    assert N.f32_sqrt(0x7F800000) == 0x7F800000
    # A signalling NaN operand gives an arithmetic (quiet) NaN, never itself.
    for func in (N.f32_add, N.f32_sub, N.f32_mul, N.f32_div, N.f32_min, N.f32_max):
        for a, b in ((0x7FA00000, 0x3F800000), (0x3F800000, 0xFF800001)):
            check_nan(func(a, b), (a, b), F32)
    check_nan(N.f32_sqrt(0x7F800001), (0x7F800001,), F32)


# --- min / max -------------------------------------------------------------------------

@examples(300)
@given(a=f32_bits, b=f32_bits)
def test_numeric_f32_min_max_match_model(a, b):
    for op in ("min", "max"):
        check_float(getattr(N, "f32_" + op)(a, b), model_minmax(op, a, b, F32), (a, b), F32)


@examples(300)
@given(a=f64_bit_patterns, b=f64_bit_patterns)
def test_numeric_f64_min_max_match_model(a, b):
    for op in ("min", "max"):
        result = getattr(N, "f64_" + op)(f64_from_bits(a), f64_from_bits(b))
        check_float(f64_bits(result), model_minmax(op, a, b, F64), (a, b), F64)


def test_numeric_min_max_signed_zero_and_nan():
    for x, y in ((0, 0x80000000), (0x80000000, 0)):
        assert N.f32_min(x, y) == 0x80000000
        assert N.f32_max(x, y) == 0
    for x, y in ((0.0, -0.0), (-0.0, 0.0)):
        assert math.copysign(1.0, N.f64_min(x, y)) == -1.0
        assert math.copysign(1.0, N.f64_max(x, y)) == 1.0
    assert N.f32_min(0x7FC00000, 0xFF800000) & 0x7FFFFFFF == 0x7FC00000
    assert N.f32_max(0xFF800000, 0x7FA00000) & 0x7FC00000 == 0x7FC00000
    assert math.isnan(N.f64_min(math.nan, -math.inf))
    assert math.isnan(N.f64_max(1.0, math.nan))


# --- rounding to integral ------------------------------------------------------------

ROUNDINGS = ("ceil", "floor", "trunc", "nearest")


@examples(400)
@given(a=f32_bits)
def test_numeric_f32_round_integral_matches_model(a):
    for op in ROUNDINGS:
        check_float(getattr(N, "f32_" + op)(a), model_round_integral(op, a, F32), (a,), F32)


@examples(400)
@given(a=f64_bit_patterns)
def test_numeric_f64_round_integral_matches_model(a):
    for op in ROUNDINGS:
        result = getattr(N, "f64_" + op)(f64_from_bits(a))
        assert isinstance(result, float)
        check_float(f64_bits(result), model_round_integral(op, a, F64), (a,), F64)


@pytest.mark.parametrize("value, ceil, floor, trunc, nearest", [
    (-0.5, -0.0, -1.0, -0.0, -0.0),
    (0.5, 1.0, 0.0, 0.0, 0.0),
    (-0.0, -0.0, -0.0, -0.0, -0.0),
    (1.5, 2.0, 1.0, 1.0, 2.0),
    (2.5, 3.0, 2.0, 2.0, 2.0),
    (-2.5, -2.0, -3.0, -2.0, -2.0),
    (-3.5, -3.0, -4.0, -3.0, -4.0),
    (-0.75, -0.0, -1.0, -0.0, -1.0),
    (4194303.5, 4194304.0, 4194303.0, 4194303.0, 4194304.0),   # 2**22 - 0.5
    (8388607.5, 8388608.0, 8388607.0, 8388607.0, 8388608.0),   # largest f32 fraction
    (float("inf"), float("inf"), float("inf"), float("inf"), float("inf")),
])
def test_numeric_round_integral_signed_zero_and_ties(value, ceil, floor, trunc, nearest):
    for name, want in (("ceil", ceil), ("floor", floor), ("trunc", trunc), ("nearest", nearest)):
        got64 = getattr(N, "f64_" + name)(value)
        assert f64_bits(got64) == f64_bits(want), (name, value, got64)
        got32 = getattr(N, "f32_" + name)(N.float_to_f32(value))
        assert got32 == N.float_to_f32(want), (name, value, hex(got32))
    big = 4503599627370495.5                                    # 2**52 - 0.5 in f64
    assert N.f64_nearest(big) == 4503599627370496.0
    assert N.f64_nearest(-big) == -4503599627370496.0
    assert N.f64_nearest(4503599627370497.0) == 4503599627370497.0


def test_numeric_round_integral_quiets_signalling_nan():
    for op in ("ceil", "floor", "trunc", "nearest"):
        for a in (0x7FA00000, 0xFF800001, 0x7FC00000):
            check_nan(getattr(N, "f32_" + op)(a), (a,), F32)
        for a in (0x7FF4000000000000, 0xFFF0000000000001, 0x7FF8000000000000):
            check_nan(f64_bits(getattr(N, "f64_" + op)(f64_from_bits(a))), (a,), F64)


# --- comparisons -----------------------------------------------------------------------

@examples(400)
@given(a=f32_bits, b=f32_bits)
def test_numeric_f32_comparisons_match_model(a, b):
    for op in ("eq", "ne", "lt", "gt", "le", "ge"):
        result = getattr(N, "f32_" + op)(a, b)
        assert type(result) is int
        assert result == model_compare(op, a, b, F32), op


def test_numeric_f32_comparisons_edge_cases():
    assert N.f32_eq(0, 0x80000000) == 1                       # +0 == -0
    assert N.f32_lt(0x80000000, 0) == 0
    assert N.f32_ne(0x7FA00000, 0x7FA00000) == 1              # NaN != itself
    assert N.f32_eq(0x7FC00000, 0x7FC00000) == 0
    assert N.f32_ge(0x7F800000, 0x7F7FFFFF) == 1
    assert N.f32_lt(0x00000001, 0x00000002) == 1              # subnormals order


# --- conversions -------------------------------------------------------------------------

TRUNC_RANGES = {   # op -> (result bits, signed)
    "i32_trunc_f32_s": (32, True), "i32_trunc_f32_u": (32, False),
    "i32_trunc_f64_s": (32, True), "i32_trunc_f64_u": (32, False),
    "i64_trunc_f32_s": (64, True), "i64_trunc_f32_u": (64, False),
    "i64_trunc_f64_s": (64, True), "i64_trunc_f64_u": (64, False),
}


def model_trunc(op, bits_in, saturating):
    width, is_signed = TRUNC_RANGES[op]
    fmt = F32 if "_f32_" in op else F64
    kind, sign, mag = decode(bits_in, fmt)
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if is_signed else (0, (1 << width) - 1)
    if kind == "nan":
        return 0 if saturating else TrapKind.INVALID_CONVERSION
    value = None if kind == "inf" else int(-mag if sign else mag)
    if value is None or not lo <= value <= hi:
        if not saturating:
            return TrapKind.INT_OVERFLOW
        return (hi if not sign else lo) & ((1 << width) - 1)
    return value & ((1 << width) - 1)


def trunc_arg(op, bits_in):
    return bits_in if "_f32_" in op else f64_from_bits(bits_in)


def near_bounds():
    """Patterns at and next to every truncation boundary (and +-1 around 0)."""
    out = []
    for v in (2.0 ** 31, 2.0 ** 32, 2.0 ** 63, 2.0 ** 64, 1.0, 2.0 ** 31 + 1, 2.0 ** 32 + 1):
        for x in (v, -v):
            b64 = f64_bits(x)
            out += [b64 - 1, b64, b64 + 1]
            b32 = N.float_to_f32(x)
            out += [b32 - 1, b32, b32 + 1]
    return out


@pytest.mark.parametrize("source", ["f32", "f64"])
@examples(400)
@given(raw=st.one_of(f64_bit_patterns, f32_bits, st.sampled_from(near_bounds())))
def test_numeric_trunc_matches_model(source, raw):
    raw &= M32 if source == "f32" else M64
    for op in TRUNC_RANGES:
        if "_%s_" % source not in op:
            continue
        arg = trunc_arg(op, raw)
        assert run_trapping(getattr(N, op), arg) == model_trunc(op, raw, False), op
        sat = op.replace("_trunc_", "_trunc_sat_")
        assert getattr(N, sat)(arg) == model_trunc(op, raw, True), sat


# (op, smallest valid, largest valid, first invalid below, first invalid above),
# as hex float literals; the f32 ops' values are all exact f32 values.
TRUNC_BOUNDARIES = [
    ("i32_trunc_f32_s", "-0x1p31", "0x1.fffffep30", "-0x1.000002p31", "0x1p31"),
    ("i32_trunc_f32_u", "-0x1.fffffep-1", "0x1.fffffep31", "-0x1p0", "0x1p32"),
    ("i64_trunc_f32_s", "-0x1p63", "0x1.fffffep62", "-0x1.000002p63", "0x1p63"),
    ("i64_trunc_f32_u", "-0x1.fffffep-1", "0x1.fffffep63", "-0x1p0", "0x1p64"),
    # -2**31 - 1 is a double: the last valid one is one ulp (2**-21) above it.
    ("i32_trunc_f64_s", "-0x1.00000001fffffp31", "0x1.fffffffffffffp30",
     "-0x1.00000002p31", "0x1p31"),
    ("i32_trunc_f64_u", "-0x1.fffffffffffffp-1", "0x1.fffffffffffffp31", "-0x1p0", "0x1p32"),
    ("i64_trunc_f64_s", "-0x1p63", "0x1.fffffffffffffp62", "-0x1.0000000000001p63", "0x1p63"),
    ("i64_trunc_f64_u", "-0x1.fffffffffffffp-1", "0x1.fffffffffffffp63", "-0x1p0", "0x1p64"),
]


@pytest.mark.parametrize("op, ok_low, ok_high, bad_low, bad_high", TRUNC_BOUNDARIES)
def test_numeric_trunc_exact_boundaries(op, ok_low, ok_high, bad_low, bad_high):
    func = getattr(N, op)
    sat = getattr(N, op.replace("_trunc_", "_trunc_sat_"))
    width, is_signed = TRUNC_RANGES[op]
    mask = (1 << width) - 1
    values = [float.fromhex(h) for h in (ok_low, ok_high, bad_low, bad_high)]
    if "_f32_" in op:
        args = [N.f32_from_float_exact(v) for v in values]   # ValueError if inexact
        # adjacent patterns: nothing representable between valid and invalid
        assert args[2] - args[0] == 1 and args[3] - args[1] == 1
    else:
        args = values
        assert math.nextafter(values[0], -math.inf) == values[2]
        assert math.nextafter(values[1], math.inf) == values[3]
    for arg, value in zip(args[:2], values[:2]):
        assert func(arg) == int(value) & mask
        assert sat(arg) == int(value) & mask
    for arg, saturated in ((args[2], (1 << (width - 1)) if is_signed else 0),
                           (args[3], (mask >> 1) if is_signed else mask)):
        with pytest.raises(Trap) as info:
            func(arg)
        assert info.value.kind is TrapKind.INT_OVERFLOW
        assert str(info.value) == "integer overflow"
        assert sat(arg) == saturated


def test_numeric_trunc_nan_and_infinity():
    for op in TRUNC_RANGES:
        func = getattr(N, op)
        sat = getattr(N, op.replace("_trunc_", "_trunc_sat_"))
        width, is_signed = TRUNC_RANGES[op]
        f32 = "_f32_" in op
        nans = (0x7FC00000, 0xFFA00000) if f32 else (math.nan, f64_from_bits(0x7FF0000000000001))
        for nan in nans:
            with pytest.raises(Trap) as info:
                func(nan)
            assert info.value.kind is TrapKind.INVALID_CONVERSION
            assert str(info.value) == "invalid conversion to integer"
            assert sat(nan) == 0
        inf, ninf = (0x7F800000, 0xFF800000) if f32 else (math.inf, -math.inf)
        for x in (inf, ninf):
            with pytest.raises(Trap) as info:
                func(x)
            assert info.value.kind is TrapKind.INT_OVERFLOW
        assert sat(inf) == ((1 << (width - 1)) - 1 if is_signed else (1 << width) - 1)
        assert sat(ninf) == ((1 << (width - 1)) if is_signed else 0)
        # -1 < x < 0 truncates to 0, also for unsigned
        assert func(0xBF7FFFFF if f32 else -0.9) == 0
        assert func(0x80000000 if f32 else -0.0) == 0


@examples(300)
@given(a=i64s)
def test_numeric_convert_i64_to_f32_is_correctly_rounded(a):
    assert N.f32_convert_i64_u(a) == encode_rounded(Fraction(a), F32)
    assert N.f32_convert_i64_s(a) == encode_rounded(Fraction(signed(a, 64)), F32)


@st.composite
def i64_near_f32_ties(draw):
    """Integers at, or one off, a midpoint between two f32 values."""
    top = draw(st.integers(25, 64))
    mant = draw(st.integers(1 << 23, (1 << 24) - 1))
    shift = top - 24
    tie = (mant << shift) + (1 << (shift - 1))
    return (tie + draw(st.sampled_from([-1, 0, 1]))) & M64


@examples(200)
@given(a=i64_near_f32_ties())
def test_numeric_convert_i64_to_f32_at_ties(a):
    assert N.f32_convert_i64_u(a) == encode_rounded(Fraction(a), F32)
    neg = -a & M64
    assert N.f32_convert_i64_s(neg) == encode_rounded(Fraction(signed(neg, 64)), F32)


def test_numeric_convert_i64_to_f32_double_rounding_cases():
    # float() would round 2**60 + 2**36 + 1 to 2**60 + 2**36 (a tie in f32),
    # then to even 2**60; the correct f32 is 2**60 + 2**37.
    x = (1 << 60) + (1 << 36) + 1
    assert float(x) == float((1 << 60) + (1 << 36))
    assert N.f32_convert_i64_u(x) == N.float_to_f32(float((1 << 60) + (1 << 37)))
    assert N.f32_convert_i64_s(-x & M64) == N.float_to_f32(-float((1 << 60) + (1 << 37)))
    assert N.f32_convert_i64_s(0x7FFFFF4000000001) == 0x5EFFFFFF   # spec conversions.wast
    assert N.f32_convert_i64_u(0x8000008000000001) == 0x5F000001
    assert N.f32_convert_i64_u(M64) == 0x5F800000                   # 2**64
    assert N.f32_convert_i64_s(0x8000000000000000) == 0xDF000000    # -2**63
    assert N.f32_convert_i64_s(M64) == 0xBF800000                   # -1
    assert N.f32_convert_i32_s(0xFFFFFFFF) == 0xBF800000
    assert N.f32_convert_i32_u(0xFFFFFFFF) == 0x4F800000            # rounds up to 2**32
    assert N.f32_convert_i32_s(0x80000000) == 0xCF000000
    assert N.f32_convert_i32_u(16777217) == 0x4B800000              # tie to even


@examples(200)
@given(a=i32s)
def test_numeric_convert_i32_to_f32_is_correctly_rounded(a):
    assert N.f32_convert_i32_u(a) == encode_rounded(Fraction(a), F32)
    assert N.f32_convert_i32_s(a) == encode_rounded(Fraction(signed(a, 32)), F32)


@examples(200)
@given(a=i64s)
def test_numeric_convert_i64_to_f64_is_correctly_rounded(a):
    assert f64_bits(N.f64_convert_i64_u(a)) == encode_rounded(Fraction(a), F64)
    assert f64_bits(N.f64_convert_i64_s(a)) == encode_rounded(Fraction(signed(a, 64)), F64)


@examples(300)
@given(a=f64_bit_patterns)
def test_numeric_demote_is_correctly_rounded(a):
    result = N.f32_demote_f64(f64_from_bits(a))
    assert result == N.float_to_f32(f64_from_bits(a))
    kind, sign, mag = decode(a, F64)
    if kind == "nan":
        check_nan(result, (a,), F32, operand_fmt=F64)
    elif kind == "inf":
        assert result == (sign << 31) | 0x7F800000
    else:
        assert result == encode_rounded(-mag if sign else mag, F32, zero_sign=sign)


@st.composite
def f64_near_f32_ties(draw):
    """Doubles at or beside f32 rounding midpoints, normal and subnormal."""
    f32 = draw(st.integers(0, 0x7F7FFFFF))
    mid = Fraction(signed_value(decode(f32, F32)))
    nxt = signed_value(decode(f32 + 1, F32)) if f32 < 0x7F7FFFFF else Fraction(2) ** 128
    mid = (mid + nxt) / 2
    x = float(mid)                                 # exact: a midpoint has 25 bits
    step = draw(st.sampled_from([-1, 0, 1]))
    bits = f64_bits(x) + step
    return bits | (draw(st.integers(0, 1)) << 63)


@examples(200)
@given(a=f64_near_f32_ties())
def test_numeric_demote_at_f32_ties(a):
    kind, sign, mag = decode(a, F64)
    assert N.float_to_f32(f64_from_bits(a)) == encode_rounded(-mag if sign else mag, F32)


def test_numeric_float_to_f32_overflow_and_subnormal_edges():
    flt_max = N.f32_to_float(0x7F7FFFFF)
    halfway = float.fromhex("0x1.ffffffp127")
    assert N.float_to_f32(flt_max) == 0x7F7FFFFF
    assert N.float_to_f32(math.nextafter(halfway, 0.0)) == 0x7F7FFFFF
    assert N.float_to_f32(halfway) == 0x7F800000         # tie: FLT_MAX is odd -> inf
    assert N.float_to_f32(-halfway) == 0xFF800000
    assert N.float_to_f32(1e300) == 0x7F800000           # no OverflowError
    assert N.float_to_f32(-math.inf) == 0xFF800000
    assert N.float_to_f32(2.0 ** -150) == 0              # tie to even: 0
    assert N.float_to_f32(math.nextafter(2.0 ** -150, 1.0)) == 1
    assert N.float_to_f32(-(2.0 ** -150)) == 0x80000000
    assert N.float_to_f32(3 * 2.0 ** -150) == 2          # tie to even: 2
    assert N.float_to_f32(-0.0) == 0x80000000
    assert N.float_to_f32(1e-300) == 0
    # NaN: sign and top payload bits kept, quiet bit set
    assert N.float_to_f32(f64_from_bits(0x7FF8000000000000)) == 0x7FC00000
    assert N.float_to_f32(f64_from_bits(0xFFF8000000000000)) == 0xFFC00000
    assert N.f32_demote_f64(f64_from_bits(0x7FF4000000000000)) == 0x7FE00000
    assert N.f32_demote_f64(f64_from_bits(0x7FF0000000000001)) == 0x7FC00000


@examples(300)
@given(a=f32_bits)
def test_numeric_promote_is_exact_and_keeps_nan(a):
    result = N.f64_promote_f32(a)
    assert isinstance(result, float)
    assert f64_bits(N.f32_to_float(a)) == f64_bits(result)
    kind, sign, mag = decode(a, F32)
    bits = f64_bits(result)
    if kind == "nan":
        check_nan(bits, (a,), F64, operand_fmt=F32)
        assert bits >> 63 == sign
        assert (bits >> 29) & 0x3FFFFF == a & 0x3FFFFF            # payload kept
        assert N.float_to_f32(result) == a | 0x400000             # round trip, quieted
    else:
        if kind == "inf":
            assert bits == (sign << 63) | 0x7FF0000000000000
        else:
            assert bits == encode_rounded(-mag if sign else mag, F64, zero_sign=sign)
        assert N.float_to_f32(result) == a                        # exact round trip
        assert N.f32_from_float_exact(result) == a


def test_numeric_f32_from_float_exact_refuses_inexact():
    assert N.f32_from_float_exact(0.5) == 0x3F000000
    assert N.f32_from_float_exact(-0.0) == 0x80000000
    assert N.f32_from_float_exact(math.inf) == 0x7F800000
    assert N.f32_is_nan(N.f32_from_float_exact(math.nan))
    for inexact in (0.1, 1e300, 2.0 ** -150, 16777217.0):
        with pytest.raises(ValueError):
            N.f32_from_float_exact(inexact)


@examples(200)
@given(a=st.one_of(st.integers(0, M64), st.sampled_from(F64_SPECIAL_BITS)))
def test_numeric_reinterpret_round_trips_every_pattern(a):
    x = N.f64_reinterpret_i64(a)
    assert isinstance(x, float)
    assert N.i64_reinterpret_f64(x) == a                          # NaN payloads too


def test_numeric_f64_nan_operands_give_spec_nans():
    snan = f64_from_bits(0x7FF4000000000001)
    qnan = f64_from_bits(0x7FF8000000000000)
    for x, y in ((snan, 1.0), (1.0, snan), (snan, 0.0), (qnan, 2.0), (0.0, 0.0)):
        check_nan(f64_bits(N.f64_div(x, y)), (f64_bits(x), f64_bits(y)), F64)
    for x in (snan, qnan, -1.0, -math.inf):
        check_nan(f64_bits(N.f64_sqrt(x)), (f64_bits(x),), F64)
    assert f64_bits(N.f64_sqrt(-0.0)) == F64.sign
    assert N.f64_div(-1.0, 0.0) == -math.inf
    assert N.f64_div(-1.0, -0.0) == math.inf
    assert N.f64_div(math.inf, -0.0) == -math.inf


def test_numeric_results_keep_the_value_representation():
    # i32/i64/f32 results are plain ints (not bool), f64 results floats.
    assert type(N.f32_lt(0, 0x3F800000)) is int
    assert type(N.f32_add(0x3F800000, 0x3F800000)) is int
    assert type(N.i32_trunc_f32_s(0x3F800000)) is int
    assert type(N.f64_floor(1.5)) is float
    assert type(N.f64_convert_i64_u(5)) is float
    assert type(N.f64_min(1.0, 2.0)) is float
