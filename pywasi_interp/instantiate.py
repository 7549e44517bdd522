"""Instantiation (spec "Instantiation"): allocation, import matching,
segment initialisation in order, then the start function.

Runtime objects report facts; here they become the spec's link errors and
traps.
"""

from .errors import LinkError, Trap, TrapKind
from .runtime.func import WasmFunc, HostFunc, FuncBase
from .runtime.global_ import GlobalInstance
from .runtime.instance import ModuleInstance
from .runtime.memory import MemoryInstance
from .runtime.table import TableInstance
from .engine.invoke import invoke

__all__ = ["instantiate", "extern_kind", "extern_type"]


def extern_kind(extern):
    """"func", "table", "memory" or "global" for a runtime object, else None."""
    if isinstance(extern, FuncBase):
        return "func"
    if isinstance(extern, TableInstance):
        return "table"
    if isinstance(extern, MemoryInstance):
        return "memory"
    if isinstance(extern, GlobalInstance):
        return "global"
    return None


def extern_type(extern):
    return extern.type


def _check_import(imp, extern, expected):
    kind = extern_kind(extern)
    where = "%s::%s" % (imp.module, imp.name)
    if kind != imp.kind:
        raise LinkError("incompatible import type for %s: expected %s, got %s"
                        % (where, imp.kind, kind or type(extern).__name__))
    actual = extern.type
    if kind == "func":
        ok = actual == expected
    elif kind == "table":
        ok = (actual.elem_type == expected.elem_type
              and actual.limits.matches(expected.limits))
    elif kind == "memory":
        ok = actual.limits.matches(expected.limits)
    else:
        ok = actual == expected
    if not ok:
        raise LinkError("incompatible import type for %s: expected %r, got %r"
                        % (where, expected, actual))


def _eval_const(expr, instance):
    """Evaluate a validated constant expression to a raw value."""
    op, imm, _ = expr[0]
    name = op.name
    if name == "global.get":
        return instance.globals[imm].raw
    if name == "ref.func":
        return instance.funcs[imm]
    if name == "ref.null":
        return None
    return imm          # i32/i64/f32/f64 constants are stored raw


def instantiate(store, module, externs):
    """Instantiate a validated Module with ``externs`` in import order.

    Raises:
        LinkError: an import is missing or does not match.
        Trap: a segment is out of bounds, or the start function trapped.
    """
    ast = module.ast
    if len(externs) != len(ast.imports):
        raise LinkError("unknown import: expected %d imports, got %d"
                        % (len(ast.imports), len(externs)))
    instance = ModuleInstance(module)
    for imp, extern in zip(ast.imports, externs):
        expected = ast.types[imp.desc] if imp.kind == "func" else imp.desc
        _check_import(imp, extern, expected)
        _add_import(instance, imp.kind, extern)
    _allocate(store, module, instance)
    _apply_segments(instance, ast)
    if ast.start is not None:
        invoke(instance.funcs[ast.start], [])
    return instance


def _add_import(instance, kind, extern):
    if kind == "func":
        if isinstance(extern, HostFunc):
            extern = extern.bound_to(instance)
        instance.funcs.append(extern)
    elif kind == "table":
        instance.tables.append(extern)
    elif kind == "memory":
        instance.mems.append(extern)
    else:
        instance.globals.append(extern)


def _allocate(store, module, instance):
    ast = module.ast
    first = len(instance.funcs)
    for offset, func in enumerate(ast.funcs):
        instance.funcs.append(WasmFunc(store, ast.types[func.typeidx], instance,
                                       first + offset, func, module.heights[offset]))
    for tabletype in ast.tables:
        instance.tables.append(TableInstance(store, tabletype))
    for memtype in ast.mems:
        instance.mems.append(MemoryInstance(store, memtype))
    for glob in ast.globals:
        instance.globals.append(GlobalInstance(glob.type, _eval_const(glob.init, instance)))
    instance.elems = [[_eval_const(expr, instance) for expr in elem.init]
                      for elem in ast.elems]
    instance.datas = [data.init for data in ast.datas]
    spaces = {"func": instance.funcs, "table": instance.tables,
              "memory": instance.mems, "global": instance.globals}
    for export in ast.exports:
        dict.__setitem__(instance.exports, export.name, spaces[export.kind][export.index])


def _apply_segments(instance, ast):
    """Active segments run as table.init/memory.init followed by a drop, in
    order; a trap leaves the earlier segments' writes in place (spec 2.0)."""
    for index, elem in enumerate(ast.elems):
        if elem.mode == "active":
            offset = _eval_const(elem.offset, instance)
            segment = instance.elems[index]
            elements = instance.tables[elem.table].elements
            if offset + len(segment) > len(elements):
                raise Trap(TrapKind.TABLE_OOB)
            elements[offset:offset + len(segment)] = segment
        if elem.mode != "passive":
            instance.elems[index] = ()
    for index, data in enumerate(ast.datas):
        if data.mode != "active":
            continue
        offset = _eval_const(data.offset, instance)
        mem = instance.mems[data.memory].data
        if offset + len(data.init) > len(mem):
            raise Trap(TrapKind.MEMORY_OOB)
        mem[offset:offset + len(data.init)] = data.init
        instance.datas[index] = b""
