"""Exact integer and floating-point semantics (spec, Execution, "Numerics").

Implements the operators of the spec's "Integer Operations",
"Floating-Point Operations" and "Conversions" subsections that the opcode
table's templates cannot express as a plain Python expression.  Every
function takes and returns the runtime's value representation:

- i32/i64: unsigned Python ints, already masked to their width.  Signed
  views are taken inside the signed operators only.
- f32: the 32-bit IEEE pattern as an int.  Floats carried as bits keep
  signalling NaNs intact (struct ``'f'`` quiets them), and abs/neg/copysign
  stay bit operations in the templates.
- f64: Python floats (IEEE binary64; struct ``'d'`` preserves every bit).

Rules applied throughout:

- NaN results.  The spec allows the canonical NaN (either sign) whenever an
  operator returns a NaN, and also any arithmetic NaN (quiet bit set) when
  some operand was a non-canonical NaN.  Results built here are canonical
  (``F32_CANONICAL_NAN``, ``F64_CANONICAL_NAN``), except that promote and
  demote, like the hardware, keep the sign and payload and set the quiet
  bit, and f64 results the hardware computes (``a / b``) propagate a
  quieted operand NaN: arithmetic NaNs, canonical if the operand was.
- Signed zero.  The rounding operators compute through ints
  (``math.floor``, ``math.ceil``, ``int``) or magnitudes (nearest), losing
  the sign of a zero result such as ceil(-0.5) = -0; the result always has
  the operand's sign, so it is restored with ``copysign``.
- f32 rounding.  An f32 operation is computed in double and rounded once to
  single.  For +, -, *, / and sqrt of f32 operands that is exact: binary64
  has more than 2*24+2 significand bits, so the double rounding is
  innocuous (Figueroa's theorem; tests/unit/test_numeric.py checks it
  against an exact model).  It is NOT innocuous for i64 -> f32, which is
  why that conversion rounds from the integer itself.
- Python raises where IEEE doesn't (division by zero, sqrt of a negative,
  ``int()`` of NaN/inf, struct ``'<f'`` on overflow): each case is tested
  explicitly before the Python operation, never caught afterwards.

Traps raise ``Trap`` with the spec's messages.
"""

import math
import struct

from .errors import Trap, TrapKind

__all__ = [
    "F32_CANONICAL_NAN", "F64_CANONICAL_NAN",
    "f32_to_float", "float_to_f32", "f32_from_float_exact", "f32_is_nan",
    "i32_ctz", "i64_ctz",
    "i32_div_s", "i32_div_u", "i32_rem_s", "i32_rem_u",
    "i64_div_s", "i64_div_u", "i64_rem_s", "i64_rem_u",
    "i32_rotl", "i32_rotr", "i64_rotl", "i64_rotr",
    "f32_add", "f32_sub", "f32_mul", "f32_div", "f32_sqrt",
    "f32_min", "f32_max", "f32_ceil", "f32_floor", "f32_trunc", "f32_nearest",
    "f32_eq", "f32_ne", "f32_lt", "f32_gt", "f32_le", "f32_ge",
    "f64_div", "f64_sqrt", "f64_min", "f64_max",
    "f64_ceil", "f64_floor", "f64_trunc", "f64_nearest",
    "i32_trunc_f32_s", "i32_trunc_f32_u", "i32_trunc_f64_s", "i32_trunc_f64_u",
    "i64_trunc_f32_s", "i64_trunc_f32_u", "i64_trunc_f64_s", "i64_trunc_f64_u",
    "i32_trunc_sat_f32_s", "i32_trunc_sat_f32_u",
    "i32_trunc_sat_f64_s", "i32_trunc_sat_f64_u",
    "i64_trunc_sat_f32_s", "i64_trunc_sat_f32_u",
    "i64_trunc_sat_f64_s", "i64_trunc_sat_f64_u",
    "f32_convert_i32_s", "f32_convert_i32_u",
    "f32_convert_i64_s", "f32_convert_i64_u",
    "f64_convert_i64_s", "f64_convert_i64_u",
    "f32_demote_f64", "f64_promote_f32",
    "i64_reinterpret_f64", "f64_reinterpret_i64",
]

_pack_I = struct.Struct("<I").pack
_unpack_I = struct.Struct("<I").unpack
_pack_f = struct.Struct("<f").pack
_unpack_f = struct.Struct("<f").unpack
_pack_II = struct.Struct("<2I").pack      # two f32 operands in one call
_unpack_ff = struct.Struct("<2f").unpack
_pack_Q = struct.Struct("<Q").pack
_unpack_Q = struct.Struct("<Q").unpack
_pack_d = struct.Struct("<d").pack
_unpack_d = struct.Struct("<d").unpack

