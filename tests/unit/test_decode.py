"""Unit tests of binary/decode.py: every section, every element and data
segment form, instruction immediates, and malformed binaries with offsets."""

import struct

import pytest

from pywasi_interp import opcodes
from pywasi_interp.binary.decode import decode_module, parse_name_section
from pywasi_interp.errors import DecodeError
from pywasi_interp.types import (I32 as T_I32, I64 as T_I64, F32 as T_F32,
                                 F64 as T_F64, FUNCREF as T_FUNCREF,
                                 EXTERNREF as T_EXTERNREF, FuncType, Limits)

from wasm_builder import (
    CUSTOM, TYPE, IMPORT, FUNCTION, TABLE, MEMORY, GLOBAL, EXPORT, START,
    ELEMENT, CODE, DATA, DATACOUNT, I32, I64, F32, F64, FUNCREF, EXTERNREF,
    EMPTY_BLOCK, HEADER, END, u32, s32, s64, vec, name, byte_vec, op,
    i32_const, section, functype, limits, func_body, module, one_func_module,
)

OP = opcodes.BY_NAME


def malformed(data, message):
    """Decode ``data`` expecting a DecodeError starting with ``message``."""
    with pytest.raises(DecodeError) as info:
        decode_module(data)
    assert str(info.value).startswith(message), str(info.value)
    return info.value


def body_of(instrs, **kwargs):
    """The decoded instruction list of a one-function module."""
    return decode_module(one_func_module(instrs, **kwargs)).funcs[0].body


def shape(instrs):
    """Instructions without offsets: [(mnemonic, imm)]."""
    return [(row.name, imm) for row, imm, _ in instrs]


# --- header -------------------------------------------------------------------------

def test_decode_empty_module():
    m = decode_module(HEADER)
    assert m.types == [] and m.funcs == [] and m.start is None
    assert m.data_count is None and m.raw == HEADER


def test_decode_accepts_bytearray_and_memoryview():
    data = module(section(TYPE, vec([functype(I32, I64)])))
    for form in (bytearray(data), memoryview(data)):
        m = decode_module(form)
        assert m.types == [FuncType([T_I32], [T_I64])]
        assert isinstance(m.raw, bytes)


@pytest.mark.parametrize("data", [b"", b"\x00as", b"\x00asm", b"\x00asm\x01\x00\x00"])
def test_decode_truncated_header_is_unexpected_end(data):
    assert malformed(data, "unexpected end").offset == len(data)


def test_decode_bad_magic():
    assert malformed(b"\x00ASM\x01\x00\x00\x00", "magic header not detected").offset == 0


def test_decode_bad_version():
    assert malformed(b"\x00asm\x02\x00\x00\x00", "unknown binary version").offset == 4


# --- section framing ------------------------------------------------------------------

def test_decode_malformed_section_id_reports_its_offset():
    assert malformed(HEADER + b"\x0d\x00", "malformed section id").offset == 8


def test_decode_section_size_past_input_is_length_out_of_bounds():
    malformed(HEADER + b"\x01\x05\x00", "length out of bounds")


def test_decode_section_content_shorter_than_size_is_mismatch():
    # A type section declaring 2 bytes holding a 1-byte empty vector.
    data = HEADER + b"\x01\x02\x00" + section(CUSTOM, name("x"))
    assert malformed(data, "section size mismatch").offset == 10


def test_decode_section_content_longer_than_size_is_mismatch():
    # Declares one byte, but the vector of one function type runs on.
    data = HEADER + b"\x01\x01" + vec([functype()])
    malformed(data, "section size mismatch")


@pytest.mark.parametrize("first,second", [
    (TYPE, TYPE), (IMPORT, TYPE), (CODE, DATACOUNT), (DATACOUNT, ELEMENT),
    (DATA, CODE), (START, START),
])
def test_decode_sections_out_of_order(first, second):
    payload = {START: u32(0), DATACOUNT: u32(0)}
    data = module(section(first, payload.get(first, vec([]))),
                  section(second, payload.get(second, vec([]))))
    err = malformed(data, "unexpected content after last section")
    assert err.offset == 8 + 3


