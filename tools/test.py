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

if __package__ in (None, ""):           # run as a script: python tools/test.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tools import pypy                  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYPY_SUITES = ["tests/unit", "tests/host", "spec_tests"]


def run_pypy(cmd, **kwargs):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env=pypy.environ(), **kwargs)


class SetupError(Exception):
    pass


def pypy_python():
    """The PyPy venv's interpreter, creating the venv if needed; None when
    there is no pypy3.  Raises SetupError if pypy3 exists but the venv
    cannot be made: a PyPy run that silently did not happen is a failure."""
    pypy3 = shutil.which("pypy3")
    if pypy3 is None:
        return None
    python = pypy.VENV_PYTHON
    if not os.path.exists(python):
        if run_pypy([pypy3, "-m", "venv", pypy.VENV]) != 0:
            raise SetupError("cannot create %s (apt-get install pypy3-venv)" % pypy.VENV)
    check = [python, "-c", "import pytest, hypothesis, pywasi_interp"]
    if subprocess.call(check, cwd=ROOT, env=pypy.environ(), stderr=subprocess.DEVNULL) != 0:
        if run_pypy([python, "-m", "pip", "install", "-q", "-e", ROOT + "[test]"]) != 0:
            raise SetupError("cannot install the test dependencies into %s" % pypy.VENV)
    return python


def timed(label, cmd, env=None):
    """Run pytest, echoing its output; return (status, seconds, summary line)."""
    print("+ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
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
        "PyPy tests", [python, "-m", "pytest"] + PYPY_SUITES + argv, env=pypy.environ())
    print("wall time: CPython %.1f s, PyPy %.1f s" % (cpython_time, pypy_time))
    print("CPython: " + summary)
    # Both summaries end the output, the PyPy one last, as pytest prints it.
    print(pypy_summary)
    return status or pypy_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
