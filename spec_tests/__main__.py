"""``python -m spec_tests``: run the official spec suite and report.

    python -m spec_tests [--testsuite DIR] [--include GLOB] [--exclude GLOB]
                         [--json OUT] [--engine NAME] [--max-failures N]

Prints one line per file with its counts and its first failures, then the
escaped-exception count, the skip counts, and last ``N passed, M failed``.
Exit status: 0 if nothing failed, 1 if something did, 2 if the harness
could not run (no suite, bad skiplist, unknown engine).
"""

import argparse
import json
import os
import sys
import time

from . import convert, harness


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m spec_tests",
        description="Run the official WebAssembly spec test suite against pywasi_interp.")
    parser.add_argument("--testsuite", metavar="DIR",
                        help="suite directory (default: $%s or %s)"
                        % (harness.TESTSUITE_ENV, harness.DEFAULT_TESTSUITE))
    parser.add_argument("--include", metavar="GLOB", action="append", default=[],
                        help="run only files matching (repeatable; 'i32.wast', 'simd_*'); "
                        "also the way to run the files held back by default (%s)"
                        % ", ".join(p for p, _ in harness.DEFAULT_EXCLUDED))
    parser.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                        help="do not run files matching (repeatable)")
    parser.add_argument("--json", metavar="OUT", help="write per-file, per-command results")
    parser.add_argument("--engine", default=harness.DEFAULT_ENGINE, choices=harness.ENGINES,
                        help="engine tier (default: %(default)s)")
    parser.add_argument("--skiplist", metavar="FILE", default=harness.SKIPLIST_PATH,
                        help="skiplist file (default: spec_tests/skiplist.txt)")
    parser.add_argument("--cache", metavar="DIR",
                        help="conversion cache (default: $%s or %s)"
                        % (convert.CACHE_ENV, convert.default_cache_dir()))
    parser.add_argument("--timeout", metavar="SECONDS", type=float,
                        help="wall-clock limit per top-level call, passed to Store(timeout=); "
                        "guards against hangs (default: none)")
    parser.add_argument("--max-failures", metavar="N", type=int, default=10,
                        help="failures printed per file (default: %(default)s; all in --json)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print only files with failures")
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse_args(argv)
    out = sys.stdout
    try:
        testsuite = harness.find_testsuite(args.testsuite)
        names = harness.list_wast_files(testsuite)
        skiplist = harness.load_skiplist(args.skiplist)
        store_options = {} if args.timeout is None else {"timeout": args.timeout}
        runtime = harness.Runtime(args.engine, store_options)
    except harness.HarnessError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    selected, held_back = harness.select_files(names, args.include, args.exclude)
    if not selected:
        print("error: no .wast file selected in %s" % testsuite, file=sys.stderr)
        return 2

    start = time.perf_counter()
    file_results = []
    width = max(len(n) for n in selected)
    for name in selected:
        result = harness.run_file(os.path.join(testsuite, name), runtime, skiplist, args.cache)
        file_results.append(result)
        if args.quiet and not result.failed:
            continue
        print("%-*s %6d passed %6d failed %6d skipped  %6.2fs"
              % (width, name, result.passed, result.failed, result.skipped, result.seconds),
              file=out)
        for line in result.describe_failures(args.max_failures):
            print("  " + line, file=out)
        out.flush()

    problems = harness.skiplist_problems(skiplist, set(names), set(selected))
    for problem in problems:
        print("FAIL %s" % problem, file=out)

    passed = sum(r.passed for r in file_results)
    failed = sum(r.failed for r in file_results) + len(problems)
    escaped = sum(r.escaped for r in file_results)
    skipped_text = sum(r.skipped_text for r in file_results)
    skipped_list = sum(r.skipped_list for r in file_results)
    elapsed = time.perf_counter() - start

    if held_back:
        reasons = sorted(set(why for _, why in held_back))
        print("not run: %d files held back by default (%s); select them with --include"
              % (len(held_back), "; ".join(reasons)), file=out)
    print("engine: %s, %d files, %.1fs" % (runtime.engine, len(file_results), elapsed), file=out)
    print("escaped exceptions: %d" % escaped, file=out)
    print("skipped: %d (text-format modules: %d, skiplist: %d)"
          % (skipped_text + skipped_list, skipped_text, skipped_list), file=out)
    print("%d passed, %d failed" % (passed, failed), file=out)

    if args.json:
        doc = {
            "engine": runtime.engine,
            "testsuite": os.path.abspath(testsuite),
            "summary": {"passed": passed, "failed": failed, "escaped": escaped,
                        "skipped_text": skipped_text, "skipped_list": skipped_list,
                        "files": len(file_results), "seconds": round(elapsed, 3),
                        "skiplist_problems": problems,
                        "held_back": [{"file": n, "reason": why} for n, why in held_back]},
            "files": {r.name: r.to_json() for r in file_results},
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
