"""THE opcode table: one row per WebAssembly 2.0 instruction.

Nothing else in the code base writes an opcode number.  Each row gives the
encoding (``code``, plus ``prefix`` for the 0xFC family), the mnemonic, the
immediate kind (the decoder reads immediates by kind), and for plain stack
instructions their type signature and a Python expression template.

The template computes the single result from the operands ``a`` (first
popped-last operand) and ``b`` in the runtime's value representation
(see values.py): i32/i64 unsigned and masked, f32 as its 32-bit pattern,
f64 as a Python float.  ``N`` names the numeric module, ``math`` the stdlib
module.  Both execution tiers build their handlers from these templates;
rows without a signature (control, variables, memory, references, ...) are
handled by named rules in the validator and engine.
"""

from .types import I32, I64, F32, F64, FUNCREF, EXTERNREF

__all__ = ["Op", "OPS", "BY_NAME", "BY_CODE", "PREFIX_FC"]

PREFIX_FC = 0xFC

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


class Op:
    """One instruction of the table."""

    __slots__ = ("code", "prefix", "name", "imm", "params", "results", "expr",
                 "width", "align")

    def __init__(self, code, name, imm=NONE, params=None, results=None,
                 expr=None, prefix=None, width=None):
        self.code = code
        self.prefix = prefix
        self.name = name
        self.imm = imm
        self.params = params
        self.results = results
        self.expr = expr
        self.width = width            # bytes accessed, for loads/stores
        self.align = None if width is None else width.bit_length() - 1

    @property
    def handler_name(self):
        """The engine's handler name: ``i32.add`` -> ``i32_add``."""
        return self.name.replace(".", "_")

    def __repr__(self):
        return "<Op %s>" % self.name


OPS = []


def op(code, name, imm=NONE, params=None, results=None, expr=None, prefix=None, width=None):
    row = Op(code, name, imm, params, results, expr, prefix, width)
    OPS.append(row)
    return row


def fc(code, name, imm=NONE, params=None, results=None, expr=None):
    return op(code, name, imm, params, results, expr, prefix=PREFIX_FC)


# Signed views used by templates: S32(a) == (a ^ 0x80000000) - 0x80000000.
_S32 = "((%s ^ 0x80000000) - 0x80000000)"
_S64 = "((%s ^ 0x8000000000000000) - 0x8000000000000000)"
M32 = "0xFFFFFFFF"
M64 = "0xFFFFFFFFFFFFFFFF"

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


def _int_ops(t, bits, base_test, base_arith, S, M):
    """Comparisons and arithmetic shared in shape by i32 and i64."""
    p = t.name.lower()
    sa, sb = S % "a", S % "b"
    unop(base_test, p + ".eqz", t, I32, "int(a == 0)")
    binop(base_test + 1, p + ".eq", t, I32, "int(a == b)")
    binop(base_test + 2, p + ".ne", t, I32, "int(a != b)")
    binop(base_test + 3, p + ".lt_s", t, I32, "int(%s < %s)" % (sa, sb))
    binop(base_test + 4, p + ".lt_u", t, I32, "int(a < b)")
    binop(base_test + 5, p + ".gt_s", t, I32, "int(%s > %s)" % (sa, sb))
    binop(base_test + 6, p + ".gt_u", t, I32, "int(a > b)")
    binop(base_test + 7, p + ".le_s", t, I32, "int(%s <= %s)" % (sa, sb))
    binop(base_test + 8, p + ".le_u", t, I32, "int(a <= b)")
    binop(base_test + 9, p + ".ge_s", t, I32, "int(%s >= %s)" % (sa, sb))
    binop(base_test + 10, p + ".ge_u", t, I32, "int(a >= b)")
    sh = bits - 1
    rows = [
        ("clz", None, "%d - a.bit_length()" % bits),
        ("ctz", None, "N.%s_ctz(a)" % p),
        ("popcnt", None, "bin(a).count('1')"),
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
        ("shr_s", 2, "(%s >> (b & %d)) & %s" % (sa, sh, M)),
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
            binop(base + i, "%s.%s" % (p, suffix), t, I32, "int(a %s b)" % sym)


_int_ops(I32, 32, 0x45, 0x67, _S32, M32)
_int_ops(I64, 64, 0x50, 0x79, _S64, M64)
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
unop(0xAC, "i64.extend_i32_s", I32, I64, "(%s) & %s" % (_S32 % "a", M64))
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
unop(0xB7, "f64.convert_i32_s", I32, F64, "float(%s)" % (_S32 % "a"))
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
unop(0xC4, "i64.extend32_s", I64, I64, "(%s) & %s" % (_S32 % "(a & 0xFFFFFFFF)", M64))

# --- saturating truncation (0xFC 0..7) ---------------------------------------
for _i, (_name, _t, _r) in enumerate([
        ("i32.trunc_sat_f32_s", F32, I32), ("i32.trunc_sat_f32_u", F32, I32),
        ("i32.trunc_sat_f64_s", F64, I32), ("i32.trunc_sat_f64_u", F64, I32),
        ("i64.trunc_sat_f32_s", F32, I64), ("i64.trunc_sat_f32_u", F32, I64),
        ("i64.trunc_sat_f64_s", F64, I64), ("i64.trunc_sat_f64_u", F64, I64)]):
    fc(_i, _name, NONE, (_t,), (_r,), "N.%s(a)" % _name.replace(".", "_"))

# --- derived indexes -----------------------------------------------------------
BY_NAME = {row.name: row for row in OPS}
BY_CODE = {(row.prefix, row.code): row for row in OPS}
if len(BY_NAME) != len(OPS) or len(BY_CODE) != len(OPS):
    raise ImportError("opcode table has duplicate names or codes")
