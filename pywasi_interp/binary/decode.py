"""Binary module -> ast.Module (spec section "Binary Format" > "Modules"),
one function per section, instructions read by immediate kind from the
opcode table (section "Binary Format" > "Instructions").

Reading follows the reference interpreter, whose behaviour the official
suite's expected messages record: a section or function body is read from
the whole input rather than clipped at its declared size, and the size is
compared afterwards ("section size mismatch").  So a body missing its ``end``
runs into the bytes after it, and the error is whatever those bytes make of
it, as the suite expects.
"""

import contextlib
import gc

from .. import ast
from .. import opcodes
from ..errors import DecodeError
from ..types import (ValType, FuncType, Limits, TableType, MemoryType,
                     GlobalType, FUNCREF, EXTERNREF)
from .reader import (Reader, UNEXPECTED_END, TOO_LONG, read_u32, read_s32,
                     read_s33, read_s64, read_length, read_f32_bits, read_f64)

__all__ = ["decode_module", "parse_name_section"]

MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"

_VALTYPES = {t.value: t for t in ValType}
_REFTYPES = {FUNCREF.value: FUNCREF, EXTERNREF.value: EXTERNREF}
_FUNCTYPE = {0x60: True}         # the one function type constructor
_BLOCKTYPE_EMPTY = 0x40          # the single byte encoding the empty blocktype
_I32_MASK = 0xFFFFFFFF
_I64_MASK = 0xFFFFFFFFFFFFFFFF


# --- immediates --------------------------------------------------------------
# One reader per immediate kind: (data, pos) -> (imm, pos), with ``imm`` as
# ast.py documents.  They let IndexError escape; _decode_instrs converts it.

def _zero(data, pos):
    """A reserved byte that must be 0x00: a raw byte, not a LEB128, so a long
    encoding of zero is rejected too."""
    if data[pos] != 0:
        raise DecodeError("zero byte expected", pos)
    return pos + 1


def _imm_memory(data, pos):
    return None, _zero(data, pos)


def _imm_memory_copy(data, pos):
    return None, _zero(data, _zero(data, pos))


def _imm_memory_init(data, pos):
    dataidx, pos = read_u32(data, pos)
    return dataidx, _zero(data, pos)


def _imm_two_u32(data, pos):
    a, pos = read_u32(data, pos)
    b, pos = read_u32(data, pos)
    return (a, b), pos


def _imm_blocktype(data, pos):
    b = data[pos]
    if b == _BLOCKTYPE_EMPTY:
        return None, pos + 1
    if b & 0xC0 == 0x40:
        # One byte with the sign bit set: a negative s33, i.e. a value type.
        return _valtype_at(data, pos), pos + 1
    typeidx, end = read_s33(data, pos)
    if typeidx < 0:
        raise DecodeError("malformed value type", pos)
    return typeidx, end


def _imm_br_table(data, pos):
    count, pos = read_length(data, pos)
    labels = []
    for _ in range(count):
        label, pos = read_u32(data, pos)
        labels.append(label)
    default, pos = read_u32(data, pos)
    return (tuple(labels), default), pos


def _imm_memarg(data, pos):
    start = pos
    align, pos = read_u32(data, pos)
    # No alignment exponent of 32 or more can be valid; the suite expects
    # the decoder, not the validator, to reject it.
    if align >= 32:
        raise DecodeError("malformed memop flags", start)
    offset, pos = read_u32(data, pos)
    return (align, offset), pos


def _imm_v128(data, pos):
    end = pos + 16
    if end > len(data):
        raise IndexError        # unexpected end, as for any immediate
    return int.from_bytes(data[pos:end], "little"), end


def _imm_shuffle(data, pos):
    # Sixteen raw lane-index bytes (not LEB128s); bounds are validation's.
    end = pos + 16
    if end > len(data):
        raise IndexError
    return tuple(data[pos:end]), end


def _imm_lane(data, pos):
    return data[pos], pos + 1


def _imm_memarg_lane(data, pos):
    (align, offset), pos = _imm_memarg(data, pos)
    return (align, offset, data[pos]), pos + 1


def _imm_i32(data, pos):
    value, pos = read_s32(data, pos)
    return value & _I32_MASK, pos


def _imm_i64(data, pos):
    value, pos = read_s64(data, pos)
    return value & _I64_MASK, pos


