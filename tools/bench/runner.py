"""Run one WASI command under one engine: the process the benchmark times.

    python tools/bench/runner.py --engine ENGINE GUEST.wasm [ARGS...]

ENGINE is one of:

* ``interp``, ``translate``, ``auto``: pywasi_interp with
  ``Store(engine=ENGINE)`` and its WASI host module (pywasi_interp must be
  importable: installed, or the project root on PYTHONPATH);
* ``wasmtime``: the wasmtime PyPI package (Cranelift JIT);
* ``wasmtime-fuel``: the same, counting fuel (instructions executed); the
  count goes to the report (below);
* ``pwasm-compile``, ``pwasm-interpret``, ``pwasm-auto``: pwasm in that
  mode, its on-disk code cache off (``PWASM_CACHE_DIR=""``), so every
  process compiles afresh like the others;
* ``pywasm``: pywasm's WASI preview 1.

The guest's argv is ``[GUEST, ARGS...]``; its stdout is this process's
stdout.  Exit status: the guest's exit code, 134 on a trap or engine error.

When the environment variable ``PYWASI_BENCH_REPORT`` names a file, a JSON
object is written there with the time spent in each phase (``load``:
import, decode and validate; ``instantiate``; ``run``: inside ``_start``),
and ``fuel`` for ``wasmtime-fuel``.

This file imports only the standard library and the engine it runs, and
runs on any interpreter the engines need (CPython 3.9+, PyPy), so the
benchmark can launch it from virtual environments that hold only a peer.
"""

import json
import os
import sys
import time

ENGINES = ("interp", "translate", "auto", "wasmtime", "wasmtime-fuel",
           "pwasm-compile", "pwasm-interpret", "pwasm-auto", "pywasm")
EXIT_ERROR = 134


class Phases:
    """Wall-clock marks of one run, written to the report file at the end."""

    def __init__(self):
        self.start = time.perf_counter()
        self.last = self.start
        self.data = {}

    def mark(self, name):
        now = time.perf_counter()
        self.data[name] = now - self.last
        self.last = now


def run_ours(tier, path, argv, phases):
    from pywasi_interp import Store, Module, Linker, ProcExit
    from pywasi_interp.host.wasi import register, WasiConfig
    module = Module.from_file(path)
    phases.mark("load")
    store = Store(engine=tier)
    linker = Linker()
    wasi = register(linker, WasiConfig(args=argv))
    try:
        instance = linker.instantiate(store, module)
        phases.mark("instantiate")
        try:
            instance.exports["_start"]()
            status = 0
        except ProcExit as exit_:
            status = exit_.code
        phases.mark("run")
    finally:
        sys.stdout.flush()
        wasi.close()
    return status


def run_wasmtime(path, argv, phases, count_fuel=False):
    import wasmtime
    config = wasmtime.Config()
    if count_fuel:
        config.consume_fuel = True
    engine = wasmtime.Engine(config)
    module = wasmtime.Module.from_file(engine, path)
    phases.mark("load")
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    budget = 1 << 62
    if count_fuel:
        store.set_fuel(budget)
    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    phases.mark("instantiate")
    status = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_:
        status = exit_.code
    phases.mark("run")
    if count_fuel:
        phases.data["fuel"] = budget - store.get_fuel()
    return status


def run_pwasm(mode, path, argv, phases):
    # Read at import time by pwasm.codegen: "" turns the disk cache off.
    os.environ["PWASM_CACHE_DIR"] = ""
    from pwasm.sandbox import Sandbox
    from pwasm.wasi import Exit
    out = sys.stdout.buffer

    def sink(data):
        out.write(data)

    sandbox = Sandbox(path, args=argv, mode=mode, initialize=False)
    sandbox.wasi.sinks[1] = sink
    phases.mark("instantiate")
    status = 0
    try:
        sandbox.call("_start")
    except Exit as exit_:
        status = exit_.code
    phases.mark("run")
    out.flush()
    return status


def run_pywasm(path, argv, phases):
    import pywasm
    runtime = pywasm.core.Runtime()
    wasi = pywasm.wasi.Preview1(argv, {}, {})
    wasi.bind(runtime)
    instance = runtime.instance_from_file(path)
    phases.mark("instantiate")
    status = wasi.main(runtime, instance)
    phases.mark("run")
    return status


def main(args):
    if len(args) < 3 or args[0] != "--engine" or args[1] not in ENGINES:
        sys.stderr.write("usage: runner.py --engine {%s} GUEST.wasm [ARGS...]\n"
                         % ",".join(ENGINES))
        return 2
    engine, path, guest_args = args[1], args[2], args[3:]
    argv = [path] + guest_args
    phases = Phases()
    try:
        if engine in ("interp", "translate", "auto"):
            status = run_ours(engine, path, argv, phases)
        elif engine.startswith("wasmtime"):
            status = run_wasmtime(path, argv, phases, engine == "wasmtime-fuel")
        elif engine.startswith("pwasm-"):
            status = run_pwasm(engine[len("pwasm-"):], path, argv, phases)
        else:
            status = run_pywasm(path, argv, phases)
    except Exception as error:          # any engine failure is one result
        sys.stdout.flush()
        sys.stderr.write("runner: %s: %s: %s\n" % (engine, type(error).__name__, error))
        return EXIT_ERROR
    report = os.environ.get("PYWASI_BENCH_REPORT")
    if report:
        with open(report, "w") as f:
            json.dump(phases.data, f)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
