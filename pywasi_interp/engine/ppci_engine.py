"""Optional execution path through ppci 0.5.8 (``pip install pywasi_interp[jit]``,
``--engine ppci``).

ppci compiles a WebAssembly MVP module to its IR, then to Python source
(target ``python``) or to x86-64 machine code (target ``native``).  Out of the
box it is not a conforming engine, so nothing reaches it unchecked:

- ``supports(module)`` is a feature gate on our decoded module: the MVP only,
  and within it only what ppci gets right once patched (below).  No f32 at all
  (ppci computes f32 in double precision and round-trips it through struct,
  which changes results and NaN bits), no NaN f64 constants (its Python
  backend prints them as an undefined name ``nan``), one funcref table and one
  memory, no imported memories, tables or globals, no exported tables or
  globals, constant segment offsets that fit.  Anything else falls back to
  the built-in engine.
- Code generation is ppci's own (``WasmToIrCompiler``) with the operations it
  leaves unchecked routed to runtime functions of ours: every load and store
  (ppci has no bounds check, computes addresses from *signed* i32s, and keeps
  memory in its heap next to globals), integer division and remainder
  (ppci neither traps on zero nor on INT_MIN / -1), f64 division (Python
  raises on zero), ``call_indirect`` (ppci checks neither the index nor the
  type), and all of its float/bit runtime helpers (trunc without traps,
  min/max/nearest wrong on NaN and signed zeros).
- Linear memory is a real ``MemoryInstance`` (so ``Store(max_memory=...)``
  applies and WASI/HTTP host functions, which see it through ``Caller``,
  work unchanged); function imports are our Func objects called with raw
  values; traps are our ``Trap``; anything else ppci's code raises becomes
  ``Trap(TrapKind.HOST, ...)``.

Only the ``python`` target is used.  The ``native`` target is not offered,
not even as an opt-in: (1) unpatched, it printed a wrong SHA-256 for the
sha256 benchmark guest; (2) it calls Python imports through ctypes
callbacks, and ctypes swallows an exception raised in a callback (prints it
and returns garbage), so a trap, ``proc_exit`` or a host error would be
ignored and the guest would run on; (3) it is slower end to end on every
benchmark guest, since ppci's code generator runs in Python.

Not supported on this path (the module falls back): fuel and timeouts
(ppci's code cannot be metered).  Call depth counts against the store's
``max_call_depth`` as in the built-in tiers (each generated function is
wrapped to count its calls): Python's recursion limit is process-wide and
may be far above what the thread's C stack holds on PyPy.
"""

import contextlib
import logging
import math
import struct
import warnings

from ..errors import ExhaustionError, ProcExit, Trap, TrapKind, WasmError
from ..runtime.func import FuncBase, HostFunc
from ..runtime.instance import ModuleInstance
from ..runtime.memory import MemoryInstance
from ..types import PAGE_SIZE, FuncType, ValType
from .. import numeric
from .tiers import direct_adapter

__all__ = ["ppci_available", "ppci_unavailable_reason", "supports", "instantiate",
           "try_instantiate", "PpciUnsupported", "PPCI_VERSION"]

PPCI_VERSION = "0.5.8"
MAX_TABLE_SIZE = 1 << 20        # ppci allocates the whole table up front

log = logging.getLogger("pywasi_interp.ppci")

_M32 = 0xFFFFFFFF
_M64 = 0xFFFFFFFFFFFFFFFF
_S32 = 0x80000000
_S64 = 0x8000000000000000


class PpciUnsupported(Exception):
    """ppci cannot run this module (the message says why)."""


# --- availability ---------------------------------------------------------------

_availability = None


def ppci_unavailable_reason():
    """None when ppci 0.5.8 can be imported, else why not (one line)."""
    global _availability
    if _availability is None:
        try:
            with _quiet():
                import ppci
                version = getattr(ppci, "__version__", None)
                if version != PPCI_VERSION:
                    _availability = ("ppci %s is installed; this path needs ppci==%s"
                                     % (version, PPCI_VERSION))
                else:
                    # Everything used later, imported once here under _quiet().
                    import ppci.api
                    import ppci.wasm
                    import ppci.wasm.wasm2ppci
                    import ppci.arch.arch_info
                    import ppci.irutils
                    _availability = ""
        except Exception as error:      # ImportError, or a broken install
            _availability = ("the optional ppci package is not installed "
                             "(pip install 'pywasi_interp[jit]'): %s" % error)
    return _availability or None


