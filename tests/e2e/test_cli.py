"""The pywasi-interp command line (pywasi_interp/cli.py) run as a user
would: ``python -m pywasi_interp`` in a subprocess, on the benchmark guests
and the test guests, checking stdout, stderr and the exit status."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from sandbox_trees import make_escape_tree  # noqa: E402
GUESTS = os.path.join(ROOT, "tests", "guests")
BENCH = os.path.join(os.path.dirname(ROOT), "shared", "guests", "bench")
if not os.path.isdir(BENCH):
    BENCH = "/work/shared/guests/bench"

BENCH_EXPECTED = {
    "fib": "fib(25) = 75025\n",
    "sieve": "sieve(200000) = 17984 primes, sum 1709600813\n",
    "matmul": "matmul(48) = 16.9375 trace 2.9688\n",
    "sha256": "sha256(32768 x 1) = fd7b9bf2ba36382274565471c23a679e261b05c66247e20d912faa312fdf1fbe\n",
    "nbody": "nbody(5000) start -0.194211480\nnbody(5000) end -0.194208629\n",
    "mandel": "mandel(64,100) = 119806 iterations, 1014 inside\n",
    "int64": "int64(50000) = 9c1ced6cac3799a9 51e8c0516e494f49\n",
    "strmem": "strmem(800) = len 26446 hits 115 same 544 hash e8ab7445 nums e6b03d62\n",
}

# A module importing env::missing and calling it from _start.
UNKNOWN_IMPORT = bytes.fromhex(
    "0061736d01000000"
    "010401600000"
    "020f0103656e76076d697373696e670000"
    "03020100"
    "070a01065f737461727400 01".replace(" ", "")
    + "0a0601040010000b")
# () -> i32 whose body leaves nothing on the stack: invalid.
INVALID = bytes.fromhex("0061736d01000000" "010501600001 7f".replace(" ", "") + "03020100" + "0a040102000b")


def guest(name):
    return os.path.join(GUESTS, name + ".wasm")


def cli(*args, stdin=None, env=None, cwd=None, timeout=300):
    """(status, stdout, stderr) of ``python -m pywasi_interp ARGS``."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    proc = subprocess.run([sys.executable, "-m", "pywasi_interp"] + list(args),
                          input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=full_env, cwd=cwd or ROOT, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def assert_one_line_error(stderr):
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


@pytest.mark.skipif(not os.path.isdir(BENCH), reason="shared/guests/bench not found")
@pytest.mark.parametrize("name", sorted(BENCH_EXPECTED))
def test_cli_bench_guest_output(name):
    status, out, err = cli("run", os.path.join(BENCH, name + ".wasm"))
    assert (status, out, err) == (0, BENCH_EXPECTED[name], "")


@pytest.mark.skipif(not os.path.isdir(BENCH), reason="shared/guests/bench not found")
@pytest.mark.parametrize("engine", ["interp", "translate"])
@pytest.mark.parametrize("name", ["strmem", "int64"])
def test_cli_engine_choice_gives_same_output(engine, name):
    status, out, err = cli("run", "--engine", engine, os.path.join(BENCH, name + ".wasm"))
    assert (status, out, err) == (0, BENCH_EXPECTED[name], "")


def test_cli_shorthand_without_run():
    status, out, _err = cli(guest("wasi_misc"), "exit", "9")
    assert (status, out) == (9, "")


def test_cli_exit_status_is_proc_exit_code():
    assert cli("run", guest("wasi_misc"), "exit", "42")[0] == 42
    assert cli("run", guest("wasi_misc"), "stderr")[:3] == (3, "", "to stderr\n")


def test_cli_trap_prints_backtrace_with_names():
    status, out, err = cli("run", guest("trap"), "unreachable")
    assert status == 134
    assert out == "mode unreachable\n"
    assert "wasm backtrace" in err and "wasm trap: unreachable" in err
    lines = [line for line in err.splitlines() if "trap.wasm!" in line]
    names = [line.rsplit("!", 1)[1] for line in lines]
    assert names[:4] == ["innermost_trap", "middle", "outer", "main"]
    assert "Traceback" not in err


@pytest.mark.parametrize("mode,message", [
    ("oob", "out of bounds memory access"),
    ("div0", "integer divide by zero"),
    ("recurse", "call stack exhausted"),
])
def test_cli_trap_kinds(mode, message):
    status, _out, err = cli("run", guest("trap"), mode)
    assert status == 134
    assert message in err
    assert "Traceback" not in err


def test_cli_fuel_limit():
    status, _out, err = cli("run", "--fuel", "200000", guest("trap"), "spin")
    assert status == 134 and "all fuel consumed" in err


def test_cli_timeout_limit():
    status, _out, err = cli("run", "--timeout", "0.5", guest("trap"), "spin")
    assert status == 134 and "timeout" in err


def test_cli_max_memory_limit():
    status, out, _err = cli("run", "--max-memory", "8M", guest("trap"), "grow", "64")
    assert status == 0
    assert out.endswith("allocated 7 MiB\n")
    status, out, _err = cli("run", guest("trap"), "grow", "16")
    assert out.endswith("allocated 16 MiB\n")


def test_cli_invoke_prints_results():
    assert cli("run", "--invoke", "add", guest("trap"), "2", "3")[:2] == (0, "5\n")
    assert cli("run", "--invoke", "add", guest("trap"), "-7", "0x10")[:2] == (0, "9\n")
    assert cli("run", "--invoke", "mul64", guest("trap"), "4294967296", "3")[:2] == (0, "12884901888\n")
    assert cli("run", "--invoke", "half", guest("trap"), "5")[:2] == (0, "2.5\n")


