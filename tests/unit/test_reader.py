"""Unit tests of binary/reader.py: strict LEB128, names, lengths, raw bytes."""

import pytest

from pywasi_interp.binary.reader import Reader
from pywasi_interp.errors import DecodeError

from wasm_builder import uleb, sleb, name


def read(method, data, *args):
    """Read one value; return it and the cursor position after it."""
    r = Reader(data)
    value = getattr(r, method)(*args)
    return value, r.pos


def error_of(method, data, *args):
    with pytest.raises(DecodeError) as info:
        read(method, data, *args)
    return info.value


# --- u32 ------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 624485,
                                   0x0FFFFFFF, 0x10000000, 0xFFFFFFFF])
def test_reader_u32_round_trips_minimal_encodings(value):
    encoded = uleb(value)
    assert read("u32", encoded) == (value, len(encoded))


def test_reader_u32_accepts_max_width_five_bytes():
    assert read("u32", b"\xff\xff\xff\xff\x0f") == (0xFFFFFFFF, 5)


def test_reader_u32_accepts_padded_non_minimal_encodings():
    assert read("u32", b"\x80\x00") == (0, 2)
    assert read("u32", b"\x80\x80\x80\x80\x00") == (0, 5)
    assert read("u32", b"\x83\x80\x80\x80\x00") == (3, 5)


def test_reader_u32_rejects_sixth_byte_as_too_long():
    err = error_of("u32", b"\x80\x80\x80\x80\x80\x00")
    assert str(err).startswith("integer representation too long")
    assert err.offset == 5


def test_reader_u32_rejects_unused_bits_of_last_byte():
    for last in (0x10, 0x1F, 0x40, 0x70):
        err = error_of("u32", b"\xff\xff\xff\xff" + bytes([last]))
        assert str(err).startswith("integer too large")
        assert err.offset == 4


def test_reader_u32_checks_unused_bits_before_continuation():
    # 0x90 has both an unused payload bit and the continuation bit.
    assert str(error_of("u32", b"\x80\x80\x80\x80\x90\x00")).startswith("integer too large")


def test_reader_u32_reports_truncation_as_unexpected_end():
    for data in (b"", b"\x80", b"\xff\xff\xff\xff"):
        err = error_of("u32", data)
        assert str(err).startswith("unexpected end")
        assert err.offset == len(data)


# --- signed ---------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 1, -1, 63, -64, 64, -65, 8191, -8192,
                                   8192, -8193, 2**31 - 1, -2**31])
def test_reader_s32_round_trips_minimal_encodings(value):
    encoded = sleb(value)
    assert read("s32", encoded) == (value, len(encoded))


def test_reader_s32_sign_extends_from_last_byte():
    assert read("s32", b"\x7f") == (-1, 1)
    assert read("s32", b"\x40") == (-64, 1)
    assert read("s32", b"\xff\x7f") == (-1, 2)
    assert read("s32", b"\x80\x80\x80\x80\x78") == (-2**31, 5)
    assert read("s32", b"\xff\xff\xff\xff\x07") == (2**31 - 1, 5)


def test_reader_s32_rejects_last_byte_not_sign_extension():
    for last in (0x08, 0x70, 0x1F, 0x4F):
        err = error_of("s32", b"\xff\xff\xff\xff" + bytes([last]))
        assert str(err).startswith("integer too large")


def test_reader_s32_rejects_too_long():
    assert str(error_of("s32", b"\xff\xff\xff\xff\xff\x7f")).startswith(
        "integer representation too long")
    assert str(error_of("s32", b"\x80\x80\x80\x80\x80\x00")).startswith(
        "integer representation too long")


def test_reader_s33_covers_blocktype_range():
    assert read("s33", sleb(2**32 - 1)) == (2**32 - 1, 5)
    assert read("s33", sleb(-2**32)) == (-2**32, 5)
    assert str(error_of("s33", b"\xff\xff\xff\xff\x2f")).startswith("integer too large")


@pytest.mark.parametrize("value", [0, -1, 2**63 - 1, -2**63, 2**40, -2**40])
def test_reader_s64_round_trips(value):
    encoded = sleb(value)
    assert read("s64", encoded) == (value, len(encoded))


