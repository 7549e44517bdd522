"""The embedding API (docs/embedding.md): errors, linking, externs, values."""

import pytest

from pywasi_interp import (Module, Linker, Store, Instance, Func, Global, Memory,
                           FuncType, GlobalType, MemoryType, Limits, ValType,
                           DecodeError, LinkError, Trap, TrapKind, ProcExit)

from wasm_builder import (
    I32, TYPE, IMPORT, FUNCTION, MEMORY, EXPORT, CODE, op,
    END, section, vec, u32, name, functype, limits, module, func_body,
)


def importer():
    """Imports env.f: (i32) -> i32 and env.g (mutable i32 global); exports
    "call" calling f on its argument plus g, and "mem"."""
    body = op("local.get") + u32(0) + op("call") + u32(0) + op("global.get") + u32(0) + op("i32.add") + END
    return module(
        section(TYPE, vec([functype(I32, I32)])),
        section(IMPORT, vec([name("env") + name("f") + b"\x00" + u32(0),
                             name("env") + name("g") + b"\x03" + I32 + b"\x01"])),
        section(FUNCTION, vec([u32(0)])),
        section(MEMORY, vec([limits(1, 2)])),
        section(EXPORT, vec([name("call") + b"\x00" + u32(1), name("mem") + b"\x02" + u32(0)])),
        section(CODE, vec([func_body(body)])))


def test_api_module_rejects_malformed_with_offset():
    with pytest.raises(DecodeError) as info:
        Module(b"\x00asm\x02\x00\x00\x00")
    assert str(info.value).startswith("unknown binary version")
    assert info.value.offset is not None
    with pytest.raises(TypeError):
        Module("not bytes")


def test_api_module_lists_imports_and_exports():
    mod = Module(importer())
    assert [(i.module, i.name, i.kind) for i in mod.imports] == [("env", "f", "func"),
                                                                 ("env", "g", "global")]
    assert mod.imports[0].type == FuncType([ValType.I32], [ValType.I32])
    assert [(e.name, e.kind) for e in mod.exports] == [("call", "func"), ("mem", "memory")]


def test_api_linker_names_missing_import():
    with pytest.raises(LinkError, match="^unknown import: env::f"):
        Linker().instantiate(Store(), Module(importer()))


def test_api_linker_checks_import_types():
    linker = Linker()
    store = Store()
    linker.define_func("env", "f", FuncType([ValType.I64], [ValType.I32]), lambda x: 0)
    linker.define("env", "g", Global(store, GlobalType(ValType.I32, True), 1))
    with pytest.raises(LinkError, match="^incompatible import type for env::f"):
        linker.instantiate(store, Module(importer()))


def test_api_host_function_values_and_globals():
    store = Store()
    seen = []
    g = Global(store, GlobalType(ValType.I32, True), 5)

    def f(x):
        seen.append(x)
        return x * 2

    instance = Instance(store, Module(importer()),
                        [Func(store, FuncType([ValType.I32], [ValType.I32]), f), g])
    assert instance.exports["call"](-4) == -3          # signed at the API
    assert seen == [-4]
    g.value = -10
    assert instance.exports(store)["call"](store, 1) == -8
    assert g.raw == 0xFFFFFFF6
    frozen = Global(store, GlobalType(ValType.F32, False), 1.5)
    assert frozen.value == 1.5
    with pytest.raises(ValueError):
        frozen.value = 2.0


def test_api_host_exceptions_become_traps():
    store = Store()
    linker = Linker()

    def boom(x):
        raise KeyError("nope")
    linker.define_func("env", "f", FuncType([ValType.I32], [ValType.I32]), boom)
    linker.define("env", "g", Global(store, GlobalType(ValType.I32, True), 0))
    exports = linker.instantiate(store, Module(importer())).exports
    with pytest.raises(Trap) as info:
        exports["call"](1)
    assert info.value.kind is TrapKind.HOST and "KeyError" in str(info.value)


def test_api_proc_exit_passes_through_host_functions():
    store = Store()
    linker = Linker()

    def leave(x):
        raise ProcExit(x)
    linker.define_func("env", "f", FuncType([ValType.I32], [ValType.I32]), leave)
    linker.define("env", "g", Global(store, GlobalType(ValType.I32, True), 0))
    exports = linker.instantiate(store, Module(importer())).exports
    with pytest.raises(ProcExit) as info:
        exports["call"](3)
    assert info.value.code == 3


def test_api_memory_access_and_growth():
    store = Store(max_memory=2 * 65536)
    mem = Memory(store, MemoryType(Limits(1, 4)))
    mem.write(10, b"abc")
    assert mem.read(10, 3) == b"abc" and mem.data[11:12] == b"b"
    with pytest.raises(Trap, match="^out of bounds memory access"):
        mem.read(65535, 2)
    with pytest.raises(Trap):
        mem.write(65535, b"xy")
    assert mem.data[65535] == 0                      # nothing half-written
    assert mem.grow(1) == 1 and mem.size == 2
    assert mem.grow(1) == -1                          # the store's cap


def test_api_exports_are_read_only_and_args_checked():
    store = Store()
    linker = Linker()
    linker.define_func("env", "f", FuncType([ValType.I32], [ValType.I32]), lambda x: x)
    linker.define("env", "g", Global(store, GlobalType(ValType.I32, True), 0))
    exports = linker.instantiate(store, Module(importer())).exports
    with pytest.raises(TypeError):
        exports["x"] = 1
    with pytest.raises(TypeError):
        exports["call"]()
    with pytest.raises(ValueError):
        exports["call"](2 ** 32)
    with pytest.raises(ValueError):
        linker.define_func("env", "f", FuncType([], []), lambda: None)


def test_api_huge_table_is_a_clean_error():
    from pywasi_interp import ExhaustionError
    from wasm_builder import TABLE
    binary = module(section(TABLE, vec([b"\x70" + limits(2 ** 32 - 1)])))
    with pytest.raises(ExhaustionError, match="^table limit exceeded"):
        Linker().instantiate(Store(), Module(binary))
