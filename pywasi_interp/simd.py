"""Lanewise semantics of the 128-bit vector instructions (spec, Execution,
"Instructions" > "Vector Instructions", and "Numerics" for the lane
operators), for the opcode table's ``S.`` templates and the engines'
SIMD memory access.

Representation: a v128 is a Python int in [0, 2**128).  Lane i of an
NxM shape is bits [i*M, (i+1)*M): lanes are little-endian, as the bytes
are in memory, so ``int.from_bytes(mem[ea:ea+16], "little")`` is a load.
Measured per operation on CPython 3.11 (this machine, ns), against keeping
v128 as 16 bytes: v128.and 74 (bytes: 305), i8x16.add 171 by SWAR (struct
lanes: 1577 on ints, 1295 on bytes), i32x4.add 175 (bytes: 868), i8x16.lt_s
494 by SWAR (struct lanes: 1627), extract_lane 98 (bytes: 112), v128.load
237 (bytes: 201).  Struct-per-lane operations (f32x4.add: 886) would save
the int <-> bytes conversions as bytes, about 100; everything else favours
ints, by 2-9x.  Hence:

- bitwise operations, splats, lane access, add/sub/neg, shifts, eq/ne,
  unsigned and signed comparisons, min/max and avgr_u are SWAR: a few
  big-int operations on all lanes at once, with the high bit of each lane
  (``H``) keeping carries and borrows from crossing into the next lane;
- everything else unpacks the lanes with ``struct`` (``to_bytes`` then
  ``unpack``), computes per lane and packs them back; these functions are
  generated from one-line lane expressions (``_lanewise``).

Float lanes: f32 lanes are handled as 32-bit patterns through numeric.py's
f32 functions (or an equivalent '<4f' fast path for + - * /), so signalling
NaNs survive where the spec requires (abs, neg, lane moves, pmin/pmax) and
NaN results follow the scalar rules; f64 lanes are Python floats through
``'<2d'``, which keeps every bit.
"""

import struct

from . import numeric as N      # noqa: F401 (the generated functions call it)
from .errors import Trap, TrapKind

__all__ = [
    "M128", "lanes", "from_lanes",
    "i8x16_shuffle", "i8x16_swizzle",
]

M128 = (1 << 128) - 1
_MEMORY_OOB = TrapKind.MEMORY_OOB
_from_bytes = int.from_bytes


