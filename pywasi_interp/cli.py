"""The ``pywasi-interp`` command line, shaped like wasmtime's.

Subcommands: ``run`` (a WASI command, or one export with ``--invoke``),
``inspect`` (what a module contains), ``validate`` (decode + validate
only) and ``demo`` (the HTTP demo, when installed).  ``pywasi-interp
MODULE ARGS...`` is short for ``pywasi-interp run MODULE ARGS...``.

Exit status of ``run``: the guest's ``proc_exit`` code (0 when ``_start``
returns); 134 when the guest traps or exhausts a limit (wasmtime's status
for a trap, 128 + SIGABRT); 1 when the module cannot be loaded or linked;
2 for a bad command line.
"""

import argparse
import os
import sys

from .runtime.store import ENGINES

__all__ = ["main", "build_parser"]

PROG = "pywasi-interp"
EXIT_TRAP = 134          # what wasmtime exits with when the guest traps
EXIT_LOAD_ERROR = 1
EXIT_USAGE = 2

DESCRIPTION = """\
Run WebAssembly modules in pure Python, with WASI preview 1
(wasi_snapshot_preview1) and nothing granted that you did not grant.

A guest sees no files, no environment variables and only the arguments you
pass it, unless you grant them:
  --dir HOST[::GUEST]   make a host directory visible (as GUEST)
  --env NAME=VALUE      set a variable (--env NAME copies the host's value)
  --inherit-env         pass the whole host environment
"""

EPILOG = """\
commands:
  run        run a WASI command (its _start), or one export with --invoke
  inspect    print sections, imports, exports, limits and features used
  validate   decode and validate a module; exit 0 when valid, else 1
  demo       the wasi_experimental_http demo (when installed)

examples:
  pywasi-interp run hello.wasm
  pywasi-interp run --dir ./data::/data --env LANG=C tool.wasm /data/in.txt
  pywasi-interp run --fuel 100000000 --timeout 10 --max-memory 64M guest.wasm
  pywasi-interp run --invoke add math.wasm 2 3
  pywasi-interp fib.wasm 30          (same as: pywasi-interp run fib.wasm 30)
  pywasi-interp inspect guest.wasm

exit status (run):
  the guest's proc_exit code (0 when _start returns); 134 when the guest
  traps or exceeds --fuel/--timeout/--max-memory (as wasmtime); 1 when the
  module cannot be read, decoded, validated or linked; 2 for bad options.

See 'pywasi-interp COMMAND --help' for each command's options.
"""

RUN_DESCRIPTION = """\
Instantiate MODULE with WASI preview 1 and run it: its _start export (a
WASI command), or the export named by --invoke.  Arguments after MODULE
are the guest's (argv[0] is MODULE as given); options for pywasi-interp
go before MODULE.

Sandbox: the guest can reach only the directories given with --dir, and
nothing outside them: not through "..", absolute paths, symlinks, renames
or links.  Its environment holds only --env variables (or the host's with
--inherit-env).  stdin, stdout and stderr are the host's.
"""

RUN_EPILOG = """\
limits (a guest exceeding one is stopped with an error and status 134):
  --fuel N              WebAssembly instructions the guest may execute
  --timeout SECONDS     wall-clock time per call (also 500ms, 2s, 1m)
  --max-memory BYTES    cap on each linear memory (suffixes K, M, G);
                        memory.grow beyond it fails as at a memory's maximum

--invoke NAME ARGS: the arguments are parsed by the export's parameter
types (integers in decimal or 0x hex, floats as Python reads them) and
each result is printed on its own line.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr, not usage."""

    def error(self, message):
        self.exit(EXIT_USAGE, "%s: error: %s (see '%s --help')\n"
                  % (self.prog, message, self.prog))


