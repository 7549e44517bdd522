"""THE opcode table: one row per WebAssembly 2.0 instruction.

Nothing else in the code base writes an opcode number.  Each row gives the
encoding (``code``, plus ``prefix`` for the 0xFC and 0xFD families), the
mnemonic, the immediate kind (the decoder reads immediates by kind), and for
plain stack instructions their type signature and a Python expression
template.

The template computes the single result from the operands ``a`` (first
popped-last operand), ``b`` and, for ``v128.bitselect`` only, ``c``, in the
runtime's value representation (see values.py): i32/i64 unsigned and
masked, f32 as its 32-bit pattern, f64 as a Python float, v128 a 128-bit
unsigned int.  ``N`` names the numeric module, ``S`` the SIMD module,
``math`` the stdlib module, and ``imm`` the instruction's immediate (a lane
index, validated against the row's ``lanes``, or the shuffle's lanes).
Both execution tiers build their handlers from these templates; rows
without a signature (control, variables, memory, references, ...) are
handled by named rules in the validator and engine.
"""

import sys

from .types import I32, I64, F32, F64, V128

__all__ = ["Op", "OPS", "BY_NAME", "BY_CODE", "PREFIX_FC", "PREFIX_FD"]

PREFIX_FC = 0xFC
PREFIX_FD = 0xFD

# Immediate kinds.
NONE = "none"
BLOCKTYPE = "blocktype"
LABEL = "label"
BR_TABLE = "br_table"
FUNC = "func"
CALL_INDIRECT = "call_indirect"
LOCAL = "local"
GLOBAL = "global"
TABLE = "table"
MEMARG = "memarg"
MEMORY = "memory"            # a single reserved 0x00 byte
I32_CONST = "i32"
I64_CONST = "i64"
F32_CONST = "f32"
F64_CONST = "f64"
SELECT_T = "select_t"        # vec(valtype)
REFTYPE = "reftype"
MEMORY_INIT = "memory_init"  # dataidx, 0x00
DATA = "data"
MEMORY_COPY = "memory_copy"  # 0x00 0x00
TABLE_INIT = "table_init"    # elemidx, tableidx
ELEM = "elem"
TABLE_COPY = "table_copy"    # dst tableidx, src tableidx
V128_CONST = "v128"          # 16 raw bytes, little-endian
SHUFFLE = "shuffle"          # 16 raw lane-index bytes
LANE = "lane"                # one raw lane-index byte
MEMARG_LANE = "memarg_lane"  # memarg, then a lane-index byte


class Op:
    """One instruction of the table."""

    __slots__ = ("code", "prefix", "name", "imm", "params", "results", "expr",
                 "width", "align", "lanes")

    def __init__(self, code, name, imm=NONE, params=None, results=None,
                 expr=None, prefix=None, width=None, lanes=None):
        self.code = code
        self.prefix = prefix
        self.name = name
        self.imm = imm
        self.params = params
        self.results = results
        self.expr = expr
        self.width = width            # bytes accessed, for loads/stores
        self.align = None if width is None else width.bit_length() - 1
        self.lanes = lanes            # lane count, for lane-index immediates

    @property
    def handler_name(self):
        """The engine's handler name: ``i32.add`` -> ``i32_add``."""
        return self.name.replace(".", "_")

    def __repr__(self):
        return "<Op %s>" % self.name


OPS = []


def op(code, name, imm=NONE, params=None, results=None, expr=None, prefix=None,
       width=None, lanes=None):
    row = Op(code, name, imm, params, results, expr, prefix, width, lanes)
    OPS.append(row)
    return row


def fc(code, name, imm=NONE, params=None, results=None, expr=None):
    return op(code, name, imm, params, results, expr, prefix=PREFIX_FC)


M32 = "0xFFFFFFFF"
M64 = "0xFFFFFFFFFFFFFFFF"
_MASK = {32: M32, 64: M64}
# Signed views of unsigned operands.  CPython computes much faster with
# ints below 2**30, so a test that leaves the common non-negative value as
# it is beats flipping the sign bit (which makes two-digit ints: 45 against
# 18 ns); PyPy's JIT flips in one machine instruction and pays a guard for
# the test (2-3x slower with it).
_FLIP_SIGN = sys.implementation.name == "pypy"


def _signed(x, bits):
    """The template of ``x`` (an operand name) as a signed value."""
    half = 1 << (bits - 1)
    if _FLIP_SIGN:
        return "((%s ^ 0x%X) - 0x%X)" % (x, half, half)
    return "(%s - 0x%X if %s >= 0x%X else %s)" % (x, half << 1, x, half, x)

