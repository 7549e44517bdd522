"""Tier 0: the flat code of compile.py turned into a list of closures.

Each compiled instruction becomes one closure ``handler(st) -> next_pc``
with its immediates, its successor and the runtime objects it touches
(memory bytearray, globals, tables, callees) bound at compile time.  The
hot loop is then just ``pc = code[pc](st)``.

Invariants of the hot loop:
* ``st`` is the frame's only stack: slots 0..nlocals-1 are the locals
  (parameters first), operands sit above them;
* ``pc`` indexes ``code``; a handler returns the next pc, and the final
  ``return`` handler returns -1, leaving the results on top of ``st``;
* values are in the raw representation of values.py (i32/i64 unsigned and
  masked, f32 as bits, f64 float, v128 a 128-bit int, references as
  objects or None).

Handlers are built by factories looked up by handler name; the plain stack
instructions get factories generated from the opcode table's templates.
"""

import math
import struct
from functools import partial

from .. import numeric as N
from .. import opcodes as O
from ..errors import Trap, TrapKind, ExhaustionError
from ..types import PAGE_SIZE
from . import runtime_ops as R

__all__ = ["build_code", "FACTORIES"]

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF

class _Factories(dict):
    """Handler factories by handler name.  Those of template instructions
    are generated on first use (compiling all ~400 templates up front
    would cost every run tens of milliseconds of start-up)."""

    def __missing__(self, name):
        row = _TEMPLATE_ROWS.get(name)
        if row is not None:
            made = _template_factory(row)
        elif name in _SCALAR_MEMORY_ROWS:
            made = _memory_factory(*_SCALAR_MEMORY_ROWS[name])
        elif name in _SIMD_MEMORY_ROWS:
            made = _simd_memory_factory(_SIMD_MEMORY_ROWS[name])
        else:
            raise KeyError(name)
        self[name] = made
        return made

    def __contains__(self, name):
        return (dict.__contains__(self, name) or name in _TEMPLATE_ROWS
                or name in _SCALAR_MEMORY_ROWS or name in _SIMD_MEMORY_ROWS)


FACTORIES = _Factories()


def factory(name):
    def register(fn):
        FACTORIES[name] = fn
        return fn
    return register


# --- plain stack instructions, generated from the opcode templates ------------

_UNOP = """
def make(imm, nxt, env):
    def h(st):
        a = st[-1]
        st[-1] = {expr}
        return nxt
    return h
"""
_BINOP = """
def make(imm, nxt, env):
    def h(st):
        b = st.pop()
        a = st[-1]
        st[-1] = {expr}
        return nxt
    return h
"""

_TERNOP = """
def make(imm, nxt, env):
    def h(st):
        c = st.pop()
        b = st.pop()
        a = st[-1]
        st[-1] = {expr}
        return nxt
    return h
"""
_TEMPLATES = {1: _UNOP, 2: _BINOP, 3: _TERNOP}


def _template_factory(row):
    source = _TEMPLATES[len(row.params)].format(expr=row.expr)
    namespace = {"N": N, "math": math}
    if "S." in row.expr:
        from .. import simd         # SIMD semantics load on first use
        namespace["S"] = simd
    exec(compile(source, "<%s>" % row.name, "exec"), namespace)
    return namespace["make"]


_TEMPLATE_ROWS = {row.handler_name: row for row in O.OPS if row.expr is not None}


# --- control -----------------------------------------------------------------

@factory("unreachable")
def make_unreachable(imm, nxt, env):
    def h(st):
        raise Trap(TrapKind.UNREACHABLE)
    return h


@factory("return")
def make_return(imm, nxt, env):
    def h(st):
        return -1
    return h


@factory("jump")
def make_jump(imm, nxt, env):
    target, drop_at, drop_count = imm
    if not drop_count:
        def h(st):
            return target
        return h
    end = drop_at + drop_count

    def h(st):
        del st[drop_at:end]
        return target
    return h


@factory("jump_if")
def make_jump_if(imm, nxt, env):
    target, drop_at, drop_count = imm
    if not drop_count:
        def h(st):
            if st.pop():
                return target
            return nxt
        return h
    end = drop_at + drop_count

    def h(st):
        if st.pop():
            del st[drop_at:end]
            return target
        return nxt
    return h


