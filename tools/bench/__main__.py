"""``python -m tools.bench``: pywasi_interp against its peers (issue 5).

    python -m tools.bench [--size default|large] [--engines a,b,...]
                          [--runs N] [--timeout S] [--only fib,calls,...]
                          [--json OUT] [--smoke] [--no-install]

(``python tools/bench`` works too.)  Runs the eight guests of
../shared/guests/bench and the WAT
micro-workloads of tools/bench/wat, each in a fresh process of
tools/bench/runner.py, under every engine (see engines.py), interleaved:
for each of N runs, for each workload, for each engine, one run, so that
machine noise hits all engines alike.  Every run's stdout is checked
against the expected output.

Per workload and engine it prints the median whole-process wall time, the
median time inside ``_start`` (as the runner measured it), peak RSS, M
instr/s (wasm instructions executed, as wasmtime fuel counts them, per
second of whole-process time) and the ratio of the engine's time to ours
(the fastest pywasi_interp tier on CPython) and to ours on PyPy; then
geometric means over the eight guests (and separately the micro-workloads)
and the acceptance targets of issue 5.

``--smoke`` (what CI runs): one run at the default size under ours-interp
and ours-translate, outputs checked.  Exit status 1 when one of our engines
gives a wrong output or fails (a peer's failure is only reported).

At ``--size large`` an engine is skipped for a workload when its default
size time, scaled by the instruction ratio, predicts more than
``--timeout``; default size times are cached (with fuel counts) in
~/.cache/pywasi_interp/bench-cache.json, and measured once when missing.
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

if __package__ in (None, ""):
    # ``python tools/bench``: make ``tools.bench`` importable.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    __package__ = "tools.bench"

from tools.bench import engines as engines_mod           # noqa: E402
from tools.bench.suite import ROOT, SIZES, guests, micro_workloads, default_guest_dir  # noqa: E402

CACHE_FILE = os.path.join(os.path.dirname(engines_mod.VENV_DIR), "bench-cache.json")
# Bytecode of every engine's Python code, so that no engine pays for
# compiling its own source in the timed runs, whatever PYTHONDONTWRITEBYTECODE
# says (pip installs peers with .pyc files; a source checkout may have none).
PYCACHE_DIR = os.path.join(os.path.dirname(engines_mod.VENV_DIR), "bench-pycache")
DEFAULT_TIMEOUT = 600.0


# --- one run ---------------------------------------------------------------

class RunResult:
    """One process: status ("ok", "wrong", "error", "timeout"), measures."""

    def __init__(self, status, seconds, maxrss_kb, stdout, detail, phases, cpu=None):
        self.status = status
        self.seconds = seconds
        self.cpu = cpu          # user + system CPU seconds of the child
        self.maxrss_kb = maxrss_kb
        self.stdout = stdout
        self.detail = detail
        self.phases = phases


def run_once(engine, path, args, expect, timeout):
    """Run ``path args`` under ``engine`` once, timed, and check stdout."""
    env = dict(os.environ)
    env.update(engine.env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE_DIR
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        report = os.path.join(tmp, "report.json")
        env["PYWASI_BENCH_REPORT"] = report
        out_path = os.path.join(tmp, "stdout")
        err_path = os.path.join(tmp, "stderr")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            killed = []
            start = time.perf_counter()
            proc = subprocess.Popen(engine.command(path, args), stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=err, env=env, cwd=ROOT)

            def kill():
                killed.append(True)
                proc.kill()

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                # wait4, not wait: the child's own rusage (peak RSS).
                _, status, rusage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(
                os, "waitstatus_to_exitcode") else (status >> 8)
        with open(out_path, "rb") as f:
            stdout = f.read().decode("utf-8", "replace")
        with open(err_path, "rb") as f:
            stderr = f.read().decode("utf-8", "replace")
        phases = {}
        if os.path.exists(report):
            try:
                with open(report) as f:
                    phases = json.load(f)
            except ValueError:
                phases = {}
    maxrss_kb = rusage.ru_maxrss
    cpu = rusage.ru_utime + rusage.ru_stime
    if sys.platform == "darwin":
        maxrss_kb //= 1024
    lines = tuple(stdout.rstrip("\n").split("\n")) if stdout else ()
    if killed:
        return RunResult("timeout", seconds, maxrss_kb, stdout, "killed after %g s" % timeout,
                         phases, cpu)
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-1:] or [""]
        return RunResult("error", seconds, maxrss_kb, stdout,
                         "exit status %d: %s" % (proc.returncode, tail[0][:200]), phases, cpu)
    if expect is not None and lines != tuple(expect):
        return RunResult("wrong", seconds, maxrss_kb, stdout,
                         "got %r, expected %r" % ("\n".join(lines)[:300], "\n".join(expect)),
                         phases, cpu)
    return RunResult("ok", seconds, maxrss_kb, stdout, "", phases, cpu)


# --- cache of fuel counts and default-size times ------------------------------

def load_cache():
    try:
        with open(CACHE_FILE) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    cache.setdefault("fuel", {})
    cache.setdefault("times", {})
    cache.setdefault("cpu", {})
    return cache


def save_cache(cache):
    try:
        os.makedirs(os.path.dirname(CACHE_FILE), exist_ok=True)
        tmp = CACHE_FILE + ".%d.tmp" % os.getpid()
        with open(tmp, "w") as f:
            json.dump(cache, f, indent=1, sort_keys=True)
        os.replace(tmp, CACHE_FILE)
    except OSError:
        pass


def workload_key(workload, size):
    with open(workload.path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    return "%s:%s:%s" % (workload.name, digest, " ".join(workload.args[size]))


def instruction_count(workload, size, cache, fuel_engine, log):
    """wasm instructions executed (wasmtime fuel), measured once and cached."""
    key = workload_key(workload, size)
    if key in cache["fuel"]:
        return cache["fuel"][key]
    if fuel_engine is not None:
        log("counting instructions of %s %s with wasmtime fuel" % (workload.name, size))
        result = run_once(fuel_engine, workload.path, workload.args[size],
                          workload.expect[size], DEFAULT_TIMEOUT)
        fuel = result.phases.get("fuel") if result.status == "ok" else None
        if fuel:
            cache["fuel"][key] = fuel
            save_cache(cache)
            return fuel
    return workload.instructions.get(size)


# --- statistics --------------------------------------------------------------

def median(values):
    values = sorted(values)
    n = len(values)
    if n == 0:
        return None
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


class Cell:
    """All runs of one engine on one workload."""

    def __init__(self):
        self.runs = []
        self.skipped = ""       # why the engine was not run, if it was not
        self.median = None
        self.run_median = None
        self.cpu_median = None
        self.peak_mb = None
        self.mips = None
        self.ratio_ours = None
        self.ratio_pypy = None

    def failure(self):
        for run in self.runs:
            if run.status != "ok":
                return run
        return None

    def finish(self, instructions):
        ok = [run for run in self.runs if run.status == "ok"]
        if not ok or self.failure() is not None:
            return
        self.median = median([run.seconds for run in ok])
        inner = [run.phases["run"] for run in ok if "run" in run.phases]
        self.run_median = median(inner) if inner else None
        self.cpu_median = median([run.cpu for run in ok])
        self.peak_mb = max(run.maxrss_kb for run in ok) / 1024.0
        if instructions:
            self.mips = instructions / self.median / 1e6

    def status(self):
        if self.skipped:
            return "skipped"
        failure = self.failure()
        if failure is not None:
            return failure.status
        return "ok" if self.runs else "not run"

    def as_json(self):
        failure = self.failure()
        return {"status": self.status(), "skipped": self.skipped or None,
                "detail": failure.detail if failure else None,
                "times": [round(run.seconds, 4) for run in self.runs],
                "run_times": [round(run.phases["run"], 4) for run in self.runs
                              if "run" in run.phases],
                "cpu_times": [round(run.cpu, 4) for run in self.runs],
                "median": self.median, "run_median": self.run_median,
                "cpu_median": self.cpu_median,
                "peak_rss_mb": self.peak_mb, "mips": self.mips,
                "ratio_to_ours": self.ratio_ours, "ratio_to_ours_pypy": self.ratio_pypy}


# --- the benchmark ---------------------------------------------------------------

def best_of(cells, engines, family, attr="median"):
    """(engine name, time) of the fastest engine of a family, or (None, None).

    ``attr``: "median" (wall) or "cpu_median".
    """
    best = (None, None)
    for engine in engines:
        if engine.family != family:
            continue
        value = getattr(cells[engine.name], attr)
        if value is not None and (best[1] is None or value < best[1]):
            best = (engine.name, value)
    return best


def predict_skips(workloads, engines, size, timeout, cache, instructions, log, args):
    """At the large size: skip (engine, workload) pairs predicted too slow."""
    skips = {}
    if size != "large":
        return skips
    for workload in workloads:
        small = instructions[(workload.name, "default")]
        large = instructions[(workload.name, "large")]
        scale = (large / small) if small and large else 100.0
        for engine in engines:
            key = "%s|%s" % (engine.name, workload_key(workload, "default"))
            seconds = cache["times"].get(key)
            if seconds is None:
                log("probe: %s at default size under %s" % (workload.name, engine.name))
                result = run_once(engine, workload.path, workload.args["default"],
                                  workload.expect["default"], min(timeout, args.probe_timeout))
                if result.status == "timeout":
                    seconds = float("inf")
                elif result.status == "ok":
                    seconds = result.seconds
                    cache["times"][key] = seconds
                    save_cache(cache)
                else:
                    continue
            predicted = seconds * scale
            if predicted > timeout:
                skips[(engine.name, workload.name)] = (
                    "predicted %.0f s at this size (%.2f s at default x %.0f) > timeout %g s"
                    % (predicted, seconds, scale, timeout))
    return skips


def warm_up(engines, log):
    """One untimed tiny run per engine: fills the bytecode cache."""
    calls = next(wl for wl in micro_workloads() if wl.name == "calls")
    for engine in engines:
        result = run_once(engine, calls.path, ["10"], None, DEFAULT_TIMEOUT)
        log("warm-up %-20s %.2f s %s" % (engine.name, result.seconds, result.status))


def run_benchmark(workloads, engines, size, runs, timeout, instructions, skips, log):
    warm_up(engines, log)
    cells = {(w.name, e.name): Cell() for w in workloads for e in engines}
    for (engine_name, workload_name), reason in skips.items():
        cells[(workload_name, engine_name)].skipped = reason
    for r in range(runs):
        for workload in workloads:
            for engine in engines:
                cell = cells[(workload.name, engine.name)]
                if cell.skipped or cell.failure() is not None:
                    continue
                result = run_once(engine, workload.path, workload.args[size],
                                  workload.expect[size], timeout)
                cell.runs.append(result)
                log("run %d/%d  %-9s %-20s %8.2f s  %s%s"
                    % (r + 1, runs, workload.name, engine.name, result.seconds, result.status,
                       (": " + result.detail) if result.detail else ""))
    for workload in workloads:
        row = {e.name: cells[(workload.name, e.name)] for e in engines}
        for cell in row.values():
            cell.finish(instructions.get((workload.name, size)))
        _, ours = best_of(row, engines, "ours")
        _, ours_pypy = best_of(row, engines, "ours-pypy")
        for cell in row.values():
            if cell.median is not None:
                cell.ratio_ours = cell.median / ours if ours else None
                cell.ratio_pypy = cell.median / ours_pypy if ours_pypy else None
    return cells


def fmt(value, spec, width):
    if value is None:
        return "-".rjust(width)
    return format(value, spec).rjust(width)


def print_tables(workloads, engines, size, runs, cells, instructions, out):
    w = out.write
    w("\nsize %s, %d interleaved run(s); times are whole-process wall seconds (median);\n"
      "'cpu s' the median user+system CPU seconds of the process, 'run s' the median\n"
      "time inside _start (as the runner measured it); ratios are engine time / ours\n"
      "(ours = fastest pywasi_interp tier on CPython; ours-pypy = fastest on PyPy)\n"
      % (size, runs))
    for workload in workloads:
        row = {e.name: cells[(workload.name, e.name)] for e in engines}
        best, _ = best_of(row, engines, "ours")
        best_pypy, _ = best_of(row, engines, "ours-pypy")
        count = instructions.get((workload.name, size))
        w("\n%s %s  (%s wasm instructions; ours = %s, ours-pypy = %s)\n" % (
            workload.name, " ".join(workload.args[size]) or "(no args)",
            ("%.2f M" % (count / 1e6)) if count else "?", best or "-", best_pypy or "-"))
        w("  %-20s %9s %8s %8s %8s %10s %8s %10s\n" % (
            "engine", "median s", "cpu s", "run s", "peak MB", "M instr/s", "/ours", "/ours-pypy"))
        for engine in engines:
            cell = row[engine.name]
            status = cell.status()
            if status != "ok":
                why = cell.skipped or (cell.failure().detail if cell.failure() else "")
                w("  %-20s %s%s\n" % (engine.name, status.upper(), (": " + why) if why else ""))
                continue
            w("  %-20s %s %s %s %s %s %s %s\n" % (
                engine.name, fmt(cell.median, ".3f", 9), fmt(cell.cpu_median, ".3f", 8),
                fmt(cell.run_median, ".3f", 8),
                fmt(cell.peak_mb, ".1f", 8), fmt(cell.mips, ".2f", 10),
                fmt(cell.ratio_ours, ".2f", 8), fmt(cell.ratio_pypy, ".2f", 10)))


def summarise(workloads, engines, cells, kind):
    """Geometric means over the workloads of one kind, per engine."""
    chosen = [wl for wl in workloads if wl.kind == kind]
    summary = {}
    names = [e.name for e in engines] + ["ours", "ours-pypy"]
    for name in names:
        entry = {"workloads": 0, "of": len(chosen), "complete": True}
        for attr, prefix in (("median", "geomean_"), ("cpu_median", "geomean_cpu_")):
            times, ratios, ratios_pypy = [], [], []
            for workload in chosen:
                row = {e.name: cells[(workload.name, e.name)] for e in engines}
                if name in ("ours", "ours-pypy"):
                    _, value = best_of(row, engines, name, attr)
                else:
                    value = getattr(row[name], attr)
                _, ours = best_of(row, engines, "ours", attr)
                _, ours_pypy = best_of(row, engines, "ours-pypy", attr)
                if value is None:
                    entry["complete"] = False
                    continue
                times.append(value)
                ratios.append(value / ours if ours else None)
                ratios_pypy.append(value / ours_pypy if ours_pypy else None)
            entry["workloads"] = len(times)
            entry[prefix + "s"] = geomean(times)
            entry[prefix + "ratio_to_ours"] = geomean(ratios) if None not in ratios else None
            entry[prefix + "ratio_to_ours_pypy"] = (geomean(ratios_pypy)
                                                    if None not in ratios_pypy else None)
        summary[name] = entry
    return summary


def print_summary(title, summary, out):
    if not any(entry["workloads"] for entry in summary.values()):
        return
    out.write("\ngeometric means, %s\n" % title)
    out.write("  %-20s %9s %8s %10s %8s %8s %10s  %s\n" % (
        "engine", "time s", "/ours", "/ours-pypy", "cpu s", "/ours", "/ours-pypy", "workloads"))
    for name, entry in summary.items():
        if not entry["workloads"]:
            continue
        out.write("  %-20s %s %s %s %s %s %s  %d/%d%s\n" % (
            name, fmt(entry["geomean_s"], ".3f", 9), fmt(entry["geomean_ratio_to_ours"], ".2f", 8),
            fmt(entry["geomean_ratio_to_ours_pypy"], ".2f", 10),
            fmt(entry["geomean_cpu_s"], ".3f", 8),
            fmt(entry["geomean_cpu_ratio_to_ours"], ".2f", 8),
            fmt(entry["geomean_cpu_ratio_to_ours_pypy"], ".2f", 10),
            entry["workloads"], entry["of"],
            "" if entry["complete"] else " (incomplete: not comparable)"))


def paired_geomean(workloads, engines, cells, numerator, denominator, estimates=None,
                   attr="median"):
    """Geometric mean over the guests of numerator time / denominator time.

    Either side may be an engine name or "ours"/"ours-pypy" (fastest tier);
    ``estimates`` maps guest name -> estimated numerator time when missing.
    """
    ratios, estimated = [], 0
    for workload in workloads:
        if workload.kind != "guest":
            continue
        row = {e.name: cells[(workload.name, e.name)] for e in engines}

        def time_of(name):
            if name in ("ours", "ours-pypy"):
                return best_of(row, engines, name, attr)[1]
            cell = row.get(name)
            return getattr(cell, attr) if cell is not None else None

        top, bottom = time_of(numerator), time_of(denominator)
        if top is None and estimates and workload.name in estimates:
            top = estimates[workload.name]
            estimated += 1
        if top is None or bottom is None:
            return None, 0, estimated
        ratios.append(top / bottom)
    return geomean(ratios), len(ratios), estimated


def acceptance(workloads, engines, cells, size, cache, instructions):
    """The issue's targets that apply at this size: the value on wall time
    (what the issue asks) and, as a check against a busy machine, on CPU time."""
    targets = []

    def add(text, numerator, denominator, test, estimated_from=None):
        entry = {"target": text}
        for attr, key in (("median", "value"), ("cpu_median", "cpu_value")):
            estimates = None
            if estimated_from:
                estimates = {}
                for workload in workloads:
                    cached = cache[estimated_from[attr]].get(
                        "%s|%s" % (numerator, workload_key(workload, "default")))
                    small = instructions.get((workload.name, "default"))
                    large = instructions.get((workload.name, "large"))
                    if cached and small and large:
                        estimates[workload.name] = cached * large / small
            value, count, estimated = paired_geomean(workloads, engines, cells, numerator,
                                                     denominator, estimates, attr)
            entry[key] = value
            entry["guests"] = count
            if attr == "median":
                entry["passed"] = None if value is None else test(value)
                entry["note"] = ("%s time estimated for %d guest(s) from its default-size "
                                 "time x the instruction ratio" % (numerator, estimated)
                                 if estimated else "")
        targets.append(entry)

    if size == "large":
        add("large: geomean(pwasm-compile / ours) >= 1.5", "pwasm-compile", "ours",
            lambda v: v >= 1.5)
        add("large: geomean(pywasm / ours) >= 200", "pywasm", "ours", lambda v: v >= 200,
            {"median": "times", "cpu_median": "cpu"})
        add("large, PyPy: geomean(ours-pypy / wasmtime) <= 10", "ours-pypy", "wasmtime",
            lambda v: v <= 10)
    else:
        add("default: geomean(ours / wasmtime) <= 2 (whole process)", "ours", "wasmtime",
            lambda v: v <= 2)
        worst = None
        for workload in workloads:
            if workload.kind != "guest":
                continue
            row = {e.name: cells[(workload.name, e.name)] for e in engines}
            ours = best_of(row, engines, "ours")[1]
            native = row["wasmtime"].median if "wasmtime" in row else None
            if ours and native and (worst is None or ours / native > worst[1]):
                worst = (workload.name, ours / native)
        if worst:
            targets.append({"target": "default: worst guest, ours / wasmtime <= 2 (%s)"
                            % worst[0], "value": worst[1], "cpu_value": None, "guests": 1,
                            "passed": worst[1] <= 2, "note": ""})
    return targets


def print_acceptance(targets, out):
    if not targets:
        return
    out.write("\nacceptance targets (issue 5), over the eight guests\n")
    for target in targets:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[target["passed"]]
        value = "-" if target["value"] is None else "%.2f" % target["value"]
        if target.get("cpu_value") is not None:
            value += "  (cpu %.2f)" % target["cpu_value"]
        guests = "  [%d guest%s]" % (target["guests"], "" if target["guests"] == 1 else "s")
        note = ("  (" + target["note"] + ")") if target["note"] else ""
        out.write("  %s  %-58s %8s%s%s\n" % (verdict, target["target"], value, guests, note))


# --- command line -----------------------------------------------------------------

def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description="Benchmark pywasi_interp against pwasm, pywasm and wasmtime on the "
                    "shared benchmark guests and the WAT micro-workloads.",
        epilog="engines: " + ", ".join(engines_mod.ALL_ENGINES)
               + "  (default: " + ",".join(engines_mod.DEFAULT_ENGINES) + ")")
    parser.add_argument("--size", choices=SIZES, default="default")
    parser.add_argument("--engines", help="comma-separated engine names")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs (default 3)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds per run before it is killed (default %g)" % DEFAULT_TIMEOUT)
    parser.add_argument("--probe-timeout", type=float, default=120.0,
                        help="timeout of the default-size probes used to predict large-size "
                             "times (default 120)")
    parser.add_argument("--only", help="comma-separated workload names (guests or micro)")
    parser.add_argument("--no-micro", action="store_true", help="only the eight guests")
    parser.add_argument("--guests", metavar="DIR", default=None,
                        help="the benchmark guests (default ../shared/guests/bench, or "
                             "$PYWASI_BENCH_GUESTS)")
    parser.add_argument("--json", metavar="OUT", help="write all results to OUT as JSON")
    parser.add_argument("--smoke", action="store_true",
                        help="CI mode: one run at the default size under ours-interp and "
                             "ours-translate; exit 1 on any wrong output")
    parser.add_argument("--no-install", action="store_true",
                        help="do not create virtual environments for missing peers")
    parser.add_argument("--quiet", action="store_true", help="no per-run progress lines")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    out = sys.stdout

    def log(message):
        if not args.quiet:
            sys.stderr.write("[bench] %s\n" % message)
            sys.stderr.flush()

    if args.smoke:
        args.size = "default"
        args.runs = 1
    names = (args.engines.split(",") if args.engines
             else engines_mod.SMOKE_ENGINES if args.smoke else engines_mod.DEFAULT_ENGINES)
    names = [n.strip() for n in names if n.strip()]
    try:
        engines = engines_mod.resolve(names, install=not (args.no_install or args.smoke), log=log)
    except ValueError as error:
        sys.stderr.write("error: %s\n" % error)
        return 2
    workloads = guests(args.guests) + ([] if args.no_micro else micro_workloads())
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - {wl.name for wl in workloads})
        if unknown:
            sys.stderr.write("error: unknown workload(s): %s\n" % ", ".join(unknown))
            return 2
        workloads = [wl for wl in workloads if wl.name in wanted]
    missing = [wl.path for wl in workloads if not os.path.exists(wl.path)]
    if missing:
        sys.stderr.write("error: missing %s (guests from %s; --guests DIR)\n"
                         % (", ".join(missing), args.guests or default_guest_dir()))
        return 2

    out.write("engines:\n")
    for engine in engines:
        out.write("  %s\n" % engine.describe())
    available = [e for e in engines if e.available]
    if not available:
        sys.stderr.write("error: no engine available\n")
        return 1
    out.flush()

    cache = load_cache()
    fuel_engine = None
    if not args.smoke:
        fuel_engine = next(iter(engines_mod.resolve(["wasmtime"], install=not args.no_install,
                                                    log=log)), None)
        if fuel_engine is not None and fuel_engine.available:
            fuel_engine.runner_engine = "wasmtime-fuel"
        else:
            fuel_engine = None
    instructions = {}
    for workload in workloads:
        for size in SIZES:
            if size == args.size or (args.size == "large" and size == "default"):
                instructions[(workload.name, size)] = instruction_count(
                    workload, size, cache, fuel_engine, log)
    skips = predict_skips(workloads, available, args.size, args.timeout, cache, instructions,
                          log, args)
    started = time.time()
    cells = run_benchmark(workloads, available, args.size, args.runs, args.timeout,
                          instructions, skips, log)
    elapsed = time.time() - started
    if args.size == "default" and not args.smoke:
        for workload in workloads:
            for engine in available:
                cell = cells[(workload.name, engine.name)]
                if cell.median is not None:
                    key = "%s|%s" % (engine.name, workload_key(workload, "default"))
                    cache["times"][key] = cell.median
                    cache["cpu"][key] = cell.cpu_median
        save_cache(cache)

    print_tables(workloads, available, args.size, args.runs, cells, instructions, out)
    guest_summary = summarise(workloads, available, cells, "guest")
    micro_summary = summarise(workloads, available, cells, "micro")
    print_summary("the eight guests", guest_summary, out)
    print_summary("micro-workloads", micro_summary, out)
    targets = [] if args.smoke else acceptance(workloads, available, cells, args.size, cache,
                                               instructions)
    print_acceptance(targets, out)
    wrong = [(wl.name, e.name, cells[(wl.name, e.name)].failure())
             for wl in workloads for e in available
             if cells[(wl.name, e.name)].status() in ("wrong", "error")
             or (args.smoke and cells[(wl.name, e.name)].status() == "timeout")]
    out.write("\n%d workload(s) x %d engine(s) in %.0f s; %s\n" % (
        len(workloads), len(available), elapsed,
        "all outputs correct" if not wrong else "%d FAILED" % len(wrong)))
    for name, engine_name, failure in wrong:
        out.write("  FAILED %s under %s: %s: %s\n" % (name, engine_name, failure.status,
                                                     failure.detail))
    out.flush()

    if args.json:
        data = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "processor": platform.processor(),
                        "cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "size": args.size, "runs": args.runs, "timeout": args.timeout,
            "smoke": args.smoke, "seconds": elapsed,
            "engines": [e.as_json() for e in engines],
            "workloads": [{
                "name": wl.name, "kind": wl.kind, "path": wl.path,
                "args": list(wl.args[args.size]), "expect": list(wl.expect[args.size]),
                "instructions": instructions.get((wl.name, args.size)),
                "results": {e.name: cells[(wl.name, e.name)].as_json() for e in available},
            } for wl in workloads],
            "geomeans": {"guests": guest_summary, "micro": micro_summary},
            "acceptance": targets,
            "failures": [{"workload": n, "engine": e, "status": f.status, "detail": f.detail}
                         for n, e, f in wrong],
        }
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
        out.write("results written to %s\n" % args.json)
    # A peer's wrong output is reported, but only ours fails the run.
    families = {e.name: e.family for e in available}
    return 1 if any(families[name] != "peer" for _, name, _ in wrong) else 0


if __name__ == "__main__":
    sys.exit(main())
