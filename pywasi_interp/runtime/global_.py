"""Global instances (spec "Global Instances")."""

from .. import values
from .compat import callable_value, drop_store

__all__ = ["GlobalInstance"]


class GlobalInstance:
    """A global.  ``raw`` is the raw value the engine reads and writes;
    ``value`` the API form (signed ints, floats)."""

    __slots__ = ("type", "raw")

    def __init__(self, globaltype, raw):
        self.type = globaltype
        self.raw = raw

    @property
    def value(self):
        """The API value (numbers are also callable: ``value(store)``)."""
        return callable_value(values.from_raw(self.type.valtype, self.raw))

    @value.setter
    def value(self, value):
        """Raises ValueError for an immutable global, TypeError/ValueError
        for a value that does not fit its type."""
        if not self.type.mutable:
            raise ValueError("cannot set an immutable global")
        self.raw = values.to_raw(self.type.valtype, value)

    def set_value(self, *args):
        """wasmtime's ``set_value(store, value)``; same as ``value = ...``."""
        (self.value,) = drop_store(args)
