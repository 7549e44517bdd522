"""The Linker: resolves imports by (module, name), as wasmtime's does."""

from .errors import LinkError, Trap, TrapKind
from .instantiate import instantiate, extern_kind
from .runtime.func import HostFunc
from .runtime.instance import ModuleInstance
from .runtime.compat import drop_store

__all__ = ["Linker"]


class Linker:
    """Definitions that imports are resolved against.

    ``allow_shadowing`` (default False) lets a later definition replace an
    earlier one with the same module and name.
    """

    def __init__(self, store=None, allow_shadowing=False):
        self.store = store
        self.allow_shadowing = allow_shadowing
        self._defs = {}
        self._trap_unknown = False

    def define(self, *args):
        """``define(module, name, extern)`` (or wasmtime's ``define(store,
        module, name, extern)``): define ``module.name`` as a Func, Memory,
        Table or Global.

        Raises:
            TypeError: ``extern`` is none of those.
            ValueError: already defined and shadowing is not allowed.
        """
        module, name, extern = drop_store(args)
        if extern_kind(extern) is None:
            raise TypeError("cannot define %s::%s as %r: not a Func, Memory, Table or Global"
                            % (module, name, extern))
        key = (module, name)
        if key in self._defs and not self.allow_shadowing:
            raise ValueError("%s::%s is already defined" % key)
        self._defs[key] = extern

    def define_func(self, module, name, functype, fn, access_caller=False):
        """Define a host function receiving API values."""
        self.define(module, name, HostFunc(self.store, functype, fn, access_caller, name=name))

    def define_host(self, module, name, fn):
        """Define a raw host function declared with ``@host_func``."""
        functype = getattr(fn, "wasm_type", None)
        if functype is None:
            raise TypeError("%r is not declared with @host_func" % (fn,))
        self.define(module, name, HostFunc(self.store, functype, fn, raw=True, name=name))

    def define_instance(self, *args):
        """``define_instance(name, instance)`` (wasmtime: ``(store, name,
        instance)``): define every export of ``instance`` under ``name``."""
        name, instance = drop_store(args)
        if not isinstance(instance, ModuleInstance):
            raise TypeError("define_instance takes an Instance")
        for export_name, extern in instance.exports.items():
            self.define(name, export_name, extern)

    def define_unknown_imports_as_traps(self, module=None):
        """Function imports with no definition become functions that trap
        with "unknown import" when called (wasmtime's unknown-imports-trap)."""
        self._trap_unknown = True

    def get(self, module, name):
        return self._defs.get((module, name))

    def resolve(self, module):
        """The externs for ``module``'s imports, in order.

        Raises:
            LinkError: an import has no definition.
        """
        externs = []
        for imp in module.ast.imports:
            extern = self._defs.get((imp.module, imp.name))
            if extern is None:
                if self._trap_unknown and imp.kind == "func":
                    extern = _trapping_func(module.ast.types[imp.desc], imp)
                else:
                    raise LinkError("unknown import: %s::%s (%s) has not been defined"
                                    % (imp.module, imp.name, imp.kind))
            externs.append(extern)
        return externs

    def instantiate(self, store, module):
        """Instantiate ``module`` with imports resolved here.

        Raises:
            LinkError, Trap: see Instance.
        """
        externs = self.resolve(module)
        if getattr(store, "engine", None) == "ppci":
            # Optional ppci path (engine/ppci_engine.py): gated by a feature
            # check; None means "use the built-in engine" (reason logged).
            from .engine.ppci_engine import try_instantiate
            instance = try_instantiate(store, module, externs)
            if instance is not None:
                return instance
        return instantiate(store, module, externs)


def _trapping_func(functype, imp):
    def unknown(*args):
        raise Trap(TrapKind.UNKNOWN_IMPORT, "%s::%s was not provided" % (imp.module, imp.name))
    return HostFunc(None, functype, unknown, name="%s::%s" % (imp.module, imp.name))