def _imm_select_t(data, pos):
    count, pos = read_length(data, pos)
    types = []
    for _ in range(count):
        types.append(_valtype_at(data, pos))
        pos += 1
    return tuple(types), pos


def _imm_reftype(data, pos):
    return _reftype_at(data, pos), pos + 1


def _type_code(table, data, pos, message):
    """A type encoding byte looked up in ``table``.  The spec reads these as
    7-bit signed LEB128s, so a set continuation bit is "too long"."""
    b = data[pos]
    found = table.get(b)
    if found is None:
        if b & 0x80:
            raise DecodeError(TOO_LONG, pos + 1)
        raise DecodeError(message, pos)
    return found


def _valtype_at(data, pos):
    return _type_code(_VALTYPES, data, pos, "malformed value type")


def _reftype_at(data, pos):
    return _type_code(_REFTYPES, data, pos, "malformed reference type")


IMM_READERS = {
    opcodes.BLOCKTYPE: _imm_blocktype,
    opcodes.LABEL: read_u32,
    opcodes.BR_TABLE: _imm_br_table,
    opcodes.FUNC: read_u32,
    opcodes.CALL_INDIRECT: _imm_two_u32,
    opcodes.LOCAL: read_u32,
    opcodes.GLOBAL: read_u32,
    opcodes.TABLE: read_u32,
    opcodes.MEMARG: _imm_memarg,
    opcodes.MEMORY: _imm_memory,
    opcodes.I32_CONST: _imm_i32,
    opcodes.I64_CONST: _imm_i64,
    opcodes.F32_CONST: read_f32_bits,
    opcodes.F64_CONST: read_f64,
    opcodes.SELECT_T: _imm_select_t,
    opcodes.REFTYPE: _imm_reftype,
    opcodes.MEMORY_INIT: _imm_memory_init,
    opcodes.DATA: read_u32,
    opcodes.MEMORY_COPY: _imm_memory_copy,
    opcodes.TABLE_INIT: _imm_two_u32,
    opcodes.ELEM: read_u32,
    opcodes.TABLE_COPY: _imm_two_u32,
    opcodes.V128_CONST: _imm_v128,
    opcodes.SHUFFLE: _imm_shuffle,
    opcodes.LANE: _imm_lane,
    opcodes.MEMARG_LANE: _imm_memarg_lane,
}


# --- dispatch tables, derived from opcodes.py ----------------------------------
# Each opcode maps to (op, mode, reader).  The mode tells the body loop what
# to do without testing the op itself; most instructions are M_NONE or
# M_U32, which the loop handles inline.

M_NONE, M_U32, M_I32, M_READ, M_BLOCK, M_IF, M_ELSE, M_END, M_DATA, \
    M_PREFIX, M_ILLEGAL = range(11)

_U32_KINDS = (opcodes.LABEL, opcodes.FUNC, opcodes.LOCAL, opcodes.GLOBAL,
              opcodes.TABLE, opcodes.ELEM)
# Instructions naming a data segment need the data count section.
_DATA_KINDS = (opcodes.DATA, opcodes.MEMORY_INIT)

END = opcodes.BY_NAME["end"]
_ELSE = opcodes.BY_NAME["else"]
_IF = opcodes.BY_NAME["if"]
_REF_FUNC = opcodes.BY_NAME["ref.func"]


def _mode(row):
    if row is END:
        return M_END
    if row is _ELSE:
        return M_ELSE
    if row.imm == opcodes.BLOCKTYPE:
        return M_IF if row is _IF else M_BLOCK
    if row.imm == opcodes.NONE:
        return M_NONE
    if row.imm in _U32_KINDS:
        return M_U32
    if row.imm == opcodes.I32_CONST:
        return M_I32
    if row.imm in _DATA_KINDS:
        return M_DATA
    return M_READ


def _build_table():
    """A list indexed by opcode byte.  A prefix byte's entry holds, in place
    of a reader, a dict from sub-opcode to entry; a prefix appears here as
    soon as opcodes.py has rows for it (0xFC, and 0xFD for SIMD); an unknown
    sub-opcode is an "illegal opcode"."""
    single = [(None, M_ILLEGAL, None)] * 256
    prefixed = {}
    for (prefix, code), row in opcodes.BY_CODE.items():
        entry = (row, _mode(row), IMM_READERS.get(row.imm))
        if prefix is None:
            single[code] = entry
        else:
            prefixed.setdefault(prefix, {})[code] = entry
    for prefix, table in prefixed.items():
        single[prefix] = (None, M_PREFIX, table)
    return single


