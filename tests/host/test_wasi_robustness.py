"""No guest input makes a WASI function raise on the host: random
arguments (pointers, lengths, fds, flags, 64-bit values) to every preview 1
function return an errno, or ProcExit for proc_exit, and never anything
else.  Paths land in a temporary preopened directory."""

import io
import os
import random

import pytest

from pywasi_interp.errors import ProcExit
from pywasi_interp.host.wasi import WasiConfig, Preopen
from pywasi_interp.host.wasi.adapter import REGISTRY, bind
from pywasi_interp.host.wasi.context import WasiContext
from pywasi_interp.types import ValType

MEMORY_SIZE = 2 * 65536


class _Memory:
    def __init__(self):
        self.data = bytearray(MEMORY_SIZE)


class _Caller:
    def __init__(self):
        self.memory = _Memory()


def _value(rng, valtype):
    bits = 32 if valtype == ValType.I32 else 64
    pick = rng.random()
    if pick < 0.35:
        return rng.randrange(0, 16)                      # small: fds, flags, enums
    if pick < 0.6:
        return rng.randrange(0, MEMORY_SIZE)             # in-bounds pointer
    if pick < 0.7:
        return MEMORY_SIZE - rng.randrange(0, 64)        # near the end
    if pick < 0.85:
        return (1 << bits) - 1 - rng.randrange(0, 256)  # huge / "negative"
    return rng.randrange(0, 1 << bits)


# poll_oneoff may legitimately sleep as long as the guest asks: left out.
FUNCTIONS = [fn for fn in REGISTRY if fn.__name__ != "poll_oneoff"]


@pytest.mark.parametrize("seed", range(4))
def test_wasi_random_arguments_never_raise(tmp_path, seed):
    rng = random.Random(seed)
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "file").write_bytes(b"x" * 100)
    (sandbox / "dir").mkdir()
    config = WasiConfig(args=["guest", "a"], env=[("K", "V")],
                        preopens=[Preopen(str(sandbox), "/sandbox")],
                        stdin=io.BytesIO(b"input"), stdout=io.BytesIO(), stderr=io.BytesIO())
    ctx = WasiContext(config)
    caller = _Caller()
    names = [b"file", b"dir", b"new", b"dir/x", b"../up", b"/abs", b"link", b"file/"]
    try:
        for _ in range(3000):
            fn = rng.choice(FUNCTIONS)
            data = caller.memory.data
            # Plant path-like strings so that path calls reach the disk.
            name = rng.choice(names)
            data[0:len(name)] = name
            args = [_value(rng, t) for t in fn.wasm_type.params]
            if rng.random() < 0.3 and len(args) >= 3:
                args[1], args[2] = 0, len(name)
            call = bind(fn, ctx)
            try:
                result = call(caller, *args)
            except ProcExit:
                assert fn.__name__ == "proc_exit"
                continue
            if fn.wasm_type.results:
                assert isinstance(result, int) and 0 <= result <= 76, (fn.__name__, args, result)
    finally:
        ctx.close()
    # Nothing escaped the preopened directory.
    assert os.listdir(str(tmp_path)) == ["sandbox"]
