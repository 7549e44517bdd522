"""Table instances (spec "Table Instances"): a Python list of references."""

from ..errors import ExhaustionError
from ..types import Limits, TableType
from .compat import drop_store, CallableInt

__all__ = ["TableInstance"]

MAX_TABLE = 2 ** 32 - 1
# An implementation limit (wasmtime has one too): no module makes the host
# allocate a list of billions of entries.
MAX_ENTRIES = 10000000


class TableInstance:
    """A table; ``elements`` is the live list (None for null).  It is never
    replaced, only changed in place: translated code binds it once."""

    __slots__ = ("type", "elements", "max")

    def __init__(self, store, tabletype, init=None):
        """Raises ExhaustionError for a minimum over MAX_ENTRIES."""
        self.type = tabletype
        limits = tabletype.limits
        self.max = MAX_TABLE if limits.max is None else limits.max
        if limits.min > MAX_ENTRIES:
            raise ExhaustionError("table limit exceeded: %d entries needed, %d allowed"
                                  % (limits.min, MAX_ENTRIES))
        self.elements = [init] * limits.min

    @property
    def size(self):
        """Current size (also callable: ``size(store)``)."""
        return CallableInt(len(self.elements))

    def get(self, *args):
        """``get(index)`` or ``get(store, index)``: the element.

        Raises IndexError when out of range."""
        (index,) = drop_store(args)
        if not 0 <= index < len(self.elements):
            raise IndexError("table index %d out of range" % index)
        return self.elements[index]

    def set(self, *args):
        """``set(index, value)`` or ``set(store, index, value)``."""
        index, value = drop_store(args)
        if not 0 <= index < len(self.elements):
            raise IndexError("table index %d out of range" % index)
        self.elements[index] = value

    def grow(self, *args):
        """``grow(delta, init=None)`` or ``grow(store, delta, init)``: grow by
        ``delta`` entries set to ``init``; old size or -1."""
        args = drop_store(args)
        delta, init = args[0], (args[1] if len(args) > 1 else None)
        if delta < 0:
            raise ValueError("table.grow: negative delta %d" % delta)
        old = len(self.elements)
        if old + delta > self.max or old + delta > MAX_ENTRIES:
            return -1
        self.elements.extend([init] * delta)
        self.type = TableType(self.type.elem_type, Limits(old + delta, self.type.limits.max))
        return old
