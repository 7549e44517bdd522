"""The ``spectest`` host module that the official spec test suite imports.

Its contents are fixed by the suite (see the reference interpreter's
``spectest`` module): print functions that return nothing, four immutable
globals of value 666 / 666.6, a funcref table of 10 elements (maximum 20)
and a memory of 1 page (maximum 2).  Built only from the public embedding
API.
"""

from .. import Func, Global, Memory, Table
from ..types import (F32, F64, FUNCREF, I32, I64, FuncType, GlobalType, Limits,
                     MemoryType, TableType)

__all__ = ["MODULE_NAME", "create", "register"]

MODULE_NAME = "spectest"

_PRINT_FUNCS = (
    ("print", ()),
    ("print_i32", (I32,)),
    ("print_i64", (I64,)),
    ("print_f32", (F32,)),
    ("print_f64", (F64,)),
    ("print_i32_f32", (I32, F32)),
    ("print_f64_f64", (F64, F64)),
)

_GLOBALS = (
    ("global_i32", I32, 666),
    ("global_i64", I64, 666),
    ("global_f32", F32, 666.6),     # rounded to f32 by the runtime
    ("global_f64", F64, 666.6),
)


def _printer(name, params, output):
    if output is None:
        def print_(*args):
            return None
    else:
        def print_(*args):
            output("%s(%s)" % (name, ", ".join(
                "%r : %s" % (value, valtype) for value, valtype in zip(args, params))))
            return None
    print_.__name__ = name
    return print_


def create(store, output=None):
    """The spectest externs for ``store``, as {name: extern}.

    ``output``: None to print nothing, or a callable taking one line of text
    (``print``, ``list.append``) to record what the print functions receive.
    """
    externs = {}
    for name, params in _PRINT_FUNCS:
        externs[name] = Func(store, FuncType(params, ()), _printer(name, params, output))
    for name, valtype, value in _GLOBALS:
        externs[name] = Global(store, GlobalType(valtype, False), value)
    externs["table"] = Table(store, TableType(FUNCREF, Limits(10, 20)), None)
    externs["memory"] = Memory(store, MemoryType(Limits(1, 2)))
    return externs


def register(linker, store, output=None):
    """Define every spectest extern in ``linker`` under module "spectest".

    Returns the {name: extern} map (see ``create``).
    """
    externs = create(store, output)
    for name, extern in externs.items():
        linker.define(MODULE_NAME, name, extern)
    return externs