@contextlib.contextmanager
def _quiet():
    """ppci 0.5.8 imports modules that newer Pythons deprecate (cgitb): keep
    its DeprecationWarnings from reaching our users (or failing pytest runs
    with warnings as errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        yield


def ppci_available():
    """True when ppci 0.5.8 is importable."""
    return ppci_unavailable_reason() is None


# --- the feature gate -----------------------------------------------------------

_NUM = (ValType.I32, ValType.I64, ValType.F64)

# The MVP instructions ppci handles (after our patches), by mnemonic.  Not
# here: every f32 instruction, sign-extension, saturating truncation, bulk
# memory, reference types, typed select, table instructions, SIMD.
_CONTROL = """unreachable nop block loop if else end br br_if br_table return call
call_indirect drop select local.get local.set local.tee global.get global.set
memory.size memory.grow i32.const i64.const f64.const""".split()
_MEMORY = """i32.load i64.load f64.load i32.load8_s i32.load8_u i32.load16_s
i32.load16_u i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s
i64.load32_u i32.store i64.store f64.store i32.store8 i32.store16 i64.store8
i64.store16 i64.store32""".split()
_INT = """eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u clz ctz popcnt add sub
mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr""".split()
_F64 = """eq ne lt gt le ge abs neg ceil floor trunc nearest sqrt add sub mul div
min max copysign""".split()
_CONVERT = """i32.wrap_i64 i32.trunc_f64_s i32.trunc_f64_u i64.extend_i32_s
i64.extend_i32_u i64.trunc_f64_s i64.trunc_f64_u f64.convert_i32_s
f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u i64.reinterpret_f64
f64.reinterpret_i64""".split()
SUPPORTED_OPS = frozenset(_CONTROL + _MEMORY + _CONVERT
                          + ["i32." + n for n in _INT] + ["i64." + n for n in _INT]
                          + ["f64." + n for n in _F64])


def _const_i32(expr):
    """The value of a constant expression ``i32.const N; end``, else None."""
    if expr and len(expr) == 2 and expr[0][0].name == "i32.const":
        return expr[0][1]
    return None


def supports(module):
    """Whether ppci can run ``module`` correctly: ``(True, "")`` or
    ``(False, reason)``.  Needs no ppci: it reads our decoded module."""
    try:
        _check_module(module.ast)
    except PpciUnsupported as why:
        return False, str(why)
    return True, ""


def _check_module(ast):
    for index, functype in enumerate(ast.types):
        for valtype in tuple(functype.params) + tuple(functype.results):
            if valtype not in _NUM:
                raise PpciUnsupported("type %d uses %s" % (index, _name(valtype)))
        if len(functype.results) > 1:
            raise PpciUnsupported("multi-value (type %d has %d results)"
                                  % (index, len(functype.results)))
    for imp in ast.imports:
        if imp.kind != "func":
            raise PpciUnsupported("imports a %s (%s::%s)" % (imp.kind, imp.module, imp.name))
    for export in ast.exports:
        if export.kind not in ("func", "memory"):
            raise PpciUnsupported("exports a %s (%s)" % (export.kind, export.name))
    if len(ast.mems) > 1:
        raise PpciUnsupported("multiple memories")
    if len(ast.tables) > 1:
        raise PpciUnsupported("multiple tables")
    table_size = 0
    if ast.tables:
        table = ast.tables[0]
        if table.elem_type != ValType.FUNCREF:
            raise PpciUnsupported("a table of %s" % _name(table.elem_type))
        limits = table.limits
        if max(limits.min, limits.max or 0) > MAX_TABLE_SIZE:
            raise PpciUnsupported("a table of more than %d entries" % MAX_TABLE_SIZE)
        table_size = limits.min
    for index, glob in enumerate(ast.globals):
        if glob.type.valtype not in _NUM:
            raise PpciUnsupported("global %d is %s" % (index, _name(glob.type.valtype)))
        op, imm, _ = glob.init[0]
        if len(glob.init) != 2 or op.name not in ("i32.const", "i64.const", "f64.const"):
            raise PpciUnsupported("global %d has a non-constant initialiser" % index)
        if op.name == "f64.const" and imm != imm:
            raise PpciUnsupported("a NaN constant (global %d)" % index)
    imported_funcs = len(ast.imports)
    for index, elem in enumerate(ast.elems):
        if elem.mode != "active":
            raise PpciUnsupported("a %s element segment" % elem.mode)
        if elem.type != ValType.FUNCREF or elem.table != 0:
            raise PpciUnsupported("element segment %d is not for funcref table 0" % index)
        offset = _const_i32(elem.offset)
        if offset is None:
            raise PpciUnsupported("element segment %d has a non-constant offset" % index)
        if offset + len(elem.init) > table_size:
            raise PpciUnsupported("element segment %d does not fit the table" % index)
        for expr in elem.init:
            if len(expr) != 2 or expr[0][0].name != "ref.func":
                raise PpciUnsupported("element segment %d holds a non-function entry" % index)
            if expr[0][1] < imported_funcs:
                raise PpciUnsupported("element segment %d holds an imported function" % index)
    mem_bytes = ast.mems[0].limits.min * PAGE_SIZE if ast.mems else 0
    for index, data in enumerate(ast.datas):
        if data.mode != "active":
            raise PpciUnsupported("a passive data segment")
        offset = _const_i32(data.offset)
        if offset is None or data.memory != 0:
            raise PpciUnsupported("data segment %d has a non-constant offset" % index)
        if offset + len(data.init) > mem_bytes:
            raise PpciUnsupported("data segment %d does not fit the memory" % index)
    for func in ast.funcs:
        for _count, valtype in func.locals:
            if valtype not in _NUM:
                raise PpciUnsupported("a local of type %s" % _name(valtype))
        for op, imm, offset in func.body:
            name = op.name
            if name not in SUPPORTED_OPS:
                raise PpciUnsupported("instruction %s (at byte %#x)" % (name, offset))
            if name in ("block", "loop", "if"):
                if isinstance(imm, int) or (imm is not None and imm not in _NUM):
                    raise PpciUnsupported("block type %r (at byte %#x)" % (imm, offset))
            elif name == "select" and imm is not None:
                raise PpciUnsupported("typed select (at byte %#x)" % offset)
            elif name == "f64.const" and imm != imm:
                raise PpciUnsupported("a NaN constant (at byte %#x)" % offset)
            elif name == "call_indirect" and (imm[1] != 0 or not ast.tables):
                raise PpciUnsupported("call_indirect without table 0 (at byte %#x)" % offset)


def _name(valtype):
    return getattr(valtype, "name", str(valtype)).lower()


# --- values: ppci keeps i32/i64 signed, f64 as float --------------------------------

def _signed32(value):
    return ((value & _M32) ^ _S32) - _S32


def _signed64(value):
    return ((value & _M64) ^ _S64) - _S64


def _to_raw(valtype):
    """ppci value -> raw value."""
    if valtype == ValType.I32:
        return lambda v: v & _M32
    if valtype == ValType.I64:
        return lambda v: v & _M64
    return float


def _to_ppci(valtype):
    """raw value -> ppci value."""
    if valtype == ValType.I32:
        return _signed32
    if valtype == ValType.I64:
        return _signed64
    return float


# --- runtime functions: correct semantics for what ppci leaves to a helper -------

def _runtime(memory, table, functypes, types):
    """The ``wasm_rt_*`` functions the generated code calls, by name."""
    rt = {}
    data = memory.data if memory is not None else bytearray()

    def unreachable():
        raise Trap(TrapKind.UNREACHABLE)
    rt["unreachable"] = unreachable

    # Memory: ``base`` is a signed i32 from ppci, ``offset`` the memarg offset.
    def access(kind, fmt):
        layout = struct.Struct("<" + fmt)
        width = layout.size
        unpack_from = layout.unpack_from
        pack_into = struct.Struct("<" + (fmt if fmt == "d" else fmt.upper())).pack_into
        mask = (1 << (8 * width)) - 1

        def load(base, offset):
            ea = (base & _M32) + offset
            if ea + width > len(data):
                raise Trap(TrapKind.MEMORY_OOB)
            return unpack_from(data, ea)[0]

        def store(base, offset, value):
            # The unsigned format takes the low bits of a signed value.
            ea = (base & _M32) + offset
            if ea + width > len(data):
                raise Trap(TrapKind.MEMORY_OOB)
            pack_into(data, ea, value & mask)

        def store_f64(base, offset, value):
            ea = (base & _M32) + offset
            if ea + 8 > len(data):
                raise Trap(TrapKind.MEMORY_OOB)
            layout.pack_into(data, ea, value)
        rt["load_" + kind] = load
        rt["store_" + kind] = store_f64 if fmt == "d" else store

    for kind, fmt in _MEMORY_FORMATS.items():
        access(kind, fmt)

    def memory_size():
        return len(data) // PAGE_SIZE

    def memory_grow(delta):
        if memory is None:
            return -1
        return memory.grow(delta & _M32)
    rt["memory_size"] = memory_size
    rt["memory_grow"] = memory_grow

    def call_indirect_check(typeidx, index):
        index &= _M32
        if index >= len(table):
            raise Trap(TrapKind.UNDEFINED_ELEMENT, "index %d" % index)
        funcidx = table[index]
        if funcidx is None:
            raise Trap(TrapKind.UNINITIALIZED_ELEMENT, "index %d" % index)
        if functypes[funcidx] != types[typeidx]:
            raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH)
        return index
    rt["call_indirect_check"] = call_indirect_check

    # Integer ops: through numeric.py on unsigned values, back to signed.
    def int_op(fn, mask, signed):
        def op(a, b):
            return signed(fn(a & mask, b & mask))
        return op

    for name in ("div_s", "div_u", "rem_s", "rem_u", "rotl", "rotr"):
        rt["i32_" + name] = int_op(getattr(numeric, "i32_" + name), _M32, _signed32)
        rt["i64_" + name] = int_op(getattr(numeric, "i64_" + name), _M64, _signed64)
    rt["i32_clz"] = lambda a: 32 - (a & _M32).bit_length()
    rt["i64_clz"] = lambda a: 64 - (a & _M64).bit_length()
    rt["i32_ctz"] = lambda a: numeric.i32_ctz(a & _M32)
    rt["i64_ctz"] = lambda a: numeric.i64_ctz(a & _M64)
    rt["i32_popcnt"] = lambda a: bin(a & _M32).count("1")
    rt["i64_popcnt"] = lambda a: bin(a & _M64).count("1")

    for name in ("div", "min", "max"):
        rt["f64_" + name] = getattr(numeric, "f64_" + name)
    for name in ("sqrt", "ceil", "floor", "trunc", "nearest"):
        rt["f64_" + name] = getattr(numeric, "f64_" + name)
    rt["f64_abs"] = math.fabs
    rt["f64_copysign"] = math.copysign
    rt["i32_trunc_f64_s"] = lambda x: _signed32(numeric.i32_trunc_f64_s(x))
    rt["i32_trunc_f64_u"] = lambda x: _signed32(numeric.i32_trunc_f64_u(x))
    rt["i64_trunc_f64_s"] = lambda x: _signed64(numeric.i64_trunc_f64_s(x))
    rt["i64_trunc_f64_u"] = lambda x: _signed64(numeric.i64_trunc_f64_u(x))
    rt["i64_reinterpret_f64"] = lambda x: _signed64(numeric.i64_reinterpret_f64(x))
    rt["f64_reinterpret_i64"] = lambda v: numeric.f64_reinterpret_i64(v & _M64)
    return rt


# Signatures of the runtime functions, for the IR.
# Memory access kinds: loads return (and stores take) i32 for formats up to
# 32 bits except "I" (i64.load32_u needs the unsigned value), i64 or f64.
_MEMORY_FORMATS = {"i32": "i", "i64": "q", "f64": "d", "s8": "b", "u8": "B",
                   "s16": "h", "u16": "H", "u32": "I"}


def _rt_signatures(ir):
    sigs = {"unreachable": ((), None), "memory_size": ((), ir.i32),
            "memory_grow": ((ir.i32,), ir.i32),
            "call_indirect_check": ((ir.i32, ir.i32), ir.i32)}
    for kind, fmt in _MEMORY_FORMATS.items():
        ty = {"d": ir.f64, "q": ir.i64, "I": ir.i64}.get(fmt, ir.i32)
        sigs["load_" + kind] = ((ir.i32, ir.i64), ty)
        sigs["store_" + kind] = ((ir.i32, ir.i64, ty), None)
    for bits, ty in ((32, ir.i32), (64, ir.i64)):
        for name in ("div_s", "div_u", "rem_s", "rem_u", "rotl", "rotr"):
            sigs["i%d_%s" % (bits, name)] = ((ty, ty), ty)
        for name in ("clz", "ctz", "popcnt"):
            sigs["i%d_%s" % (bits, name)] = ((ty,), ty)
        sigs["i%d_trunc_f64_s" % bits] = ((ir.f64,), ty)
        sigs["i%d_trunc_f64_u" % bits] = ((ir.f64,), ty)
    for name in ("div", "min", "max", "copysign"):
        sigs["f64_" + name] = ((ir.f64, ir.f64), ir.f64)
    for name in ("sqrt", "ceil", "floor", "trunc", "nearest", "abs"):
        sigs["f64_" + name] = ((ir.f64,), ir.f64)
    sigs["i64_reinterpret_f64"] = ((ir.f64,), ir.i64)
    sigs["f64_reinterpret_i64"] = ((ir.i64,), ir.f64)
    return sigs


# --- code generation: ppci's compiler with the unchecked parts rerouted ------------

def _make_compiler_class():
    from ppci import ir
    from ppci.wasm.wasm2ppci import WasmToIrCompiler

    signatures = _rt_signatures(ir)
    store_kinds = {"store": None, "store8": "u8", "store16": "u16", "store32": "i32"}
    load_kinds = {"load8_s": "s8", "load8_u": "u8", "load16_s": "s16",
                  "load16_u": "u16", "load32_s": "i32", "load32_u": "u32"}
    int_runtime = {"div_s", "div_u", "rem_s", "rem_u"}

    class CheckedCompiler(WasmToIrCompiler):
        """ppci's WASM -> IR compiler; memory, division and call_indirect go
        through our checked runtime functions; names are index-based so no
        export or import name can clash with the generated module's own."""

        def _rt(self, name, args, result_name):
            arg_types, ret = signatures[name]
            rt_name = "wasm_rt_" + name
            func = self._runtime_functions.get(rt_name)
            if func is None:
                if ret is None:
                    func = ir.ExternalProcedure(rt_name, list(arg_types))
                else:
                    func = ir.ExternalFunction(rt_name, list(arg_types), ret)
                self._runtime_functions[rt_name] = func
                self.builder.module.add_external(func)
            if ret is None:
                self.emit(ir.ProcedureCall(func, args))
                return None
            return self.emit(ir.FunctionCall(func, args, result_name, ret))

        def gen_import_definition(self, definition):
            if definition.kind != "func":
                raise NotImplementedError("%s import" % definition.kind)
            sig = self.wasm_types[definition.info[0].index]
            name = "wasm_import_%d" % len(self.functions)
            arg_types = [self.get_ir_type(p[1]) for p in sig.params]
            if len(sig.results) > 1:
                raise NotImplementedError("multi-value import")
            if sig.results:
                extern = ir.ExternalFunction(name, arg_types, self.get_ir_type(sig.results[0]))
            else:
                extern = ir.ExternalProcedure(name, arg_types)
            self.builder.module.add_external(extern)
            self.functions.append((extern, sig))

        def gen_export_definition(self, definition):
            pass        # exports are resolved by index in instantiate()

        def gen_func_definition(self, definition):
            signature = self.wasm_types[definition.ref.index]
            name = "wasm_func_%d" % len(self.functions)
            if len(signature.results) > 1:
                raise NotImplementedError("multi-value function")
            if signature.results:
                function = self.builder.new_function(
                    name, ir.Binding.GLOBAL, self.get_ir_type(signature.results[0]))
            else:
                function = self.builder.new_procedure(name, ir.Binding.GLOBAL)
            self.functions.append((function, signature))
            self.gen_functions.append((function, signature, definition))

        def gen_load(self, instruction):
            itype, load_op = instruction.opcode.split(".")
            ir_typ = self.get_ir_type(itype)
            offset = self.emit(ir.Const(instruction.args[1], "offset", ir.i64))
            base = self.pop_value(ir_typ=ir.i32)
            kind = itype if load_op == "load" else load_kinds[load_op]
            rt_ty = signatures["load_" + kind][1]
            value = self._rt("load_" + kind, [base, offset], "load")
            if rt_ty is not ir_typ:
                value = self.emit(ir.Cast(value, "casted_load", ir_typ))
            self.push_value(value)

        def gen_store(self, instruction):
            itype, store_op = instruction.opcode.split(".")
            ir_typ = self.get_ir_type(itype)
            value = self.pop_value(ir_typ=ir_typ)
            offset = self.emit(ir.Const(instruction.args[1], "offset", ir.i64))
            base = self.pop_value(ir_typ=ir.i32)
            kind = store_kinds[store_op] or itype
            want = signatures["store_" + kind][0][2]
            if value.ty is not want:
                value = self.emit(ir.Cast(value, "casted_value", want))
            self._rt("store_" + kind, [base, offset, value], None)

        def gen_binop(self, instruction):
            itype, opname = instruction.opcode.split(".")
            if (itype in ("i32", "i64") and opname in int_runtime) or \
                    (itype == "f64" and opname == "div"):
                ir_typ = self.get_ir_type(itype)
                b = self.pop_value(ir_typ=ir_typ)
                a = self.pop_value(ir_typ=ir_typ)
                self.push_value(self._rt("%s_%s" % (itype, opname), [a, b], "op_" + opname))
                return
            super().gen_binop(instruction)

        def gen_call_indirect_instruction(self, instruction):
            type_id = instruction.args[0].index
            index = self.pop_value(ir_typ=ir.i32)
            typeidx = self.emit(ir.Const(type_id, "typeidx", ir.i32))
            self.push_value(self._rt("call_indirect_check", [typeidx, index], "checked_index"))
            super().gen_call_indirect_instruction(instruction)

    return CheckedCompiler