# --- control -----------------------------------------------------------------
op(0x00, "unreachable")
op(0x01, "nop")
op(0x02, "block", BLOCKTYPE)
op(0x03, "loop", BLOCKTYPE)
op(0x04, "if", BLOCKTYPE)
op(0x05, "else")
op(0x0B, "end")
op(0x0C, "br", LABEL)
op(0x0D, "br_if", LABEL)
op(0x0E, "br_table", BR_TABLE)
op(0x0F, "return")
op(0x10, "call", FUNC)
op(0x11, "call_indirect", CALL_INDIRECT)

# --- reference ---------------------------------------------------------------
op(0xD0, "ref.null", REFTYPE)
op(0xD1, "ref.is_null")
op(0xD2, "ref.func", FUNC)

# --- parametric --------------------------------------------------------------
op(0x1A, "drop")
op(0x1B, "select")
op(0x1C, "select_t", SELECT_T)

# --- variable ----------------------------------------------------------------
op(0x20, "local.get", LOCAL)
op(0x21, "local.set", LOCAL)
op(0x22, "local.tee", LOCAL)
op(0x23, "global.get", GLOBAL)
op(0x24, "global.set", GLOBAL)

# --- table -------------------------------------------------------------------
op(0x25, "table.get", TABLE)
op(0x26, "table.set", TABLE)
fc(12, "table.init", TABLE_INIT)
fc(13, "elem.drop", ELEM)
fc(14, "table.copy", TABLE_COPY)
fc(15, "table.grow", TABLE)
fc(16, "table.size", TABLE)
fc(17, "table.fill", TABLE)

# --- memory ------------------------------------------------------------------
# Loads: (code, name, width, result type).  Stores likewise with operand type.
LOADS = [
    (0x28, "i32.load", 4, I32), (0x29, "i64.load", 8, I64),
    (0x2A, "f32.load", 4, F32), (0x2B, "f64.load", 8, F64),
    (0x2C, "i32.load8_s", 1, I32), (0x2D, "i32.load8_u", 1, I32),
    (0x2E, "i32.load16_s", 2, I32), (0x2F, "i32.load16_u", 2, I32),
    (0x30, "i64.load8_s", 1, I64), (0x31, "i64.load8_u", 1, I64),
    (0x32, "i64.load16_s", 2, I64), (0x33, "i64.load16_u", 2, I64),
    (0x34, "i64.load32_s", 4, I64), (0x35, "i64.load32_u", 4, I64),
]
STORES = [
    (0x36, "i32.store", 4, I32), (0x37, "i64.store", 8, I64),
    (0x38, "f32.store", 4, F32), (0x39, "f64.store", 8, F64),
    (0x3A, "i32.store8", 1, I32), (0x3B, "i32.store16", 2, I32),
    (0x3C, "i64.store8", 1, I64), (0x3D, "i64.store16", 2, I64),
    (0x3E, "i64.store32", 4, I64),
]
for _code, _name, _width, _t in LOADS:
    op(_code, _name, MEMARG, (I32,), (_t,), width=_width)
for _code, _name, _width, _t in STORES:
    op(_code, _name, MEMARG, (I32, _t), (), width=_width)
op(0x3F, "memory.size", MEMORY)
op(0x40, "memory.grow", MEMORY)
fc(8, "memory.init", MEMORY_INIT)
fc(9, "data.drop", DATA)
fc(10, "memory.copy", MEMORY_COPY)
fc(11, "memory.fill", MEMORY)

# --- constants ---------------------------------------------------------------
op(0x41, "i32.const", I32_CONST)
op(0x42, "i64.const", I64_CONST)
op(0x43, "f32.const", F32_CONST)
op(0x44, "f64.const", F64_CONST)


# --- numeric -----------------------------------------------------------------
def unop(code, name, t, r, expr):
    return op(code, name, NONE, (t,), (r,), expr)


def binop(code, name, t, r, expr):
    return op(code, name, NONE, (t, t), (r,), expr)


def _shr_s(bits):
    if _FLIP_SIGN:
        return "(%s >> (b & %d)) & %s" % (_signed("a", bits), bits - 1, _MASK[bits])
    # a non-negative value shifts as it is
    return "a >> (b & %d) if a < 0x%X else ((a - 0x%X) >> (b & %d)) & %s" % (
        bits - 1, 1 << (bits - 1), 1 << bits, bits - 1, _MASK[bits])


