#!/usr/bin/env python3
"""Rebuild the WASI test guests: tests/guests/*.c -> tests/guests/*.wasm.

Uses Debian 12's toolchain (the same as shared/guests/bench):
    apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32
Debian's clang finds wasi-libc by itself with --target=wasm32-wasi.  Set CC
to use another clang (e.g. a wasi-sdk one, with SYSROOT for its sysroot).

The built .wasm files are committed, so tests need no compiler.  The name
section is kept (only DWARF is stripped): trap backtraces name functions.

Usage: python3 tools/build_guests.py [NAME ...]
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUESTS = os.path.join(ROOT, "tests", "guests")
CFLAGS = ["--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Wno-unused-function"]
LDFLAGS = ["-Wl,--strip-debug"]
# Per-guest extras: trap.c keeps its call chain so the backtrace has depth.
EXTRA = {"trap": ["-fno-inline", "-fno-optimize-sibling-calls", "-Wno-infinite-recursion"]}


def build(name):
    source = os.path.join(GUESTS, name + ".c")
    target = os.path.join(GUESTS, name + ".wasm")
    cmd = [os.environ.get("CC", "clang")] + CFLAGS + EXTRA.get(name, [])
    if os.environ.get("SYSROOT"):
        cmd.append("--sysroot=" + os.environ["SYSROOT"])
    cmd += [source, "-o", target] + LDFLAGS
    print(" ".join(cmd))
    subprocess.check_call(cmd)


def main(argv):
    names = argv or sorted(f[:-2] for f in os.listdir(GUESTS) if f.endswith(".c"))
    for name in names:
        build(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