def _repeat(lane, width):
    """The vector with ``lane`` in every lane of ``width`` bits."""
    value = 0
    for i in range(128 // width):
        value |= lane << (i * width)
    return value


# Per lane width: H (lane top bits), L (all lane bits but the top),
# ONES (1 in every lane: x * ONES splats x).
_H = {w: _repeat(1 << (w - 1), w) for w in (8, 16, 32, 64)}
_L = {w: _H[w] ^ M128 for w in (8, 16, 32, 64)}
_ONES = {w: _repeat(1, w) for w in (8, 16, 32, 64)}

# struct formats for each lane view.
_FMT = {
    "s8": struct.Struct("<16b"), "u8": struct.Struct("<16B"),
    "s16": struct.Struct("<8h"), "u16": struct.Struct("<8H"),
    "s32": struct.Struct("<4i"), "u32": struct.Struct("<4I"),
    "s64": struct.Struct("<2q"), "u64": struct.Struct("<2Q"),
    "f32": struct.Struct("<4f"), "f64": struct.Struct("<2d"),
}


def lanes(value, view):
    """The lanes of a v128 as a tuple, ``view`` one of s8 u8 s16 u16 s32
    u32 s64 u64 f32 f64 (f32 as floats: display only, NaNs may be quieted)."""
    return _FMT[view].unpack(value.to_bytes(16, "little"))


def from_lanes(values, view):
    """The v128 with these lanes (in range for ``view``)."""
    return _from_bytes(_FMT[view].pack(*values), "little")


# --- generated lanewise functions ---------------------------------------------

# Generated functions live in this module's namespace, next to the pack
# and unpack functions they call.
for _view, _struct in _FMT.items():
    globals()["_pack_" + _view] = _struct.pack
    globals()["_unpack_" + _view] = _struct.unpack


def _define(source):
    exec(compile(source, "<simd>", "exec"), globals())


def _lanewise(name, view_in, view_out, expr, arity, part=None):
    """Define ``name``: unpack each operand as ``view_in``, compute ``expr``
    over lanes ``x`` (and ``y``), pack as ``view_out``.  ``part``, a slice
    in Python syntax ("[:8]"), selects the input lanes of extending ops."""
    unpack = "_unpack_%s(%%s.to_bytes(16, 'little'))%s" % (view_in, part or "")
    if arity == 1:
        loop = "for x in %s" % (unpack % "a")
        params = "a"
    else:
        loop = "for x, y in zip(%s, %s)" % (unpack % "a", unpack % "b")
        params = "a, b"
    _define("def %s(%s):\n    return _from_bytes(_pack_%s(*[%s %s]), 'little')\n"
            % (name, params, view_out, expr, loop))
    __all__.append(name)


def _padded(name, view_in, view_out, expr, count, zeros):
    """Like _lanewise (unary) over the first ``count`` lanes, the result's
    remaining ``zeros`` lanes being 0: demote, trunc_sat_*_zero, promote."""
    _define("def %s(a):\n    v = _unpack_%s(a.to_bytes(16, 'little'))[:%d]\n"
            "    return _from_bytes(_pack_%s(*([%s for x in v] + [0] * %d)), 'little')\n"
            % (name, view_in, count, view_out, expr, zeros))
    __all__.append(name)


# --- SWAR integer operations ---------------------------------------------------
# Textbook carry/borrow tricks (Hacker's Delight, ch. 2) applied to 16, 8, 4
# or 2 lanes of one int: the top bit of each lane is computed apart so that
# no carry or borrow leaves the lane.

def _swar(width):
    h, l = _H[width], _L[width]
    top = width - 1
    lane_max = (1 << width) - 1

    def add(a, b):
        return ((a & l) + (b & l)) ^ ((a ^ b) & h)

    def sub(a, b):
        # (a | H) - (b & L) borrows from no other lane; its top bit is then
        # "no borrow out of the low bits", fixed up with a's and b's tops.
        return ((a | h) - (b & l)) ^ ((a ^ b ^ h) & h)

    def expand(tops):
        """Each lane all ones where its top bit is set in ``tops``."""
        return (tops >> top) * lane_max

    def nonzero_tops(x):
        # Low bits + L carry into the top bit iff nonzero; OR keeps the top.
        return (((x & l) + l) | x) & h

    def eq(a, b):
        return expand(nonzero_tops(a ^ b) ^ h)

    def ne(a, b):
        return expand(nonzero_tops(a ^ b))

    def lt_u(a, b):
        d = sub(a, b)
        # Borrow out of each lane's top bit: set iff a < b unsigned.
        return expand((((a ^ M128) & b) | ((a ^ b ^ M128) & d)) & h)

    def lt_s(a, b):
        # Flipping the sign bits maps signed order onto unsigned order.
        return lt_u(a ^ h, b ^ h)

    def all_true(a):
        return 1 if nonzero_tops(a) == h else 0

    def abs_(a):
        signs = expand(a & h)
        return sub(a ^ signs, signs)

    shl_masks = [_repeat((lane_max << k) & lane_max, width) for k in range(width)]
    shr_masks = [_repeat(lane_max >> k, width) for k in range(width)]
    fills = [(lane_max << (width - k)) & lane_max for k in range(width)]
    shift_mask = width - 1

    def shl(a, n):
        k = n & shift_mask
        return (a << k) & shl_masks[k]

    def shr_u(a, n):
        k = n & shift_mask
        return (a >> k) & shr_masks[k]

    def shr_s(a, n):
        k = n & shift_mask
        # Lanes with the sign set get their top k bits filled: (top >> w-1)
        # is 1 in those lanes, times a lane-sized constant (no carries).
        return ((a >> k) & shr_masks[k]) | (((a & h) >> top) * fills[k])

    def select(mask, a, b):
        return (a & mask) | (b & ~mask)

    funcs = {
        "add": add, "sub": sub, "eq": eq, "ne": ne, "all_true": all_true,
        "abs": abs_, "shl": shl, "shr_u": shr_u, "shr_s": shr_s,
        "lt_u": lt_u, "lt_s": lt_s,
        "gt_u": lambda a, b: lt_u(b, a),
        "gt_s": lambda a, b: lt_s(b, a),
        "le_u": lambda a, b: lt_u(b, a) ^ M128,
        "le_s": lambda a, b: lt_s(b, a) ^ M128,
        "ge_u": lambda a, b: lt_u(a, b) ^ M128,
        "ge_s": lambda a, b: lt_s(a, b) ^ M128,
        "min_u": lambda a, b: select(lt_u(a, b), a, b),
        "min_s": lambda a, b: select(lt_s(a, b), a, b),
        "max_u": lambda a, b: select(lt_u(b, a), a, b),
        "max_s": lambda a, b: select(lt_s(b, a), a, b),
        # (x | y) - ((x ^ y) >> 1) == (x + y + 1) >> 1, no lane overflow.
        "avgr_u": lambda a, b: (a | b) - (((a ^ b) >> 1) & l),
        "neg": lambda a: sub(0, a),
    }
    return funcs


for _width, _shape in ((8, "i8x16"), (16, "i16x8"), (32, "i32x4"), (64, "i64x2")):
    for _op, _fn in _swar(_width).items():
        _name = "%s_%s" % (_shape, _op)
        _fn.__name__ = _name
        globals()[_name] = _fn
        __all__.append(_name)


# --- integer operations per lane ---------------------------------------------

_POPCNT = bytes(bin(i).count("1") for i in range(256))


def i8x16_popcnt(a):
    return _from_bytes(a.to_bytes(16, "little").translate(_POPCNT), "little")


def _bitmask(width):
    count = 128 // width
    top = width - 1
    h = _H[width]

    def bitmask(a):
        a &= h
        result = 0
        for i in range(count):
            result |= ((a >> (i * width + top)) & 1) << i
        return result
    return bitmask


for _width, _shape in ((16, "i16x8"), (32, "i32x4"), (64, "i64x2")):
    globals()["%s_bitmask" % _shape] = _bitmask(_width)
    __all__.append("%s_bitmask" % _shape)


def i8x16_bitmask(a):
    # The byte scan's hot op.  Per 64-bit half, multiplying the isolated top
    # bits (bit 8i+7) by 0x0002040810204081 moves bit 8i+7 to bit 56+i with
    # no carries into bits 56..63 (the "movemask by multiplication" trick).
    top = 0x8080808080808080
    low = (((a & top) * 0x0002040810204081) >> 56) & 0xFF
    high = ((((a >> 64) & top) * 0x0002040810204081) >> 56) & 0xFF
    return low | (high << 8)


def i32x4_mul(a, b):
    m = 0xFFFFFFFF
    return (((a & m) * (b & m)) & m
            | ((((a >> 32) & m) * ((b >> 32) & m)) & m) << 32
            | ((((a >> 64) & m) * ((b >> 64) & m)) & m) << 64
            | (((a >> 96) * (b >> 96)) & m) << 96)


def i64x2_mul(a, b):
    m = 0xFFFFFFFFFFFFFFFF
    return ((a & m) * (b & m)) & m | (((a >> 64) * (b >> 64)) & m) << 64


_lanewise("i16x8_mul", "u16", "u16", "(x * y) & 0xFFFF", 2)

# Saturating arithmetic clamps to the lane's range.
for _shape, _bits in (("i8x16", 8), ("i16x8", 16)):
    _lo, _hi = -(1 << (_bits - 1)), (1 << (_bits - 1)) - 1
    _umax = (1 << _bits) - 1
    _s, _u = "s%d" % _bits, "u%d" % _bits
    _lanewise(_shape + "_add_sat_s", _s, _s, "min(max(x + y, %d), %d)" % (_lo, _hi), 2)
    _lanewise(_shape + "_sub_sat_s", _s, _s, "min(max(x - y, %d), %d)" % (_lo, _hi), 2)
    _lanewise(_shape + "_add_sat_u", _u, _u, "min(x + y, %d)" % _umax, 2)
    _lanewise(_shape + "_sub_sat_u", _u, _u, "max(x - y, 0)", 2)

# Q15 rounding multiply: (x*y + 2**14) >> 15 (arithmetic shift), saturated;
# only -32768 * -32768 overflows.
_lanewise("i16x8_q15mulr_sat_s", "s16", "s16", "min((x * y + 0x4000) >> 15, 32767)", 2)


# Narrowing: the lanes of a then of b, each saturated to the narrower type.
def _narrow(name, view_in, view_out, lo, hi):
    _define("def %s(a, b):\n"
            "    v = (_unpack_%s(a.to_bytes(16, 'little'))\n"
            "         + _unpack_%s(b.to_bytes(16, 'little')))\n"
            "    v = [%d if x < %d else %d if x > %d else x for x in v]\n"
            "    return _from_bytes(_pack_%s(*v), 'little')\n"
            % (name, view_in, view_in, lo, lo, hi, hi, view_out))
    __all__.append(name)


_narrow("i8x16_narrow_i16x8_s", "s16", "s8", -128, 127)
_narrow("i8x16_narrow_i16x8_u", "s16", "u8", 0, 255)
_narrow("i16x8_narrow_i32x4_s", "s32", "s16", -32768, 32767)
_narrow("i16x8_narrow_i32x4_u", "s32", "u16", 0, 65535)

# Extension, extended multiplication, pairwise addition: narrow lanes in,
# wide lanes out ("low" = the lower-numbered half of the input lanes).
for _wide, _narrow_shape, _nb in (("i16x8", "i8x16", 8), ("i32x4", "i16x8", 16),
                                  ("i64x2", "i32x4", 32)):
    _half = 64 // _nb
    for _sign in ("s", "u"):
        _vin, _vout = "%s%d" % (_sign, _nb), "%s%d" % (_sign, 2 * _nb)
        for _part, _slice in (("low", "[:%d]" % _half), ("high", "[%d:]" % _half)):
            _lanewise("%s_extend_%s_%s_%s" % (_wide, _part, _narrow_shape, _sign),
                      _vin, _vout, "x", 1, _slice)
            _lanewise("%s_extmul_%s_%s_%s" % (_wide, _part, _narrow_shape, _sign),
                      _vin, _vout, "x * y", 2, _slice)
        if _nb < 32:
            _name = "%s_extadd_pairwise_%s_%s" % (_wide, _narrow_shape, _sign)
            _define("def %s(a):\n    v = _unpack_%s(a.to_bytes(16, 'little'))\n"
                    "    v = [x + y for x, y in zip(v[::2], v[1::2])]\n"
                    "    return _from_bytes(_pack_%s(*v), 'little')\n"
                    % (_name, _vin, _vout))
            __all__.append(_name)


def i32x4_dot_i16x8_s(a, b):
    x = _FMT["s16"].unpack(a.to_bytes(16, "little"))
    y = _FMT["s16"].unpack(b.to_bytes(16, "little"))
    # Only (-32768)**2 * 2 = 2**31 overflows: it wraps, as the spec's iadd.
    return _from_bytes(_FMT["u32"].pack(*[(x[i] * y[i] + x[i + 1] * y[i + 1]) & 0xFFFFFFFF
                                          for i in range(0, 8, 2)]), "little")


# --- shuffles ------------------------------------------------------------------

def i8x16_shuffle(a, b, lane_indexes):
    """Lane i of the result is lane ``lane_indexes[i]`` of a's lanes followed
    by b's (indexes validated < 32)."""
    source = a.to_bytes(16, "little") + b.to_bytes(16, "little")
    return _from_bytes(bytes([source[i] for i in lane_indexes]), "little")


def i8x16_swizzle(a, b):
    """Lane i of the result is lane b[i] of a, or 0 if b[i] >= 16."""
    source = a.to_bytes(16, "little")
    return _from_bytes(bytes([source[i] if i < 16 else 0 for i in b.to_bytes(16, "little")]),
                       "little")


# --- float operations ------------------------------------------------------------

# f32 lanes as bits through numeric.py (exact rounding, NaN rules).
for _op in ("min", "max"):
    _lanewise("f32x4_" + _op, "u32", "u32", "N.f32_%s(x, y)" % _op, 2)

# + - * / have a fast path computing all four lanes in double and packing
# with '<4f', which is what numeric.py's f32_add etc. do per lane: one
# double operation rounded once to f32 (innocuous double rounding, see
# numeric.py), and a NaN packs as numeric.py's _f32_nonfinite builds it
# (sign, quiet bit, top payload bits; same on CPython 3.9-3.13 and PyPy).
# What struct cannot do (a result rounding to +-inf raises OverflowError,
# x/0 raises ZeroDivisionError) goes to the per-lane numeric.py version.
for _op, _sym in (("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/")):
    _lanewise("_f32x4_%s_exact" % _op, "u32", "u32", "N.f32_%s(x, y)" % _op, 2)
    __all__.remove("_f32x4_%s_exact" % _op)
    _define("def f32x4_%s(a, b):\n"
            "    try:\n"
            "        v = [x %s y for x, y in zip(_unpack_f32(a.to_bytes(16, 'little')),\n"
            "                                      _unpack_f32(b.to_bytes(16, 'little')))]\n"
            "        return _from_bytes(_pack_f32(*v), 'little')\n"
            "    except (OverflowError, ZeroDivisionError):\n"
            "        return _f32x4_%s_exact(a, b)\n" % (_op, _sym, _op))
    __all__.append("f32x4_" + _op)
for _op in ("sqrt", "ceil", "floor", "trunc", "nearest"):
    _lanewise("f32x4_" + _op, "u32", "u32", "N.f32_%s(x)" % _op, 1)
# f64 lanes as floats; + - * are IEEE in Python already.
for _op, _expr in (("add", "x + y"), ("sub", "x - y"), ("mul", "x * y"),
                   ("div", "N.f64_div(x, y)"), ("min", "N.f64_min(x, y)"),
                   ("max", "N.f64_max(x, y)")):
    _lanewise("f64x2_" + _op, "f64", "f64", _expr, 2)
for _op in ("sqrt", "ceil", "floor", "trunc", "nearest"):
    _lanewise("f64x2_" + _op, "f64", "f64", "N.f64_%s(x)" % _op, 1)

# Comparisons read f32 lanes as floats: struct may quiet a signalling NaN,
# which changes no comparison.  True lanes are all ones (-1 packed signed).
for _op, _sym in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("gt", ">"),
                  ("le", "<="), ("ge", ">=")):
    _lanewise("f32x4_" + _op, "f32", "s32", "-1 if x %s y else 0" % _sym, 2)
    _lanewise("f64x2_" + _op, "f64", "s64", "-1 if x %s y else 0" % _sym, 2)


