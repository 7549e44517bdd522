"""The project's test command: ``python -m tools.test [pytest args...]``.

1. pytest under the running interpreter (CPython in CI): unit, host, e2e
   and spec-suite tests.
2. If Debian's ``pypy3`` is installed, the unit tests, the host-module
   tests and the spec suite again under PyPy, in a virtual environment ``.venv-pypy`` created (and
   given the test dependencies) on first use.

Wall times of both runs are printed; the exit status is non-zero if either
run failed.  Extra arguments go to both pytest runs.
"""

import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYPY_VENV = os.path.join(ROOT, ".venv-pypy")
PYPY_SUITES = ["tests/unit", "tests/host", "spec_tests"]


def run(cmd, **kwargs):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, **kwargs)


class SetupError(Exception):
    pass


def pypy_python():
    """The PyPy venv's interpreter, creating the venv if needed; None when
    there is no pypy3.  Raises SetupError if pypy3 exists but the venv
    cannot be made: a PyPy run that silently did not happen is a failure."""
    pypy = shutil.which("pypy3")
    if pypy is None:
        return None
    python = os.path.join(PYPY_VENV, "bin", "python")
    if not os.path.exists(python):
        if run([pypy, "-m", "venv", PYPY_VENV]) != 0:
            raise SetupError("cannot create %s (apt-get install pypy3-venv)" % PYPY_VENV)
    check = [python, "-c", "import pytest, hypothesis, pywasi_interp"]
    if subprocess.call(check, cwd=ROOT, stderr=subprocess.DEVNULL) != 0:
        if run([python, "-m", "pip", "install", "-q", "-e", ROOT + "[test]"]) != 0:
            raise SetupError("cannot install the test dependencies into %s" % PYPY_VENV)
    return python


def timed(label, cmd):
    """Run pytest, echoing its output; return (status, seconds, summary line)."""
    print("+ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    summary = ""
    for line in proc.stdout:
        sys.stdout.write(line)
        if line.strip():
            summary = line.rstrip("\n")
    status = proc.wait()
    elapsed = time.monotonic() - start
    print("%s: exit %d in %.1f s" % (label, status, elapsed), flush=True)
    return status, elapsed, summary


def main(argv):
    status, cpython_time, summary = timed(
        "CPython tests", [sys.executable, "-m", "pytest"] + argv)
    try:
        python = pypy_python()
    except SetupError as error:
        print("PyPy run: %s" % error)
        return 1
    if python is None:
        print("pypy3 not found: skipping the PyPy run (apt-get install pypy3 pypy3-venv)")
        return status
    pypy_status, pypy_time, pypy_summary = timed(
        "PyPy tests", [python, "-m", "pytest"] + PYPY_SUITES + argv)
    print("wall time: CPython %.1f s, PyPy %.1f s" % (cpython_time, pypy_time))
    print("CPython: " + summary)
    # Both summaries end the output, the PyPy one last, as pytest prints it.
    print(pypy_summary)
    return status or pypy_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