def _int_ops(t, bits, base_test, base_arith, M):
    """Comparisons and arithmetic shared in shape by i32 and i64."""
    p = t.name.lower()
    # Signed order compares signed views (tier 1 has cheaper forms still
    # for a literal operand).  Results are ``1 if ... else 0``: int(bool)
    # is a call, many times slower.
    sa, sb = _signed("a", bits), _signed("b", bits)
    unop(base_test, p + ".eqz", t, I32, "1 if a == 0 else 0")
    binop(base_test + 1, p + ".eq", t, I32, "1 if a == b else 0")
    binop(base_test + 2, p + ".ne", t, I32, "1 if a != b else 0")
    binop(base_test + 3, p + ".lt_s", t, I32, "1 if %s < %s else 0" % (sa, sb))
    binop(base_test + 4, p + ".lt_u", t, I32, "1 if a < b else 0")
    binop(base_test + 5, p + ".gt_s", t, I32, "1 if %s > %s else 0" % (sa, sb))
    binop(base_test + 6, p + ".gt_u", t, I32, "1 if a > b else 0")
    binop(base_test + 7, p + ".le_s", t, I32, "1 if %s <= %s else 0" % (sa, sb))
    binop(base_test + 8, p + ".le_u", t, I32, "1 if a <= b else 0")
    binop(base_test + 9, p + ".ge_s", t, I32, "1 if %s >= %s else 0" % (sa, sb))
    binop(base_test + 10, p + ".ge_u", t, I32, "1 if a >= b else 0")
    sh = bits - 1
    rows = [
        ("clz", None, "%d - a.bit_length()" % bits),
        ("ctz", None, "N.%s_ctz(a)" % p),
        # int.bit_count is Python 3.10+; 3.9 and PyPy 3.9 count the digits.
        ("popcnt", None, "a.bit_count()" if hasattr(int, "bit_count") else "bin(a).count('1')"),
        ("add", 2, "(a + b) & %s" % M),
        ("sub", 2, "(a - b) & %s" % M),
        ("mul", 2, "(a * b) & %s" % M),
        ("div_s", 2, "N.%s_div_s(a, b)" % p),
        ("div_u", 2, "N.%s_div_u(a, b)" % p),
        ("rem_s", 2, "N.%s_rem_s(a, b)" % p),
        ("rem_u", 2, "N.%s_rem_u(a, b)" % p),
        ("and", 2, "a & b"),
        ("or", 2, "a | b"),
        ("xor", 2, "a ^ b"),
        ("shl", 2, "(a << (b & %d)) & %s" % (sh, M)),
        ("shr_s", 2, _shr_s(bits)),
        ("shr_u", 2, "a >> (b & %d)" % sh),
        ("rotl", 2, "N.%s_rotl(a, b)" % p),
        ("rotr", 2, "N.%s_rotr(a, b)" % p),
    ]
    code = base_arith
    for suffix, arity, expr in rows:
        if arity:
            binop(code, "%s.%s" % (p, suffix), t, t, expr)
        else:
            unop(code, "%s.%s" % (p, suffix), t, t, expr)
        code += 1


def _float_cmp(t, base):
    p = t.name.lower()
    if t is F32:   # bits: compare as floats
        for i, suffix in enumerate(("eq", "ne", "lt", "gt", "le", "ge")):
            binop(base + i, "%s.%s" % (p, suffix), t, I32, "N.f32_%s(a, b)" % suffix)
    else:
        for i, sym in enumerate(("==", "!=", "<", ">", "<=", ">=")):
            suffix = ("eq", "ne", "lt", "gt", "le", "ge")[i]
            binop(base + i, "%s.%s" % (p, suffix), t, I32, "1 if a %s b else 0" % sym)


_int_ops(I32, 32, 0x45, 0x67, M32)
_int_ops(I64, 64, 0x50, 0x79, M64)
_float_cmp(F32, 0x5B)
_float_cmp(F64, 0x61)

# f32 is carried as bits: abs/neg/copysign are pure bit operations.
unop(0x8B, "f32.abs", F32, F32, "a & 0x7FFFFFFF")
unop(0x8C, "f32.neg", F32, F32, "a ^ 0x80000000")
unop(0x8D, "f32.ceil", F32, F32, "N.f32_ceil(a)")
unop(0x8E, "f32.floor", F32, F32, "N.f32_floor(a)")
unop(0x8F, "f32.trunc", F32, F32, "N.f32_trunc(a)")
unop(0x90, "f32.nearest", F32, F32, "N.f32_nearest(a)")
unop(0x91, "f32.sqrt", F32, F32, "N.f32_sqrt(a)")
binop(0x92, "f32.add", F32, F32, "N.f32_add(a, b)")
binop(0x93, "f32.sub", F32, F32, "N.f32_sub(a, b)")
binop(0x94, "f32.mul", F32, F32, "N.f32_mul(a, b)")
binop(0x95, "f32.div", F32, F32, "N.f32_div(a, b)")
binop(0x96, "f32.min", F32, F32, "N.f32_min(a, b)")
binop(0x97, "f32.max", F32, F32, "N.f32_max(a, b)")
binop(0x98, "f32.copysign", F32, F32, "(a & 0x7FFFFFFF) | (b & 0x80000000)")

