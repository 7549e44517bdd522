"""Linking and instance scope of wasi_experimental_http with hand-built modules.

Appendix A (link-time rule) and section 2.0 / decisions D1-D2 of
shared/spec/wasi-experimental-http-abi.md: a wrong signature or an unknown
name in the module is a link error; a subset of the imports links; an
instance without an exported ``memory`` gets 2 through the real engine; a
table is released when its instance dies.
"""

import gc
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "unit"))

import wasm_builder as w  # noqa: E402
from http_servers import AbiGuest, http_server  # noqa: E402,F401
from pywasi_interp import LinkError, Linker, Module, Store  # noqa: E402
from pywasi_interp.host.http import HttpConfig, register  # noqa: E402

I32 = w.I32[0]


def import_entry(field, typeidx):
    return w.name("wasi_experimental_http") + w.name(field) + b"\x00" + w.u32(typeidx)


def guest_module(imports, types, body=None, memory=False):
    """Imports (field, typeidx); one exported function ``run`` of type
    ``() -> i32`` (the last type) with ``body``."""
    run_type = len(types)
    sections = [w.section(w.TYPE, w.vec(types + [w.functype(b"", bytes([I32]))])),
                w.section(w.IMPORT, w.vec([import_entry(f, t) for f, t in imports])),
                w.section(w.FUNCTION, w.vec([w.u32(run_type)]))]
    exports = [w.name("run") + b"\x00" + w.u32(len(imports))]
    if memory:
        sections.append(w.section(w.MEMORY, w.vec([w.limits(1)])))
        exports.append(w.name("memory") + b"\x02" + w.u32(0))
    sections.append(w.section(w.EXPORT, w.vec(exports)))
    body = body if body is not None else w.i32_const(0) + w.END
    sections.append(w.section(w.CODE, w.vec([w.func_body(body)])))
    return Module(w.module(*sections))


REQ_TYPE = w.functype(bytes([I32]) * 10, bytes([I32]))
BODY_READ_TYPE = w.functype(bytes([I32]) * 4, bytes([I32]))
CLOSE_TYPE = w.functype(bytes([I32]), bytes([I32]))


@pytest.fixture
def linker():
    linker = Linker()
    host = register(linker, HttpConfig(allowed_hosts=["http://127.0.0.1"]))
    yield linker
    host.shutdown()


def test_link_wrong_signature_is_a_link_error(linker):
    module = guest_module([("req", 0)], [CLOSE_TYPE])
    with pytest.raises(LinkError):
        linker.instantiate(Store(), module)


def test_link_unknown_name_is_a_link_error(linker):
    module = guest_module([("request", 0)], [REQ_TYPE])
    with pytest.raises(LinkError):
        linker.instantiate(Store(), module)


def test_link_subset_of_imports(linker):
    # close(7) -> 0 from a guest importing only close
    body = w.i32_const(7) + w.op("call") + w.u32(0) + w.END
    instance = linker.instantiate(Store(), guest_module([("close", 0)], [CLOSE_TYPE], body))
    assert instance.exports["run"]() == 0


def test_guest_without_memory_export_gets_2(linker):
    body = (w.i32_const(0) * 4) + w.op("call") + w.u32(0) + w.END
    instance = linker.instantiate(Store(), guest_module([("body_read", 0)], [BODY_READ_TYPE],
                                                        body))
    assert instance.exports["run"]() == 2


def test_guest_with_memory_gets_1_for_unknown_handle(linker):
    body = (w.i32_const(5) + w.i32_const(0) * 3) + w.op("call") + w.u32(0) + w.END
    instance = linker.instantiate(Store(), guest_module([("body_read", 0)], [BODY_READ_TYPE],
                                                        body, memory=True))
    assert instance.exports["run"]() == 1


def test_negative_i32_arguments_are_unsigned(linker):
    # body_read(0, -1, 10, 0): buf_ptr 0xFFFFFFFF -> handle check first -> 1
    body = (w.i32_const(0) + w.i32_const(-1) + w.i32_const(10) + w.i32_const(0)
            + w.op("call") + w.u32(0) + w.END)
    instance = linker.instantiate(Store(), guest_module([("body_read", 0)], [BODY_READ_TYPE],
                                                        body, memory=True))
    assert instance.exports["run"]() == 1


def test_table_released_when_the_instance_dies(http_server):
    from pywasi_interp.host.http import HttpHost
    host = HttpHost(HttpConfig(allowed_hosts=[http_server.origin]))
    guest = AbiGuest(host)
    code, _, handle = guest.req(http_server.url("/bytes?n=10000000"))
    assert code == 0
    exchange = host._table(guest.caller).responses[handle].exchange
    del guest
    gc.collect()
    assert exchange._closed
    host.shutdown()
