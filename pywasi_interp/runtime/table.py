"""Table instances (spec "Table Instances"): a Python list of references."""

from ..types import Limits, TableType

__all__ = ["TableInstance"]

MAX_TABLE = 2 ** 32 - 1


class TableInstance:
    """A table; ``elements`` is the live list (None for null)."""

    __slots__ = ("type", "elements", "max")

    def __init__(self, store, tabletype, init=None):
        self.type = tabletype
        limits = tabletype.limits
        self.max = MAX_TABLE if limits.max is None else limits.max
        self.elements = [init] * limits.min

    @property
    def size(self):
        return len(self.elements)

    def get(self, index):
        """The element at ``index``.  Raises IndexError when out of range."""
        if not 0 <= index < len(self.elements):
            raise IndexError("table index %d out of range" % index)
        return self.elements[index]

    def set(self, index, value):
        if not 0 <= index < len(self.elements):
            raise IndexError("table index %d out of range" % index)
        self.elements[index] = value

    def grow(self, delta, init=None):
        """Grow by ``delta`` entries set to ``init``; old size or -1."""
        old = len(self.elements)
        if old + delta > self.max or old + delta > 10_000_000:
            return -1       # the second bound: no guest may make the host allocate gigabytes
        self.elements.extend([init] * delta)
        self.type = TableType(self.type.elem_type, Limits(old + delta, self.type.limits.max))
        return old