unop(0x99, "f64.abs", F64, F64, "math.fabs(a)")
unop(0x9A, "f64.neg", F64, F64, "-a")
unop(0x9B, "f64.ceil", F64, F64, "N.f64_ceil(a)")
unop(0x9C, "f64.floor", F64, F64, "N.f64_floor(a)")
unop(0x9D, "f64.trunc", F64, F64, "N.f64_trunc(a)")
unop(0x9E, "f64.nearest", F64, F64, "N.f64_nearest(a)")
unop(0x9F, "f64.sqrt", F64, F64, "N.f64_sqrt(a)")
binop(0xA0, "f64.add", F64, F64, "a + b")
binop(0xA1, "f64.sub", F64, F64, "a - b")
binop(0xA2, "f64.mul", F64, F64, "a * b")
binop(0xA3, "f64.div", F64, F64, "N.f64_div(a, b)")
binop(0xA4, "f64.min", F64, F64, "N.f64_min(a, b)")
binop(0xA5, "f64.max", F64, F64, "N.f64_max(a, b)")
binop(0xA6, "f64.copysign", F64, F64, "math.copysign(a, b)")

# --- conversions -------------------------------------------------------------
unop(0xA7, "i32.wrap_i64", I64, I32, "a & 0xFFFFFFFF")
unop(0xA8, "i32.trunc_f32_s", F32, I32, "N.i32_trunc_f32_s(a)")
unop(0xA9, "i32.trunc_f32_u", F32, I32, "N.i32_trunc_f32_u(a)")
unop(0xAA, "i32.trunc_f64_s", F64, I32, "N.i32_trunc_f64_s(a)")
unop(0xAB, "i32.trunc_f64_u", F64, I32, "N.i32_trunc_f64_u(a)")
unop(0xAC, "i64.extend_i32_s", I32, I64, "(%s) & %s" % (_signed("a", 32), M64) if _FLIP_SIGN
     else "a + 0xFFFFFFFF00000000 if a >= 0x80000000 else a")
unop(0xAD, "i64.extend_i32_u", I32, I64, "a")
unop(0xAE, "i64.trunc_f32_s", F32, I64, "N.i64_trunc_f32_s(a)")
unop(0xAF, "i64.trunc_f32_u", F32, I64, "N.i64_trunc_f32_u(a)")
unop(0xB0, "i64.trunc_f64_s", F64, I64, "N.i64_trunc_f64_s(a)")
unop(0xB1, "i64.trunc_f64_u", F64, I64, "N.i64_trunc_f64_u(a)")
unop(0xB2, "f32.convert_i32_s", I32, F32, "N.f32_convert_i32_s(a)")
unop(0xB3, "f32.convert_i32_u", I32, F32, "N.f32_convert_i32_u(a)")
unop(0xB4, "f32.convert_i64_s", I64, F32, "N.f32_convert_i64_s(a)")
unop(0xB5, "f32.convert_i64_u", I64, F32, "N.f32_convert_i64_u(a)")
unop(0xB6, "f32.demote_f64", F64, F32, "N.f32_demote_f64(a)")
unop(0xB7, "f64.convert_i32_s", I32, F64, "float(%s)" % _signed("a", 32))
unop(0xB8, "f64.convert_i32_u", I32, F64, "float(a)")
unop(0xB9, "f64.convert_i64_s", I64, F64, "N.f64_convert_i64_s(a)")
unop(0xBA, "f64.convert_i64_u", I64, F64, "N.f64_convert_i64_u(a)")
unop(0xBB, "f64.promote_f32", F32, F64, "N.f64_promote_f32(a)")
unop(0xBC, "i32.reinterpret_f32", F32, I32, "a")
unop(0xBD, "i64.reinterpret_f64", F64, I64, "N.i64_reinterpret_f64(a)")
unop(0xBE, "f32.reinterpret_i32", I32, F32, "a")
unop(0xBF, "f64.reinterpret_i64", I64, F64, "N.f64_reinterpret_i64(a)")

# --- sign extension ----------------------------------------------------------
unop(0xC0, "i32.extend8_s", I32, I32, "(((a & 0xFF) ^ 0x80) - 0x80) & 0xFFFFFFFF")
unop(0xC1, "i32.extend16_s", I32, I32, "(((a & 0xFFFF) ^ 0x8000) - 0x8000) & 0xFFFFFFFF")
unop(0xC2, "i64.extend8_s", I64, I64, "(((a & 0xFF) ^ 0x80) - 0x80) & %s" % M64)
unop(0xC3, "i64.extend16_s", I64, I64, "(((a & 0xFFFF) ^ 0x8000) - 0x8000) & %s" % M64)
unop(0xC4, "i64.extend32_s", I64, I64,
     "(((a & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000) & %s" % M64)

