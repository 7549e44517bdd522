"""Byte cursor over a module binary: width-checked LEB128 and names
(spec section "Binary Format" > "Values": integers, floating-point, names).

Two layers share one implementation:

* module-level functions ``read_*(data, pos) -> (value, new_pos)`` for the
  instruction decoder's hot loop, where a method call per immediate costs
  too much.  They let ``IndexError`` escape at end of input, because the hot
  loop converts it once around the whole body instead of checking every
  byte;
* ``Reader``, a cursor object for everything else, which turns end of input
  into ``DecodeError("unexpected end ...")``.

LEB128 is strict, as the spec's ``uN``/``sN`` grammar: at most
``ceil(N / 7)`` bytes ("integer representation too long") and the bits of
the last byte beyond ``N`` must be zero, or for signed integers copies of the
sign bit ("integer too large").
"""

import struct

from ..errors import DecodeError

__all__ = [
    "Reader", "UNEXPECTED_END", "read_uleb", "read_sleb", "read_u32",
    "read_s32", "read_s33", "read_s64", "read_u64", "read_length", "read_f32_bits",
    "read_f64", "unexpected_end",
]

# The reference interpreter words every end of input this way; the suite
# also expects the shorter "unexpected end", which this starts with.
UNEXPECTED_END = "unexpected end of section or function"
TOO_LONG = "integer representation too long"
TOO_LARGE = "integer too large"
LENGTH_OUT_OF_BOUNDS = "length out of bounds"
MALFORMED_UTF8 = "malformed UTF-8 encoding"

_F64 = struct.Struct("<d")


def unexpected_end(data):
    """The error for reading past the end of ``data``."""
    return DecodeError(UNEXPECTED_END, len(data))


def read_uleb(data, pos, bits):
    """Unsigned LEB128 of at most ``bits`` bits starting at ``pos``."""
    result = 0
    shift = 0
    last_shift = (bits - 1) // 7 * 7          # shift of the last allowed byte
    while True:
        b = data[pos]
        if shift == last_shift:
            # Last allowed byte: only (bits - shift) payload bits may be set,
            # and it must not ask for another byte.
            if (b & 0x7F) >> (bits - shift):
                raise DecodeError(TOO_LARGE, pos)
            if b & 0x80:
                raise DecodeError(TOO_LONG, pos + 1)
            return result | (b << shift), pos + 1
        result |= (b & 0x7F) << shift
        pos += 1
        if b < 0x80:
            return result, pos
        shift += 7


def read_sleb(data, pos, bits):
    """Signed LEB128 of at most ``bits`` bits, as a Python int (may be < 0)."""
    result = 0
    shift = 0
    last_shift = (bits - 1) // 7 * 7
    while True:
        b = data[pos]
        if shift == last_shift:
            # The unused high bits of the last byte, together with its sign
            # bit, must be all zeros or all ones.
            unused = (0x7F << (bits - shift - 1)) & 0x7F
            if b & unused not in (0, unused):
                raise DecodeError(TOO_LARGE, pos)
            if b & 0x80:
                raise DecodeError(TOO_LONG, pos + 1)
        result |= (b & 0x7F) << shift
        pos += 1
        shift += 7
        if b < 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos


# The fixed-width readers special-case one and two bytes (almost every
# index and most constants); no width check applies there, since every
# width here is at least 14 bits.

def read_u32(data, pos):
    b = data[pos]
    if b < 0x80:
        return b, pos + 1
    b2 = data[pos + 1]
    if b2 < 0x80:
        return (b & 0x7F) | (b2 << 7), pos + 2
    return read_uleb(data, pos, 32)


def _signed_reader(bits):
    def read(data, pos):
        b = data[pos]
        if b < 0x80:
            return (b ^ 0x40) - 0x40, pos + 1
        b2 = data[pos + 1]
        if b2 < 0x80:
            return (((b & 0x7F) | (b2 << 7)) ^ 0x2000) - 0x2000, pos + 2
        return read_sleb(data, pos, bits)
    read.__name__ = "read_s%d" % bits
    read.__qualname__ = read.__name__
    return read