_SINGLE = _build_table()


# --- instruction sequences ----------------------------------------------------

def _prefixed_entry(data, pos, table, start):
    """Read a prefixed instruction's u32 sub-opcode and find its entry."""
    code, pos = read_u32(data, pos)
    entry = table.get(code)
    if entry is None:
        raise DecodeError("illegal opcode 0x%02x %d" % (data[start], code), start)
    return entry, pos


def _decode_instrs(data, pos):
    """Instructions from ``pos`` through the ``end`` closing the sequence.

    Returns (instrs, pos, uses_data), ``uses_data`` telling whether an
    instruction names a data segment.  Block nesting is tracked only
    to find the closing ``end`` and to place ``else``: ``blocks`` holds one
    entry per open block, 1 for an ``if`` still waiting for its ``else``.

    This is the decoder's hot loop (a large module has millions of
    instructions): modes are bound to locals, tested most frequent first,
    and one-byte LEB128 immediates are read inline.

    Raises: DecodeError.
    """
    single = _SINGLE
    none_, u32_, read_, i32_, end_, block_, if_, else_, data_, prefix_ = (
        M_NONE, M_U32, M_READ, M_I32, M_END, M_BLOCK, M_IF, M_ELSE, M_DATA,
        M_PREFIX)
    instrs = []
    append = instrs.append
    uses_data = False
    blocks = [0]                # the sequence itself, closed by its `end`
    push_block = blocks.append
    pop_block = blocks.pop
    try:
        while True:
            start = pos
            op, mode, reader = single[data[pos]]
            pos += 1
            if mode == prefix_:
                (op, mode, reader), pos = _prefixed_entry(data, pos, reader, start)
            if mode == u32_:
                b = data[pos]
                if b < 0x80:
                    pos += 1
                    append((op, b, start))
                else:
                    imm, pos = read_u32(data, pos)
                    append((op, imm, start))
            elif mode == none_:
                append((op, None, start))
            elif mode == i32_:
                b = data[pos]
                if b < 0x40:                  # one byte, non-negative
                    pos += 1
                    append((op, b, start))
                else:
                    imm, pos = reader(data, pos)
                    append((op, imm, start))
            elif mode == read_:
                imm, pos = reader(data, pos)
                append((op, imm, start))
            elif mode == end_:
                append((op, None, start))
                pop_block()
                if not blocks:
                    return instrs, pos, uses_data
            elif mode == block_ or mode == if_:
                imm, pos = reader(data, pos)
                append((op, imm, start))
                push_block(1 if mode == if_ else 0)
            elif mode == else_:
                if blocks[-1] != 1:
                    raise DecodeError("END opcode expected", start)
                blocks[-1] = 0
                append((op, None, start))
            elif mode == data_:
                imm, pos = reader(data, pos)
                append((op, imm, start))
                uses_data = True
            else:
                raise DecodeError("illegal opcode 0x%02x" % data[start], start)
    except IndexError:
        raise DecodeError(UNEXPECTED_END, len(data)) from None


def _expr(r):
    """A constant expression at the cursor.  Decoded as any instruction
    sequence: which instructions are constant is for validation to say."""
    instrs, r.pos, _ = _decode_instrs(r.data, r.pos)
    return instrs


# --- types --------------------------------------------------------------------

def _valtype(r):
    start = r.pos
    r.byte()                    # the end-of-input check
    return _valtype_at(r.data, start)


def _reftype(r):
    start = r.pos
    r.byte()
    return _reftype_at(r.data, start)


def _functype(r):
    start = r.pos
    r.byte()
    _type_code(_FUNCTYPE, r.data, start, "malformed function type")
    params = [_valtype(r) for _ in range(r.length())]
    results = [_valtype(r) for _ in range(r.length())]
    return FuncType(params, results)


def _limits(r):
    # The flag is a LEB128 of one bit: 0x02 is "too large", 0x81 0x00 "too long".
    has_max = r.uleb(1)
    minimum = r.u32()
    return Limits(minimum, r.u32() if has_max else None)


def _tabletype(r):
    elem_type = _reftype(r)
    return TableType(elem_type, _limits(r))


def _globaltype(r):
    valtype = _valtype(r)
    start = r.pos
    mut = r.byte()
    if mut > 1:
        raise r.error("malformed mutability", start)
    return GlobalType(valtype, mut == 1)