# --- saturating truncation (0xFC 0..7) ---------------------------------------
for _i, (_name, _t, _r) in enumerate([
        ("i32.trunc_sat_f32_s", F32, I32), ("i32.trunc_sat_f32_u", F32, I32),
        ("i32.trunc_sat_f64_s", F64, I32), ("i32.trunc_sat_f64_u", F64, I32),
        ("i64.trunc_sat_f32_s", F32, I64), ("i64.trunc_sat_f32_u", F32, I64),
        ("i64.trunc_sat_f64_s", F64, I64), ("i64.trunc_sat_f64_u", F64, I64)]):
    fc(_i, _name, NONE, (_t,), (_r,), "N.%s(a)" % _name.replace(".", "_"))

# --- SIMD (0xFD prefix; spec "Vector Instructions") --------------------------
# v128 is a 128-bit unsigned int; lane i of an NxM shape is bits
# [i*M, (i+1)*M) (lanes are little-endian, as in memory).  Whole-vector
# bit operations and lane access are inline templates; lanewise arithmetic
# calls pywasi_interp/simd.py (``S``), named after the handler.

M128 = "0x" + "F" * 32


def fd(code, name, imm=NONE, params=None, results=None, expr=None, width=None, lanes=None):
    return op(code, name, imm, params, results, expr, PREFIX_FD, width, lanes)


def _simd(code, name, params, results=(V128,), expr=None):
    """A plain SIMD stack instruction; by default its template calls the
    simd.py function named like its handler."""
    if expr is None:
        args = ", ".join("abc"[:len(params)])
        expr = "S.%s(%s)" % (name.replace(".", "_"), args)
    return fd(code, name, NONE, params, results, expr)


# Memory.  ``width`` is the bytes read or written, which also bounds the
# alignment: 8 for the extending loads, the lane size for splat/zero/lane.
fd(0x00, "v128.load", MEMARG, (I32,), (V128,), width=16)
for _code, _name in [(0x01, "v128.load8x8_s"), (0x02, "v128.load8x8_u"),
                     (0x03, "v128.load16x4_s"), (0x04, "v128.load16x4_u"),
                     (0x05, "v128.load32x2_s"), (0x06, "v128.load32x2_u")]:
    fd(_code, _name, MEMARG, (I32,), (V128,), width=8)
for _code, _width in [(0x07, 1), (0x08, 2), (0x09, 4), (0x0A, 8)]:
    fd(_code, "v128.load%d_splat" % (8 * _width), MEMARG, (I32,), (V128,), width=_width)
