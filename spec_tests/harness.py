"""Runs the official spec test suite's script commands against the runtime.

Each ``.wast`` is converted by wast2json (see ``convert``) into a list of
commands; ``ScriptRunner`` executes them in order against one Store and
one Linker holding the ``spectest`` host module, as the reference
interpreter runs a script.

Rules (docs/embedding.md is the API used; STYLE.md section 5):

- An assertion passes only with the right exception *type* and a message
  starting with the expected text; "any exception" never counts.
- Results are compared on bit patterns (``values``).
- A Python exception other than the runtime's own (WasmError, ProcExit)
  escaping a command is a failure and is also counted as "escaped".
- Text-format modules (only the text parser's tests) are skipped and
  counted apart.  ``skiplist.txt`` skips single commands, each with a
  reason; an entry without a reason, or whose command now passes, fails.
- A module that fails to load where it should load makes the later
  commands that use it fail; the script goes on.
"""

import fnmatch
import os
import time
import traceback

from . import convert
from .values import (ScriptValueError, format_values, parse_arg, parse_expected)

__all__ = [
    "ENGINES", "DEFAULT_ENGINE", "DEFAULT_TESTSUITE", "TESTSUITE_ENV",
    "DEFAULT_EXCLUDED", "SKIPLIST_PATH", "HarnessError", "find_testsuite",
    "list_wast_files", "select_files", "SkipEntry", "parse_skiplist",
    "load_skiplist", "skiplist_problems", "Runtime", "ScriptRunner", "CommandResult", "FileResult",
    "run_file", "PASSED", "FAILED", "SKIPPED", "SKIP_TEXT", "SKIP_LIST",
]

# Every engine tier the harness runs; the first is the default.
ENGINES = ("interp", "translate", "flat")
DEFAULT_ENGINE = ENGINES[0]

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.dirname(HERE)
TESTSUITE_ENV = "WASM_TESTSUITE"
DEFAULT_TESTSUITE = os.path.join(os.path.dirname(PROJECT_ROOT), "shared", "wasm-testsuite")
SKIPLIST_PATH = os.path.join(HERE, "skiplist.txt")

# Files not run unless an --include pattern names them, with why.
# (glob, reason) for files that run only when an include names them: for
# suites of features the runtime does not implement yet.  Empty: the whole
# 2.0 suite runs by default.
DEFAULT_EXCLUDED = ()

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
SKIP_TEXT = "text-format module"
SKIP_LIST = "skiplist"


class HarnessError(Exception):
    """The harness cannot run at all: no suite, bad skiplist, bad option."""


# -- which files ------------------------------------------------------------

def find_testsuite(path=None):
    """The suite directory: ``path``, else ``$WASM_TESTSUITE``, else the default."""
    return path or os.environ.get(TESTSUITE_ENV) or DEFAULT_TESTSUITE


def list_wast_files(testsuite):
    """Sorted names of the ``.wast`` files directly in ``testsuite``.

    Raises:
        HarnessError: the directory does not exist or holds no .wast file.
    """
    if not os.path.isdir(testsuite):
        raise HarnessError("spec test suite not found at %s (use --testsuite DIR or $%s)"
                           % (testsuite, TESTSUITE_ENV))
    names = sorted(n for n in os.listdir(testsuite)
                   if n.endswith(".wast") and os.path.isfile(os.path.join(testsuite, n)))
    if not names:
        raise HarnessError("no .wast files in %s" % testsuite)
    return names


def _matches(name, pattern):
    """A glob matches a file by its name or by its name without ``.wast``."""
    stem = name[:-5] if name.endswith(".wast") else name
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(stem, pattern)


def select_files(names, includes=(), excludes=()):
    """Split ``names`` into (selected, not selected by default).

    A file is selected when some include matches it (or there is none) and
    no exclude does.  Files of DEFAULT_EXCLUDED run only if an include
    matches them; the second list holds (name, reason) for those left out,
    so they can be reported rather than skipped silently.
    """
    selected, held_back = [], []
    for name in names:
        if includes and not any(_matches(name, p) for p in includes):
            continue
        if any(_matches(name, p) for p in excludes):
            continue
        reason = next((why for pattern, why in DEFAULT_EXCLUDED if _matches(name, pattern)), None)
        if reason is not None and not any(_matches(name, p) for p in includes):
            held_back.append((name, reason))
            continue
        selected.append(name)
    return selected, held_back


