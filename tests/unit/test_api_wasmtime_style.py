"""Code written against wasmtime-py's API shapes runs unchanged where the
names match (a leading store argument, ValType.i32(), size(store), ...)."""

from pywasi_interp import (Engine, Store, Module, Linker, Func, Global, Table, FuncType,
                           GlobalType, TableType, Limits, ValType)

from test_api import importer


def test_wasmtime_style_module_linker_and_calls(tmp_path):
    engine = Engine()
    store = Store(engine)
    module = Module(engine, importer())
    path = tmp_path / "m.wasm"
    path.write_bytes(importer())
    assert Module.from_file(engine, str(path)).imports == module.imports
    Module.validate(engine, importer())
    Module(store.engine, importer())

    linker = Linker(engine)
    seen = []

    def f(caller, x):
        seen.append(caller.get("mem") is caller["mem"])
        return x + 1
    linker.define_func("env", "f", FuncType([ValType.i32()], [ValType.i32()]), f,
                       access_caller=True)
    g = Global(store, GlobalType(ValType.i32(), True), 10)
    linker.define(store, "env", "g", g)
    instance = linker.instantiate(store, module)
    exports = instance.exports(store)
    assert exports["call"](store, 5) == 16 and seen == [True]
    g.set_value(store, -1)
    assert g.value(store) == -1 and g.value == -1
    assert exports["call"](store, 5) == 5


def test_wasmtime_style_memory_and_table():
    store = Store()
    linker = Linker()
    linker.define_func("env", "f", FuncType([ValType.i32()], [ValType.i32()]), lambda x: x)
    linker.define(store, "env", "g", Global(store, GlobalType(ValType.i32(), True), 0))
    mem = linker.instantiate(store, Module(importer())).exports(store)["mem"]
    assert mem.size(store) == 1 and mem.size == 1 and mem.data_len(store) == 65536
    assert mem.write(store, b"abc", 10) == 3
    assert mem.read(store, 10, 13) == b"abc"
    assert mem.grow(store, 1) == 1 and mem.size(store) == 2

    table = Table(store, TableType(ValType.funcref(), Limits(2, None)), None)
    func = Func(store, FuncType([], []), lambda: None)
    assert table.size(store) == 2 and table.get(store, 0) is None
    table.set(store, 1, func)
    assert table.get(store, 1) is func and table.get(1) is func
    assert table.grow(store, 3, func) == 2 and table.size == 5 and table.get(4) is func
