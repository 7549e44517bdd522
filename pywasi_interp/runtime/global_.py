"""Global instances (spec "Global Instances")."""

from .. import values

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
        return values.from_raw(self.type.valtype, self.raw)

    @value.setter
    def value(self, value):
        """Raises ValueError for an immutable global, TypeError/ValueError
        for a value that does not fit its type."""
        if not self.type.mutable:
            raise ValueError("cannot set an immutable global")
        self.raw = values.to_raw(self.type.valtype, value)