# -- skiplist -----------------------------------------------------------------

class SkipEntry:
    """One ``file.wast:line  reason`` line of the skiplist."""

    __slots__ = ("file", "line", "reason", "source")

    def __init__(self, file, line, reason, source):
        self.file = file
        self.line = line
        self.reason = reason        # "" when missing: that fails the run
        self.source = source        # "skiplist.txt:N", for messages

    def __repr__(self):
        return "SkipEntry(%s:%d, %r)" % (self.file, self.line, self.reason)


def parse_skiplist(text, source="skiplist.txt"):
    """{file name: {line: SkipEntry}} from skiplist text.

    Blank lines and ``#`` comments are ignored.  A missing reason is kept
    (as "") so the run can fail on it.

    Raises:
        HarnessError: a line that is not ``file.wast:line [reason]``, or a
        duplicate entry.
    """
    entries = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        where = parts[0]
        reason = parts[1].strip() if len(parts) > 1 else ""
        file, sep, line_text = where.rpartition(":")
        if not sep or not file.endswith(".wast") or not line_text.isdigit():
            raise HarnessError("%s:%d: expected 'file.wast:line  reason', got %r"
                               % (source, number, raw))
        by_line = entries.setdefault(file, {})
        if int(line_text) in by_line:
            raise HarnessError("%s:%d: duplicate entry %s" % (source, number, where))
        by_line[int(line_text)] = SkipEntry(file, int(line_text), reason,
                                            "%s:%d" % (source, number))
    return entries


