"""A C guest built with SIMD (tests/guests/simd_dot.c: vectorised dot
products, a byte scan, auto-vectorised loops and a tour of the v128
instruction families) run through ``python -m pywasi_interp run`` under
every engine, compared with the ``wasmtime`` package when it is installed
(a test-only dependency) and always with the output recorded from it in
tests/guests/simd_dot.expected.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUEST = os.path.join(ROOT, "tests", "guests", "simd_dot.wasm")
EXPECTED = os.path.join(ROOT, "tests", "guests", "simd_dot.expected")

# Runs the guest under wasmtime-py with argv[0] only, output to stdout.
WASMTIME_RUNNER = r"""
import sys, wasmtime
engine = wasmtime.Engine()
linker = wasmtime.Linker(engine)
linker.define_wasi()
store = wasmtime.Store(engine)
config = wasmtime.WasiConfig()
config.argv = ["simd_dot"]
config.inherit_stdout()
store.set_wasi(config)
instance = linker.instantiate(store, wasmtime.Module.from_file(engine, sys.argv[1]))
try:
    instance.exports(store)["_start"](store)
except wasmtime.ExitTrap as exit_:
    sys.stdout.flush()
    sys.exit(exit_.code)
"""


def run_ours(engine):
    environ = dict(os.environ)
    environ["PYTHONPATH"] = ROOT + os.pathsep + environ.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "pywasi_interp", "run", "--engine", engine,
                           GUEST], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=environ, timeout=600)
    return proc.returncode, proc.stdout


def expected_output():
    with open(EXPECTED, "rb") as f:
        return f.read()


@pytest.mark.parametrize("engine", ["interp", "translate", "auto"])
def test_simd_guest_matches_recorded_output(engine):
    status, out = run_ours(engine)
    assert status == 0
    assert out.decode() == expected_output().decode()


def test_simd_guest_matches_wasmtime():
    pytest.importorskip("wasmtime")
    proc = subprocess.run([sys.executable, "-c", WASMTIME_RUNNER, GUEST],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == expected_output(), "wasmtime disagrees with simd_dot.expected"
    status, out = run_ours("auto")
    assert (status, out) == (0, proc.stdout)