# --- sections -------------------------------------------------------------------

class _State:
    """What decoding needs beyond the module: code bodies and function type
    indices (paired at the end), and whether a body names a data segment."""

    def __init__(self):
        self.typeidxs = []
        self.codes = []
        self.uses_data = False


def _type_section(r, module, state):
    module.types = [_functype(r) for _ in range(r.length())]


def _import_desc(r, kind):
    if kind == "func":
        return r.u32()
    if kind == "table":
        return _tabletype(r)
    if kind == "memory":
        return MemoryType(_limits(r))
    return _globaltype(r)


def _extern_kind(r, what):
    start = r.pos
    b = r.byte()
    if b >= len(ast.EXTERN_KINDS):
        raise r.error("malformed %s kind" % what, start)
    return ast.EXTERN_KINDS[b]


def _import_section(r, module, state):
    for _ in range(r.length()):
        module_name = r.name()
        name = r.name()
        kind = _extern_kind(r, "import")
        module.imports.append(ast.Import(module_name, name, kind, _import_desc(r, kind)))


def _function_section(r, module, state):
    state.typeidxs = [r.u32() for _ in range(r.length())]


def _table_section(r, module, state):
    module.tables = [_tabletype(r) for _ in range(r.length())]


def _memory_section(r, module, state):
    module.mems = [MemoryType(_limits(r)) for _ in range(r.length())]


def _global_section(r, module, state):
    for _ in range(r.length()):
        globaltype = _globaltype(r)
        module.globals.append(ast.Global(globaltype, _expr(r)))


def _export_section(r, module, state):
    for _ in range(r.length()):
        name = r.name()
        kind = _extern_kind(r, "export")
        module.exports.append(ast.Export(name, kind, r.u32()))


def _start_section(r, module, state):
    module.start = r.u32()


def _func_indices(r):
    """vec(funcidx) as one `ref.func x; end` constant expression each.  Those
    instructions are not in the binary: ``ref.func`` gets the offset of the
    index, ``end`` the offset just after it."""
    init = []
    for _ in range(r.length()):
        start = r.pos
        funcidx = r.u32()
        init.append([(_REF_FUNC, funcidx, start), (END, None, r.pos)])
    return init


def _elem_kind(r):
    start = r.pos
    if r.byte() != 0x00:
        raise r.error("malformed element kind", start)
    return FUNCREF


def _elem(r):
    """One element segment.  Flag bit 0: passive or declarative (bit 1 then
    says which), else active; bit 1 on an active one: explicit table index;
    bit 2: elements are expressions, not function indices."""
    start = r.pos
    flags = r.u32()
    if flags > 7:
        raise r.error("malformed elements segment kind", start)
    table, offset = 0, None
    if flags & 1:
        mode = "declarative" if flags & 2 else "passive"
    else:
        mode = "active"
        if flags & 2:
            table = r.u32()
        offset = _expr(r)
    if flags & 4:
        elem_type = _reftype(r) if flags & 3 else FUNCREF
        init = [_expr(r) for _ in range(r.length())]
    else:
        elem_type = _elem_kind(r) if flags & 3 else FUNCREF
        init = _func_indices(r)
    return ast.Elem(elem_type, init, mode, table, offset)


def _element_section(r, module, state):
    module.elems = [_elem(r) for _ in range(r.length())]


def _datacount_section(r, module, state):
    module.data_count = r.u32()


def _locals(r):
    """The compressed local declarations, kept compressed: a function may
    declare up to 2**32-1 locals, which must not be expanded here."""
    start = r.pos
    decls = [(r.u32(), _valtype(r)) for _ in range(r.length())]
    if sum(count for count, _ in decls) > 0xFFFFFFFF:
        raise r.error("too many locals", start)
    return decls


def _code(r, state):
    size = r.length()
    start = r.pos
    func = ast.Func(None, _locals(r), None, start, size)
    func.body, r.pos, uses_data = _decode_instrs(r.data, r.pos)
    # Only function bodies count, as in the reference interpreter.
    state.uses_data = state.uses_data or uses_data
    if r.pos != start + size:
        raise r.error("section size mismatch", start)
    return func


def _code_section(r, module, state):
    state.codes = [_code(r, state) for _ in range(r.length())]


