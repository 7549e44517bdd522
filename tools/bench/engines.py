"""The engines the benchmark compares, and how to launch each.

Every engine is tools/bench/runner.py run by some Python interpreter:

* ``ours-interp``, ``ours-translate``, ``ours-auto``: pywasi_interp under
  this interpreter (CPython), ``Store(engine=...)`` tier 0, tier 1, auto;
* ``ours-pypy-*``: the same under PyPy: the project's ``.venv-pypy``
  (made by ``python -m tools.test``) when present, else Debian's ``pypy3``
  with the project root on PYTHONPATH; either with tools/pypy.py's GC
  setting (PyPy 7.3.11's incremental marking can crash);
* ``pwasm-compile`` (and ``pwasm-interpret``, ``pwasm-auto``, not run
  unless asked for), ``pywasm``, ``wasmtime``: the PyPI packages (the
  ``bench`` extra), from this interpreter when it can import them, else
  from a virtual environment under ~/.cache/pywasi_interp/bench-venvs
  created on first use with a Python new enough (pwasm needs 3.10,
  pywasm 3.12) and given the package with pip.

An engine that cannot be found, installed or imported is reported as
unavailable, with the reason.
"""

import glob
import json
import os
import shutil
import subprocess
import sys

from tools import pypy
from .suite import ROOT

__all__ = ["Engine", "ALL_ENGINES", "DEFAULT_ENGINES", "SMOKE_ENGINES", "resolve"]

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runner.py")
VENV_DIR = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                        "pywasi_interp", "bench-venvs")

OURS_TIERS = ("interp", "translate", "auto")
ALL_ENGINES = (["ours-" + t for t in OURS_TIERS] + ["ours-pypy-" + t for t in OURS_TIERS]
               + ["pwasm-compile", "pwasm-interpret", "pwasm-auto", "pywasm", "wasmtime"])
DEFAULT_ENGINES = (["ours-" + t for t in OURS_TIERS] + ["ours-pypy-" + t for t in OURS_TIERS]
                   + ["pwasm-compile", "pywasm", "wasmtime"])
SMOKE_ENGINES = ["ours-interp", "ours-translate"]

# PyPI package: (import name, pip arguments, minimum Python version).
PEERS = {
    "wasmtime": ("wasmtime", ["wasmtime"], (3, 9)),
    "pwasm": ("pwasm", ["--pre", "pwasm==0.2a0"], (3, 10)),
    "pywasm": ("pywasm", ["pywasm==2.2.3"], (3, 12)),
}

# Run by the candidate interpreter: can it import the package, which versions?
_PROBE = r"""
import json, platform, sys
name = sys.argv[1]
info = {"python": platform.python_implementation() + " " + platform.python_version()}
__import__(name)
try:
    from importlib import metadata
    info["version"] = metadata.version(sys.argv[2])
except Exception:
    info["version"] = getattr(sys.modules.get(sys.argv[2]), "__version__", "?")
print(json.dumps(info))
"""


class Engine:
    """One engine: a name, the command prefix running runner.py, its env."""

    def __init__(self, name, family, runner_engine):
        self.name = name
        self.family = family            # "ours", "ours-pypy" or "peer"
        self.runner_engine = runner_engine
        self.python = None
        self.env = {}
        self.available = False
        self.reason = ""
        self.python_version = ""
        self.package_version = ""

    def command(self, path, args):
        return [self.python, RUNNER, "--engine", self.runner_engine, path] + list(args)

    def describe(self):
        if not self.available:
            return "%s: unavailable (%s)" % (self.name, self.reason)
        return "%s: %s %s on %s (%s)" % (self.name, self.package_name(), self.package_version,
                                         self.python_version, self.python)

    def package_name(self):
        return "pywasi_interp" if self.family != "peer" else self.name.split("-")[0]

    def as_json(self):
        return {"name": self.name, "available": self.available, "reason": self.reason,
                "python": self.python, "python_version": self.python_version,
                "package": self.package_name(), "package_version": self.package_version}