def _parse_size(text):
    """BYTES with an optional K/M/G (powers of 1024) suffix."""
    value = text.strip().upper()
    if value.endswith("IB"):
        value = value[:-2]
    elif value.endswith("B"):
        value = value[:-1]
    scale = 1
    if value and value[-1] in "KMG":
        scale = 1024 ** ("KMG".index(value[-1]) + 1)
        value = value[:-1]
    try:
        number = int(value, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not a size in bytes: %r" % text)
    if number < 0:
        raise argparse.ArgumentTypeError("size must not be negative: %r" % text)
    return number * scale


def _parse_seconds(text):
    value = text.strip().lower()
    scale = 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if value.endswith(suffix):
            value = value[:-len(suffix)]
            scale = factor
            break
    try:
        seconds = float(value) * scale
    except ValueError:
        raise argparse.ArgumentTypeError("not a duration: %r" % text)
    if not seconds > 0:
        raise argparse.ArgumentTypeError("timeout must be positive: %r" % text)
    return seconds


def _parse_count(text):
    try:
        number = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if number < 0:
        raise argparse.ArgumentTypeError("must not be negative: %r" % text)
    return number


def _parse_dir(text):
    host, sep, guest = text.partition("::")
    if not host:
        raise argparse.ArgumentTypeError("empty host directory in %r" % text)
    if sep and not guest:
        raise argparse.ArgumentTypeError("empty guest path in %r" % text)
    return host, (guest if sep else host)


def _parse_mapdir(text):
    guest, sep, host = text.partition("::")
    if not sep or not guest or not host:
        raise argparse.ArgumentTypeError("expected GUEST::HOST, got %r" % text)
    return host, guest


def _parse_env(text):
    name, sep, value = text.partition("=")
    if not name:
        raise argparse.ArgumentTypeError("empty variable name in %r" % text)
    if not sep:
        # wasmtime: --env NAME copies the host's value, if it has one.
        if name not in os.environ:
            return None
        value = os.environ[name]
    return name, value


def _http_cli():
    try:
        from .host.http import cli as http_cli
    except ImportError:
        return None
    if not hasattr(http_cli, "add_arguments") or not hasattr(http_cli, "setup"):
        return None
    return http_cli


def build_parser():
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__
    parser.add_argument("--version", action="version", version="%s %s" % (PROG, __version__))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run a WASI command or an export",
                         description=RUN_DESCRIPTION, epilog=RUN_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--dir", dest="dirs", action="append", default=[], type=_parse_dir,
                     metavar="HOST[::GUEST]",
                     help="grant the host directory HOST, seen by the guest as GUEST "
                          "(default: the same path as given); repeatable")
    run.add_argument("--mapdir", dest="dirs", action="append", type=_parse_mapdir,
                     metavar="GUEST::HOST",
                     help="old wasmtime spelling of --dir HOST::GUEST; repeatable")
    run.add_argument("--env", dest="env", action="append", default=[], type=_parse_env,
                     metavar="NAME[=VALUE]",
                     help="set an environment variable for the guest (NAME alone "
                          "copies the host's value); repeatable")
    run.add_argument("--inherit-env", action="store_true",
                     help="pass the host's whole environment to the guest "
                          "(--env entries still win)")
    run.add_argument("--invoke", metavar="NAME",
                     help="call the export NAME with ARGS instead of running _start, "
                          "and print its results")
    run.add_argument("--fuel", type=_parse_count, metavar="N",
                     help="stop the guest after N WebAssembly instructions")
    run.add_argument("--timeout", type=_parse_seconds, metavar="SECONDS",
                     help="stop the guest after this much wall-clock time")
    run.add_argument("--max-memory", type=_parse_size, metavar="BYTES",
                     help="cap each linear memory at BYTES (K, M, G suffixes)")
    run.add_argument("--engine", choices=ENGINES, default="auto",
                     help="how functions run: 'interp' (tier 0, the closure interpreter), "
                          "'translate' (tier 1, compiled to Python code), 'flat' "
                          "(tier 1 as a state machine for every function, the form it "
                          "takes for blocks nested too deeply; for testing), 'auto' "
                          "(default: tier 1 for functions with loops or called "
                          "twice, tier 0 for the rest), 'ppci' (optional, pip install "
                          "'pywasi_interp[jit]': MVP modules without f32 through ppci's "
                          "Python target, anything else through the built-in engine)")
    run.add_argument("--cache-dir", metavar="DIR",
                     help="keep compiled tier-1 code in DIR, keyed by the module's hash and "
                          "this runtime's version, so later runs start faster")
    run.add_argument("--max-call-depth", type=_parse_count, metavar="N",
                     help="guest call depth before 'call stack exhausted' (default 10000)")
    run.add_argument("--unknown-imports", choices=("error", "trap"), default="error",
                     help="'trap': link missing function imports as functions that trap "
                          "when called (wasmtime -Wunknown-imports-trap); 'error' "
                          "(default): a missing import is a link error")
    http_cli = _http_cli()
    if http_cli is not None:
        http_cli.add_arguments(run)
    run.add_argument("module", metavar="MODULE", help="the .wasm file")
    run.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                     help="arguments for the guest (or for --invoke)")

    inspect = sub.add_parser("inspect", help="describe a module",
                             description="Print a module's sections (with sizes), imports, "
                                         "exports, memory and table limits, and the "
                                         "WebAssembly features its code uses.")
    inspect.add_argument("module", metavar="MODULE")

    validate = sub.add_parser("validate", help="validate a module",
                              description="Decode and validate MODULE. Exit status 0 when "
                                          "it is valid; otherwise the error is printed and "
                                          "the status is 1.")
    validate.add_argument("module", metavar="MODULE")

    demo = sub.add_parser("demo", help="run the HTTP demo", add_help=False,
                          description="The wasi_experimental_http demo; its options are "
                                      "its own.")
    demo.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