_copysign = math.copysign
_floor = math.floor
_ceil = math.ceil
_sqrt = math.sqrt
_fabs = math.fabs

_DIV_BY_ZERO = TrapKind.INT_DIV_BY_ZERO
_OVERFLOW = TrapKind.INT_OVERFLOW
_INVALID = TrapKind.INVALID_CONVERSION

_M32 = 0xFFFFFFFF
_M64 = 0xFFFFFFFFFFFFFFFF
_SIGN32 = 0x80000000
_SIGN64 = 0x8000000000000000

F32_CANONICAL_NAN = 0x7FC00000
_F32_INF = 0x7F800000
_F32_NEG_INF = 0xFF800000
_F32_ABS = 0x7FFFFFFF
_F32_TWO23 = 0x4B000000            # bits of 2**23: every f32 at least this is integral
F64_CANONICAL_NAN = _unpack_d(_pack_Q(0x7FF8000000000000))[0]
_F64_INF = math.inf
_F64_TWO52 = 4503599627370496.0    # every f64 of at least this magnitude is integral

# Doubles of magnitude >= 2**128 - 2**103 (half an ulp above FLT_MAX) round
# to infinity in f32; below it, struct '<f' rounds correctly and never
# raises OverflowError.  NaN fails both comparisons against it.
_F32_OVERFLOW = float.fromhex("0x1.ffffffp127")
_TWO53 = 1 << 53


# --- f32 <-> float ------------------------------------------------------------

def _f32_nonfinite(x):
    """f32 bits of a double that is NaN or rounds to +-infinity in f32."""
    if x != x:
        # Keep the sign and the top payload bits, set the quiet bit: a
        # canonical NaN stays canonical, any other becomes arithmetic.
        bits = _unpack_Q(_pack_d(x))[0]
        return ((bits >> 32) & _SIGN32) | F32_CANONICAL_NAN | ((bits >> 29) & 0x3FFFFF)
    return _F32_INF if x > 0.0 else _F32_NEG_INF


def float_to_f32(x):
    """Round a Python float to f32 bits: nearest, ties to even; +-inf on overflow.

    Also ``f32.demote_f64``.  NaN keeps its sign and top payload bits, with
    the quiet bit set.
    """
    if -_F32_OVERFLOW < x < _F32_OVERFLOW:
        return _unpack_I(_pack_f(x))[0]
    return _f32_nonfinite(x)


f32_demote_f64 = float_to_f32


def f64_promote_f32(a):
    """``f64.promote_f32``: exact; a NaN keeps its sign and payload, quieted.

    Also the general f32-bits -> float helper (see f32_to_float).
    """
    if (a & _F32_ABS) > _F32_INF:
        return _unpack_d(_pack_Q(((a & _SIGN32) << 32) | 0x7FF8000000000000
                                 | ((a & 0x7FFFFF) << 29)))[0]
    return _unpack_f(_pack_I(a))[0]


f32_to_float = f64_promote_f32


def f32_is_nan(a):
    """True if the f32 bits ``a`` encode a NaN."""
    return (a & _F32_ABS) > _F32_INF


def f32_from_float_exact(x):
    """f32 bits of ``x``, which must be exactly representable as f32 (or NaN).

    For embedders passing f32 arguments as Python floats: a value that would
    need rounding is refused rather than silently changed.

    Raises:
        ValueError: ``x`` is not an f32 value.
    """
    bits = float_to_f32(x)
    if x == x and _unpack_f(_pack_I(bits))[0] != x:
        raise ValueError("%r is not exactly representable as f32" % (x,))
    return bits


# --- integer operations -------------------------------------------------------

def i32_ctz(a):
    if a == 0:
        return 32
    return (a & -a).bit_length() - 1


def i64_ctz(a):
    if a == 0:
        return 64
    return (a & -a).bit_length() - 1


# Python's // and % floor; Wasm truncates toward zero and the remainder takes
# the dividend's sign.  With both operands non-negative the two agree, which
# is the fast path; otherwise divide magnitudes and fix the sign.