# pmin/pmax are defined as b < a ? b : a (pmax: a < b ? b : a): a NaN
# operand gives a, bits untouched, so f32 lanes are compared as floats but
# returned as the original bits.
def f32x4_pmin(a, b):
    xs = _FMT["f32"].unpack(a.to_bytes(16, "little"))
    ys = _FMT["f32"].unpack(b.to_bytes(16, "little"))
    result = a
    for i in range(4):
        if ys[i] < xs[i]:
            shift = 32 * i
            result = (result & ~(0xFFFFFFFF << shift)) | (b & (0xFFFFFFFF << shift))
    return result


def f32x4_pmax(a, b):
    xs = _FMT["f32"].unpack(a.to_bytes(16, "little"))
    ys = _FMT["f32"].unpack(b.to_bytes(16, "little"))
    result = a
    for i in range(4):
        if xs[i] < ys[i]:
            shift = 32 * i
            result = (result & ~(0xFFFFFFFF << shift)) | (b & (0xFFFFFFFF << shift))
    return result


_lanewise("f64x2_pmin", "f64", "f64", "y if y < x else x", 2)
_lanewise("f64x2_pmax", "f64", "f64", "y if x < y else x", 2)

# Conversions.
_lanewise("i32x4_trunc_sat_f32x4_s", "u32", "u32", "N.i32_trunc_sat_f32_s(x)", 1)
_lanewise("i32x4_trunc_sat_f32x4_u", "u32", "u32", "N.i32_trunc_sat_f32_u(x)", 1)
_lanewise("f32x4_convert_i32x4_s", "u32", "u32", "N.f32_convert_i32_s(x)", 1)
_lanewise("f32x4_convert_i32x4_u", "u32", "u32", "N.f32_convert_i32_u(x)", 1)
_padded("i32x4_trunc_sat_f64x2_s_zero", "f64", "u32", "N.i32_trunc_sat_f64_s(x)", 2, 2)
_padded("i32x4_trunc_sat_f64x2_u_zero", "f64", "u32", "N.i32_trunc_sat_f64_u(x)", 2, 2)
_padded("f32x4_demote_f64x2_zero", "f64", "u32", "N.f32_demote_f64(x)", 2, 2)
_padded("f64x2_promote_low_f32x4", "u32", "f64", "N.f64_promote_f32(x)", 2, 0)
_padded("f64x2_convert_low_i32x4_s", "s32", "f64", "float(x)", 2, 0)
_padded("f64x2_convert_low_i32x4_u", "u32", "f64", "float(x)", 2, 0)