def _data(r):
    start = r.pos
    flags = r.u32()
    if flags == 0:
        offset = _expr(r)
        return ast.Data(r.byte_vec(), "active", 0, offset)
    if flags == 1:
        return ast.Data(r.byte_vec(), "passive")
    if flags == 2:
        memory = r.u32()
        offset = _expr(r)
        return ast.Data(r.byte_vec(), "active", memory, offset)
    raise r.error("malformed data segment kind", start)


def _data_section(r, module, state):
    module.datas = [_data(r) for _ in range(r.length())]


# Section id -> (position in the required order, decoder).  The data count
# section (id 12) sits between the element and code sections.
_SECTIONS = {
    1: (1, _type_section),
    2: (2, _import_section),
    3: (3, _function_section),
    4: (4, _table_section),
    5: (5, _memory_section),
    6: (6, _global_section),
    7: (7, _export_section),
    8: (8, _start_section),
    9: (9, _element_section),
    12: (10, _datacount_section),
    10: (11, _code_section),
    11: (12, _data_section),
}
_CUSTOM = 0


def _custom_section(r, module, size):
    """Record (name, payload offset, payload size) without copying it."""
    start = r.pos
    name = r.name()
    payload = r.pos
    r.skip(size - (payload - start))
    module.customs.append((name, payload, r.pos - payload))


def _header(r):
    if r.bytes(4) != MAGIC:
        raise r.error("magic header not detected", 0)
    if r.bytes(4) != VERSION:
        raise r.error("unknown binary version", 4)


def _sections(r, module, state):
    last_order = 0
    while not r.at_end():
        id_pos = r.pos
        section_id = r.byte()
        if section_id != _CUSTOM and section_id not in _SECTIONS:
            raise r.error("malformed section id", id_pos)
        size = r.length()
        start = r.pos
        if section_id == _CUSTOM:
            _custom_section(r, module, size)
        else:
            order, decode_section = _SECTIONS[section_id]
            if order <= last_order:
                # Out of order or repeated: the module ended before it.
                raise r.error("unexpected content after last section", id_pos)
            last_order = order
            decode_section(r, module, state)
        if r.pos != start + size:
            raise r.error("section size mismatch", start)


def _finish(r, module, state):
    """The checks made once all sections are read, in the reference
    interpreter's order, then functions paired with their bodies."""
    end = r.end
    if len(state.typeidxs) != len(state.codes):
        raise r.error("function and code section have inconsistent lengths", end)
    if module.data_count is not None and module.data_count != len(module.datas):
        raise r.error("data count and data section have inconsistent lengths", end)
    # Without data segments any data index is unknown, which validation
    # reports more precisely; so only a real data section makes this an error.
    if module.data_count is None and state.uses_data and module.datas:
        raise r.error("data count section required", end)
    for typeidx, func in zip(state.typeidxs, state.codes):
        func.typeidx = typeidx
    module.funcs = state.codes


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Decoding allocates millions of small tuples, none in a cycle; each
    allocation burst would trigger CPython's cycle collector over an ever
    larger heap, about half the decode time of a large module."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def decode_module(data):
    """Decode a binary module (bytes, bytearray or memoryview).

    Raises: DecodeError (malformed), with the spec's message first and the
    byte offset after it.
    """
    raw = data if isinstance(data, bytes) else bytes(data)
    r = Reader(raw)
    module = ast.Module()
    module.raw = raw
    state = _State()
    with _cyclic_gc_paused():
        _header(r)
        _sections(r, module, state)
        _finish(r, module, state)
    return module


def _name_map(r):
    names = {}
    for _ in range(r.length()):
        idx = r.u32()
        names[idx] = r.name()
    return names


def parse_name_section(payload):
    """The module and function names of a "name" custom section's payload:
    ``{"module": str or None, "functions": {funcidx: name}}``.

    Never raises: like engines, a broken name section is ignored as a whole
    (the empty result), since names are only a debugging aid.  ``payload``
    may be None (no such section).
    """
    result = {"module": None, "functions": {}}
    if payload is None:
        return result
    r = Reader(payload)
    try:
        while not r.at_end():
            sub_id = r.byte()
            size = r.length()
            end = r.pos + size
            if sub_id == 0:
                result["module"] = r.name()
            elif sub_id == 1:
                result["functions"] = _name_map(r)
            else:
                r.skip(size)
            if r.pos != end:
                raise r.error("section size mismatch")
    except DecodeError:
        return {"module": None, "functions": {}}
    return result
