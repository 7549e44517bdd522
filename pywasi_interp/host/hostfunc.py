"""Host functions: Python callables a guest can import.

A host function is declared once with ``@host_func(params, results)`` next
to its body.  It receives a ``Caller`` first, then its arguments in the
runtime's raw representation (i32/i64 as unsigned ints, f32 as its 32-bit
pattern, f64 as float, references as objects or None), and returns None,
one value, or a tuple of values (ints are masked to their width by the
runtime, so returning -1 for an i32 is fine).
"""

from ..types import FuncType

__all__ = ["host_func", "Caller"]


def host_func(params, results=()):
    """Decorator: declare the wasm signature of a host function."""
    functype = FuncType(params, results)

    def mark(fn):
        fn.wasm_type = functype
        return fn
    return mark


class Caller:
    """What a host function sees of the instance that called it."""

    __slots__ = ("instance",)

    def __init__(self, instance):
        self.instance = instance

    def get_export(self, name):
        """The calling instance's export ``name`` (a runtime object) or None."""
        if self.instance is None:
            return None
        return self.instance.exports.get(name)

    def get(self, name):
        """wasmtime's spelling of ``get_export``."""
        return self.get_export(name)

    def __getitem__(self, name):
        extern = self.get_export(name)
        if extern is None:
            raise KeyError(name)
        return extern

    @property
    def memory(self):
        """The caller's exported ``memory`` (a MemoryInstance) or None."""
        from ..runtime.memory import MemoryInstance
        mem = self.get_export("memory")
        return mem if isinstance(mem, MemoryInstance) else None