# --- the instance ---------------------------------------------------------------

class PpciFunc(FuncBase):
    """An exported function of a ppci instance, callable like our Func."""

    __slots__ = ("type", "store", "instance", "index", "_fn", "_args", "_result", "direct")

    def __init__(self, store, functype, instance, index, fn):
        self.store = store
        self.type = functype
        self.instance = instance
        self.index = index
        self._fn = fn
        self._args = [_to_ppci(t) for t in functype.params]
        self._result = _to_raw(functype.results[0]) if functype.results else None
        # Called from tier 1 with the callee's depth: the wrapped generated
        # functions (_count_calls) count on from it in store.depth.
        self.direct = direct_adapter(self.run, store)

    def run(self, args):
        instance = self.instance
        stack = instance.stack
        if instance.active == 0:
            del stack[:]        # a trap leaves ppci's locals behind: drop them
        instance.active += 1
        try:
            result = self._fn(*[conv(a) for conv, a in zip(self._args, args)])
        except Trap as trap:
            if not trap.frames:
                trap.frames = instance.backtrace(trap.__traceback__)
            raise
        except (WasmError, ProcExit, RecursionError, MemoryError):
            raise
        except Exception as error:
            raise Trap(TrapKind.HOST, "ppci: %s: %s" % (type(error).__name__, error)) from error
        finally:
            instance.active -= 1
        if self._result is None:
            return []
        return [self._result(result)]

    @property
    def name(self):
        """The function's name from the name section, or None."""
        return self.instance.module.func_name(self.index)

    def describe(self):
        return "%s!%s" % (self.instance.module.name or "<module>",
                          self.name or "<wasm function %d>" % self.index)

    def __repr__(self):
        return "<PpciFunc %s %r>" % (self.describe(), self.type)