COMMANDS = ("run", "inspect", "validate", "demo")


def main(argv=None):
    """Entry point; returns the exit status (``sys.exit(main())``)."""
    if argv is None:
        argv = sys.argv[1:]
    argv = list(argv)
    # "pywasi-interp MODULE ..." is "pywasi-interp run MODULE ...", as in wasmtime.
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "run")
    elif argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "run")
    if argv[:1] == ["demo"]:
        return _demo(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "inspect":
            return _inspect(args.module)
        if args.command == "validate":
            return _validate(args.module)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        return 1
    return EXIT_USAGE


def _error(message):
    sys.stderr.write("Error: %s\n" % message)
    sys.stderr.flush()


def _demo(rest):
    try:
        from . import demo
    except ImportError:
        _error("the demo is not installed (pywasi_interp.demo is missing)")
        return 1
    result = demo.main(rest)
    return 0 if result is None else result



def _read_module(path):
    """The module file's bytes, or None after printing why it can't be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        _error("cannot read module `%s`: %s" % (path, error.strerror or error))
        return None

def _load(path):
    """Module from ``path``, or an exit status after printing why not."""
    from .errors import DecodeError, ValidationError
    from .module import Module
    data = _read_module(path)
    if data is None:
        return None
    try:
        return Module(data)
    except (DecodeError, ValidationError) as error:
        kind = "invalid" if isinstance(error, ValidationError) else "malformed"
        _error("failed to load module `%s` (%s): %s" % (path, kind, error))
        return None


def _validate(path):
    from .errors import DecodeError, ValidationError
    from .module import Module
    data = _read_module(path)
    if data is None:
        return 1
    try:
        Module.validate(data)
    except DecodeError as error:
        _error("`%s` is malformed: %s" % (path, error))
        return 1
    except ValidationError as error:
        _error("`%s` is invalid: %s" % (path, error))
        return 1
    print("%s: valid" % path)
    return 0


def _wasi_config(args):
    from .host.wasi import WasiConfig, Preopen
    env = []
    if args.inherit_env:
        env.extend(os.environ.items())
    for item in args.env:
        if item is None:
            continue
        env = [(k, v) for k, v in env if k != item[0]]
        env.append(item)
    preopens = [Preopen(host, guest) for host, guest in args.dirs]
    return WasiConfig(args=[args.module] + list(args.args), env=env, preopens=preopens)


def _run(args):
    from .errors import ExhaustionError, LinkError, ProcExit, Trap
    from .link import Linker
    from .runtime.store import Store
    from .host.wasi import register

    module = _load(args.module)
    if module is None:
        return EXIT_LOAD_ERROR
    try:
        store = Store(fuel=args.fuel, timeout=args.timeout, max_memory=args.max_memory,
                      max_call_depth=args.max_call_depth, engine=args.engine,
                      cache_dir=args.cache_dir)
    except ValueError as error:
        _error(str(error))
        return EXIT_USAGE
    linker = Linker()
    try:
        wasi = register(linker, _wasi_config(args))
    except ValueError as error:
        _error(str(error))
        return EXIT_LOAD_ERROR
    if args.unknown_imports == "trap":
        linker.define_unknown_imports_as_traps()
    closer = None
    status = 0
    try:
        http_cli = _http_cli()
        if http_cli is not None and http_cli.needed(args, module):
            try:
                closer = http_cli.setup(linker, args)
            except ValueError as error:
                _error(str(error))
                return EXIT_USAGE
        try:
            instance = linker.instantiate(store, module)
            if args.invoke is not None:
                status = _invoke(instance, args)
            else:
                status = _start(instance, args)
        except ProcExit as exit_:
            status = exit_.code & 0xFF
        except LinkError as error:
            _error("failed to link module `%s`: %s" % (args.module, error))
            status = EXIT_LOAD_ERROR
        except Trap as trap:
            _report_trap(args, trap)
            status = EXIT_TRAP
        except ExhaustionError as error:
            _report_trap(args, error)
            status = EXIT_TRAP
    finally:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        if closer is not None:
            closer()
        wasi.close()
    return status


def _start(instance, args):
    exports = instance.exports
    start = exports.get("_start")
    if start is None:
        initialize = exports.get("_initialize")
        if initialize is not None:
            initialize()
        # A module without _start has done its work in its start function
        # (or is a library): nothing more to run, as wasmtime.
        return 0
    start()
    return 0


def _convert_arg(valtype, text):
    from .types import ValType
    if valtype in (ValType.I32, ValType.I64):
        value = int(text, 0)
        bits = 32 if valtype == ValType.I32 else 64
        if not -(1 << (bits - 1)) <= value < (1 << bits):
            raise ValueError("%s out of range for %s" % (text, valtype))
        return value
    if valtype in (ValType.F32, ValType.F64):
        return float(text)
    raise ValueError("cannot pass a %s from the command line" % valtype)


def _invoke(instance, args):
    exports = instance.exports
    func = exports.get(args.invoke)
    if func is None or not hasattr(func, "type") or not hasattr(func.type, "params"):
        _error("module `%s` has no function export `%s`" % (args.module, args.invoke))
        return EXIT_LOAD_ERROR
    params = func.type.params
    if len(args.args) != len(params):
        _error("`%s` takes %d argument(s), %d given" % (args.invoke, len(params), len(args.args)))
        return EXIT_USAGE
    try:
        values = [_convert_arg(t, a) for t, a in zip(params, args.args)]
    except ValueError as error:
        _error("bad argument for `%s`: %s" % (args.invoke, error))
        return EXIT_USAGE
    initialize = exports.get("_initialize")
    if initialize is not None and args.invoke != "_initialize":
        initialize()
    result = func(*values)
    if result is None:
        results = ()
    elif isinstance(result, tuple):
        results = result
    else:
        results = (result,)
    for value in results:
        print(_format_value(value))
    return 0


def _format_value(value):
    if isinstance(value, float):
        return repr(value)
    if value is None:
        return "null"
    return str(value)


def _report_trap(args, error):
    """Print a trap as wasmtime does: the cause chain, then the backtrace."""
    lines = ["Error: failed to run main module `%s`" % args.module, "", "Caused by:"]
    what = ("failed to invoke `%s`" % args.invoke) if args.invoke else "failed to invoke command default"
    lines.append("    0: %s" % what)
    frames = getattr(error, "frames", None) or []
    if frames:
        lines.append("    1: error while executing at wasm backtrace:")
        for i, frame in enumerate(frames):
            lines.append("           %d: %s" % (i, _describe_frame(frame, args.module)))
        lines.append("    2: wasm trap: %s" % error)
    else:
        lines.append("    1: %s" % error)
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


def _describe_frame(frame, module_path):
    """``0x<funcidx> - module!name``, the shape of a wasmtime frame line."""
    default_module = os.path.basename(module_path)
    if isinstance(frame, tuple):
        module_name, index, name = frame
    else:
        index = getattr(frame, "index", None)
        name = getattr(frame, "name", None)
        instance = getattr(frame, "instance", None)
        module = getattr(instance, "module", None)
        module_name = getattr(module, "name", None)
    if not module_name or module_name == "<module>":
        module_name = default_module
    if name is None:
        name = "<wasm function %s>" % index
    prefix = ("func %d" % index) if isinstance(index, int) else "func ?"
    return "%10s - %s!%s" % (prefix, module_name, name)


SECTION_NAMES = {
    0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
    6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
    12: "datacount",
}


def _uleb(data, pos):
    """A u32 LEB128 at ``pos`` -> (value, next pos); ValueError when broken."""
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 28:
            raise ValueError("bad LEB128 at byte %d" % pos)
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def section_headers(data):
    """[(id, name, payload offset, payload size)] of a binary module.

    Custom sections are named by their own name.  Only the headers are read
    (binary format "Sections"); the module must already have decoded.
    """
    sections = []
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, start = _uleb(data, pos + 1)
        name = SECTION_NAMES.get(section_id, "unknown(%d)" % section_id)
        if section_id == 0:
            length, after = _uleb(data, start)
            name = "custom \"%s\"" % data[after:after + length].decode("utf-8", "replace")
        sections.append((section_id, name, start, size))
        pos = start + size
    return sections


def _limits(limits):
    return "min %d%s" % (limits.min, "" if limits.max is None else ", max %d" % limits.max)


def _describe_type(kind, desc):
    from .types import FuncType
    if isinstance(desc, FuncType):
        return "(%s) -> (%s)" % (", ".join(str(t) for t in desc.params),
                                 ", ".join(str(t) for t in desc.results))
    if kind == "memory":
        return "pages %s" % _limits(desc.limits)
    if kind == "table":
        return "%s, %s" % (desc.elem_type, _limits(desc.limits))
    if kind == "global":
        return "%s%s" % ("mut " if desc.mutable else "", desc.valtype)
    return repr(desc)


_SIGN_EXT = {"i32.extend8_s", "i32.extend16_s", "i64.extend8_s", "i64.extend16_s",
             "i64.extend32_s"}
_BULK = {"memory.copy", "memory.fill", "memory.init", "data.drop", "table.copy",
         "table.init", "elem.drop"}
_REF = {"ref.null", "ref.is_null", "ref.func", "table.get", "table.set", "table.size",
        "table.grow", "table.fill", "select_t"}


def features_used(ast_module):
    """Names of the post-MVP features a decoded module relies on."""
    from .types import ValType
    found = set()
    for functype in ast_module.types:
        if len(functype.results) > 1:
            found.add("multi-value")
        if any(t.is_ref for t in functype.params + functype.results):
            found.add("reference-types")
    tables = len(ast_module.tables) + len(ast_module.imports_of("table"))
    if tables > 1:
        found.add("reference-types")
    if len(ast_module.mems) + len(ast_module.imports_of("memory")) > 1:
        found.add("multi-memory")
    for imp in ast_module.imports_of("global"):
        if imp.desc.mutable:
            found.add("mutable-globals")
    if ast_module.data_count is not None:
        found.add("bulk-memory")
    for func in ast_module.funcs:
        for op, imm, _offset in func.body:
            name = op.name
            if name in _SIGN_EXT:
                found.add("sign-extension")
            elif "trunc_sat" in name:
                found.add("saturating-float-to-int")
            elif name in _BULK:
                found.add("bulk-memory")
            elif name in _REF:
                found.add("reference-types")
            elif op.imm == "blocktype" and isinstance(imm, int):
                found.add("multi-value")
            elif op.imm == "call_indirect" and imm[1] != 0:
                found.add("reference-types")
    for elem in ast_module.elems:
        if elem.mode != "active" or elem.type != ValType.FUNCREF:
            found.add("bulk-memory" if elem.mode != "active" else "reference-types")
    for data in ast_module.datas:
        if data.mode == "passive":
            found.add("bulk-memory")
    return sorted(found)


def _target_features(payload):
    """Names in a "target_features" custom section (tool conventions:
    vec of (prefix byte '+', '-' or '=', name)); broken sections give []."""
    if not payload:
        return []
    names = []
    try:
        count, pos = _uleb(payload, 0)
        for _ in range(count):
            prefix = chr(payload[pos])
            length, pos = _uleb(payload, pos + 1)
            name = payload[pos:pos + length].decode("utf-8")
            pos += length
            names.append(name if prefix == "+" else prefix + name)
    except (ValueError, IndexError, UnicodeDecodeError):
        return []
    return names


def _inspect(path):
    from .errors import DecodeError, ValidationError
    from .binary.decode import decode_module
    from .validate import validate_module
    data = _read_module(path)
    if data is None:
        return 1
    try:
        module = decode_module(data)
    except DecodeError as error:
        _error("`%s` is malformed: %s" % (path, error))
        return 1
    try:
        validate_module(module)
        validity = "valid"
    except ValidationError as error:
        validity = "INVALID: %s" % error
    out = []
    out.append("module: %s (%d bytes, %s)" % (path, len(data), validity))
    out.append("")
    out.append("sections:")
    for section_id, name, offset, size in section_headers(data):
        out.append("  %-28s %10d bytes  at 0x%x" % (name, size, offset))
    out.append("")
    nimported = len(module.imports_of("func"))
    out.append("functions: %d imported, %d defined; types: %d; start: %s"
               % (nimported, len(module.funcs), len(module.types),
                  "none" if module.start is None else "func %d" % module.start))
    out.append("")
    out.append("imports (%d):" % len(module.imports))
    for imp in module.imports:
        desc = module.types[imp.desc] if imp.kind == "func" else imp.desc
        out.append("  %-7s %s::%s  %s" % (imp.kind, imp.module, imp.name,
                                          _describe_type(imp.kind, desc)))
    out.append("")
    out.append("exports (%d):" % len(module.exports))
    spaces = {kind: [(imp.desc if kind != "func" else module.types[imp.desc])
                     for imp in module.imports_of(kind)]
              for kind in ("func", "table", "memory", "global")}
    spaces["func"] += [module.types[f.typeidx] for f in module.funcs]
    spaces["table"] += module.tables
    spaces["memory"] += module.mems
    spaces["global"] += [g.type for g in module.globals]
    for export in module.exports:
        space = spaces[export.kind]
        desc = space[export.index] if export.index < len(space) else None
        out.append("  %-7s %s  %s" % (export.kind, export.name,
                                      _describe_type(export.kind, desc) if desc is not None else "?"))
    out.append("")
    out.append("memories:")
    memories = [("imported", imp.desc) for imp in module.imports_of("memory")]
    memories += [("defined", m) for m in module.mems]
    for i, (origin, memtype) in enumerate(memories):
        out.append("  memory %d (%s): pages %s" % (i, origin, _limits(memtype.limits)))
    if not memories:
        out.append("  none")
    out.append("tables:")
    tables = [("imported", imp.desc) for imp in module.imports_of("table")]
    tables += [("defined", t) for t in module.tables]
    for i, (origin, tabletype) in enumerate(tables):
        out.append("  table %d (%s): %s, %s" % (i, origin, tabletype.elem_type,
                                                _limits(tabletype.limits)))
    if not tables:
        out.append("  none")
    out.append("globals: %d imported, %d defined; data segments: %d; element segments: %d"
               % (len(module.imports_of("global")), len(module.globals), len(module.datas),
                  len(module.elems)))
    features = features_used(module)
    out.append("features used: %s" % (", ".join(features) if features else "none beyond MVP"))
    declared = _target_features(module.custom_section("target_features"))
    if declared:
        out.append("features declared by the producer (target_features): %s" % ", ".join(declared))
    print("\n".join(out))
    return 0
