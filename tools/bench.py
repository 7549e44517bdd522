"""``python tools/bench.py [options]``: the same as ``python -m tools.bench``.

The benchmark lives in the package tools/bench/ (which ``import tools.bench``
finds before this file); this script only runs it for those who start it
by path."""

import os
import runpy
import sys

if __name__ == "__main__":
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runpy.run_module("tools.bench", run_name="__main__", alter_sys=True)