def load_skiplist(path=SKIPLIST_PATH):
    """parse_skiplist of a file; a missing file is an empty skiplist."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    return parse_skiplist(text, os.path.basename(path))


def skiplist_problems(skiplist, known_files, ran_files=()):
    """Entries that fail the run outside any file's results.

    An entry naming no file of the suite, or one without a reason for a file
    that did not run (in a file that ran, ScriptRunner.run already failed it).
    """
    problems = []
    for file, by_line in sorted(skiplist.items()):
        for entry in sorted(by_line.values(), key=lambda e: e.line):
            if file not in known_files:
                problems.append("%s: %s:%d names no file of the suite"
                                % (entry.source, file, entry.line))
            elif not entry.reason and file not in ran_files:
                problems.append("%s: %s:%d has no reason" % (entry.source, file, entry.line))
    return problems


# -- the runtime, through its public API ----------------------------------------

class Runtime:
    """The parts of the public embedding API the harness uses.

    One object per engine tier.  Tests of the harness substitute a fake with
    the same attributes and methods.
    """

    def __init__(self, engine=DEFAULT_ENGINE, store_options=None):
        try:
            import pywasi_interp as api
            from pywasi_interp.host import spectest
        except Exception as exc:
            raise HarnessError("cannot import the runtime: %s" % _exc_text(exc))
        if engine not in ENGINES:
            raise HarnessError("unknown engine %r (known: %s)" % (engine, ", ".join(ENGINES)))
        self.engine = engine
        self._api = api
        self._spectest = spectest
        self.DecodeError = api.DecodeError
        self.ValidationError = api.ValidationError
        self.LinkError = api.LinkError
        self.Trap = api.Trap
        self.ExhaustionError = api.ExhaustionError
        self.own_errors = (api.WasmError, api.ProcExit)
        self._store_options = dict(store_options or {})
        if _accepts_keyword(api.Store, "engine"):
            self._store_options["engine"] = engine
        elif engine != DEFAULT_ENGINE:
            raise HarnessError("this runtime's Store() has no engine selection; "
                               "only %r can run" % DEFAULT_ENGINE)
        # A script may register a name twice; as in the reference
        # interpreter, the later registration wins.
        self._linker_options = {}
        if _accepts_keyword(api.Linker, "allow_shadowing"):
            self._linker_options["allow_shadowing"] = True

    def new_store(self):
        return self._api.Store(**self._store_options)

    def new_linker(self, store):
        linker = self._api.Linker(**self._linker_options)
        self._spectest.register(linker, store)
        return linker

    def load(self, data):
        return self._api.Module(data)

    def instantiate(self, linker, store, module):
        return linker.instantiate(store, module)

    def register(self, linker, name, instance):
        linker.define_instance(name, instance)

    def invoke(self, instance, field, args):
        func = _export(instance, field)
        if not hasattr(func, "call_raw"):
            raise CommandFailed("export %r is %s, not a function" % (field, type(func).__name__))
        return list(func.call_raw(args))

    def get(self, instance, field):
        global_ = _export(instance, field)
        if not hasattr(global_, "raw"):
            raise CommandFailed("export %r is %s, not a global" % (field, type(global_).__name__))
        return global_.raw


def _accepts_keyword(cls, name):
    import inspect
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
    return name in params


def _export(instance, field):
    exports = instance.exports
    if field not in exports:
        raise CommandFailed("the module has no export %r" % field)
    return exports[field]


# -- results --------------------------------------------------------------------

class CommandResult:
    """The outcome of one command."""

    __slots__ = ("line", "type", "status", "command", "expected", "got",
                 "escaped", "traceback", "where", "skip_kind", "reason")

    def __init__(self, line, ctype, command):
        self.line = line
        self.type = ctype
        self.command = command      # readable description
        self.status = PASSED
        self.expected = None
        self.got = None
        self.escaped = False
        self.traceback = None
        self.where = None           # innermost frame of an escaped exception
        self.skip_kind = None       # SKIP_TEXT or SKIP_LIST
        self.reason = None

    def fail(self, expected, got):
        self.status = FAILED
        self.expected = expected
        self.got = got

    def to_json(self):
        out = {"line": self.line, "type": self.type, "status": self.status,
               "command": self.command}
        if self.status != PASSED or self.reason:
            for key in ("expected", "got", "skip_kind", "reason", "where", "traceback"):
                value = getattr(self, key)
                if value is not None:
                    out[key] = value
            if self.escaped:
                out["escaped"] = True
        return out


class FileResult:
    """All command results of one .wast file."""

    def __init__(self, name, engine):
        self.name = name
        self.engine = engine
        self.results = []
        self.seconds = 0.0

    def _count(self, predicate):
        return sum(1 for r in self.results if predicate(r))

    @property
    def passed(self):
        return self._count(lambda r: r.status == PASSED)

    @property
    def failed(self):
        return self._count(lambda r: r.status == FAILED)

    @property
    def skipped(self):
        return self._count(lambda r: r.status == SKIPPED)

    @property
    def skipped_text(self):
        return self._count(lambda r: r.status == SKIPPED and r.skip_kind == SKIP_TEXT)

    @property
    def skipped_list(self):
        return self._count(lambda r: r.status == SKIPPED and r.skip_kind == SKIP_LIST)

    @property
    def escaped(self):
        return self._count(lambda r: r.escaped)

    def failures(self):
        return [r for r in self.results if r.status == FAILED]

    def describe_failures(self, limit=None):
        """Failure report lines, at most ``limit`` failures."""
        lines = []
        failures = self.failures()
        for result in failures[:limit]:
            lines.append("FAIL %s:%s %s%s" % (self.name, result.line, result.command,
                                               " [escaped exception]" if result.escaped else ""))
            lines.append("     expected: %s" % result.expected)
            lines.append("     got:      %s" % result.got)
            if result.where:
                lines.append("     raised:   %s" % result.where)
        if limit is not None and len(failures) > limit:
            lines.append("... and %d more failures in %s" % (len(failures) - limit, self.name))
        return lines

    def to_json(self):
        return {"engine": self.engine, "passed": self.passed, "failed": self.failed,
                "skipped": self.skipped, "skipped_text": self.skipped_text,
                "skipped_list": self.skipped_list, "escaped": self.escaped,
                "seconds": round(self.seconds, 3),
                "commands": [r.to_json() for r in self.results]}


# -- running a script -----------------------------------------------------------

class CommandFailed(Exception):
    """A command did not do what the script expects (raised inside the harness)."""

    def __init__(self, got, expected=None):
        super().__init__(got)
        self.got = got
        self.expected = expected


class _FailedModule:
    """Stands for a module that should have loaded but did not."""

    __slots__ = ("line", "reason")

    def __init__(self, line, reason):
        self.line = line
        self.reason = reason


def _exc_text(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def _describe_action(action):
    module = action.get("module")
    target = "%s.%s" % (module, action.get("field")) if module else str(action.get("field"))
    if action.get("type") == "get":
        return "get %s" % target
    args = ", ".join(_describe_arg(a) for a in action.get("args", ()))
    return "invoke %s(%s)" % (target, args)


def _describe_arg(value_json):
    try:
        raw = parse_arg(value_json)
    except ScriptValueError:
        return repr(value_json)
    return format_values([value_json.get("type")], [raw])[1:-1]


def describe_command(cmd):
    """One line naming a command, for reports."""
    ctype = cmd.get("type")
    if "action" in cmd:
        return "%s %s" % (ctype, _describe_action(cmd["action"]))
    if ctype == "register":
        return "register %s as %r" % (cmd.get("name") or "<current>", cmd.get("as"))
    parts = [ctype]
    if cmd.get("name"):
        parts.append(cmd["name"])
    if cmd.get("filename"):
        parts.append("(%s)" % cmd["filename"])
    return " ".join(parts)


class ScriptRunner:
    """Runs the commands of one script against one fresh Store and Linker."""

    def __init__(self, runtime, base_dir):
        self.runtime = runtime
        self.base_dir = base_dir
        self.store = runtime.new_store()
        self.linker = runtime.new_linker(self.store)
        self.instances = {}         # "$name" -> instance or _FailedModule
        self.current = None
        self._handlers = {
            "module": self._module,
            "register": self._register,
            "action": self._action,
            "assert_return": self._assert_return,
            "assert_trap": self._assert_trap,
            "assert_exhaustion": self._assert_exhaustion,
            "assert_invalid": self._assert_invalid,
            "assert_malformed": self._assert_malformed,
            "assert_unlinkable": self._assert_unlinkable,
            "assert_uninstantiable": self._assert_uninstantiable,
        }

    # -- driver

    def run_command(self, cmd):
        """Execute one command; never raises except KeyboardInterrupt & co."""
        result = CommandResult(cmd.get("line"), cmd.get("type"), describe_command(cmd))
        if _is_text_module(cmd):
            result.status = SKIPPED
            result.skip_kind = SKIP_TEXT
            result.reason = "text-format module (no text parser yet)"
            if cmd.get("type") == "module":
                # Later commands using it must fail rather than use another.
                self._set_module(cmd.get("name"), _FailedModule(cmd.get("line"),
                                                                "text-format module skipped"))
            return result
        handler = self._handlers.get(cmd.get("type"))
        if handler is None:
            result.fail("a known command type", "unknown command type %r" % cmd.get("type"))
            return result
        try:
            handler(cmd)
        except CommandFailed as exc:
            result.fail(exc.expected or _expectation(cmd), exc.got)
        except ScriptValueError as exc:
            result.fail(_expectation(cmd), "harness cannot use this script value: %s" % exc)
        except self.runtime.own_errors as exc:
            result.fail(_expectation(cmd), _exc_text(exc))
        except Exception as exc:            # escaped: a runtime bug
            result.fail(_expectation(cmd), "escaped %s" % _exc_text(exc))
            result.escaped = True
            result.traceback = traceback.format_exc(limit=-8)
            result.where = _innermost_frame(exc)
        return result

    def run(self, commands, skips=None):
        """Run ``commands``; ``skips`` is {line: SkipEntry} for this file."""
        skips = skips or {}
        results = []
        used = set()
        for cmd in commands:
            result = self.run_command(cmd)
            entry = skips.get(result.line)
            if entry is not None:
                used.add(result.line)
                _apply_skip(result, entry)
            results.append(result)
        for line in sorted(set(skips) - used):
            entry = skips[line]
            stale = CommandResult(line, "skiplist", "skiplist entry %s" % entry.source)
            stale.fail("a command at line %d" % line, "no command starts at that line")
            results.append(stale)
        return results

    # -- module bookkeeping

    def _set_module(self, name, instance):
        self.current = instance
        if name:
            self.instances[name] = instance

    def _instance(self, name):
        instance = self.current if name is None else self.instances.get(name)
        if instance is None:
            raise CommandFailed("no module %s has been defined" % (name or "(current)"))
        if isinstance(instance, _FailedModule):
            raise CommandFailed("module %s (line %s) failed to load: %s"
                                % (name or "(current)", instance.line, instance.reason))
        return instance

    def _read(self, filename):
        path = os.path.join(self.base_dir, filename)
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as exc:
            raise CommandFailed("harness cannot read %s: %s" % (filename, exc))

    def _load(self, cmd):
        return self.runtime.load(self._read(_field(cmd, "filename")))

    def _instantiate(self, cmd):
        module = self._load(cmd)
        return self.runtime.instantiate(self.linker, self.store, module)

    def _perform(self, action):
        instance = self._instance(action.get("module"))
        field = _field(action, "field")
        if action.get("type") == "invoke":
            args = [parse_arg(a) for a in action.get("args", ())]
            return self.runtime.invoke(instance, field, args)
        if action.get("type") == "get":
            return [self.runtime.get(instance, field)]
        raise CommandFailed("unknown action type %r" % action.get("type"))

    def _expect_error(self, error_class, text, thunk, describe_value=None):
        """Run ``thunk``; pass only on ``error_class`` with a message starting ``text``."""
        expected = "%s %r" % (error_class.__name__, text)
        try:
            value = thunk()
        except error_class as exc:
            if str(exc).startswith(text):
                return
            raise CommandFailed(_exc_text(exc), expected)
        except self.runtime.own_errors as exc:
            raise CommandFailed(_exc_text(exc), expected)
        got = "no error"
        if describe_value is not None:
            got = "no error, returned %s" % describe_value(value)
        raise CommandFailed(got, expected)

    # -- commands

    def _module(self, cmd):
        try:
            instance = self._instantiate(cmd)
        except Exception as exc:
            reason = exc.got if isinstance(exc, CommandFailed) else _exc_text(exc)
            self._set_module(cmd.get("name"), _FailedModule(cmd.get("line"), reason))
            raise
        self._set_module(cmd.get("name"), instance)

    def _register(self, cmd):
        self.runtime.register(self.linker, _field(cmd, "as"), self._instance(cmd.get("name")))

    def _action(self, cmd):
        self._perform(_field(cmd, "action"))

    def _assert_return(self, cmd):
        expected = [parse_expected(v) for v in cmd.get("expected", ())]
        got = self._perform(_field(cmd, "action"))
        if len(got) != len(expected) or not all(e.matches(g) for e, g in zip(expected, got)):
            raise CommandFailed(format_values([e.type for e in expected], got),
                                "[%s]" % ", ".join(str(e) for e in expected))

    def _result_describer(self, cmd):
        types = [v.get("type") for v in cmd.get("expected", ())]
        return lambda values: format_values(types, values)

    def _assert_trap(self, cmd):
        if "action" in cmd:
            self._expect_error(self.runtime.Trap, _field(cmd, "text"),
                               lambda: self._perform(cmd["action"]),
                               self._result_describer(cmd))
        else:
            # A trap while instantiating (start function, segments).
            self._expect_error(self.runtime.Trap, _field(cmd, "text"),
                               lambda: self._instantiate(cmd))

    def _assert_exhaustion(self, cmd):
        self._expect_error(self.runtime.ExhaustionError, _field(cmd, "text"),
                           lambda: self._perform(_field(cmd, "action")),
                           self._result_describer(cmd))

    def _assert_invalid(self, cmd):
        self._expect_error(self.runtime.ValidationError, _field(cmd, "text"),
                           lambda: self._load(cmd))

    def _assert_malformed(self, cmd):
        self._expect_error(self.runtime.DecodeError, _field(cmd, "text"),
                           lambda: self._load(cmd))

    def _assert_unlinkable(self, cmd):
        self._expect_error(self.runtime.LinkError, _field(cmd, "text"),
                           lambda: self._instantiate(cmd))

    def _assert_uninstantiable(self, cmd):
        self._expect_error(self.runtime.Trap, _field(cmd, "text"),
                           lambda: self._instantiate(cmd))


_EXPECTATIONS = {
    "module": "the module to load",
    "register": "the module to be registered",
    "action": "the action to complete",
}


def _expectation(cmd):
    ctype = cmd.get("type")
    if ctype in _EXPECTATIONS:
        return _EXPECTATIONS[ctype]
    if ctype == "assert_return":
        try:
            return "[%s]" % ", ".join(str(parse_expected(v)) for v in cmd.get("expected", ()))
        except ScriptValueError:
            return repr(cmd.get("expected"))
    error = {
        "assert_trap": "Trap", "assert_exhaustion": "ExhaustionError",
        "assert_invalid": "ValidationError", "assert_malformed": "DecodeError",
        "assert_unlinkable": "LinkError", "assert_uninstantiable": "Trap",
    }.get(ctype)
    if error:
        return "%s %r" % (error, cmd.get("text"))
    return "?"


def _innermost_frame(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return None
    frame = frames[-1]
    return "%s:%s in %s" % (os.path.relpath(frame.filename, PROJECT_ROOT), frame.lineno,
                            frame.name)


def _field(cmd, key):
    """A required field of a command; its absence is the script's fault."""
    try:
        return cmd[key]
    except KeyError:
        raise ScriptValueError("command has no %r field" % key)