# --- memory ------------------------------------------------------------------------
# Each takes the memory bytearray and the effective address (unsigned, so
# never negative) and checks bounds first: slices would silently truncate.
# Both tiers call these, so the trap is raised here.

def _check(mem, ea, n):
    if ea + n > len(mem):
        raise Trap(_MEMORY_OOB)


def v128_load(mem, ea):
    _check(mem, ea, 16)
    return _from_bytes(mem[ea:ea + 16], "little")


def v128_store(mem, ea, value):
    _check(mem, ea, 16)
    mem[ea:ea + 16] = value.to_bytes(16, "little")


def _load_extend(view_in, view_out):
    count = 64 // int(view_in[1:])
    unpack = struct.Struct("<%d%s" % (count, _FMT[view_in].format[-1])).unpack_from
    pack = _FMT[view_out].pack

    def load(mem, ea):
        _check(mem, ea, 8)
        return _from_bytes(pack(*unpack(mem, ea)), "little")
    return load


def _load_splat(width):
    unpack = struct.Struct("<" + "BHIQ"[width.bit_length() - 1]).unpack_from
    ones = _ONES[8 * width]

    def load(mem, ea):
        _check(mem, ea, width)
        return unpack(mem, ea)[0] * ones
    return load


def _load_zero(width):
    unpack = struct.Struct("<" + "BHIQ"[width.bit_length() - 1]).unpack_from

    def load(mem, ea):
        _check(mem, ea, width)
        return unpack(mem, ea)[0]
    return load