def test_decode_custom_sections_anywhere_recorded_without_copy():
    data = module(
        section(CUSTOM, name("first") + b"\x01\x02"),
        section(TYPE, vec([])),
        section(CUSTOM, name("second")),
        section(DATA, vec([])),
        section(CUSTOM, name("first") + b"again"),
    )
    m = decode_module(data)
    assert [(n, size) for n, _, size in m.customs] == [("first", 2), ("second", 0), ("first", 5)]
    offset = m.customs[0][1]
    assert data[offset:offset + 2] == b"\x01\x02"
    assert m.custom_section("first") == b"\x01\x02"
    assert m.custom_section("missing") is None


def test_decode_custom_section_name_past_its_size_is_unexpected_end():
    malformed(HEADER + b"\x00\x01" + name("abc"), "unexpected end")


def test_decode_custom_section_name_must_be_utf8():
    malformed(module(section(CUSTOM, b"\x01\xff")), "malformed UTF-8 encoding")


# --- types, imports, tables, memories, globals, exports, start ------------------------

def test_decode_type_section():
    m = decode_module(module(section(TYPE, vec([
        functype(), functype(I32 + I64, F32), functype(F64 + FUNCREF + EXTERNREF, I32 + I32),
    ]))))
    assert m.types == [
        FuncType([], []), FuncType([T_I32, T_I64], [T_F32]),
        FuncType([T_F64, T_FUNCREF, T_EXTERNREF], [T_I32, T_I32]),
    ]


def test_decode_type_section_rejects_other_constructor():
    malformed(module(section(TYPE, vec([b"\x5f\x00\x00"]))), "malformed function type")


def test_decode_type_section_rejects_unknown_value_type():
    malformed(module(section(TYPE, vec([b"\x60\x01\x7a\x00"]))), "malformed value type")


def test_decode_type_section_rejects_leb_encoded_constructor():
    malformed(module(section(TYPE, vec([b"\xe0\x7f\x00\x00"]))),
              "integer representation too long")


def test_decode_import_section_all_kinds():
    m = decode_module(module(
        section(TYPE, vec([functype()])),
        section(IMPORT, vec([
            name("env") + name("f") + b"\x00" + u32(0),
            name("env") + name("t") + b"\x01" + FUNCREF + limits(1, 10),
            name("env") + name("m") + b"\x02" + limits(2),
            name("env") + name("g") + b"\x03" + I64 + b"\x01",
        ])),
    ))
    kinds = [(i.module, i.name, i.kind) for i in m.imports]
    assert kinds == [("env", "f", "func"), ("env", "t", "table"),
                     ("env", "m", "memory"), ("env", "g", "global")]
    func, table, mem, global_ = [i.desc for i in m.imports]
    assert func == 0
    assert table.elem_type is T_FUNCREF and table.limits == Limits(1, 10)
    assert mem.limits == Limits(2, None)
    assert global_.valtype is T_I64 and global_.mutable is True
    assert [i.name for i in m.imports_of("memory")] == ["m"]


def test_decode_import_section_malformed_kind():
    data = module(section(IMPORT, vec([name("a") + name("b") + b"\x04\x00"])))
    assert malformed(data, "malformed import kind").offset == 8 + 2 + 1 + 4


def test_decode_import_name_must_be_utf8():
    data = module(section(IMPORT, vec([b"\x02\xc0\x80" + name("b") + b"\x00\x00"])))
    malformed(data, "malformed UTF-8 encoding")


def test_decode_table_and_memory_sections():
    m = decode_module(module(
        section(TABLE, vec([FUNCREF + limits(0), EXTERNREF + limits(1, 2)])),
        section(MEMORY, vec([limits(1), limits(0, 65536)])),
    ))
    assert [(t.elem_type, t.limits) for t in m.tables] == [
        (T_FUNCREF, Limits(0)), (T_EXTERNREF, Limits(1, 2))]
    assert [mem.limits for mem in m.mems] == [Limits(1), Limits(0, 65536)]


