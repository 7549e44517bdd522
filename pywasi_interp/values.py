"""How each value type is represented, and conversions at the API boundary.

Raw representation (inside the engine, host functions, ``call_raw``):

======== ===========================================================
i32/i64  unsigned int, masked to the width
f32      its 32-bit IEEE pattern as an int: signalling NaNs survive
f64      Python float (payload bits survive: no arithmetic touches them)
funcref  a function instance or None
externref any Python object, or None for null
======== ===========================================================

API representation (``Func.__call__``, ``Global.value``): i32/i64 as signed
ints (either signedness accepted as input), f32/f64 as floats.
"""

from . import numeric as N
from .types import ValType

__all__ = ["to_raw", "from_raw", "mask_raw", "default_raw"]

_MASKS = {ValType.I32: 0xFFFFFFFF, ValType.I64: 0xFFFFFFFFFFFFFFFF}
_BITS = {ValType.I32: 32, ValType.I64: 64}


def _check_int(t, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("%s value must be an int, not %s" % (t, type(value).__name__))
    bits = _BITS[t]
    if not -(1 << (bits - 1)) <= value < (1 << bits):
        raise ValueError("%d does not fit in %s" % (value, t))
    return value & _MASKS[t]


def to_raw(t, value):
    """API value -> raw value of type ``t``.  TypeError/ValueError on misuse."""
    if t in _MASKS:
        return _check_int(t, value)
    if t is ValType.F32 or t is ValType.F64:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError("%s value must be a float, not %s" % (t, type(value).__name__))
        return N.float_to_f32(float(value)) if t is ValType.F32 else float(value)
    if t is ValType.FUNCREF:
        from .runtime.func import FuncBase
        if value is not None and not isinstance(value, FuncBase):
            raise TypeError("funcref value must be a Func or None")
        return value
    if t is ValType.V128:
        if not isinstance(value, int) or not 0 <= value < (1 << 128):
            raise ValueError("v128 value must be an int in [0, 2**128)")
        return value
    return value        # externref: any object


def from_raw(t, raw):
    """Raw value -> API value."""
    if t is ValType.I32:
        return raw - (1 << 32) if raw & 0x80000000 else raw
    if t is ValType.I64:
        return raw - (1 << 64) if raw & 0x8000000000000000 else raw
    if t is ValType.F32:
        return N.f32_to_float(raw)
    return raw


def mask_raw(t, raw):
    """Check a raw value returned by a raw host function."""
    if t in _MASKS:
        if not isinstance(raw, int):
            raise TypeError("%s result must be an int" % t)
        return raw & _MASKS[t]
    if t is ValType.F32:
        return raw & 0xFFFFFFFF
    if t is ValType.F64:
        return float(raw)
    return raw


def default_raw(t):
    """The default (zero) value of a type: locals, table and global init."""
    if t is ValType.F64:
        return 0.0
    if t.is_ref:
        return None
    return 0
