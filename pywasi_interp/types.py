"""Types of the WebAssembly 2.0 structure: value, function, limits, table,
memory and global types (spec section "Types").
"""

import enum

__all__ = [
    "ValType", "FuncType", "Limits", "TableType", "MemoryType", "GlobalType",
    "PAGE_SIZE", "MAX_PAGES", "I32", "I64", "F32", "F64", "V128", "FUNCREF",
    "EXTERNREF",
]

PAGE_SIZE = 65536
MAX_PAGES = 65536          # 4 GiB of 32-bit address space


class ValType(enum.Enum):
    """A value type; the value is its binary encoding byte."""

    I32 = 0x7F
    I64 = 0x7E
    F32 = 0x7D
    F64 = 0x7C
    V128 = 0x7B
    FUNCREF = 0x70
    EXTERNREF = 0x6F

    # wasmtime-py spells value types as constructors: ValType.i32().
    @staticmethod
    def i32():
        return ValType.I32

    @staticmethod
    def i64():
        return ValType.I64

    @staticmethod
    def f32():
        return ValType.F32

    @staticmethod
    def f64():
        return ValType.F64

    @staticmethod
    def v128():
        return ValType.V128

    @staticmethod
    def funcref():
        return ValType.FUNCREF

    @staticmethod
    def externref():
        return ValType.EXTERNREF

    @property
    def is_ref(self):
        return self in (ValType.FUNCREF, ValType.EXTERNREF)

    @property
    def is_num(self):
        return self in (ValType.I32, ValType.I64, ValType.F32, ValType.F64)

    def __repr__(self):
        return self.name.lower()

    __str__ = __repr__


I32, I64, F32, F64, V128 = ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF


class FuncType:
    """A function type: parameter and result value types (tuples)."""

    __slots__ = ("params", "results", "_hash")

    def __init__(self, params, results):
        self.params = tuple(params)
        self.results = tuple(results)
        self._hash = hash((self.params, self.results))

    def __eq__(self, other):
        return (isinstance(other, FuncType) and self.params == other.params
                and self.results == other.results)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return "FuncType(%s -> %s)" % (list(self.params), list(self.results))


class Limits:
    """Limits of a memory or table: ``min`` and an optional ``max``."""

    __slots__ = ("min", "max")

    def __init__(self, min, max=None):
        self.min = min
        self.max = max

    def matches(self, other):
        """Import subtyping: self (the provided limits) fits within other."""
        if self.min < other.min:
            return False
        if other.max is None:
            return True
        return self.max is not None and self.max <= other.max

    def __eq__(self, other):
        return isinstance(other, Limits) and (self.min, self.max) == (other.min, other.max)

    def __repr__(self):
        return "Limits(%r, %r)" % (self.min, self.max)


class TableType:
    __slots__ = ("elem_type", "limits")

    def __init__(self, elem_type, limits):
        self.elem_type = elem_type
        self.limits = limits

    def __repr__(self):
        return "TableType(%r, %r)" % (self.elem_type, self.limits)


class MemoryType:
    __slots__ = ("limits",)

    def __init__(self, limits):
        self.limits = limits

    def __repr__(self):
        return "MemoryType(%r)" % (self.limits,)


class GlobalType:
    __slots__ = ("valtype", "mutable")

    def __init__(self, valtype, mutable):
        self.valtype = valtype
        self.mutable = mutable

    def __eq__(self, other):
        return (isinstance(other, GlobalType) and self.valtype == other.valtype
                and self.mutable == other.mutable)

    def __repr__(self):
        return "GlobalType(%r, mutable=%r)" % (self.valtype, self.mutable)