class PpciInstance(ModuleInstance):
    """A ModuleInstance whose functions are ppci's: ``exports`` maps names to
    PpciFunc or MemoryInstance objects; ``funcs`` holds the imported Func
    objects and the PpciFuncs; ``stack`` is ppci's stack for locals."""

    engine = "ppci"

    def __init__(self, module):
        super().__init__(module)
        self.stack = bytearray()
        self.active = 0
        self.namespace = None       # the generated module's globals

    def backtrace(self, traceback):
        """The guest functions a Python traceback passed through, innermost
        first, read from the generated functions' names (wasm_func_N)."""
        frames = []
        while traceback is not None:
            frame = traceback.tb_frame
            name = frame.f_code.co_name
            if frame.f_globals is self.namespace and name.startswith("wasm_func_"):
                frames.append(self.funcs[int(name[len("wasm_func_"):])])
            traceback = traceback.tb_next
        frames.reverse()
        return frames


def _import_callable(extern, functype, instance):
    """A Python callable for ppci's code that calls our Func with raw values."""
    if isinstance(extern, HostFunc):
        target = extern.bound_to(instance).run
    else:
        target = extern.call_raw
    to_raw = [_to_raw(t) for t in functype.params]
    if not functype.results:
        def call(*args):
            target([conv(a) for conv, a in zip(to_raw, args)])
        return call
    back = _to_ppci(functype.results[0])

    def call_with_result(*args):
        return back(target([conv(a) for conv, a in zip(to_raw, args)])[0])
    return call_with_result


