"""The decoded module: plain data, no runtime state (spec section "Modules").

Instructions are tuples ``(op, imm, offset)``: ``op`` is a row of
opcodes.py, ``offset`` the byte offset of the opcode in the binary, and
``imm`` depends on ``op.imm``:

=============== ===========================================================
kind            imm
=============== ===========================================================
none, memory,   None
memory_copy
blocktype       None (empty), a ValType (one result) or an int (type index)
label, func,    int
local, global,
table, elem,
data, memory_init
br_table        (tuple of label ints, default label int)
call_indirect   (typeidx, tableidx)
memarg          (align exponent, offset)
i32 / i64       the constant as an unsigned int (already masked)
f32             the constant's 32-bit pattern (int)
f64             the constant as a Python float
select_t        tuple of ValType
reftype         ValType (FUNCREF or EXTERNREF)
table_init      (elemidx, tableidx)
table_copy      (dst tableidx, src tableidx)
v128            the 128-bit constant as an int (lane 0 in the low bits)
shuffle         tuple of 16 lane indexes
lane            int (a lane index)
memarg_lane     (align exponent, offset, lane index)
=============== ===========================================================

A function body and every constant expression is the flat list of its
instructions including the final ``end``.
"""

__all__ = ["Import", "Export", "Global", "Func", "Elem", "Data", "Module",
           "EXTERN_KINDS"]

EXTERN_KINDS = ("func", "table", "memory", "global")


class Import:
    """``desc`` is a type index (func), TableType, MemoryType or GlobalType."""

    __slots__ = ("module", "name", "kind", "desc")

    def __init__(self, module, name, kind, desc):
        self.module, self.name, self.kind, self.desc = module, name, kind, desc

    def __repr__(self):
        return "Import(%r, %r, %s, %r)" % (self.module, self.name, self.kind, self.desc)


class Export:
    __slots__ = ("name", "kind", "index")

    def __init__(self, name, kind, index):
        self.name, self.kind, self.index = name, kind, index

    def __repr__(self):
        return "Export(%r, %s, %d)" % (self.name, self.kind, self.index)


class Global:
    __slots__ = ("type", "init")

    def __init__(self, type, init):
        self.type, self.init = type, init


class Func:
    """A defined function.  ``locals`` is the compressed list of
    (count, ValType) pairs as encoded; ``body`` the instruction list."""

    __slots__ = ("typeidx", "locals", "body", "offset", "size")

    def __init__(self, typeidx, locals=None, body=None, offset=0, size=0):
        self.typeidx = typeidx
        self.locals = locals if locals is not None else []
        self.body = body if body is not None else []
        self.offset = offset      # byte offset of the body in the binary
        self.size = size          # body size in bytes


class Elem:
    """An element segment.  ``mode`` is "active", "passive" or "declarative";
    ``table`` and ``offset`` (a constant expression) are set when active.
    ``init`` is a list of constant expressions, one per element."""

    __slots__ = ("type", "init", "mode", "table", "offset")

    def __init__(self, type, init, mode, table=0, offset=None):
        self.type, self.init, self.mode = type, init, mode
        self.table, self.offset = table, offset


class Data:
    """A data segment: ``mode`` "active" or "passive"; ``init`` bytes."""

    __slots__ = ("init", "mode", "memory", "offset")

    def __init__(self, init, mode, memory=0, offset=None):
        self.init, self.mode, self.memory, self.offset = init, mode, memory, offset


class Module:
    """A decoded (not yet validated) module.

    ``customs`` keeps each custom section as (name, offset, size) into
    ``raw`` (the original bytes), so megabytes of debug sections cost no copy.
    """

    def __init__(self):
        self.types = []          # FuncType
        self.imports = []        # Import
        self.funcs = []          # Func (defined functions only)
        self.tables = []         # TableType (defined)
        self.mems = []           # MemoryType (defined)
        self.globals = []        # Global (defined)
        self.exports = []        # Export
        self.start = None        # funcidx or None
        self.elems = []          # Elem
        self.datas = []          # Data
        self.data_count = None   # int or None
        self.customs = []        # (name, offset, size)
        self.raw = b""

    def custom_section(self, name):
        """The bytes of the first custom section called ``name``, or None."""
        for sec_name, offset, size in self.customs:
            if sec_name == name:
                return self.raw[offset:offset + size]
        return None

    def imports_of(self, kind):
        return [imp for imp in self.imports if imp.kind == kind]
