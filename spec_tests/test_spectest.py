"""The ``spectest`` host module has exactly what the official suite imports."""

import struct

from pywasi_interp import FuncType, Linker, Module, Store
from pywasi_interp.host import spectest
from pywasi_interp.types import F32, F64, FUNCREF, I32, I64


def test_spectest_globals_hold_666():
    externs = spectest.create(Store())
    assert externs["global_i32"].raw == 666
    assert externs["global_i64"].raw == 666
    assert externs["global_f32"].raw == struct.unpack("<I", struct.pack("<f", 666.6))[0]
    assert externs["global_f64"].raw == 666.6
    for name in ("global_i32", "global_i64", "global_f32", "global_f64"):
        assert not externs[name].type.mutable


def test_spectest_table_and_memory_limits():
    externs = spectest.create(Store())
    table, memory = externs["table"], externs["memory"]
    assert table.type.elem_type == FUNCREF
    assert (table.type.limits.min, table.type.limits.max) == (10, 20)
    assert table.size == 10 and table.get(0) is None
    assert (memory.type.limits.min, memory.type.limits.max) == (1, 2)
    assert memory.size == 1


def test_spectest_print_functions_types_and_output():
    lines = []
    externs = spectest.create(Store(), lines.append)
    expected_types = {
        "print": FuncType([], []),
        "print_i32": FuncType([I32], []),
        "print_i64": FuncType([I64], []),
        "print_f32": FuncType([F32], []),
        "print_f64": FuncType([F64], []),
        "print_i32_f32": FuncType([I32, F32], []),
        "print_f64_f64": FuncType([F64, F64], []),
    }
    for name, functype in expected_types.items():
        assert externs[name].type == functype
    assert externs["print_i32_f32"](1, 2.5) is None
    assert externs["print_i64"].call_raw([5]) == []
    assert lines == ["print_i32_f32(1 : i32, 2.5 : f32)", "print_i64(5 : i64)"]


def test_spectest_silent_by_default(capsys):
    externs = spectest.create(Store())
    externs["print_i32"](3)
    assert capsys.readouterr().out == ""


def _name(text):
    return bytes([len(text)]) + text.encode()


def _section(section_id, content):
    return bytes([section_id, len(content)]) + content


def test_spectest_register_defines_everything():
    store = Store()
    linker = Linker()
    externs = spectest.register(linker, store)
    assert sorted(externs) == sorted(
        ["print", "print_i32", "print_i64", "print_f32", "print_f64", "print_i32_f32",
         "print_f64_f64", "global_i32", "global_i64", "global_f32", "global_f64",
         "table", "memory"])
    # (module (import "spectest" "global_i64" (global i64))
    #         (import "spectest" "memory" (memory 1)) (export "g" (global 0)))
    imports = (b"\x02" + _name("spectest") + _name("global_i64") + b"\x03\x7e\x00"
               + _name("spectest") + _name("memory") + b"\x02\x00\x01")
    exports = b"\x01" + _name("g") + b"\x03\x00"
    binary = (b"\x00asm\x01\x00\x00\x00" + _section(2, imports) + _section(7, exports))
    instance = linker.instantiate(store, Module(binary))
    assert instance.exports["g"].raw == 666