def test_decode_table_rejects_non_reference_type():
    malformed(module(section(TABLE, vec([I32 + limits(0)]))), "malformed reference type")


@pytest.mark.parametrize("flags,message", [
    (b"\x02", "integer too large"),
    (b"\x81\x00", "integer representation too long"),
])
def test_decode_limits_flag_is_one_bit(flags, message):
    malformed(module(section(MEMORY, vec([flags + b"\x00\x00"]))), message)


def test_decode_global_section():
    m = decode_module(module(section(GLOBAL, vec([
        I32 + b"\x00" + i32_const(-1) + END,
        F64 + b"\x01" + op("f64.const") + struct.pack("<d", 2.5) + END,
    ]))))
    g0, g1 = m.globals
    assert (g0.type.valtype, g0.type.mutable) == (T_I32, False)
    assert shape(g0.init) == [("i32.const", 0xFFFFFFFF), ("end", None)]
    assert (g1.type.valtype, g1.type.mutable) == (T_F64, True)
    assert shape(g1.init) == [("f64.const", 2.5), ("end", None)]


def test_decode_global_malformed_mutability():
    data = module(section(GLOBAL, vec([I32 + b"\x02" + i32_const(0) + END])))
    assert malformed(data, "malformed mutability").offset == 8 + 2 + 1 + 1


def test_decode_const_expr_missing_end_runs_into_next_section():
    data = module(
        section(GLOBAL, vec([I32 + b"\x00" + i32_const(0)])),
        section(CODE, vec([])),
    )
    malformed(data, "illegal opcode")


def test_decode_export_section():
    m = decode_module(module(section(EXPORT, vec([
        name("f") + b"\x00" + u32(3), name("t") + b"\x01" + u32(0),
        name("m") + b"\x02" + u32(1), name("g") + b"\x03" + u32(200),
    ]))))
    assert [(e.name, e.kind, e.index) for e in m.exports] == [
        ("f", "func", 3), ("t", "table", 0), ("m", "memory", 1), ("g", "global", 200)]


def test_decode_export_malformed_kind():
    malformed(module(section(EXPORT, vec([name("x") + b"\x04\x00"]))), "malformed export kind")


def test_decode_start_section():
    data = one_func_module(END, extra=[section(START, u32(0))])
    assert decode_module(data).start == 0


# --- functions and code -----------------------------------------------------------------

def test_decode_function_with_compressed_locals_and_body_offsets():
    instrs = op("local.get") + u32(0) + op("drop") + END
    data = one_func_module(instrs, locals_=[(2, I32), (3, F64)])
    m = decode_module(data)
    func = m.funcs[0]
    assert func.typeidx == 0
    assert func.locals == [(2, T_I32), (3, T_F64)]
    assert shape(func.body) == [("local.get", 0), ("drop", None), ("end", None)]
    # Offsets are those of each opcode byte in the binary.
    first = func.body[0][2]
    assert data[first] == OP["local.get"].code
    assert [off - first for _, _, off in func.body] == [0, 2, 3]
    # The body spans its size field's value, from just after that field.
    assert data[func.offset + func.size - 1] == OP["end"].code
    assert func.offset + func.size == len(data)


def test_decode_locals_stay_compressed_up_to_the_limit():
    body = decode_module(one_func_module(END, locals_=[(0xFFFFFFFF, I32)]))
    assert body.funcs[0].locals == [(0xFFFFFFFF, T_I32)]


def test_decode_too_many_locals():
    data = one_func_module(END, locals_=[(0xFFFFFFFF, I32), (1, I64)])
    malformed(data, "too many locals")


@pytest.mark.parametrize("funcs,codes", [(2, 1), (1, 2), (1, 0), (0, 1)])
def test_decode_function_and_code_counts_must_match(funcs, codes):
    sections = [section(TYPE, vec([functype()]))]
    if funcs:
        sections.append(section(FUNCTION, vec([u32(0)] * funcs)))
    if codes:
        sections.append(section(CODE, vec([func_body(END)] * codes)))
    malformed(module(*sections), "function and code section have inconsistent lengths")


