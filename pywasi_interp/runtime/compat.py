"""wasmtime-py call shapes, accepted alongside this runtime's own.

wasmtime-py passes the store first to most methods (``memory.read(store,
0, 4)``, ``table.get(store, 1)``, ``linker.define(store, "m", "n", x)``) and
calls some values that are attributes here (``memory.size(store)``).  Objects
here know their store, so the store argument is simply dropped, and the
attribute values are numbers that can also be called.
"""

__all__ = ["is_store", "drop_store", "CallableInt", "CallableFloat", "callable_value"]


def is_store(value):
    from .store import Store
    return isinstance(value, Store)


def drop_store(args):
    """``args`` without a leading Store."""
    if args and is_store(args[0]):
        return args[1:]
    return args


class CallableInt(int):
    """An int that also answers a call, as wasmtime's ``size(store)``."""

    def __call__(self, store=None):
        return int(self)


class CallableFloat(float):
    def __call__(self, store=None):
        return float(self)


def callable_value(value):
    """Numbers become callable (wasmtime's ``global.value(store)``);
    references stay as they are."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return CallableInt(value)
    if isinstance(value, float):
        return CallableFloat(value)
    return value