def instantiate(store, module, externs):
    """Instantiate ``module`` through ppci.

    Raises:
        PpciUnsupported: ppci cannot run it (not installed, feature gate,
            metered store, or ppci failed to compile it); nothing has run.
        LinkError: an import does not match.
        Trap, ExhaustionError, ProcExit: from the start function.
    """
    from ..instantiate import _check_import
    from ..errors import LinkError

    reason = ppci_unavailable_reason()
    if reason is not None:
        raise PpciUnsupported(reason)
    if getattr(store, "metered", False):
        raise PpciUnsupported("fuel and timeouts cannot be metered in ppci's code")
    ok, reason = supports(module)
    if not ok:
        raise PpciUnsupported(reason)
    ast = module.ast
    if len(externs) != len(ast.imports):
        raise LinkError("unknown import: expected %d imports, got %d"
                        % (len(ast.imports), len(externs)))
    for imp, extern in zip(ast.imports, externs):
        _check_import(imp, extern, ast.types[imp.desc])

    try:
        with _quiet():
            namespace, function_names = _compile(module)
    except Exception as error:      # ppci's own failures: fall back
        raise PpciUnsupported("ppci failed to compile it: %s: %s"
                              % (type(error).__name__, error)) from error

    instance = PpciInstance(module)
    memory = MemoryInstance(store, ast.mems[0]) if ast.mems else None
    if memory is not None:
        instance.mems.append(memory)
        for data in ast.datas:      # supports() proved they fit
            offset = _const_i32(data.offset)
            memory.data[offset:offset + len(data.init)] = data.init
    functypes = [ast.types[imp.desc] for imp in ast.imports]
    functypes += [ast.types[func.typeidx] for func in ast.funcs]
    table = []
    if ast.tables:
        table = [None] * ast.tables[0].limits.min
        for elem in ast.elems:
            offset = _const_i32(elem.offset)
            for i, expr in enumerate(elem.init):
                table[offset + i] = expr[0][1]

    externals = {"wasm_rt_" + name: fn
                 for name, fn in _runtime(memory, table, functypes, ast.types).items()}
    for index, (extern, imp) in enumerate(zip(externs, ast.imports)):
        externals["wasm_import_%d" % index] = _import_callable(
            extern, ast.types[imp.desc], instance)
    run_init = _link(namespace, externals, instance)
    _count_calls(namespace, store)
    instance.namespace = namespace

    for index, name in enumerate(function_names):
        if index < len(ast.imports):
            instance.funcs.append(externs[index])
        else:
            instance.funcs.append(PpciFunc(store, functypes[index], instance, index,
                                           namespace[name]))
    for export in ast.exports:
        item = instance.funcs[export.index] if export.kind == "func" else memory
        dict.__setitem__(instance.exports, export.name, item)
    # Globals, the table and the start function run in ppci's _run_init.
    PpciFunc(store, _EMPTY_TYPE, instance, -1, run_init).call_raw([])
    return instance