def _load_lane(width):
    unpack = struct.Struct("<" + "BHIQ"[width.bit_length() - 1]).unpack_from
    bits = 8 * width
    lane_max = (1 << bits) - 1

    def load(mem, ea, value, lane):
        _check(mem, ea, width)
        shift = lane * bits
        return (value & ~(lane_max << shift)) | (unpack(mem, ea)[0] << shift)
    return load


def _store_lane(width):
    pack = struct.Struct("<" + "BHIQ"[width.bit_length() - 1]).pack_into
    bits = 8 * width
    lane_max = (1 << bits) - 1

    def store(mem, ea, value, lane):
        _check(mem, ea, width)
        pack(mem, ea, (value >> (lane * bits)) & lane_max)
    return store


MEMORY = {
    "v128.load": v128_load, "v128.store": v128_store,
    "v128.load8x8_s": _load_extend("s8", "s16"), "v128.load8x8_u": _load_extend("u8", "u16"),
    "v128.load16x4_s": _load_extend("s16", "s32"), "v128.load16x4_u": _load_extend("u16", "u32"),
    "v128.load32x2_s": _load_extend("s32", "s64"), "v128.load32x2_u": _load_extend("u32", "u64"),
    "v128.load32_zero": _load_zero(4), "v128.load64_zero": _load_zero(8),
}
for _width in (1, 2, 4, 8):
    MEMORY["v128.load%d_splat" % (8 * _width)] = _load_splat(_width)
    MEMORY["v128.load%d_lane" % (8 * _width)] = _load_lane(_width)
    MEMORY["v128.store%d_lane" % (8 * _width)] = _store_lane(_width)
for _name, _fn in MEMORY.items():
    _fn.__name__ = _name.replace(".", "_")
    globals()[_fn.__name__] = _fn
__all__.append("MEMORY")
