"""Where the project's PyPy lives, and the environment it runs in.

``python -m tools.test`` creates ``.venv-pypy`` (Debian's ``pypy3`` with
the test dependencies); the benchmark's ``ours-pypy-*`` engines run there.

PyPy before 7.3.16 (Debian's ``pypy3`` is 7.3.11) can free live objects
when a list is copied while its incremental GC is part-way through marking
(pypy/pypy#4925): CI saw it as a segfault in pytest's assertion rewriting
(pytest-dev/pytest#11168).  A marking step larger than any heap here makes
each major collection mark in one step, so no Python code runs between the
steps of a marking; collections pause longer, nothing else changes.
"""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-pypy")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
GC_ENV = {"PYPY_GC_INCREMENT_STEP": "64GB"}


def gc_env():
    """The GC setting, where the caller's environment does not choose."""
    return {name: os.environ.get(name, value) for name, value in GC_ENV.items()}


def environ():
    """The environment to start the project's PyPy in."""
    return dict(os.environ, **gc_env())