def test_decode_body_size_mismatch():
    body = vec([]) + END
    entry = u32(len(body) + 1) + body + op("nop")
    data = module(section(TYPE, vec([functype()])), section(FUNCTION, vec([u32(0)])),
                  section(CODE, vec([entry])))
    malformed(data, "section size mismatch")


def test_decode_body_missing_end_at_end_of_input():
    data = one_func_module(op("nop"))
    malformed(data, "unexpected end")


# --- instructions and immediates ---------------------------------------------------------

def test_decode_instruction_immediates():
    instrs = b"".join([
        op("block") + EMPTY_BLOCK,
        op("loop") + I32,
        op("block") + s32(1),                          # type index blocktype
        op("br_table") + vec([u32(0), u32(1)]) + u32(2),
        END, END, END,
        op("call") + u32(300),
        op("call_indirect") + u32(1) + u32(2),
        op("i32.load") + u32(2) + u32(16),
        op("i64.store8") + u32(0) + u32(0xFFFFFFFF),
        op("memory.size") + b"\x00",
        op("memory.grow") + b"\x00",
        i32_const(-2),
        op("i64.const") + s64(-1),
        op("i64.const") + s64(2**63 - 1),
        op("f32.const") + struct.pack("<I", 0x7FA00001),
        op("f64.const") + struct.pack("<d", -0.0),
        op("select_t") + vec([I64]),
        op("ref.null") + EXTERNREF,
        op("ref.func") + u32(7),
        op("table.get") + u32(1),
        op("global.set") + u32(129),
        op("memory.copy") + b"\x00\x00",
        op("memory.fill") + b"\x00",
        op("table.init") + u32(4) + u32(5),
        op("table.copy") + u32(6) + u32(7),
        op("elem.drop") + u32(3),
        op("i32.trunc_sat_f64_u"),
        END,
    ])
    body = body_of(instrs)
    assert shape(body) == [
        ("block", None), ("loop", T_I32), ("block", 1), ("br_table", ((0, 1), 2)),
        ("end", None), ("end", None), ("end", None),
        ("call", 300), ("call_indirect", (1, 2)),
        ("i32.load", (2, 16)), ("i64.store8", (0, 0xFFFFFFFF)),
        ("memory.size", None), ("memory.grow", None),
        ("i32.const", 0xFFFFFFFE), ("i64.const", 0xFFFFFFFFFFFFFFFF),
        ("i64.const", 2**63 - 1), ("f32.const", 0x7FA00001), ("f64.const", -0.0),
        ("select_t", (T_I64,)), ("ref.null", T_EXTERNREF), ("ref.func", 7),
        ("table.get", 1), ("global.set", 129), ("memory.copy", None),
        ("memory.fill", None), ("table.init", (4, 5)), ("table.copy", (6, 7)),
        ("elem.drop", 3), ("i32.trunc_sat_f64_u", None), ("end", None),
    ]
    f64_imm = body[17][1]
    assert struct.pack("<d", f64_imm) == struct.pack("<d", -0.0)