def _is_text_module(cmd):
    if cmd.get("module_type") == "text":
        return True
    filename = cmd.get("filename")
    return isinstance(filename, str) and filename.endswith(".wat")


def _apply_skip(result, entry):
    if result.escaped:
        # A skip never hides an escaped exception: those must be fixed.
        return
    if not entry.reason:
        result.status = FAILED
        result.expected = "a reason in %s" % entry.source
        result.got = "skiplist entry without a reason"
    elif result.status == PASSED:
        result.status = FAILED
        result.expected = "failure, as %s says (%s)" % (entry.source, entry.reason)
        result.got = "the command now passes: remove the skiplist entry"
    elif result.status == FAILED:
        result.status = SKIPPED
        result.skip_kind = SKIP_LIST
        result.reason = entry.reason


# -- one file ---------------------------------------------------------------------

def run_file(wast_path, runtime, skiplist=None, cache_dir=None):
    """Convert (cached) and run one .wast; returns its FileResult.

    A file that cannot be converted or loaded is one failed command
    ("convert").  ``skiplist`` is the whole {file: {line: SkipEntry}} map.
    """
    name = os.path.basename(wast_path)
    file_result = FileResult(name, runtime.engine)
    start = time.perf_counter()
    skips = (skiplist or {}).get(name, {})
    try:
        json_path = convert.converted_script(wast_path, cache_dir)
        commands = convert.load_script(json_path)
    except (convert.ConversionError, OSError) as exc:
        result = CommandResult(0, "convert", "wast2json %s" % name)
        result.fail("a converted script", _exc_text(exc))
        file_result.results.append(result)
    else:
        try:
            runner = ScriptRunner(runtime, os.path.dirname(json_path))
        except Exception as exc:            # Store/Linker/spectest setup
            result = CommandResult(0, "setup", "new Store, Linker and spectest module")
            result.fail("a fresh store", _exc_text(exc))
            result.escaped = not isinstance(exc, runtime.own_errors)
            result.traceback = traceback.format_exc(limit=-8)
            file_result.results.append(result)
        else:
            file_result.results = runner.run(commands, skips)
    file_result.seconds = time.perf_counter() - start
    return file_result
