"""A tiny bytes-emitting helper for building test modules by hand.

Everything returns ``bytes``.  Instructions are spelled by mnemonic through
``op(name)``, which encodes from opcodes.py, so tests write no opcode
numbers.  Nothing here validates: tests build malformed binaries on purpose.
"""

from pywasi_interp import opcodes

# Section ids (spec "Binary Format" > "Sections").
CUSTOM, TYPE, IMPORT, FUNCTION, TABLE, MEMORY, GLOBAL, EXPORT, START, \
    ELEMENT, CODE, DATA, DATACOUNT = range(13)

# Value type encodings.
I32, I64, F32, F64, V128 = b"\x7f", b"\x7e", b"\x7d", b"\x7c", b"\x7b"
FUNCREF, EXTERNREF = b"\x70", b"\x6f"
EMPTY_BLOCK = b"\x40"

HEADER = b"\x00asm\x01\x00\x00\x00"


def uleb(n):
    """Unsigned LEB128, minimal length."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb(n):
    """Signed LEB128, minimal length."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        done = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte if done else byte | 0x80)
        if done:
            return bytes(out)


u32 = uleb
s32 = sleb
s64 = sleb


def vec(items):
    """vec(x): a u32 count then the items (each already encoded)."""
    items = list(items)
    return u32(len(items)) + b"".join(items)


def name(text):
    return vec(bytes([b]) for b in text.encode("utf-8"))


def byte_vec(data):
    return u32(len(data)) + bytes(data)


def op(mnemonic):
    """The encoding of an instruction's opcode (prefix byte and LEB128
    sub-opcode for prefixed ones), taken from the opcode table."""
    row = opcodes.BY_NAME[mnemonic]
    if row.prefix is None:
        return bytes([row.code])
    return bytes([row.prefix]) + u32(row.code)


END = op("end")


def i32_const(value):
    return op("i32.const") + s32(value)


def section(section_id, payload):
    return bytes([section_id]) + u32(len(payload)) + payload


def functype(params=b"", results=b""):
    """params/results: concatenated value type bytes, e.g. I32 + I64."""
    return b"\x60" + vec(bytes([t]) for t in params) + vec(bytes([t]) for t in results)


def limits(minimum, maximum=None):
    if maximum is None:
        return b"\x00" + u32(minimum)
    return b"\x01" + u32(minimum) + u32(maximum)


def func_body(instrs, locals_=()):
    """A code entry: size, compressed locals [(count, valtype)], instrs
    (which must include the final ``end``)."""
    body = vec(u32(n) + t for n, t in locals_) + instrs
    return u32(len(body)) + body


def module(*sections):
    """The header followed by the given sections, in the order given."""
    return HEADER + b"".join(sections)


def one_func_module(instrs, locals_=(), functype_=None, extra=()):
    """A module with one function of type 0 whose body is ``instrs``;
    ``extra`` sections (e.g. a memory) go between the function and code
    sections, which is valid for table/memory/global/export/start/elem."""
    return module(
        section(TYPE, vec([functype_ if functype_ is not None else functype()])),
        section(FUNCTION, vec([u32(0)])),
        *extra,
        section(CODE, vec([func_body(instrs, locals_)])),
    )


def build(funcs, memory=None, table=None, imports=(), elems=None, datas=(), extra=()):
    """A module of ``funcs``: (export name or None, params, results, body[,
    locals]); function i has type len(imports) + i; imports (module, name,
    params, results) come first; a memory is exported as "memory".
    ``elems`` lists function indexes for a table segment at offset 0 (default:
    every defined function when there is a table)."""
    types = [functype(p, r) for _, _, p, r in imports]
    types += [functype(f[1], f[2]) for f in funcs]
    sections = [section(TYPE, vec(types))]
    if imports:
        sections.append(section(IMPORT, vec(
            name(m) + name(n) + b"\x00" + u32(i) for i, (m, n, _, _) in enumerate(imports))))
    base = len(imports)
    sections.append(section(FUNCTION, vec(u32(base + i) for i in range(len(funcs)))))
    if table is not None:
        sections.append(section(TABLE, vec([b"\x70" + limits(table)])))
    if memory is not None:
        sections.append(section(MEMORY, vec([limits(memory)])))
    sections.extend(extra)
    exports = [name(f[0]) + b"\x00" + u32(base + i) for i, f in enumerate(funcs) if f[0]]
    if memory is not None:
        exports.append(name("memory") + b"\x02" + u32(0))
    sections.append(section(EXPORT, vec(exports)))
    if table is not None:
        if elems is None:
            elems = [base + i for i in range(len(funcs))]
        sections.append(section(ELEMENT, vec([u32(0) + i32_const(0) + END
                                              + vec(u32(i) for i in elems)])))
    sections.append(section(CODE, vec(func_body(f[3], f[4] if len(f) > 4 else ())
                                      for f in funcs)))
    if datas:
        sections.append(section(DATA, vec(u32(0) + i32_const(offset) + END + byte_vec(data)
                                          for offset, data in datas)))
    return module(*sections)


def get(i):
    return op("local.get") + u32(i)
