"""What the benchmark runs: the eight guests and the WAT micro-workloads.

The guests live in ../shared/guests/bench (``--guests DIR`` or the
``PYWASI_BENCH_GUESTS`` environment variable to point elsewhere); their
arguments, expected output and instruction counts at the default size are
those of that directory's README.  The micro-workloads are
tools/bench/wat/*.wasm, built from the .wat next to them, whose header
comments give their arguments and expected output:

    ;; bench-args default: 150000
    ;; bench-args large: 15000000
    ;; bench-expect default: calls(150000) = a7cf5189
    ;; bench-expect large: calls(15000000) = a6fa6bfc
"""

import collections
import os

__all__ = ["Workload", "ROOT", "WAT_DIR", "default_guest_dir", "guests",
           "micro_workloads", "SIZES"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wat")
SIZES = ("default", "large")

# kind: "guest" (counts towards the acceptance targets) or "micro".
# args / expect: {size: tuple of argv strings / tuple of stdout lines}.
# instructions: {size: wasm instructions executed (wasmtime fuel)} when known
# without measuring.
Workload = collections.namedtuple(
    "Workload", "name kind path args expect instructions")

# name, default args, default output, README instruction count (millions),
# large args, large output: ../shared/guests/bench/README.md.
_GUESTS = [
    ("fib", ("25",), ("fib(25) = 75025",), 2.68,
     ("35",), ("fib(35) = 9227465",)),
    ("sieve", (), ("sieve(200000) = 17984 primes, sum 1709600813",), 6.40,
     ("20000000",), ("sieve(20000000) = 1270607 primes, sum 1856253380",)),
    ("matmul", (), ("matmul(48) = 16.9375 trace 2.9688",), 2.09,
     ("220",), ("matmul(220) = -3.8125 trace -0.1250",)),
    ("sha256", (), ("sha256(32768 x 1) = fd7b9bf2ba36382274565471c23a679e"
                    "261b05c66247e20d912faa312fdf1fbe",), 5.36,
     ("3276800",), ("sha256(3276800 x 1) = bebb88a65c45922d79a6563dcd1b73f3"
                    "7b9520c4c3129a8db7b44076f25d6f29",)),
    ("nbody", (), ("nbody(5000) start -0.194211480",
                   "nbody(5000) end -0.194208629"), 7.81,
     ("500000",), ("nbody(500000) start -0.194211480",
                   "nbody(500000) end -0.194206002")),
    ("mandel", (), ("mandel(64,100) = 119806 iterations, 1014 inside",), 4.16,
     ("640",), ("mandel(640,100) = 11979615 iterations, 101527 inside",)),
    ("int64", (), ("int64(50000) = 9c1ced6cac3799a9 51e8c0516e494f49",), 5.52,
     ("5000000",), ("int64(5000000) = b6df6c865cbaa66c 2013154c22c8ebd2",)),
    ("strmem", (), ("strmem(800) = len 26446 hits 115 same 544 hash e8ab7445 "
                    "nums e6b03d62",), 6.72,
     ("60000",), ("strmem(60000) = len 2014631 hits 8945 same 56299 hash "
                  "97f300af nums 2e028297",)),
]


def default_guest_dir():
    return os.environ.get("PYWASI_BENCH_GUESTS") or os.path.join(
        os.path.dirname(ROOT), "shared", "guests", "bench")


def guests(guest_dir=None):
    """The eight benchmark guests, in the README's order."""
    guest_dir = os.path.abspath(guest_dir or default_guest_dir())
    result = []
    for name, args, expect, millions, large_args, large_expect in _GUESTS:
        result.append(Workload(
            name, "guest", os.path.join(guest_dir, name + ".wasm"),
            {"default": args, "large": large_args},
            {"default": expect, "large": large_expect},
            {"default": int(round(millions * 1e6))}))
    return result


def _header(path):
    """The ``;; bench-...`` fields of a .wat file's header."""
    fields = {}
    with open(path) as f:
        for line in f:
            if not line.startswith(";;"):
                break
            body = line[2:].strip()
            for key in ("bench-args", "bench-expect"):
                if body.startswith(key + " "):
                    size, _, value = body[len(key) + 1:].partition(":")
                    fields[(key, size.strip())] = value.strip()
    return fields


def micro_workloads():
    """The WAT micro-workloads (calls, br_table, memory, i64, f32)."""
    result = []
    for name in ("calls", "br_table", "memory", "i64", "f32"):
        fields = _header(os.path.join(WAT_DIR, name + ".wat"))
        args = {size: tuple(fields[("bench-args", size)].split()) for size in SIZES}
        expect = {size: (fields[("bench-expect", size)],) for size in SIZES}
        result.append(Workload(name, "micro", os.path.join(WAT_DIR, name + ".wasm"),
                               args, expect, {}))
    return result