_EMPTY_TYPE = FuncType([], [])


def _compile(module):
    """Our module -> ppci Module -> IR -> Python source -> a namespace."""
    import io
    from ppci import wasm
    from ppci.api import ir_to_python
    from ppci.arch.arch_info import TypeInfo
    from ppci.irutils import verify_module

    ppci_module = wasm.Module(bytes(module.ast.raw))
    ir_module = _compiler_class()(TypeInfo(4, 4)).generate(ppci_module)
    verify_module(ir_module)
    out = io.StringIO()
    ir_to_python([ir_module], out)
    namespace = {"__name__": "pywasi_interp_ppci_guest"}
    exec(compile(out.getvalue(), "<ppci>", "exec"), namespace)
    return namespace, list(ir_module._wasm_function_names)


_compiler = None


def _compiler_class():
    global _compiler
    if _compiler is None:
        _compiler = _make_compiler_class()
    return _compiler


def _link(namespace, externals, instance):
    """Wire ``externals`` into the generated module; return its _run_init."""
    namespace["_irpy_externals"].update(externals)
    _speed_up_python(namespace, instance)
    return namespace["_run_init"]


def _count_calls(namespace, store):
    """Route every call of a generated wasm function, direct (a global name)
    or indirect (``_irpy_func_pointers``), through a wrapper that counts it
    in ``store.depth`` against ``store.max_call_depth``, as the built-in
    tiers count theirs, so that deep recursion ends in ExhaustionError
    before it can overflow the C stack."""
    pointers = namespace["_irpy_func_pointers"]
    for position, fn in enumerate(pointers):
        if fn.__name__.startswith("wasm_func_"):
            pointers[position] = namespace[fn.__name__] = _counted(fn, store)