def i32_div_u(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    return a // b


def i32_rem_u(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    return a % b


def i32_div_s(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    if a < _SIGN32 and b < _SIGN32:
        return a // b
    if a == _SIGN32 and b == _M32:       # INT_MIN / -1 = 2**31: unrepresentable
        raise Trap(_OVERFLOW)
    a = (a ^ _SIGN32) - _SIGN32
    b = (b ^ _SIGN32) - _SIGN32
    q = abs(a) // abs(b)
    return (-q if (a < 0) != (b < 0) else q) & _M32


def i32_rem_s(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    if a < _SIGN32 and b < _SIGN32:
        return a % b
    a = (a ^ _SIGN32) - _SIGN32
    r = abs(a) % abs((b ^ _SIGN32) - _SIGN32)   # INT_MIN rem -1 is 0: no trap
    return (-r if a < 0 else r) & _M32


def i64_div_u(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    return a // b


def i64_rem_u(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    return a % b


def i64_div_s(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    if a < _SIGN64 and b < _SIGN64:
        return a // b
    if a == _SIGN64 and b == _M64:
        raise Trap(_OVERFLOW)
    a = (a ^ _SIGN64) - _SIGN64
    b = (b ^ _SIGN64) - _SIGN64
    q = abs(a) // abs(b)
    return (-q if (a < 0) != (b < 0) else q) & _M64


def i64_rem_s(a, b):
    if b == 0:
        raise Trap(_DIV_BY_ZERO)
    if a < _SIGN64 and b < _SIGN64:
        return a % b
    a = (a ^ _SIGN64) - _SIGN64
    r = abs(a) % abs((b ^ _SIGN64) - _SIGN64)
    return (-r if a < 0 else r) & _M64


def i32_rotl(a, b):
    k = b & 31
    return ((a << k) | (a >> (32 - k))) & _M32


def i32_rotr(a, b):
    k = b & 31
    return ((a >> k) | (a << (32 - k))) & _M32


def i64_rotl(a, b):
    k = b & 63
    return ((a << k) | (a >> (64 - k))) & _M64


def i64_rotr(a, b):
    k = b & 63
    return ((a >> k) | (a << (64 - k))) & _M64


# --- f32 arithmetic -----------------------------------------------------------
# Operands are unpacked to doubles (exact; a NaN stays a NaN though struct may
# quiet it), computed once in double, rounded once to f32.  The range test
# inlines float_to_f32's fast path; NaN and overflow fall to _f32_nonfinite.

def f32_add(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    r = x + y
    if -_F32_OVERFLOW < r < _F32_OVERFLOW:
        return _unpack_I(_pack_f(r))[0]
    return _f32_nonfinite(r)


def f32_sub(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    r = x - y
    if -_F32_OVERFLOW < r < _F32_OVERFLOW:
        return _unpack_I(_pack_f(r))[0]
    return _f32_nonfinite(r)


def f32_mul(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    r = x * y
    if -_F32_OVERFLOW < r < _F32_OVERFLOW:
        return _unpack_I(_pack_f(r))[0]
    return _f32_nonfinite(r)


def f32_div(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    if y == 0.0:
        # Python raises; IEEE gives NaN for 0/0 and NaN/0, else an infinity
        # whose sign is the xor of the operands' signs (zeros included).
        if x != x or x == 0.0:
            return F32_CANONICAL_NAN
        return ((a ^ b) & _SIGN32) | _F32_INF
    r = x / y
    if -_F32_OVERFLOW < r < _F32_OVERFLOW:
        return _unpack_I(_pack_f(r))[0]
    return _f32_nonfinite(r)


def f32_sqrt(a):
    if a <= _F32_INF:                    # +0 .. +inf: sign clear, not NaN
        return _unpack_I(_pack_f(_sqrt(_unpack_f(_pack_I(a))[0])))[0]
    if a == _SIGN32:                     # sqrt(-0) = -0
        return a
    return F32_CANONICAL_NAN             # negative, -inf or NaN


def f32_min(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    if x < y:
        return a
    if y < x:
        return b
    if x == y:
        # Equal floats have equal bits except +0/-0, where min is -0:
        # OR-ing the patterns keeps the sign bit if either has it.
        return a | b
    return F32_CANONICAL_NAN             # an operand is NaN


def f32_max(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    if x > y:
        return a
    if y > x:
        return b
    if x == y:
        return a & b                     # max(+0, -0) = +0
    return F32_CANONICAL_NAN


# Rounding to an integral value: an f32 of magnitude >= 2**23 (and +-inf) is
# already integral and returned as is; a NaN becomes the canonical NaN (an
# input signalling NaN must not come back unquieted).  Smaller values round
# through a double; the integral result is exact in f32, so struct can't
# round or overflow, and copysign restores a zero result's sign.  nearest
# uses the 2**52 trick explained at f64_nearest.

def f32_ceil(a):
    if (a & _F32_ABS) >= _F32_TWO23:
        return a if (a & _F32_ABS) <= _F32_INF else F32_CANONICAL_NAN
    x = _unpack_f(_pack_I(a))[0]
    return _unpack_I(_pack_f(_copysign(float(_ceil(x)), x)))[0]


def f32_floor(a):
    if (a & _F32_ABS) >= _F32_TWO23:
        return a if (a & _F32_ABS) <= _F32_INF else F32_CANONICAL_NAN
    x = _unpack_f(_pack_I(a))[0]
    return _unpack_I(_pack_f(_copysign(float(_floor(x)), x)))[0]


def f32_trunc(a):
    if (a & _F32_ABS) >= _F32_TWO23:
        return a if (a & _F32_ABS) <= _F32_INF else F32_CANONICAL_NAN
    x = _unpack_f(_pack_I(a))[0]
    return _unpack_I(_pack_f(_copysign(float(int(x)), x)))[0]


def f32_nearest(a):
    if (a & _F32_ABS) >= _F32_TWO23:
        return a if (a & _F32_ABS) <= _F32_INF else F32_CANONICAL_NAN
    x = _unpack_f(_pack_I(a))[0]
    return _unpack_I(_pack_f(_copysign((_fabs(x) + _F64_TWO52) - _F64_TWO52, x)))[0]


# Comparisons: any NaN operand makes all false except ne, as Python floats do.

def f32_eq(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    return 1 if x == y else 0


def f32_ne(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    return 1 if x != y else 0


def f32_lt(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    return 1 if x < y else 0


def f32_gt(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    return 1 if x > y else 0


def f32_le(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    return 1 if x <= y else 0


def f32_ge(a, b):
    x, y = _unpack_ff(_pack_II(a, b))
    return 1 if x >= y else 0


# --- f64 arithmetic -----------------------------------------------------------
# add/sub/mul/abs/neg/copysign and comparisons are plain Python in the
# templates; these are the ones where Python raises or gets signs wrong.

def f64_div(a, b):
    if b == 0.0:
        if a != a or a == 0.0:
            return F64_CANONICAL_NAN
        # The infinity's sign is the xor of the signs, including b's zero sign.
        if (_copysign(1.0, a) < 0.0) != (_copysign(1.0, b) < 0.0):
            return -_F64_INF
        return _F64_INF
    return a / b


def f64_sqrt(a):
    if a >= 0.0:                         # includes -0.0, whose sqrt is -0.0
        return _sqrt(a)
    return F64_CANONICAL_NAN             # negative, -inf or NaN


def f64_min(a, b):
    if a < b:
        return a
    if b < a:
        return b
    if a == b:
        # Only +0/-0 are equal yet differ; min must pick -0.
        return a if _copysign(1.0, a) < 0.0 else b
    return F64_CANONICAL_NAN


def f64_max(a, b):
    if a > b:
        return a
    if b > a:
        return b
    if a == b:
        return b if _copysign(1.0, a) < 0.0 else a
    return F64_CANONICAL_NAN


def f64_ceil(a):
    if -_F64_TWO52 < a < _F64_TWO52:
        return _copysign(float(_ceil(a)), a)
    return a if a == a else F64_CANONICAL_NAN


def f64_floor(a):
    if -_F64_TWO52 < a < _F64_TWO52:
        return _copysign(float(_floor(a)), a)
    return a if a == a else F64_CANONICAL_NAN


def f64_trunc(a):
    if -_F64_TWO52 < a < _F64_TWO52:
        return _copysign(float(int(a)), a)
    return a if a == a else F64_CANONICAL_NAN


def f64_nearest(a):
    # Adding 2**52 to a magnitude below 2**52 lands where the ulp is 1, so the
    # hardware's own round-to-nearest-even does the rounding; subtracting it
    # back is exact.  Faster than round(), which also returns an int.
    if -_F64_TWO52 < a < _F64_TWO52:
        return _copysign((_fabs(a) + _F64_TWO52) - _F64_TWO52, a)
    return a if a == a else F64_CANONICAL_NAN


# --- float -> integer truncation ----------------------------------------------
# Valid operands are those whose truncation fits: the open interval
# (MIN - 1, MAX + 1).  Both bounds are exact doubles except -2**63 - 1, which
# isn't; there the closed bound -2**63 is used instead (the next double below
# it is 2048 lower).  NaN fails every comparison and reaches the slow path.

def _trunc_trap(x):
    return Trap(_INVALID if x != x else _OVERFLOW)


def i32_trunc_f32_s(a):
    x = _unpack_f(_pack_I(a))[0]
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & _M32
    raise _trunc_trap(x)


def i32_trunc_f32_u(a):
    x = _unpack_f(_pack_I(a))[0]
    if -1.0 < x < 4294967296.0:
        return int(x)
    raise _trunc_trap(x)


def i32_trunc_f64_s(x):
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & _M32
    raise _trunc_trap(x)


def i32_trunc_f64_u(x):
    if -1.0 < x < 4294967296.0:
        return int(x)
    raise _trunc_trap(x)


def i64_trunc_f32_s(a):
    x = _unpack_f(_pack_I(a))[0]
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & _M64
    raise _trunc_trap(x)


def i64_trunc_f32_u(a):
    x = _unpack_f(_pack_I(a))[0]
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    raise _trunc_trap(x)


def i64_trunc_f64_s(x):
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & _M64
    raise _trunc_trap(x)


def i64_trunc_f64_u(x):
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    raise _trunc_trap(x)


# Saturating: out-of-range values clamp to the nearest bound, NaN gives 0.

def i32_trunc_sat_f32_s(a):
    return i32_trunc_sat_f64_s(_unpack_f(_pack_I(a))[0])


def i32_trunc_sat_f32_u(a):
    return i32_trunc_sat_f64_u(_unpack_f(_pack_I(a))[0])


def i64_trunc_sat_f32_s(a):
    return i64_trunc_sat_f64_s(_unpack_f(_pack_I(a))[0])


def i64_trunc_sat_f32_u(a):
    return i64_trunc_sat_f64_u(_unpack_f(_pack_I(a))[0])


def i32_trunc_sat_f64_s(x):
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & _M32
    if x > 0.0:
        return 0x7FFFFFFF
    return 0x80000000 if x < 0.0 else 0


def i32_trunc_sat_f64_u(x):
    if -1.0 < x < 4294967296.0:
        return int(x)
    return _M32 if x > 0.0 else 0      # below range or NaN


def i64_trunc_sat_f64_s(x):
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & _M64
    if x > 0.0:
        return 0x7FFFFFFFFFFFFFFF
    return _SIGN64 if x < 0.0 else 0


def i64_trunc_sat_f64_u(x):
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    return _M64 if x > 0.0 else 0


# --- integer -> float conversion ----------------------------------------------
# float(int) is correctly rounded to double, and exact below 2**53.  So
# i32 -> f32 rounds once (exact double, then struct).  A larger i64 would be
# rounded twice (to 53 bits, then to 24), which can land on the wrong side of
# an f32 tie, e.g. 2**60 + 2**36 + 1; it is rounded from the integer itself.

def _f32_from_large_uint(m):
    """f32 bits of the integer 2**53 <= m < 2**64, rounded to nearest even."""
    shift = m.bit_length() - 24
    q = m >> shift
    rest = m - (q << shift)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and q & 1):
        q += 1
    # q << shift has at most 25 significant bits: exact as double and as f32.
    return _unpack_I(_pack_f(float(q << shift)))[0]


def f32_convert_i32_s(a):
    return _unpack_I(_pack_f(float((a ^ _SIGN32) - _SIGN32)))[0]


def f32_convert_i32_u(a):
    return _unpack_I(_pack_f(float(a)))[0]


def f32_convert_i64_u(a):
    if a < _TWO53:
        return _unpack_I(_pack_f(float(a)))[0]
    return _f32_from_large_uint(a)


def f32_convert_i64_s(a):
    v = (a ^ _SIGN64) - _SIGN64
    if -_TWO53 < v < _TWO53:
        return _unpack_I(_pack_f(float(v)))[0]
    if v > 0:
        return _f32_from_large_uint(v)
    return _SIGN32 | _f32_from_large_uint(-v)


def f64_convert_i64_s(a):
    return float((a ^ _SIGN64) - _SIGN64)


def f64_convert_i64_u(a):
    return float(a)


# --- reinterpretation ---------------------------------------------------------

def i64_reinterpret_f64(a):
    return _unpack_Q(_pack_d(a))[0]


def f64_reinterpret_i64(a):
    return _unpack_d(_pack_Q(a))[0]