@factory("jump_unless")
def make_jump_unless(imm, nxt, env):
    target = imm

    def h(st):
        if st.pop():
            return nxt
        return target
    return h


@factory("jump_table")
def make_jump_table(imm, nxt, env):
    targets, default = imm
    table = [(t, a, a + c) for t, a, c in targets]
    last = len(table)
    table.append((default[0], default[1], default[1] + default[2]))

    def h(st):
        i = st.pop()
        target, start, end = table[i if i < last else last]
        if start != end:
            del st[start:end]
        return target
    return h


@factory("call")
def make_call(imm, nxt, env):
    return _call_handler(env.funcs[imm], nxt)


def _call_handler(callee, nxt):
    n = len(callee.type.params)
    if n:
        def h(st):
            args = st[-n:]
            del st[-n:]
            st += callee.run(args)
            return nxt
    else:
        def h(st):
            st += callee.run([])
            return nxt
    return h


@factory("call_indirect")
def make_call_indirect(imm, nxt, env):
    typeidx, tableidx = imm
    expected = env.types[typeidx]
    table = env.tables[tableidx]
    n = len(expected.params)

    def h(st):
        callee = R.indirect(table, st.pop(), expected)
        if n:
            args = st[-n:]
            del st[-n:]
        else:
            args = []
        st += callee.run(args)
        return nxt
    return h


# --- parametric and variables ------------------------------------------------

@factory("drop")
def make_drop(imm, nxt, env):
    def h(st):
        del st[-1]
        return nxt
    return h


@factory("select")
def make_select(imm, nxt, env):
    def h(st):
        c = st.pop()
        b = st.pop()
        if not c:
            st[-1] = b
        return nxt
    return h


FACTORIES["select_t"] = make_select


@factory("local_get")
def make_local_get(imm, nxt, env):
    def h(st):
        st.append(st[imm])
        return nxt
    return h


@factory("local_set")
def make_local_set(imm, nxt, env):
    def h(st):
        st[imm] = st.pop()
        return nxt
    return h


@factory("local_tee")
def make_local_tee(imm, nxt, env):
    def h(st):
        st[imm] = st[-1]
        return nxt
    return h


@factory("global_get")
def make_global_get(imm, nxt, env):
    glob = env.globals[imm]

    def h(st):
        st.append(glob.raw)
        return nxt
    return h


@factory("global_set")
def make_global_set(imm, nxt, env):
    glob = env.globals[imm]

    def h(st):
        glob.raw = st.pop()
        return nxt
    return h


def _const_factory(imm, nxt, env):
    def h(st):
        st.append(imm)
        return nxt
    return h


for _name in ("i32_const", "i64_const", "f32_const", "f64_const", "v128_const"):
    FACTORIES[_name] = _const_factory


# --- memory ------------------------------------------------------------------
# Loads and stores go through struct on the live bytearray; the bounds check
# comes first because struct would raise and slices would silently truncate.

_LOAD_FORMS = {
    "i32.load": ("<I", "v"), "i64.load": ("<Q", "v"), "f32.load": ("<I", "v"),
    "f64.load": ("<d", "v"), "i32.load8_s": ("<b", "v & 0xFFFFFFFF"),
    "i32.load8_u": ("<B", "v"), "i32.load16_s": ("<h", "v & 0xFFFFFFFF"),
    "i32.load16_u": ("<H", "v"), "i64.load8_s": ("<b", "v & M64"),
    "i64.load8_u": ("<B", "v"), "i64.load16_s": ("<h", "v & M64"),
    "i64.load16_u": ("<H", "v"), "i64.load32_s": ("<i", "v & M64"),
    "i64.load32_u": ("<I", "v"),
}
_STORE_FORMS = {
    "i32.store": ("<I", "v"), "i64.store": ("<Q", "v"), "f32.store": ("<I", "v"),
    "f64.store": ("<d", "v"), "i32.store8": ("<B", "v & 0xFF"),
    "i32.store16": ("<H", "v & 0xFFFF"), "i64.store8": ("<B", "v & 0xFF"),
    "i64.store16": ("<H", "v & 0xFFFF"), "i64.store32": ("<I", "v & 0xFFFFFFFF"),
}