fd(0x0B, "v128.store", MEMARG, (I32, V128), (), width=16)
fd(0x5C, "v128.load32_zero", MEMARG, (I32,), (V128,), width=4)
fd(0x5D, "v128.load64_zero", MEMARG, (I32,), (V128,), width=8)
for _i, _width in enumerate((1, 2, 4, 8)):
    _bits = 8 * _width
    fd(0x54 + _i, "v128.load%d_lane" % _bits, MEMARG_LANE, (I32, V128), (V128,),
       width=_width, lanes=16 // _width)
    fd(0x58 + _i, "v128.store%d_lane" % _bits, MEMARG_LANE, (I32, V128), (),
       width=_width, lanes=16 // _width)

fd(0x0C, "v128.const", V128_CONST)
fd(0x0D, "i8x16.shuffle", SHUFFLE, (V128, V128), (V128,), "S.i8x16_shuffle(a, b, imm)")
_simd(0x0E, "i8x16.swizzle", (V128, V128))

# Splat: the lane value times the vector with 1 in every lane.
_ONES = {8: "0x" + "01" * 16, 16: "0x" + "0001" * 8, 32: "0x" + "00000001" * 4,
         64: "0x" + "0000000000000001" * 2}
_simd(0x0F, "i8x16.splat", (I32,), expr="(a & 0xFF) * %s" % _ONES[8])
_simd(0x10, "i16x8.splat", (I32,), expr="(a & 0xFFFF) * %s" % _ONES[16])
_simd(0x11, "i32x4.splat", (I32,), expr="a * %s" % _ONES[32])
_simd(0x12, "i64x2.splat", (I64,), expr="a * %s" % _ONES[64])
_simd(0x13, "f32x4.splat", (F32,), expr="a * %s" % _ONES[32])
_simd(0x14, "f64x2.splat", (F64,), expr="N.i64_reinterpret_f64(a) * %s" % _ONES[64])

# Lane access: ``imm`` is the lane index, validated < lanes.  f32 lanes stay
# bits (a signalling NaN survives); f64 lanes convert through their bits.
_S_EXT = "((((a >> (imm * {w})) & {m}) ^ {s}) - {s}) & 0xFFFFFFFF"
_U_EXT = "(a >> (imm * {w})) & {m}"
_REPLACE = "(a & ~({m} << (imm * {w}))) | ({value} << (imm * {w}))"


def _lane_op(code, name, params, results, expr, width):
    m = "0x" + "F" * (width // 4)
    s = "0x8" + "0" * (width // 4 - 1)
    fd(code, name, LANE, params, results, expr.format(w=width, m=m, s=s, value="b"),
       lanes=128 // width)


_lane_op(0x15, "i8x16.extract_lane_s", (V128,), (I32,), _S_EXT, 8)
_lane_op(0x16, "i8x16.extract_lane_u", (V128,), (I32,), _U_EXT, 8)
_lane_op(0x17, "i8x16.replace_lane", (V128, I32), (V128,),
         _REPLACE.replace("{value}", "(b & 0xFF)"), 8)
_lane_op(0x18, "i16x8.extract_lane_s", (V128,), (I32,), _S_EXT, 16)
_lane_op(0x19, "i16x8.extract_lane_u", (V128,), (I32,), _U_EXT, 16)
_lane_op(0x1A, "i16x8.replace_lane", (V128, I32), (V128,),
         _REPLACE.replace("{value}", "(b & 0xFFFF)"), 16)
_lane_op(0x1B, "i32x4.extract_lane", (V128,), (I32,), _U_EXT, 32)
_lane_op(0x1C, "i32x4.replace_lane", (V128, I32), (V128,), _REPLACE, 32)
_lane_op(0x1D, "i64x2.extract_lane", (V128,), (I64,), _U_EXT, 64)
_lane_op(0x1E, "i64x2.replace_lane", (V128, I64), (V128,), _REPLACE, 64)
_lane_op(0x1F, "f32x4.extract_lane", (V128,), (F32,), _U_EXT, 32)
_lane_op(0x20, "f32x4.replace_lane", (V128, F32), (V128,), _REPLACE, 32)
_lane_op(0x21, "f64x2.extract_lane", (V128,), (F64,),
         "N.f64_reinterpret_i64(%s)" % _U_EXT, 64)
_lane_op(0x22, "f64x2.replace_lane", (V128, F64), (V128,),
         _REPLACE.replace("{value}", "N.i64_reinterpret_f64(b)"), 64)

# Comparisons: each result lane is all ones (true) or zero.
_VV = (V128, V128)
for _shape, _base in (("i8x16", 0x23), ("i16x8", 0x2D), ("i32x4", 0x37)):
    for _i, _cmp in enumerate(("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u",
                               "le_s", "le_u", "ge_s", "ge_u")):
        _simd(_base + _i, "%s.%s" % (_shape, _cmp), _VV)
for _shape, _base in (("f32x4", 0x41), ("f64x2", 0x47)):
    for _i, _cmp in enumerate(("eq", "ne", "lt", "gt", "le", "ge")):
        _simd(_base + _i, "%s.%s" % (_shape, _cmp), _VV)
for _i, _cmp in enumerate(("eq", "ne", "lt_s", "gt_s", "le_s", "ge_s")):
    _simd(0xD6 + _i, "i64x2.%s" % _cmp, _VV)

# Bitwise: plain int operations on the whole vector.
_simd(0x4D, "v128.not", (V128,), expr="a ^ %s" % M128)
_simd(0x4E, "v128.and", _VV, expr="a & b")
_simd(0x4F, "v128.andnot", _VV, expr="a & ~b")
_simd(0x50, "v128.or", _VV, expr="a | b")
_simd(0x51, "v128.xor", _VV, expr="a ^ b")
_simd(0x52, "v128.bitselect", (V128, V128, V128), expr="(a & c) | (b & ~c)")
_simd(0x53, "v128.any_true", (V128,), (I32,), expr="1 if a != 0 else 0")

# Float <-> float and float <-> int conversions.
_simd(0x5E, "f32x4.demote_f64x2_zero", (V128,))
_simd(0x5F, "f64x2.promote_low_f32x4", (V128,))
_simd(0xF8, "i32x4.trunc_sat_f32x4_s", (V128,))
_simd(0xF9, "i32x4.trunc_sat_f32x4_u", (V128,))
_simd(0xFA, "f32x4.convert_i32x4_s", (V128,))
_simd(0xFB, "f32x4.convert_i32x4_u", (V128,))
_simd(0xFC, "i32x4.trunc_sat_f64x2_s_zero", (V128,))
_simd(0xFD, "i32x4.trunc_sat_f64x2_u_zero", (V128,))
_simd(0xFE, "f64x2.convert_low_i32x4_s", (V128,))
_simd(0xFF, "f64x2.convert_low_i32x4_u", (V128,))

# Integer lanewise operations: (code, name, operands) per row; "v" a vector
# operand, "s" an i32 shift count; the result is a vector unless "-> i32".
_V, _VS = (V128,), (V128, I32)
for _code, _name, _params, _results in [
        (0x60, "i8x16.abs", _V, None), (0x61, "i8x16.neg", _V, None),
        (0x62, "i8x16.popcnt", _V, None), (0x63, "i8x16.all_true", _V, (I32,)),
        (0x64, "i8x16.bitmask", _V, (I32,)),
        (0x65, "i8x16.narrow_i16x8_s", _VV, None), (0x66, "i8x16.narrow_i16x8_u", _VV, None),
        (0x6B, "i8x16.shl", _VS, None), (0x6C, "i8x16.shr_s", _VS, None),
        (0x6D, "i8x16.shr_u", _VS, None), (0x6E, "i8x16.add", _VV, None),
        (0x6F, "i8x16.add_sat_s", _VV, None), (0x70, "i8x16.add_sat_u", _VV, None),
        (0x71, "i8x16.sub", _VV, None), (0x72, "i8x16.sub_sat_s", _VV, None),
        (0x73, "i8x16.sub_sat_u", _VV, None), (0x76, "i8x16.min_s", _VV, None),
        (0x77, "i8x16.min_u", _VV, None), (0x78, "i8x16.max_s", _VV, None),
        (0x79, "i8x16.max_u", _VV, None), (0x7B, "i8x16.avgr_u", _VV, None),
        (0x7C, "i16x8.extadd_pairwise_i8x16_s", _V, None),
        (0x7D, "i16x8.extadd_pairwise_i8x16_u", _V, None),
        (0x7E, "i32x4.extadd_pairwise_i16x8_s", _V, None),
        (0x7F, "i32x4.extadd_pairwise_i16x8_u", _V, None),
        (0x80, "i16x8.abs", _V, None), (0x81, "i16x8.neg", _V, None),
        (0x82, "i16x8.q15mulr_sat_s", _VV, None), (0x83, "i16x8.all_true", _V, (I32,)),
        (0x84, "i16x8.bitmask", _V, (I32,)),
        (0x85, "i16x8.narrow_i32x4_s", _VV, None), (0x86, "i16x8.narrow_i32x4_u", _VV, None),
        (0x87, "i16x8.extend_low_i8x16_s", _V, None),
        (0x88, "i16x8.extend_high_i8x16_s", _V, None),
        (0x89, "i16x8.extend_low_i8x16_u", _V, None),
        (0x8A, "i16x8.extend_high_i8x16_u", _V, None),
        (0x8B, "i16x8.shl", _VS, None), (0x8C, "i16x8.shr_s", _VS, None),
        (0x8D, "i16x8.shr_u", _VS, None), (0x8E, "i16x8.add", _VV, None),
        (0x8F, "i16x8.add_sat_s", _VV, None), (0x90, "i16x8.add_sat_u", _VV, None),
        (0x91, "i16x8.sub", _VV, None), (0x92, "i16x8.sub_sat_s", _VV, None),
        (0x93, "i16x8.sub_sat_u", _VV, None), (0x95, "i16x8.mul", _VV, None),
        (0x96, "i16x8.min_s", _VV, None), (0x97, "i16x8.min_u", _VV, None),
        (0x98, "i16x8.max_s", _VV, None), (0x99, "i16x8.max_u", _VV, None),
        (0x9B, "i16x8.avgr_u", _VV, None),
        (0x9C, "i16x8.extmul_low_i8x16_s", _VV, None),
        (0x9D, "i16x8.extmul_high_i8x16_s", _VV, None),
        (0x9E, "i16x8.extmul_low_i8x16_u", _VV, None),
        (0x9F, "i16x8.extmul_high_i8x16_u", _VV, None),
        (0xA0, "i32x4.abs", _V, None), (0xA1, "i32x4.neg", _V, None),
        (0xA3, "i32x4.all_true", _V, (I32,)), (0xA4, "i32x4.bitmask", _V, (I32,)),
        (0xA7, "i32x4.extend_low_i16x8_s", _V, None),
        (0xA8, "i32x4.extend_high_i16x8_s", _V, None),
        (0xA9, "i32x4.extend_low_i16x8_u", _V, None),
        (0xAA, "i32x4.extend_high_i16x8_u", _V, None),
        (0xAB, "i32x4.shl", _VS, None), (0xAC, "i32x4.shr_s", _VS, None),
        (0xAD, "i32x4.shr_u", _VS, None), (0xAE, "i32x4.add", _VV, None),
        (0xB1, "i32x4.sub", _VV, None), (0xB5, "i32x4.mul", _VV, None),
        (0xB6, "i32x4.min_s", _VV, None), (0xB7, "i32x4.min_u", _VV, None),
        (0xB8, "i32x4.max_s", _VV, None), (0xB9, "i32x4.max_u", _VV, None),
        (0xBA, "i32x4.dot_i16x8_s", _VV, None),
        (0xBC, "i32x4.extmul_low_i16x8_s", _VV, None),
        (0xBD, "i32x4.extmul_high_i16x8_s", _VV, None),
        (0xBE, "i32x4.extmul_low_i16x8_u", _VV, None),
        (0xBF, "i32x4.extmul_high_i16x8_u", _VV, None),
        (0xC0, "i64x2.abs", _V, None), (0xC1, "i64x2.neg", _V, None),
        (0xC3, "i64x2.all_true", _V, (I32,)), (0xC4, "i64x2.bitmask", _V, (I32,)),
        (0xC7, "i64x2.extend_low_i32x4_s", _V, None),
        (0xC8, "i64x2.extend_high_i32x4_s", _V, None),
        (0xC9, "i64x2.extend_low_i32x4_u", _V, None),
        (0xCA, "i64x2.extend_high_i32x4_u", _V, None),
        (0xCB, "i64x2.shl", _VS, None), (0xCC, "i64x2.shr_s", _VS, None),
        (0xCD, "i64x2.shr_u", _VS, None), (0xCE, "i64x2.add", _VV, None),
        (0xD1, "i64x2.sub", _VV, None), (0xD5, "i64x2.mul", _VV, None),
        (0xDC, "i64x2.extmul_low_i32x4_s", _VV, None),
        (0xDD, "i64x2.extmul_high_i32x4_s", _VV, None),
        (0xDE, "i64x2.extmul_low_i32x4_u", _VV, None),
        (0xDF, "i64x2.extmul_high_i32x4_u", _VV, None)]:
    _simd(_code, _name, _params, _results or (V128,))

# Float lanewise operations.  abs/neg flip sign bits only, so f32 NaN
# payloads (signalling ones too) pass through, as the spec requires.
_F32_SIGNS = "0x" + "80000000" * 4
_F64_SIGNS = "0x" + "8000000000000000" * 2
_simd(0xE0, "f32x4.abs", _V, expr="a & %s" % ("0x" + "7FFFFFFF" * 4))
_simd(0xE1, "f32x4.neg", _V, expr="a ^ %s" % _F32_SIGNS)
_simd(0xEC, "f64x2.abs", _V, expr="a & %s" % ("0x" + "7FFFFFFFFFFFFFFF" * 2))
_simd(0xED, "f64x2.neg", _V, expr="a ^ %s" % _F64_SIGNS)
for _code, _name, _params in [
        (0x67, "f32x4.ceil", _V), (0x68, "f32x4.floor", _V), (0x69, "f32x4.trunc", _V),
        (0x6A, "f32x4.nearest", _V), (0x74, "f64x2.ceil", _V), (0x75, "f64x2.floor", _V),
        (0x7A, "f64x2.trunc", _V), (0x94, "f64x2.nearest", _V),
        (0xE3, "f32x4.sqrt", _V), (0xE4, "f32x4.add", _VV), (0xE5, "f32x4.sub", _VV),
        (0xE6, "f32x4.mul", _VV), (0xE7, "f32x4.div", _VV), (0xE8, "f32x4.min", _VV),
        (0xE9, "f32x4.max", _VV), (0xEA, "f32x4.pmin", _VV), (0xEB, "f32x4.pmax", _VV),
        (0xEF, "f64x2.sqrt", _V), (0xF0, "f64x2.add", _VV), (0xF1, "f64x2.sub", _VV),
        (0xF2, "f64x2.mul", _VV), (0xF3, "f64x2.div", _VV), (0xF4, "f64x2.min", _VV),
        (0xF5, "f64x2.max", _VV), (0xF6, "f64x2.pmin", _VV), (0xF7, "f64x2.pmax", _VV)]:
    _simd(_code, _name, _params)

# --- derived indexes -----------------------------------------------------------
BY_NAME = {row.name: row for row in OPS}
BY_CODE = {(row.prefix, row.code): row for row in OPS}
if len(BY_NAME) != len(OPS) or len(BY_CODE) != len(OPS):
    raise ImportError("opcode table has duplicate names or codes")
# SIMD loads and stores (their accessors live in simd.py, imported on first use).
SIMD_MEMORY = tuple(row.name for row in OPS
                    if row.prefix == PREFIX_FD and row.imm in (MEMARG, MEMARG_LANE))