read_s32 = _signed_reader(32)
read_s33 = _signed_reader(33)
read_s64 = _signed_reader(64)


def read_u64(data, pos):
    return read_uleb(data, pos, 64)


def read_length(data, pos):
    """A u32 length or vector count, at most the bytes left counting from
    where it starts (as the reference interpreter checks it), so that a
    huge count fails at once instead of after a long loop."""
    n, end = read_u32(data, pos)
    if n > len(data) - pos:
        raise DecodeError(LENGTH_OUT_OF_BOUNDS, pos)
    return n, end


def read_f32_bits(data, pos):
    """A 4-byte little-endian f32, kept as its bit pattern."""
    end = pos + 4
    if end > len(data):
        raise unexpected_end(data)
    return int.from_bytes(data[pos:end], "little"), end


def read_f64(data, pos):
    end = pos + 8
    if end > len(data):
        raise unexpected_end(data)
    return _F64.unpack_from(data, pos)[0], end


class Reader:
    """A cursor over ``data`` (bytes, bytearray or memoryview).

    ``pos`` is public: the decoder hands it to the ``read_*`` functions for
    instruction bodies and stores it back.  Every method raises DecodeError
    whose message starts with the spec's wording and carries a byte offset.
    """

    __slots__ = ("data", "pos", "end")

    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos
        self.end = len(data)

    def at_end(self):
        return self.pos >= self.end

    def error(self, message, offset=None):
        """A DecodeError at ``offset`` (default: the current position)."""
        return DecodeError(message, self.pos if offset is None else offset)

    def _leb(self, fn, *args):
        try:
            value, self.pos = fn(self.data, self.pos, *args)
        except IndexError:
            raise unexpected_end(self.data) from None
        return value

    def byte(self):
        """One raw byte.

        Raises: DecodeError.
        """
        pos = self.pos
        if pos >= self.end:
            raise unexpected_end(self.data)
        self.pos = pos + 1
        return self.data[pos]

    def uleb(self, bits):
        """An unsigned LEB128 of ``bits`` bits (e.g. 1 for limits flags).

        Raises: DecodeError.
        """
        return self._leb(read_uleb, bits)

    def u32(self):
        """Raises: DecodeError."""
        return self._leb(read_u32)

    def s32(self):
        """Raises: DecodeError."""
        return self._leb(read_s32)

    def s33(self):
        """Raises: DecodeError."""
        return self._leb(read_s33)

    def s64(self):
        """Raises: DecodeError."""
        return self._leb(read_s64)

    def u64(self):
        """Raises: DecodeError."""
        return self._leb(read_u64)

    def f32_bits(self):
        """Raises: DecodeError."""
        value, self.pos = read_f32_bits(self.data, self.pos)
        return value

    def f64(self):
        """Raises: DecodeError."""
        value, self.pos = read_f64(self.data, self.pos)
        return value

    def length(self):
        """A length or vector count (see read_length).

        Raises: DecodeError ("length out of bounds", ...).
        """
        return self._leb(read_length)

    def skip(self, n):
        """Advance ``n`` bytes; a negative ``n`` counts as running out.

        Raises: DecodeError.
        """
        if n < 0 or self.pos + n > self.end:
            raise unexpected_end(self.data)
        self.pos += n

    def bytes(self, n):
        """The next ``n`` bytes as a ``bytes`` object.

        Raises: DecodeError.
        """
        start = self.pos
        self.skip(n)
        return bytes(self.data[start:self.pos])

    def byte_vec(self):
        """vec(byte): a length then that many bytes.

        Raises: DecodeError.
        """
        return self.bytes(self.length())

    def name(self):
        """A name: vec(byte) holding strict UTF-8 (Python's strict decoder
        rejects overlong forms, surrogates and code points past U+10FFFF,
        exactly the encodings the spec excludes).

        Raises: DecodeError ("malformed UTF-8 encoding", ...).
        """
        start = self.pos
        raw = self.byte_vec()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError(MALFORMED_UTF8, start) from None
