"""Spec-script values: wast2json's JSON form <-> the runtime's raw values.

The JSON writes every number as the unsigned decimal string of its bit
pattern (floats too); an expected float may instead be ``nan:canonical`` or
``nan:arithmetic`` (spec "NaN Propagation").  The runtime's raw form
(``Func.call_raw``, ``Global.raw``) is: i32/i64 unsigned ints, f32 its 32-bit
pattern as an int, f64 a Python float, references an object or None.

Everything is compared on bit patterns, never on float values: -0.0 == 0.0
and NaN != NaN make float equality useless here.  Each scalar type is a
width plus a function turning a raw value into its bits, so a v128 (a
128-bit int whose lanes are checked with the same scalar rules) is just one
more row.
"""

import struct

__all__ = [
    "ScriptValueError", "ExternRef", "externref", "parse_arg", "parse_expected",
    "Expected", "format_raw", "format_values", "f64_from_bits", "f64_bits",
    "is_canonical_nan", "is_arithmetic_nan",
]


class ScriptValueError(ValueError):
    """A value in the script that the harness cannot represent."""


class ExternRef:
    """The host object standing for ``(ref.extern N)`` in a script.

    Equal and hash-equal by N; ``externref(N)`` also interns them, so a
    runtime comparing by identity sees the same object too.
    """

    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n

    def __eq__(self, other):
        return isinstance(other, ExternRef) and other.n == self.n

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(("ExternRef", self.n))

    def __repr__(self):
        return "ref.extern %d" % self.n


_EXTERNREFS = {}


def externref(n):
    """The (interned) ExternRef for ``(ref.extern n)``."""
    ref = _EXTERNREFS.get(n)
    if ref is None:
        ref = _EXTERNREFS[n] = ExternRef(n)
    return ref


# -- bit patterns -----------------------------------------------------------

_PACK_Q = struct.Struct("<Q")
_PACK_D = struct.Struct("<d")
_PACK_F = struct.Struct("<f")
_PACK_I = struct.Struct("<I")


def f64_from_bits(bits):
    """The Python float with this 64-bit pattern (f64 survives ``'d'``)."""
    return _PACK_D.unpack(_PACK_Q.pack(bits))[0]


def f64_bits(value):
    """The 64-bit pattern of a Python float."""
    return _PACK_Q.unpack(_PACK_D.pack(value))[0]


def _f32_display(bits):
    # Display only: struct 'f' may quiet a signalling NaN, so never feed
    # this back into a comparison.
    return repr(_PACK_F.unpack(_PACK_I.pack(bits))[0])


# Per float width: (sign mask, canonical NaN, quiet NaN with exponent).
# canonical: exponent all ones, payload exactly the top bit, either sign.
# arithmetic: exponent all ones, top payload bit set, either sign.
_NAN_BITS = {
    32: (0x7FFFFFFF, 0x7FC00000),
    64: (0x7FFFFFFFFFFFFFFF, 0x7FF8000000000000),
}


def is_canonical_nan(bits, width):
    abs_mask, canonical = _NAN_BITS[width]
    return bits & abs_mask == canonical


def is_arithmetic_nan(bits, width):
    canonical = _NAN_BITS[width][1]
    return bits & canonical == canonical


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _int_bits(width):
    limit = 1 << width

    def bits(raw):
        if _is_int(raw) and 0 <= raw < limit:
            return raw
        return None
    return bits


def _float_bits(raw):
    if isinstance(raw, float):
        return f64_bits(raw)
    return None


class _Scalar:
    """How one scalar type looks raw: its width, raw -> bits, bits -> raw."""

    __slots__ = ("name", "width", "is_float", "to_bits", "from_bits")

    def __init__(self, name, width, is_float, to_bits, from_bits):
        self.name = name
        self.width = width
        self.is_float = is_float
        self.to_bits = to_bits          # raw -> bits, or None if not this type
        self.from_bits = from_bits      # bits -> raw


def _identity(bits):
    return bits


SCALARS = {
    "i8": _Scalar("i8", 8, False, _int_bits(8), _identity),
    "i16": _Scalar("i16", 16, False, _int_bits(16), _identity),
    "i32": _Scalar("i32", 32, False, _int_bits(32), _identity),
    "i64": _Scalar("i64", 64, False, _int_bits(64), _identity),
    "f32": _Scalar("f32", 32, True, _int_bits(32), _identity),
    "f64": _Scalar("f64", 64, True, _float_bits, f64_from_bits),
}

# Lane types a v128 may be written with in the JSON (lane_type).
V128_LANES = ("i8", "i16", "i32", "i64", "f32", "f64")
NAN_PATTERNS = ("nan:canonical", "nan:arithmetic")


def _parse_bits(text, width, what):
    try:
        value = int(text, 10)
    except (TypeError, ValueError):
        raise ScriptValueError("bad %s literal %r" % (what, text))
    # wast2json writes unsigned patterns; mask anyway so a signed spelling
    # would still mean the same bits.
    return value & ((1 << width) - 1)


def _format_bits(scalar, bits):
    if scalar.name == "f32":
        return "f32:%s (0x%08x)" % (_f32_display(bits), bits)
    if scalar.name == "f64":
        return "f64:%r (0x%016x)" % (f64_from_bits(bits), bits)
    return "%s:%d" % (scalar.name, bits)


# -- v128 ---------------------------------------------------------------------