_LOAD = """
def make(imm, nxt, env):
    mem = env.memory.data
    offset = imm[1]

    def h(st):
        ea = st[-1] + offset
        if ea + {width} > len(mem):
            raise Trap(MEMORY_OOB)
        v = unpack(mem, ea)[0]
        st[-1] = {convert}
        return nxt
    return h
"""
_STORE = """
def make(imm, nxt, env):
    mem = env.memory.data
    offset = imm[1]

    def h(st):
        v = st.pop()
        ea = st.pop() + offset
        if ea + {width} > len(mem):
            raise Trap(MEMORY_OOB)
        pack(mem, ea, {convert})
        return nxt
    return h
"""


def _memory_factory(row, template, fmt, convert):
    packer = struct.Struct(fmt)
    namespace = {"Trap": Trap, "MEMORY_OOB": TrapKind.MEMORY_OOB, "M64": M64,
                 "unpack": packer.unpack_from, "pack": packer.pack_into}
    source = template.format(width=row.width, convert=convert)
    exec(compile(source, "<%s>" % row.name, "exec"), namespace)
    return namespace["make"]


# Made on first use, as the template handlers are (compile() costs ~0.1 ms
# a handler, at every start of the process).
_SCALAR_MEMORY_ROWS = {}
for _forms, _template in ((_LOAD_FORMS, _LOAD), (_STORE_FORMS, _STORE)):
    for _name, (_fmt, _convert) in _forms.items():
        _row = O.BY_NAME[_name]
        _SCALAR_MEMORY_ROWS[_row.handler_name] = (_row, _template, _fmt, _convert)


# SIMD loads and stores: simd.py does the bounds check and the access, so
# that both tiers share it.  Lane forms carry (align, offset, lane).

def _simd_load_factory(access):
    def make(imm, nxt, env):
        mem = env.memory.data
        offset = imm[1]

        def h(st):
            st[-1] = access(mem, st[-1] + offset)
            return nxt
        return h
    return make


def _simd_store_factory(access):
    def make(imm, nxt, env):
        mem = env.memory.data
        offset = imm[1]

        def h(st):
            value = st.pop()
            access(mem, st.pop() + offset, value)
            return nxt
        return h
    return make


def _simd_load_lane_factory(access):
    def make(imm, nxt, env):
        mem = env.memory.data
        offset, lane = imm[1], imm[2]

        def h(st):
            value = st.pop()
            st[-1] = access(mem, st[-1] + offset, value, lane)
            return nxt
        return h
    return make


def _simd_store_lane_factory(access):
    def make(imm, nxt, env):
        mem = env.memory.data
        offset, lane = imm[1], imm[2]

        def h(st):
            value = st.pop()
            access(mem, st.pop() + offset, value, lane)
            return nxt
        return h
    return make


def _simd_memory_factory(row):
    from .. import simd         # SIMD semantics load on first use
    access = simd.MEMORY[row.name]
    if row.imm == O.MEMARG_LANE:
        make = _simd_load_lane_factory if row.results else _simd_store_lane_factory
    else:
        make = _simd_load_factory if row.results else _simd_store_factory
    return make(access)


_SIMD_MEMORY_ROWS = {O.BY_NAME[name].handler_name: O.BY_NAME[name] for name in O.SIMD_MEMORY}