def test_decode_every_opcode_row_is_decodable():
    """Each row of the table decodes with a minimal immediate of its kind."""
    minimal = {
        opcodes.NONE: b"", opcodes.LABEL: u32(0), opcodes.FUNC: u32(0),
        opcodes.LOCAL: u32(0), opcodes.GLOBAL: u32(0), opcodes.TABLE: u32(0),
        opcodes.ELEM: u32(0), opcodes.DATA: u32(0), opcodes.MEMORY: b"\x00",
        opcodes.MEMORY_COPY: b"\x00\x00", opcodes.MEMORY_INIT: u32(0) + b"\x00",
        opcodes.BR_TABLE: vec([]) + u32(0), opcodes.CALL_INDIRECT: u32(0) + u32(0),
        opcodes.MEMARG: u32(0) + u32(0), opcodes.I32_CONST: s32(0),
        opcodes.I64_CONST: s64(0), opcodes.F32_CONST: b"\x00" * 4,
        opcodes.F64_CONST: b"\x00" * 8, opcodes.SELECT_T: vec([I32]),
        opcodes.REFTYPE: FUNCREF, opcodes.TABLE_INIT: u32(0) + u32(0),
        opcodes.TABLE_COPY: u32(0) + u32(0), opcodes.BLOCKTYPE: EMPTY_BLOCK,
        opcodes.V128_CONST: bytes(16), opcodes.SHUFFLE: bytes(16), opcodes.LANE: b"\x00",
        opcodes.MEMARG_LANE: u32(0) + u32(0) + b"\x00",
    }
    skip = {"end", "else", "block", "loop", "if"}
    rows = [row for row in opcodes.OPS if row.name not in skip]
    instrs = b"".join(op(row.name) + minimal[row.imm] for row in rows) + END
    data = module(
        section(TYPE, vec([functype()])), section(FUNCTION, vec([u32(0)])),
        section(DATACOUNT, u32(1)),
        section(CODE, vec([func_body(instrs)])),
        section(DATA, vec([b"\x01" + byte_vec(b"")])),
    )
    body = decode_module(data).funcs[0].body
    assert [row for row, _, _ in body] == rows + [OP["end"]]


def test_decode_if_else_nesting():
    instrs = (op("if") + EMPTY_BLOCK + op("nop") + op("else")
              + op("if") + I32 + i32_const(1) + op("else") + i32_const(2) + END
              + op("drop") + END + END)
    assert [name for name, _ in shape(body_of(instrs))] == [
        "if", "nop", "else", "if", "i32.const", "else", "i32.const", "end",
        "drop", "end", "end"]


@pytest.mark.parametrize("instrs", [
    op("else") + END,                                           # at function level
    op("block") + EMPTY_BLOCK + op("else") + END + END,         # in a block
    op("if") + EMPTY_BLOCK + op("else") + op("else") + END + END,  # second else
])
def test_decode_misplaced_else_expects_end(instrs):
    malformed(one_func_module(instrs), "END opcode expected")


def test_decode_missing_end_between_functions_expects_end():
    # Without its `end`, the first body runs into the second, whose locals
    # count (0) reads as `unreachable`... until the `else` there.
    first = vec([]) + op("nop")
    second = vec([]) + op("else") + END
    data = module(
        section(TYPE, vec([functype()])), section(FUNCTION, vec([u32(0)] * 2)),
        section(CODE, vec([u32(len(first)) + first, u32(len(second)) + second])),
    )
    malformed(data, "END opcode expected")


def test_decode_unknown_opcodes_are_illegal():
    prefix = bytes([opcodes.PREFIX_FC])
    # 0xFD 0x9A is a reserved (unassigned) SIMD sub-opcode.
    for instrs in (b"\x06", b"\xff", prefix + u32(0x7F), b"\xfd" + u32(0x9A)):
        err = malformed(one_func_module(instrs + END), "illegal opcode")
        assert err.offset == len(one_func_module(instrs + END)) - len(instrs) - 1


def test_decode_reserved_byte_must_be_zero_not_leb():
    for bad in (b"\x01", b"\x80\x00"):
        data = one_func_module(op("memory.size") + bad + op("drop") + END)
        malformed(data, "zero byte expected")
    data = one_func_module(op("memory.copy") + b"\x00\x01" + END)
    malformed(data, "zero byte expected")


@pytest.mark.parametrize("align", [32, 33, 63, 64, 0x80])
def test_decode_memarg_alignment_of_32_or_more_is_malformed(align):
    data = one_func_module(op("i32.load") + u32(align) + u32(0) + op("drop") + END)
    malformed(data, "malformed memop flags")


def test_decode_memarg_large_alignment_below_32_is_left_to_validation():
    assert body_of(op("i32.load") + u32(31) + u32(0) + op("drop") + END)[0][1] == (31, 0)


def test_decode_blocktype_rejects_unknown_value_type():
    malformed(one_func_module(op("block") + b"\x7a" + END + END), "malformed value type")


