"""Real C guests (tests/guests/*.c, built by tools/build_guests.py) running
every WASI preview 1 function through the embedding API, on real files in
temporary directories: expected outputs, errno cases, escape attempts, and
what the host's file system looks like afterwards."""

import io
import os
import pathlib
import struct
import sys

import pytest

from pywasi_interp import Linker, Module, ProcExit, Store
from pywasi_interp.host.wasi import FUNCTION_NAMES, Preopen, WasiConfig, register

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from sandbox_trees import make_escape_tree  # noqa: E402

GUESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "guests")


def guest_path(name):
    return os.path.join(GUESTS, name + ".wasm")


def expected(name):
    with open(os.path.join(GUESTS, name + ".expected")) as f:
        return f.read()


def run_guest(name, args=(), preopens=(), env=(), stdin=b""):
    """(exit status, stdout, stderr) of a guest run in-process."""
    out, err = io.BytesIO(), io.BytesIO()
    config = WasiConfig(args=[name + ".wasm"] + list(args), env=env, preopens=preopens,
                        stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    linker = Linker()
    wasi = register(linker, config)
    try:
        instance = linker.instantiate(Store(), Module.from_file(guest_path(name)))
        try:
            instance.exports["_start"]()
            status = 0
        except ProcExit as exit_:
            status = exit_.code
    finally:
        wasi.close()
    return status, out.getvalue().decode(), err.getvalue().decode()


def snapshot(path):
    """{relative path: (kind, content or link target, mtime)} of a tree."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(str(path)):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, str(path))
            st = os.lstat(full)
            if os.path.islink(full):
                result[rel] = ("link", os.readlink(full), None)
            elif os.path.isdir(full):
                result[rel] = ("dir", None, None)
            else:
                with open(full, "rb") as f:
                    result[rel] = ("file", f.read(), st.st_mtime_ns)
    return result


def wasm_imports(path):
    """Names imported from wasi_snapshot_preview1 by a module."""
    return {imp.name for imp in Module.from_file(path).imports
            if imp.module == "wasi_snapshot_preview1"}


def test_wasi_guests_cover_every_function():
    used = set()
    for name in ("wasi_fs", "wasi_escape", "wasi_misc"):
        used |= wasm_imports(guest_path(name))
    assert sorted(used) == list(FUNCTION_NAMES)


def test_wasi_guest_fs_every_fd_and_path_function(tmp_path):
    status, out, err = run_guest("wasi_fs", preopens=[Preopen(str(tmp_path), "sandbox")])
    assert (status, err) == (0, "")
    assert out == expected("wasi_fs")
    # What the guest did is on the host's disk.
    assert (tmp_path / "d" / "f.txt").stat().st_size == 64
    assert (tmp_path / "d" / "moved").is_dir()
    assert sorted(os.listdir(str(tmp_path / "r"))) == ["a", "b", "c"]
    assert (tmp_path / "nowhere").is_file()
    assert os.readlink(str(tmp_path / "dangling")) == "nowhere"
    assert not (tmp_path / "d" / "hard2").exists()
    assert not (tmp_path / "newdir").exists()


def test_wasi_guest_escape_attempts_all_fail(tmp_path):
    sandbox = make_escape_tree(tmp_path)
    outside_before = snapshot(tmp_path / "outside")
    status, out, err = run_guest("wasi_escape", preopens=[Preopen(str(sandbox), "sandbox")])
    assert (status, err) == (0, "")
    assert out == expected("wasi_escape")
    assert "SECRET" not in out
    # Nothing outside the sandbox was created, changed or removed.
    assert sorted(os.listdir(str(tmp_path))) == ["outside", "sandbox"]
    assert snapshot(tmp_path / "outside") == outside_before
    assert (sandbox / "file.txt").read_text() == "inside\n"
    assert not (sandbox / "abslink").exists()


def test_wasi_guest_misc_args_env_clocks_poll_sock(tmp_path):
    status, out, err = run_guest("wasi_misc", args=["a", "b c"],
                                 env=[("GREETING", "hi"), ("B", "2")])
    assert (status, err) == (0, "")
    assert out == expected("wasi_misc")


def test_wasi_guest_environment_holds_only_grants():
    status, out, _err = run_guest("wasi_misc", args=["portable"])
    assert status == 0
    assert "environ count: 0\n" in out
    assert "getenv(GREETING): (unset)\n" in out
    assert "argc: 2\n" in out


@pytest.mark.parametrize("code", [0, 1, 7, 255])
def test_wasi_guest_proc_exit_status(code):
    status, out, _err = run_guest("wasi_misc", args=["exit", str(code)])
    assert (status, out) == (code, "")


def test_wasi_guest_stdin_to_stdout():
    payload = b"".join(b"line %d\n" % i for i in range(2000))
    status, out, err = run_guest("wasi_misc", args=["cat"], stdin=payload)
    assert (status, err) == (0, "")
    assert out.encode() == payload


def test_wasi_guest_stderr_and_exit_code():
    status, out, err = run_guest("wasi_misc", args=["stderr"])
    assert (status, out, err) == (3, "", "to stderr\n")


def test_wasi_guest_no_preopen_sees_nothing():
    status, out, _err = run_guest("wasi_fs", args=["portable"])
    assert status == 0
    assert out.startswith("prestat_get(3): 8\n")
    assert "mkdir d: 8\n" in out


def test_wasi_register_bad_preopen_is_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot preopen"):
        register(Linker(), WasiConfig(preopens=[Preopen(str(tmp_path / "missing"), "x")]))


def test_wasi_config_default_grants_nothing():
    config = WasiConfig()
    assert (config.args, config.env, config.preopens) == ((), (), ())
    with pytest.raises(AttributeError):
        config.args = ("x",)


def test_wasi_config_is_an_immutable_value():
    out = io.BytesIO()
    config = WasiConfig(args=["g", 1], env={"K": "V"}, preopens=[("/srv", "data")], stdout=out)
    # lists, dicts and pairs are stored as the tuples and Preopens they stand for
    assert config.args == ("g", "1") and config.env == (("K", "V"),)
    assert config.preopens == (Preopen("/srv", "data"),)
    same = WasiConfig(("g", "1"), [("K", "V")], [Preopen("/srv", "data")], stdout=out)
    assert config == same and hash(config) == hash(same)
    assert config != WasiConfig(args=("g", "1"))
    changed = config.replace(args=("h",))
    assert changed.args == ("h",) and changed.env == config.env and config.args == ("g", "1")
    assert "args=('h',)" in repr(changed) and "Preopen(host_path='/srv'" in repr(changed)
    with pytest.raises(AttributeError):
        del config.env
    with pytest.raises(TypeError, match="no field argv"):
        config.replace(argv=())
    for bad in ({"A=B": "x"}, [("A\0", "x")]):
        with pytest.raises(ValueError, match="invalid environment variable name"):
            WasiConfig(env=bad)
    with pytest.raises(ValueError):
        WasiConfig(preopens=[("/srv", "data", "extra")])


def test_wasi_readdir_cookies_survive_many_entries(tmp_path):
    """fd_readdir over 300 entries through the embedding API directly."""
    for i in range(300):
        (tmp_path / ("f%03d" % i)).write_text("")
    from pywasi_interp.host.wasi import fd as wasi_fd
    from pywasi_interp.host.wasi.context import WasiContext

    class Mem:
        data = bytearray(65536)

    class FakeCaller:
        memory = Mem()

    ctx = WasiContext(WasiConfig(preopens=[Preopen(str(tmp_path), "d")]))
    try:
        names, cookie = [], 0
        for _ in range(1000):
            assert wasi_fd.fd_readdir(ctx, FakeCaller, 3, 0, 100, cookie, 200) is None
            used = struct.unpack_from("<I", Mem.data, 200)[0]
            pos = 0
            while pos + 24 <= used:
                d_next, _ino, namlen, _type = struct.unpack_from("<QQIB", Mem.data, pos)
                if pos + 24 + namlen > used:
                    break
                names.append(bytes(Mem.data[pos + 24:pos + 24 + namlen]).decode())
                cookie = d_next
                pos += 24 + namlen
            if used < 100:
                break
        assert sorted(names) == sorted([".", ".."] + ["f%03d" % i for i in range(300)])
    finally:
        ctx.close()