def _v128_lanes(value, lane_type):
    width = SCALARS[lane_type].width
    mask = (1 << width) - 1
    return [(value >> (i * width)) & mask for i in range(128 // width)]


def _v128_from_lanes(lanes, lane_type):
    width = SCALARS[lane_type].width
    value = 0
    for i, lane in enumerate(lanes):
        value |= lane << (i * width)
    return value


def _parse_v128(value_json):
    lane_type = value_json.get("lane_type")
    if lane_type not in V128_LANES:
        raise ScriptValueError("bad v128 lane type %r" % (lane_type,))
    lanes = value_json.get("value")
    width = SCALARS[lane_type].width
    if not isinstance(lanes, list) or len(lanes) != 128 // width:
        raise ScriptValueError("bad v128 lanes %r" % (lanes,))
    return lane_type, lanes


# -- arguments ----------------------------------------------------------------

def parse_arg(value_json):
    """The raw runtime value for one JSON argument ``{"type":..,"value":..}``.

    Raises:
        ScriptValueError: a type or literal the harness cannot build.
    """
    vtype = value_json.get("type")
    value = value_json.get("value")
    scalar = SCALARS.get(vtype)
    if scalar is not None and vtype in ("i32", "i64", "f32", "f64"):
        return scalar.from_bits(_parse_bits(value, scalar.width, vtype))
    if vtype == "externref":
        if value == "null":
            return None
        return externref(_parse_bits(value, 64, vtype))
    if vtype == "funcref":
        if value == "null":
            return None
        raise ScriptValueError("a non-null funcref argument cannot be built")
    if vtype == "v128":
        lane_type, lanes = _parse_v128(value_json)
        width = SCALARS[lane_type].width
        return _v128_from_lanes([_parse_bits(x, width, lane_type) for x in lanes], lane_type)
    raise ScriptValueError("unsupported argument type %r" % (vtype,))


# -- expected results -----------------------------------------------------------

class Expected:
    """One expected result: ``matches(raw)`` and a readable ``str()``."""

    __slots__ = ("type", "check", "text")

    def __init__(self, vtype, check, text):
        self.type = vtype
        self.check = check
        self.text = text

    def matches(self, raw):
        return self.check(raw)

    def __str__(self):
        return self.text

    __repr__ = __str__


def _bits_check(scalar, literal):
    """A predicate on a bit pattern of ``scalar`` for an expected literal."""
    width = scalar.width
    if literal == "nan:canonical" and scalar.is_float:
        return (lambda bits: is_canonical_nan(bits, width)), "%s:nan:canonical" % scalar.name
    if literal == "nan:arithmetic" and scalar.is_float:
        return (lambda bits: is_arithmetic_nan(bits, width)), "%s:nan:arithmetic" % scalar.name
    expected = _parse_bits(literal, width, scalar.name)
    return (lambda bits: bits == expected), _format_bits(scalar, expected)


def _scalar_expected(scalar, literal):
    bits_check, text = _bits_check(scalar, literal)
    to_bits = scalar.to_bits

    def check(raw):
        bits = to_bits(raw)
        return bits is not None and bits_check(bits)
    return Expected(scalar.name, check, text)


def _ref_expected(vtype, value):
    if value == "null":
        return Expected(vtype, lambda raw: raw is None, "%s:null" % vtype)
    if vtype == "externref" and value is not None:
        ref = externref(_parse_bits(value, 64, vtype))
        return Expected(vtype, lambda raw: raw is not None and raw == ref, "%s:%r" % (vtype, ref))
    # (ref.func) results and a bare (ref.extern): any non-null reference.
    return Expected(vtype, lambda raw: raw is not None, "%s:non-null" % vtype)


def _v128_expected(value_json):
    lane_type, lanes = _parse_v128(value_json)
    scalar = SCALARS[lane_type]
    checks = [_bits_check(scalar, lane) for lane in lanes]
    text = "v128:%sx%d[%s]" % (lane_type, len(lanes), " ".join(
        t.split(":", 1)[1] for _, t in checks))

    def check(raw):
        if not _is_int(raw) or not 0 <= raw < (1 << 128):
            return False
        got = _v128_lanes(raw, lane_type)
        return all(c(bits) for (c, _), bits in zip(checks, got))
    return Expected("v128", check, text)


def parse_expected(value_json):
    """An Expected for one JSON result ``{"type":..,"value":..}``.

    Raises:
        ScriptValueError: a type or literal the harness cannot check.
    """
    vtype = value_json.get("type")
    scalar = SCALARS.get(vtype)
    if scalar is not None and vtype in ("i32", "i64", "f32", "f64"):
        return _scalar_expected(scalar, value_json.get("value"))
    if vtype in ("externref", "funcref"):
        return _ref_expected(vtype, value_json.get("value"))
    if vtype == "v128":
        return _v128_expected(value_json)
    raise ScriptValueError("unsupported result type %r" % (vtype,))


def format_raw(vtype, raw):
    """A raw value as text, in the type the script expected (for reports)."""
    scalar = SCALARS.get(vtype)
    if scalar is not None:
        bits = scalar.to_bits(raw)
        if bits is None:
            return "%s:<not a raw %s: %r>" % (vtype, vtype, raw)
        return _format_bits(scalar, bits)
    if vtype == "v128":
        if _is_int(raw) and 0 <= raw < (1 << 128):
            return "v128:0x%032x" % raw
        return "v128:<not a raw v128: %r>" % (raw,)
    if raw is None:
        return "%s:null" % vtype
    return "%s:%r" % (vtype, raw)


def format_values(types, raws):
    """``[t:v, ...]`` for a result list; extra values are shown untyped."""
    parts = []
    for i, raw in enumerate(raws):
        parts.append(format_raw(types[i], raw) if i < len(types) else repr(raw))
    return "[%s]" % ", ".join(parts)