def test_decode_ref_null_rejects_non_reference_type():
    malformed(one_func_module(op("ref.null") + I32 + END), "malformed reference type")


def test_decode_br_table_count_past_input_is_length_out_of_bounds():
    malformed(one_func_module(op("br_table") + u32(1000) + END), "length out of bounds")


def test_decode_leb_immediates_are_width_checked():
    malformed(one_func_module(op("i32.const") + b"\xff\xff\xff\xff\x4f" + END),
              "integer too large")
    malformed(one_func_module(op("local.get") + b"\x80\x80\x80\x80\x80\x00" + END),
              "integer representation too long")


# --- element segments ---------------------------------------------------------------------

def ref_funcs(*indices):
    return [[("ref.func", i), ("end", None)] for i in indices]


def decode_elems(*segments):
    data = module(
        section(TYPE, vec([functype()])),
        section(FUNCTION, vec([u32(0)] * 3)),
        section(TABLE, vec([FUNCREF + limits(10)] * 2)),
        section(ELEMENT, vec(segments)),
        section(CODE, vec([func_body(END)] * 3)),
    )
    return decode_module(data).elems


OFFSET = i32_const(4) + END
FUNCS = vec([u32(0), u32(2)])
EXPRS = vec([op("ref.func") + u32(1) + END, op("ref.null") + FUNCREF + END])
EXPRS_SHAPE = [[("ref.func", 1), ("end", None)], [("ref.null", T_FUNCREF), ("end", None)]]


@pytest.mark.parametrize("encoded,mode,table,elem_type,init", [
    (u32(0) + OFFSET + FUNCS, "active", 0, T_FUNCREF, ref_funcs(0, 2)),
    (u32(1) + b"\x00" + FUNCS, "passive", 0, T_FUNCREF, ref_funcs(0, 2)),
    (u32(2) + u32(1) + OFFSET + b"\x00" + FUNCS, "active", 1, T_FUNCREF, ref_funcs(0, 2)),
    (u32(3) + b"\x00" + FUNCS, "declarative", 0, T_FUNCREF, ref_funcs(0, 2)),
    (u32(4) + OFFSET + EXPRS, "active", 0, T_FUNCREF, EXPRS_SHAPE),
    (u32(5) + FUNCREF + EXPRS, "passive", 0, T_FUNCREF, EXPRS_SHAPE),
    (u32(6) + u32(1) + OFFSET + FUNCREF + EXPRS, "active", 1, T_FUNCREF, EXPRS_SHAPE),
    (u32(7) + EXTERNREF + vec([op("ref.null") + EXTERNREF + END]), "declarative", 0,
     T_EXTERNREF, [[("ref.null", T_EXTERNREF), ("end", None)]]),
])
def test_decode_element_segment_forms(encoded, mode, table, elem_type, init):
    (elem,) = decode_elems(encoded)
    assert (elem.mode, elem.table, elem.type) == (mode, table, elem_type)
    assert [shape(expr) for expr in elem.init] == init
    if mode == "active":
        assert shape(elem.offset) == [("i32.const", 4), ("end", None)]
    else:
        assert elem.offset is None


def test_decode_element_function_index_offsets_point_at_indices():
    data_elem = u32(1) + b"\x00" + vec([u32(200)])
    (elem,) = decode_elems(data_elem)
    (ref_func, end), = elem.init
    assert ref_func[1] == 200 and ref_func[2] < end[2]


def test_decode_element_segment_kind_out_of_range():
    with pytest.raises(DecodeError, match="^malformed elements segment kind"):
        decode_elems(u32(8) + OFFSET + FUNCS)


def test_decode_element_kind_must_be_zero():
    with pytest.raises(DecodeError, match="^malformed element kind"):
        decode_elems(u32(1) + b"\x01" + FUNCS)


def test_decode_element_expression_type_must_be_reference():
    with pytest.raises(DecodeError, match="^malformed reference type"):
        decode_elems(u32(5) + I32 + EXPRS)