def test_reader_s64_max_width_and_limits():
    ten = b"\xff" * 9
    assert read("s64", ten + b"\x7f") == (-1, 10)
    assert read("s64", ten + b"\x00") == (2**63 - 1, 10)
    assert str(error_of("s64", ten + b"\x01")).startswith("integer too large")
    assert str(error_of("s64", ten + b"\x7e")).startswith("integer too large")
    assert str(error_of("s64", ten + b"\xff\x7f")).startswith(
        "integer representation too long")


def test_reader_u64_max_width_and_limits():
    assert read("u64", b"\xff" * 9 + b"\x01") == (2**64 - 1, 10)
    assert str(error_of("u64", b"\xff" * 9 + b"\x02")).startswith("integer too large")
    assert str(error_of("u64", b"\x80" * 10 + b"\x00")).startswith(
        "integer representation too long")


def test_reader_signed_truncation_is_unexpected_end():
    for method in ("s32", "s33", "s64"):
        assert str(error_of(method, b"\x80\x80")).startswith("unexpected end")


# --- one-bit flags --------------------------------------------------------------

def test_reader_uleb1_is_single_byte_zero_or_one():
    assert read("uleb", b"\x00", 1) == (0, 1)
    assert read("uleb", b"\x01", 1) == (1, 1)
    assert str(error_of("uleb", b"\x02", 1)).startswith("integer too large")
    assert str(error_of("uleb", b"\x81\x00", 1)).startswith(
        "integer representation too long")


# --- bytes, lengths, names --------------------------------------------------------

def test_reader_byte_and_bytes_advance():
    r = Reader(b"\x01\x02\x03\x04")
    assert r.byte() == 1
    assert r.bytes(2) == b"\x02\x03"
    assert not r.at_end()
    r.skip(1)
    assert r.at_end()
    with pytest.raises(DecodeError, match="^unexpected end"):
        r.byte()


def test_reader_bytes_past_end_is_unexpected_end():
    with pytest.raises(DecodeError, match="^unexpected end"):
        Reader(b"\x01\x02").bytes(3)


def test_reader_skip_negative_is_unexpected_end():
    with pytest.raises(DecodeError, match="^unexpected end"):
        Reader(b"\x01\x02").skip(-1)


def test_reader_length_is_bounded_by_remaining_input():
    assert read("length", b"\x02ab") == (2, 1)
    # Counted from where the length starts, as the reference interpreter does.
    assert read("length", b"\x03ab") == (3, 1)
    err = error_of("length", b"\x04ab")
    assert str(err).startswith("length out of bounds")
    assert err.offset == 0


def test_reader_name_decodes_utf8():
    assert read("name", name("héllo \U0001F600")) == ("héllo \U0001F600", 12)
    assert read("name", b"\x00") == ("", 1)


@pytest.mark.parametrize("raw", [
    b"\x80",                  # lone continuation byte
    b"\xc0\x80",              # overlong NUL
    b"\xe0\x80\xaf",          # overlong '/'
    b"\xed\xa0\x80",          # UTF-16 surrogate U+D800
    b"\xf4\x90\x80\x80",      # beyond U+10FFFF
    b"\xc3",                  # truncated sequence
    b"\xff",
])
def test_reader_name_rejects_malformed_utf8(raw):
    err = error_of("name", bytes([len(raw)]) + raw)
    assert str(err).startswith("malformed UTF-8 encoding")
    assert err.offset == 0


def test_reader_name_longer_than_input_is_out_of_bounds():
    assert str(error_of("name", b"\x05abc")).startswith("length out of bounds")


def test_reader_floats_are_little_endian():
    assert read("f32_bits", b"\x00\x00\x80\x7f") == (0x7F800000, 4)
    assert read("f32_bits", b"\x01\x00\xa0\x7f") == (0x7FA00001, 4)  # sNaN bits kept
    assert read("f64", b"\x00\x00\x00\x00\x00\x00\xf0\x3f") == (1.0, 8)
    assert str(error_of("f32_bits", b"\x00\x00\x80")).startswith("unexpected end")
    assert str(error_of("f64", b"\x00" * 7)).startswith("unexpected end")


def test_reader_accepts_memoryview():
    r = Reader(memoryview(b"\xe5\x8e\x26\x03abc"))
    assert r.u32() == 624485
    assert r.name() == "abc"
    assert r.at_end()


def test_reader_error_message_includes_offset():
    err = error_of("u32", b"\xff\xff\xff\xff\x7f")
    assert "offset 4" in str(err)
