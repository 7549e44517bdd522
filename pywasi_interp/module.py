"""The public Module: a decoded and validated module, ready to instantiate."""

import collections
import contextlib
import sys

from .binary.decode import decode_module, parse_name_section
from .validate import validate_module

__all__ = ["Module", "ImportType", "ExportType"]

_BYTES_LIKE = (bytes, bytearray, memoryview)

ImportType = collections.namedtuple("ImportType", "module name kind type")
ExportType = collections.namedtuple("ExportType", "name kind type")


class Module:
    """A WebAssembly module, decoded and validated on construction.

    Args:
        data: the binary module (bytes-like).  wasmtime's ``Module(engine,
            data)`` is accepted too (the engine is not needed here).
        name: a name for backtraces and traces (defaults to the name
            section's module name).

    Raises:
        DecodeError: the binary is malformed.
        ValidationError: the module is invalid.
    """

    def __init__(self, data, name=None, **kwargs):
        if isinstance(name, _BYTES_LIKE):          # Module(engine, data)
            data, name = name, kwargs.pop("name", None)
        if kwargs:
            raise TypeError("unexpected arguments: %s" % ", ".join(kwargs))
        if not isinstance(data, _BYTES_LIKE):
            raise TypeError("Module() takes the binary as bytes, not %s"
                            % type(data).__name__)
        self.ast, self.heights = _decode_and_validate(bytes(data))
        self._names = None
        self._name = name

    @classmethod
    def from_file(cls, *args, name=None):
        """``from_file(path)`` (or wasmtime's ``from_file(engine, path)``):
        load a module from a .wasm file.  OSError if it cannot be read."""
        path = args[-1]
        if len(args) not in (1, 2):
            raise TypeError("from_file takes a path (optionally after an engine)")
        with open(path, "rb") as f:
            data = f.read()
        return cls(data, name)

    @staticmethod
    def validate(*args):
        """``validate(data)`` (wasmtime: ``validate(engine, data)``): decode
        and validate without keeping the result.

        Raises:
            DecodeError, ValidationError: as for Module().
        """
        data = args[-1]
        if not isinstance(data, _BYTES_LIKE):
            raise TypeError("validate() takes the binary as bytes")
        _decode_and_validate(bytes(data))

    @property
    def name(self):
        if self._name is None:
            self._name = self._name_section().get("module")
        return self._name

    def _name_section(self):
        if self._names is None:
            payload = self.ast.custom_section("name")
            self._names = parse_name_section(payload) if payload is not None else {}
        return self._names

    def func_name(self, funcidx):
        """The function's name from the name section, or None."""
        return self._name_section().get("functions", {}).get(funcidx)

    def custom_section(self, name):
        """The payload of the first custom section called ``name``, or None."""
        return self.ast.custom_section(name)

    def _func_type(self, funcidx):
        nimported = 0
        for imp in self.ast.imports:
            if imp.kind == "func":
                if nimported == funcidx:
                    return self.ast.types[imp.desc]
                nimported += 1
        return self.ast.types[self.ast.funcs[funcidx - nimported].typeidx]

    @property
    def imports(self):
        """List of ImportType(module, name, kind, type)."""
        return [ImportType(imp.module, imp.name, imp.kind,
                           self.ast.types[imp.desc] if imp.kind == "func" else imp.desc)
                for imp in self.ast.imports]

    @property
    def exports(self):
        """List of ExportType(name, kind, type)."""
        spaces = {kind: [imp.desc for imp in self.ast.imports if imp.kind == kind]
                  for kind in ("table", "memory", "global")}
        spaces["table"] += self.ast.tables
        spaces["memory"] += self.ast.mems
        spaces["global"] += [g.type for g in self.ast.globals]
        result = []
        for export in self.ast.exports:
            if export.kind == "func":
                t = self._func_type(export.index)
            else:
                t = spaces[export.kind][export.index]
            result.append(ExportType(export.name, export.kind, t))
        return result


# PyPy's JIT spends about 75 ms tracing the decoder and validator, which run
# once per module: below this size interpreting them is faster (measured:
# a 30 KB module loads in 30 ms instead of 107 ms; 3.9 MB loads in 0.62 s
# with the JIT and 1.6 s without, so large modules keep it).
_PYPY_INTERPRET_BELOW = 256 * 1024


def _decode_and_validate(data):
    """(ast, operand heights per function) of a binary module."""
    with _jit_paused(len(data) < _PYPY_INTERPRET_BELOW):
        ast = decode_module(data)
        return ast, validate_module(ast)


@contextlib.contextmanager
def _jit_paused(pause):
    """On PyPy, run the body with the JIT off (``pause``), then restore its
    default parameters."""
    if not pause or sys.implementation.name != "pypy":
        yield
        return
    import pypyjit
    pypyjit.set_param("off")
    try:
        yield
    finally:
        pypyjit.set_param("default")