@factory("memory_size")
def make_memory_size(imm, nxt, env):
    mem = env.memory.data

    def h(st):
        st.append(len(mem) // PAGE_SIZE)
        return nxt
    return h


@factory("memory_grow")
def make_memory_grow(imm, nxt, env):
    memory = env.memory

    def h(st):
        st[-1] = memory.grow(st[-1]) & M32
        return nxt
    return h


def _bulk_factory(bind):
    """A factory for a bulk instruction popping (d, s, n): ``bind(imm, env)``
    returns the runtime_ops function with its instance objects applied."""
    def make(imm, nxt, env):
        operation = bind(imm, env)

        def h(st):
            n = st.pop()
            s = st.pop()
            d = st.pop()
            operation(d, s, n)
            return nxt
        return h
    return make


FACTORIES.update(
    memory_fill=_bulk_factory(lambda imm, env: partial(R.memory_fill, env.memory.data)),
    memory_copy=_bulk_factory(lambda imm, env: partial(R.memory_copy, env.memory.data)),
    memory_init=_bulk_factory(
        lambda imm, env: partial(R.memory_init, env.memory.data, env.datas, imm)),
    table_fill=_bulk_factory(lambda imm, env: partial(R.table_fill, env.tables[imm])),
    table_copy=_bulk_factory(
        lambda imm, env: partial(R.table_copy, env.tables[imm[0]], env.tables[imm[1]])),
    table_init=_bulk_factory(
        lambda imm, env: partial(R.table_init, env.tables[imm[1]], env.elems, imm[0])),
)


@factory("data_drop")
def make_data_drop(imm, nxt, env):
    datas = env.datas

    def h(st):
        datas[imm] = b""
        return nxt
    return h


# --- references and tables ---------------------------------------------------

@factory("ref_null")
def make_ref_null(imm, nxt, env):
    def h(st):
        st.append(None)
        return nxt
    return h


@factory("ref_is_null")
def make_ref_is_null(imm, nxt, env):
    def h(st):
        st[-1] = 1 if st[-1] is None else 0
        return nxt
    return h


@factory("ref_func")
def make_ref_func(imm, nxt, env):
    func = env.funcs[imm]

    def h(st):
        st.append(func)
        return nxt
    return h


@factory("table_get")
def make_table_get(imm, nxt, env):
    table = env.tables[imm]

    def h(st):
        st[-1] = R.table_get(table, st[-1])
        return nxt
    return h


@factory("table_set")
def make_table_set(imm, nxt, env):
    table = env.tables[imm]

    def h(st):
        value = st.pop()
        R.table_set(table, st.pop(), value)
        return nxt
    return h


@factory("table_size")
def make_table_size(imm, nxt, env):
    table = env.tables[imm]

    def h(st):
        st.append(len(table.elements))
        return nxt
    return h


@factory("table_grow")
def make_table_grow(imm, nxt, env):
    table = env.tables[imm]

    def h(st):
        n = st.pop()
        st[-1] = table.grow(n, st[-1]) & M32
        return nxt
    return h


@factory("elem_drop")
def make_elem_drop(imm, nxt, env):
    elems = env.elems

    def h(st):
        elems[imm] = ()
        return nxt
    return h


# --- building and running ----------------------------------------------------

# Bodies longer than this get their handlers built on first execution.
LAZY_BUILD = 200


def build_code(flat, env):
    """Closures for a function's flat code (compile.compile_body output).
    ``env`` is the module instance the function belongs to.

    A large body starts as stubs, each building its instruction's handler
    when first run: most of a big function (libc's printf_core: 4,500
    instructions, 10 ms of handlers) never runs in a given program."""
    if len(flat) > LAZY_BUILD:
        code = [None] * len(flat)
        code[:] = [partial(_build_and_run, code, flat, env, pc) for pc in range(len(flat))]
        return code
    return [_handler(flat, env, pc) for pc in range(len(flat))]


def _handler(flat, env, pc):
    name, imm = flat[pc]
    return FACTORIES[name.replace(".", "_")](imm, pc + 1, env)


def _build_and_run(code, flat, env, pc, st):
    handler = code[pc] = _handler(flat, env, pc)
    return handler(st)


def make_runner(func, code, local_defaults, nresults, store):
    """The function that runs ``code`` for ``func``: run(args) -> results.
    ``local_defaults`` are the initial values of the declared locals, which
    follow the arguments on the frame's stack."""
    limit = store.max_call_depth
    zeros = list(local_defaults)
    metered = store.metered

    def run(st):
        store.depth += 1
        if store.depth > limit:
            store.depth -= 1
            raise ExhaustionError("call stack exhausted")
        if zeros:
            st += zeros
        pc = 0
        try:
            if metered:
                while pc >= 0:
                    store.ticks -= 1
                    if store.ticks < 0:
                        store.checkpoint()
                    pc = code[pc](st)
            else:
                while pc >= 0:
                    pc = code[pc](st)
        except Trap as trap:
            trap.frames.append(func)
            raise
        finally:
            store.depth -= 1
        return st[len(st) - nresults:] if nresults else []
    return run