def _probe(python, module, dist, env=None):
    """Versions as a dict if ``python`` can import ``module``, else None."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        out = subprocess.run([python, "-c", _PROBE, module, dist], env=full_env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _python_version(python):
    try:
        code = ("import sys, platform; "
                "print(platform.python_implementation(), *sys.version_info[:2])")
        out = subprocess.run([python, "-c", code],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) != 3:
        return None
    return parts[0], (int(parts[1]), int(parts[2]))


def _cpythons():
    """CPython interpreters on this machine, this one first."""
    found = [sys.executable] if sys.implementation.name == "cpython" else []
    names = ["python3.%d" % minor for minor in range(20, 8, -1)]
    for name in names:
        path = shutil.which(name)
        if path:
            found.append(path)
    found.extend(sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python"))))
    result, seen = [], set()
    for path in found:
        real = os.path.realpath(path)
        if real not in seen and "pypy" not in real:
            seen.add(real)
            result.append(path)
    return result


def _base_python(min_version):
    """A CPython >= min_version: this one if new enough, else the oldest fitting."""
    fitting = []
    for python in _cpythons():
        info = _python_version(python)
        if info and info[0] == "CPython" and info[1] >= min_version:
            fitting.append((info[1], python))
            if python == sys.executable:
                return python
    return min(fitting)[1] if fitting else None


_peer_cache = {}


def _peer_python(package, install, log):
    """(python, versions, reason): an interpreter that imports the peer."""
    if package in _peer_cache:
        return _peer_cache[package]
    module, pip_args, min_version = PEERS[package]
    candidates = []
    if sys.implementation.name == "cpython" and sys.version_info[:2] >= min_version:
        candidates.append(sys.executable)
    candidates.extend(sorted(glob.glob(os.path.join(VENV_DIR, package + "-py*", "bin", "python"))))
    for python in candidates:
        info = _probe(python, module, package)
        if info is not None:
            _peer_cache[package] = (python, info, "")
            return _peer_cache[package]
    if not install:
        result = (None, None, "not importable; run without --no-install to set up a venv")
        _peer_cache[package] = result
        return result
    base = _base_python(min_version)
    if base is None:
        result = (None, None, "needs CPython >= %d.%d, none found" % min_version)
        _peer_cache[package] = result
        return result
    major_minor = _python_version(base)[1]
    venv = os.path.join(VENV_DIR, "%s-py%d.%d" % ((package,) + major_minor))
    python = os.path.join(venv, "bin", "python")
    log("setting up %s in %s" % (package, venv))
    try:
        if not os.path.exists(python):
            subprocess.check_call([base, "-m", "venv", venv], stdout=subprocess.DEVNULL)
        subprocess.check_call([python, "-m", "pip", "install", "-q"] + pip_args,
                              stdout=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as error:
        result = (None, None, "could not install %s: %s" % (" ".join(pip_args), error))
        _peer_cache[package] = result
        return result
    info = _probe(python, module, package)
    result = (python, info, "") if info else (None, None, "installed but not importable")
    _peer_cache[package] = result
    return result


def _pypy():
    """(python, env) running pywasi_interp on PyPy, or (None, None)."""
    if os.path.exists(pypy.VENV_PYTHON):
        return pypy.VENV_PYTHON, pypy.gc_env()
    pypy3 = shutil.which("pypy3")
    if pypy3:
        return pypy3, dict(pypy.gc_env(), PYTHONPATH=ROOT)
    return None, None


def _compile_bytecode(python, env):
    """Write the package's bytecode files for ``python``, as installing it
    (pip compiles on install) would have: peers are measured installed, so
    ours must not pay for compiling its sources in every process, which it
    does when run from the tree with PYTHONDONTWRITEBYTECODE set."""
    env = dict(os.environ, **env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([python, "-m", "compileall", "-q", os.path.join(ROOT, "pywasi_interp")],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def resolve(names, install=True, log=lambda message: None):
    """Engine objects for ``names``, each available or with a reason."""
    engines = []
    for name in names:
        if name not in ALL_ENGINES:
            raise ValueError("unknown engine %r (choose from %s)" % (name, ", ".join(ALL_ENGINES)))
        if name.startswith("ours-"):
            tier = name.rsplit("-", 1)[1]
            pypy = name.startswith("ours-pypy-")
            engine = Engine(name, "ours-pypy" if pypy else "ours", tier)
            if pypy:
                engine.python, engine.env = _pypy()
                if engine.python is None:
                    engine.reason = "pypy3 not found"
                    engines.append(engine)
                    continue
            else:
                engine.python = sys.executable
                engine.env = {"PYTHONPATH": ROOT}
            if engine.env.get("PYTHONPATH") and os.environ.get("PYTHONPATH"):
                engine.env["PYTHONPATH"] += os.pathsep + os.environ["PYTHONPATH"]
            info = _probe(engine.python, "pywasi_interp.host.wasi", "pywasi_interp", engine.env)
            if info is None:
                engine.reason = "%s cannot import pywasi_interp.host.wasi" % engine.python
            else:
                _compile_bytecode(engine.python, engine.env)
                engine.available = True
                engine.python_version = info["python"]
                engine.package_version = info["version"]
        else:
            package = name.split("-")[0]
            engine = Engine(name, "peer", name)
            python, info, reason = _peer_python(package, install, log)
            if python is None:
                engine.reason = reason
            else:
                engine.python = python
                engine.available = True
                engine.python_version = info["python"]
                engine.package_version = info["version"]
        engines.append(engine)
    return engines
