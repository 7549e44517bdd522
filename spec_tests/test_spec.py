"""The official spec suite as pytest cases: one per .wast file and engine tier.

Which files: every .wast of the suite (``$WASM_TESTSUITE`` or the default
path) except any held back by default (harness.DEFAULT_EXCLUDED), narrowed or widened by
``$SPEC_INCLUDE`` / ``$SPEC_EXCLUDE`` (comma-separated globs, as the CLI's
--include/--exclude).  A missing suite is a failure, not a skip.
"""

import os

import pytest

from spec_tests import harness

_MAX_REPORTED = 30


def _globs(env):
    return [g.strip() for g in os.environ.get(env, "").split(",") if g.strip()]


def _collect():
    testsuite = harness.find_testsuite()
    try:
        names = harness.list_wast_files(testsuite)
    except harness.HarnessError as exc:
        return testsuite, [], str(exc)
    selected, _ = harness.select_files(names, _globs("SPEC_INCLUDE"), _globs("SPEC_EXCLUDE"))
    return testsuite, names, selected


_TESTSUITE, _ALL_FILES, _SELECTED = _collect()
if isinstance(_SELECTED, str):
    _MISSING = _SELECTED
    _SELECTED = ["testsuite-missing"]
else:
    _MISSING = None

_RUNTIMES = {}
_SKIPLIST = []


def _skiplist():
    if not _SKIPLIST:
        _SKIPLIST.append(harness.load_skiplist())
    return _SKIPLIST[0]


def _runtime(engine):
    if engine not in _RUNTIMES:
        _RUNTIMES[engine] = harness.Runtime(engine)
    return _RUNTIMES[engine]


@pytest.mark.parametrize("engine", harness.ENGINES)
@pytest.mark.parametrize("wast", _SELECTED)
def test_spec_file(wast, engine):
    if _MISSING:
        pytest.fail(_MISSING, pytrace=False)
    result = harness.run_file(os.path.join(_TESTSUITE, wast), _runtime(engine), _skiplist())
    if result.failed:
        lines = ["%s [%s]: %d passed, %d failed, %d skipped, %d escaped exceptions"
                 % (wast, engine, result.passed, result.failed, result.skipped, result.escaped)]
        lines.extend(result.describe_failures(_MAX_REPORTED))
        pytest.fail("\n".join(lines), pytrace=False)


def test_skiplist_entries_are_valid():
    """Every entry names a file of the suite and gives a reason."""
    if _MISSING:
        pytest.fail(_MISSING, pytrace=False)
    problems = harness.skiplist_problems(_skiplist(), set(_ALL_FILES))
    assert not problems, "\n".join(problems)