def test_cli_invoke_errors():
    status, _out, err = cli("run", "--invoke", "add", guest("trap"), "2")
    assert status == 2
    assert_one_line_error(err)
    status, _out, err = cli("run", "--invoke", "nope", guest("trap"))
    assert status == 1 and "nope" in err
    status, _out, err = cli("run", "--invoke", "add", guest("trap"), "x", "1")
    assert status == 2
    assert_one_line_error(err)


def test_cli_env_grants(tmp_path):
    out = cli("run", guest("wasi_misc"), "portable")[1]
    assert "environ count: 0\n" in out
    out = cli("run", "--env", "GREETING=hello world", guest("wasi_misc"), "portable")[1]
    assert "getenv(GREETING): hello world\n" in out and "environ count: 1\n" in out
    out = cli("run", "--env", "GREETING", guest("wasi_misc"), "portable",
              env={"GREETING": "from host"})[1]
    assert "getenv(GREETING): from host\n" in out
    out = cli("run", "--inherit-env", guest("wasi_misc"), "portable", env={"GREETING": "inherited"})[1]
    assert "getenv(GREETING): inherited\n" in out
    out = cli("run", guest("wasi_misc"), "portable", env={"GREETING": "inherited"})[1]
    assert "getenv(GREETING): (unset)\n" in out


def test_cli_args_reach_guest():
    out = cli("run", guest("wasi_misc"), "portable", "--not-an-option", "two words")[1]
    assert "arg 2: --not-an-option\n" in out and "arg 3: two words\n" in out


def test_cli_dir_mapping(tmp_path):
    status, out, err = cli("run", "--dir", "%s::/sandbox" % tmp_path, guest("wasi_fs"), "portable")
    assert (status, err) == (0, "")
    assert "prestat name length matches: 1\n" in out and out.endswith("done\n")
    assert (tmp_path / "d" / "f.txt").exists()


def test_cli_escape_guest(tmp_path):
    sandbox = make_escape_tree(tmp_path)
    status, out, err = cli("run", "--dir", "%s::sandbox" % sandbox, guest("wasi_escape"))
    assert (status, err) == (0, "")
    with open(os.path.join(GUESTS, "wasi_escape.expected")) as f:
        assert out == f.read()
    assert sorted(os.listdir(str(tmp_path / "outside"))) == ["secret.txt"]
    assert sorted(os.listdir(str(tmp_path))) == ["outside", "sandbox"]


def test_cli_stdin_passes_through():
    data = b"abc\n" * 10000
    status, out, _err = cli("run", guest("wasi_misc"), "cat", stdin=data)
    assert status == 0 and out.encode() == data


def test_cli_unknown_import_is_link_error(tmp_path):
    path = tmp_path / "unknown.wasm"
    path.write_bytes(UNKNOWN_IMPORT)
    status, _out, err = cli("run", str(path))
    assert status == 1
    assert "env::missing" in err
    assert_one_line_error(err)
    status, _out, err = cli("run", "--unknown-imports", "trap", str(path))
    assert status == 134 and "unknown import" in err


def test_cli_validate(tmp_path):
    status, out, _err = cli("validate", guest("wasi_fs"))
    assert status == 0 and "valid" in out
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\0\0\0\x01\xff")
    status, _out, err = cli("validate", str(bad))
    assert status == 1 and "malformed" in err
    assert_one_line_error(err)
    invalid = tmp_path / "invalid.wasm"
    invalid.write_bytes(INVALID)
    status, _out, err = cli("validate", str(invalid))
    assert status == 1 and "invalid" in err
    assert_one_line_error(err)


def test_cli_inspect():
    status, out, _err = cli("inspect", guest("trap"))
    assert status == 0
    for fragment in ("sections:", "code", 'custom "name"', "imports (",
                     "wasi_snapshot_preview1::fd_write", "exports (", "func    add  (i32, i32) -> (i32)",
                     "memory 0 (defined): pages min", "table 0", "features used:"):
        assert fragment in out, fragment


def test_cli_bad_flags_one_line():
    for args in (["run", "--bogus", guest("trap")], ["run", "--fuel", "lots", guest("trap")],
                 ["run", "--max-memory", "-5", guest("trap")], ["run"],
                 ["run", "--dir", "::x", guest("trap")], ["inspect"]):
        status, _out, err = cli(*args)
        assert status == 2, args
        assert_one_line_error(err)


def test_cli_missing_module_file():
    status, _out, err = cli("run", "/nonexistent/x.wasm")
    assert status == 1 and "cannot read module" in err
    assert_one_line_error(err)


def test_cli_missing_preopen_dir():
    status, _out, err = cli("run", "--dir", "/nonexistent/dir", guest("trap"))
    assert status == 1 and "cannot preopen" in err
    assert_one_line_error(err)


def test_cli_help_reads_like_a_manual():
    status, out, _err = cli("--help")
    assert status == 0
    for fragment in ("run", "inspect", "validate", "examples:", "exit status"):
        assert fragment in out
    status, out, _err = cli("run", "--help")
    assert status == 0
    for fragment in ("--dir HOST[::GUEST]", "--env", "--inherit-env", "--invoke", "--fuel",
                     "--timeout", "--max-memory", "--unknown-imports", "Sandbox"):
        assert fragment in out


def test_cli_libc_guest(tmp_path):
    status, out, err = cli("run", "--dir", "%s::data" % tmp_path, guest("libc_fs"))
    assert (status, err) == (0, "")
    with open(os.path.join(GUESTS, "libc_fs.expected")) as f:
        assert out == f.read()
    assert sorted(os.listdir(str(tmp_path))) == ["notes.txt"]
