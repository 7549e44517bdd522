"""pywasi_interp: a WebAssembly 2.0 runtime in pure Python, with WASI
preview 1 and the wasi_experimental_http host module.

The embedding API is documented in docs/embedding.md.
"""

from .errors import (WasmError, DecodeError, ValidationError, LinkError, Trap,
                     TrapKind, ExhaustionError, ProcExit)
from .types import (ValType, FuncType, Limits, TableType, MemoryType, GlobalType)
from .module import Module, ImportType, ExportType
from .link import Linker
from .runtime.store import Store, Engine
from .runtime.func import HostFunc
from .runtime.memory import MemoryInstance as Memory
from .runtime.table import TableInstance as Table
from .runtime.global_ import GlobalInstance
from .host.hostfunc import host_func, Caller
from .instantiate import instantiate as _instantiate
from . import values as _values

__version__ = "0.1.0"

__all__ = [
    "WasmError", "DecodeError", "ValidationError", "LinkError", "Trap",
    "TrapKind", "ExhaustionError", "ProcExit", "ValType", "FuncType",
    "Limits", "TableType", "MemoryType", "GlobalType", "Module", "ImportType",
    "ExportType", "Linker", "Store", "Engine", "Func", "Memory", "Table", "Global",
    "Instance", "Caller", "host_func", "__version__",
]


def Func(store, functype, fn, access_caller=False):
    """A host function receiving and returning API values."""
    return HostFunc(store, functype, fn, access_caller)


def Global(store, globaltype, value):
    """A global created by the embedder, initialised with an API value."""
    return GlobalInstance(globaltype, _values.to_raw(globaltype.valtype, value))


def Instance(store, module, imports):
    """Instantiate ``module`` with ``imports`` (externs in import order).

    Raises:
        LinkError, Trap: see Linker.instantiate.
    """
    return _instantiate(store, module, list(imports))