def _counted(fn, store):
    limit = store.max_call_depth

    def call(*args):
        depth = store.depth + 1
        if depth > limit:
            raise ExhaustionError("call stack exhausted")
        store.depth = depth
        try:
            return fn(*args)
        finally:
            store.depth = depth - 1
    return call


def _speed_up_python(namespace, instance):
    """Replace the generated module's stack and heap helpers (used for locals
    and globals only: linear memory goes through our runtime functions) with
    struct.unpack_from/pack_into versions, and free the stack in one slice
    instead of byte by byte."""
    stack = instance.stack
    heap = namespace["_irpy_heap"]
    heap_start = namespace["HEAP_START"]
    namespace["_irpy_stack"] = stack

    def alloca(amount):
        ptr = len(stack)
        if ptr + amount >= heap_start:
            # Stack addresses must stay below the heap's, or locals and
            # globals would alias.
            raise ExhaustionError("call stack exhausted")
        stack.extend(bytes(amount))
        return (ptr, amount)

    def free(amount):
        if amount:
            del stack[len(stack) - amount:]
    namespace["_irpy_alloca"] = alloca
    namespace["_irpy_free"] = free

    def helpers(fmt):
        layout = struct.Struct("<" + fmt)
        unpack_from, pack_into = layout.unpack_from, layout.pack_into

        def load(p):
            if p >= heap_start:
                return unpack_from(heap, p - heap_start)[0]
            return unpack_from(stack, p)[0]

        def store(v, p):
            if p >= heap_start:
                pack_into(heap, p - heap_start, v)
            else:
                pack_into(stack, p, v)
        return load, store

    for name, fmt in (("f64", "d"), ("f32", "f"), ("i64", "q"), ("u64", "Q"),
                      ("i32", "i"), ("u32", "I"), ("ptr", "i"), ("i16", "h"),
                      ("u16", "H"), ("i8", "b"), ("u8", "B")):
        if "load_" + name in namespace:
            namespace["load_" + name], namespace["store_" + name] = helpers(fmt)


# --- the Linker's entry point ---------------------------------------------------------

def try_instantiate(store, module, externs):
    """The ppci instance, or None after logging why ppci cannot run the
    module (the caller then uses the built-in engine).

    Raises:
        LinkError, Trap, ExhaustionError, ProcExit: as ``instantiate``.
    """
    try:
        return instantiate(store, module, externs)
    except PpciUnsupported as why:
        log.warning("ppci cannot run this module (%s): using the built-in engine", why)
        return None
