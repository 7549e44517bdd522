"""The benchmark tool in its CI mode: ``python -m tools.bench --smoke``
(or ``python tools/bench.py --smoke``).

Benchmarks are not tests; what CI checks is that every benchmark guest and
micro-workload gives the expected output under both tiers.  The default
run covers a few small workloads; the full smoke run is ``extended``.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tools.bench import engines, suite                   # noqa: E402
from tools.bench.__main__ import run_once                 # noqa: E402

GUEST_DIR = suite.default_guest_dir()
needs_guests = pytest.mark.skipif(not os.path.exists(os.path.join(GUEST_DIR, "fib.wasm")),
                                  reason="benchmark guests not found in %s" % GUEST_DIR)


def smoke(tmp_path, *extra, command=("-m", "tools.bench"), cwd=ROOT):
    out = tmp_path / "smoke.json"
    proc = subprocess.run(
        [sys.executable, *command, "--smoke", "--quiet", "--json", str(out)] + list(extra),
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        timeout=1800)
    assert proc.returncode == 0, proc.stdout
    return json.loads(out.read_text())


def check_all_ok(data, names):
    assert [w["name"] for w in data["workloads"]] == names
    for workload in data["workloads"]:
        assert set(workload["results"]) == {"ours-interp", "ours-translate"}
        for engine, result in workload["results"].items():
            assert result["status"] == "ok", (workload["name"], engine, result)
            assert len(result["times"]) == 1


@needs_guests
def test_bench_smoke_small_guests_both_tiers(tmp_path):
    data = smoke(tmp_path, "--only", "fib,matmul,br_table")
    check_all_ok(data, ["fib", "matmul", "br_table"])


@needs_guests
def test_bench_runs_as_a_script_from_anywhere(tmp_path):
    """``python tools/bench.py`` is the same command, from any directory."""
    data = smoke(tmp_path, "--only", "fib", command=(os.path.join(ROOT, "tools", "bench.py"),),
                 cwd=str(tmp_path))
    check_all_ok(data, ["fib"])


@pytest.mark.extended
@needs_guests
def test_bench_smoke_every_workload(tmp_path, request):
    # "extended" means not part of the default run (setup.cfg): only when
    # selected with -m.
    if "extended" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("extended: run with pytest -m extended")
    data = smoke(tmp_path)
    check_all_ok(data, [w.name for w in suite.guests() + suite.micro_workloads()])


@needs_guests
def test_bench_wrong_output_is_reported():
    engine = engines.resolve(["ours-translate"], install=False)[0]
    assert engine.available, engine.reason
    fib = os.path.join(GUEST_DIR, "fib.wasm")
    result = run_once(engine, fib, ["10"], ["fib(10) = 56"], 120)
    assert result.status == "wrong"
    assert "fib(10) = 55" in result.detail
    assert run_once(engine, fib, ["10"], ["fib(10) = 55"], 120).status == "ok"


def test_bench_micro_workloads_declare_both_sizes():
    for workload in suite.micro_workloads():
        assert os.path.exists(workload.path)
        for size in suite.SIZES:
            assert workload.args[size]
            expect, = workload.expect[size]
            assert expect.startswith("%s(%s) = " % (workload.name, workload.args[size][0]))


@pytest.mark.skipif(shutil.which("wat2wasm") is None, reason="wat2wasm not installed")
def test_bench_committed_micro_workloads_are_fresh():
    proc = subprocess.run([sys.executable, "-m", "tools.bench.build_wat", "--check"], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