# --- data segments and data count -----------------------------------------------------------

def test_decode_data_segment_forms():
    m = decode_module(module(
        section(MEMORY, vec([limits(1)] * 2)),
        section(DATACOUNT, u32(3)),
        section(DATA, vec([
            u32(0) + i32_const(8) + END + byte_vec(b"abc"),
            u32(1) + byte_vec(b""),
            u32(2) + u32(1) + i32_const(0) + END + byte_vec(b"\x00\xff"),
        ])),
    ))
    d0, d1, d2 = m.datas
    assert (d0.mode, d0.memory, d0.init) == ("active", 0, b"abc")
    assert shape(d0.offset) == [("i32.const", 8), ("end", None)]
    assert (d1.mode, d1.init, d1.offset) == ("passive", b"", None)
    assert (d2.mode, d2.memory, d2.init) == ("active", 1, b"\x00\xff")
    assert m.data_count == 3


def test_decode_data_segment_kind_out_of_range():
    malformed(module(section(DATA, vec([u32(3)]))), "malformed data segment kind")


def test_decode_data_segment_bytes_past_input():
    data = module(section(DATA, vec([u32(1) + u32(3) + b"ab"])))
    malformed(data, "unexpected end")


@pytest.mark.parametrize("count,segments", [(2, 1), (1, 2), (1, None)])
def test_decode_data_count_must_match_data_section(count, segments):
    sections = [section(DATACOUNT, u32(count))]
    if segments is not None:
        sections.append(section(DATA, vec([u32(1) + byte_vec(b"")] * segments)))
    malformed(module(*sections), "data count and data section have inconsistent lengths")


def _module_using_data(instrs, with_count):
    return module(
        section(TYPE, vec([functype()])), section(FUNCTION, vec([u32(0)])),
        section(MEMORY, vec([limits(1)])),
        *([section(DATACOUNT, u32(1))] if with_count else []),
        section(CODE, vec([func_body(instrs)])),
        section(DATA, vec([u32(1) + byte_vec(b"x")])),
    )


@pytest.mark.parametrize("instrs", [
    i32_const(0) * 3 + op("memory.init") + u32(0) + b"\x00" + END,
    op("data.drop") + u32(0) + END,
])
def test_decode_data_index_requires_data_count_section(instrs):
    malformed(_module_using_data(instrs, with_count=False), "data count section required")
    m = decode_module(_module_using_data(instrs, with_count=True))
    assert m.data_count == 1


def test_decode_data_index_without_any_data_is_left_to_validation():
    # "unknown data segment" is the more precise (validation) error here.
    m = decode_module(one_func_module(op("data.drop") + u32(0) + END))
    assert shape(m.funcs[0].body)[0] == ("data.drop", 0)


# --- name section ----------------------------------------------------------------------------

def test_parse_name_section_module_and_functions():
    payload = (bytes([0]) + byte_vec(name("mod"))
               + bytes([1]) + byte_vec(vec([u32(0) + name("main"), u32(5) + name("helper")]))
               + bytes([2]) + byte_vec(b"\x00"))
    assert parse_name_section(payload) == {
        "module": "mod", "functions": {0: "main", 5: "helper"}}


def test_parse_name_section_ignores_broken_sections():
    good = bytes([1]) + byte_vec(vec([u32(0) + name("main")]))
    for broken in (good[:-1], good + b"\x01", bytes([1]) + byte_vec(vec([u32(0) + b"\x01\xff"])),
                   b"\x00\x05\x01a", b"\x00\x02\x01ab"):
        assert parse_name_section(broken) == {"module": None, "functions": {}}


def test_parse_name_section_empty_payload():
    assert parse_name_section(b"") == {"module": None, "functions": {}}


def test_decode_then_parse_name_custom_section():
    names = bytes([1]) + byte_vec(vec([u32(0) + name("f")]))
    m = decode_module(one_func_module(END) + section(CUSTOM, name("name") + names))
    assert parse_name_section(m.custom_section("name"))["functions"] == {0: "f"}
