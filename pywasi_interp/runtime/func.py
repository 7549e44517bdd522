"""Function instances (spec "Function Instances").

Every function, defined in wasm or provided by the host, offers the same
calling convention to the engine: ``run(args) -> results``, a list of raw
values in and a list out.  A wasm function compiles its body on first call.
"""

from ..errors import Trap, TrapKind, WasmError, ProcExit
from ..host.hostfunc import Caller
from .. import values

__all__ = ["WasmFunc", "HostFunc"]


class FuncBase:
    """What Func objects share: the type and the public call interface."""

    __slots__ = ()

    def call_raw(self, args):
        """Call with raw argument values; return the list of raw results.

        Raises:
            Trap, ExhaustionError: the call trapped or ran out of a budget.
        """
        from ..engine.invoke import invoke
        return invoke(self, list(args))

    def __call__(self, *args):
        """Call with API values; None, one value, or a tuple of values."""
        from .store import Store
        if args and isinstance(args[0], Store):
            args = args[1:]
        params = self.type.params
        if len(args) != len(params):
            raise TypeError("function expects %d arguments, got %d" % (len(params), len(args)))
        raw = [values.to_raw(t, a) for t, a in zip(params, args)]
        results = [values.from_raw(t, r) for t, r in zip(self.type.results, self.call_raw(raw))]
        if not results:
            return None
        return results[0] if len(results) == 1 else tuple(results)


class WasmFunc(FuncBase):
    """A function defined in a module: compiled lazily on first call."""

    __slots__ = ("type", "instance", "index", "ast", "heights", "run", "direct",
                 "store", "tier")

    def __init__(self, store, functype, instance, index, ast_func, heights):
        self.store = store
        self.type = functype
        self.instance = instance
        self.index = index
        self.ast = ast_func
        self.heights = heights
        self.tier = None
        # Two calling conventions (see engine/tiers.py): run(list) -> list,
        # and direct(depth, *args) -> None | value | tuple.  Both compile on
        # first use.
        self.run = self._compile_and_run
        self.direct = self._compile_and_call

    def _compile(self):
        from ..engine.tiers import compile_function
        compile_function(self)

    def _compile_and_run(self, args):
        self._compile()
        return self.run(args)

    def _compile_and_call(self, depth, *args):
        self._compile()
        return self.direct(depth, *args)

    @property
    def name(self):
        """The function's name from the name section, or None."""
        return self.instance.module.func_name(self.index)

    def describe(self):
        """``module!name`` or ``module!<wasm function N>`` for backtraces."""
        module_name = self.instance.module.name or "<module>"
        name = self.name
        if name is None:
            name = "<wasm function %d>" % self.index
        return "%s!%s" % (module_name, name)

    def __repr__(self):
        return "<WasmFunc %s %r>" % (self.describe(), self.type)


class HostFunc(FuncBase):
    """A Python callable imported by a guest.

    ``raw`` host functions (declared with ``host_func``) see raw values and
    a Caller; others see API values, and a Caller first when
    ``access_caller`` is set.
    """

    __slots__ = ("type", "fn", "raw", "access_caller", "name", "caller_instance")

    def __init__(self, store, functype, fn, access_caller=False, raw=False, name=None):
        self.type = functype
        self.fn = fn
        self.raw = raw
        self.access_caller = access_caller or raw
        self.name = name or getattr(fn, "__name__", None)
        self.caller_instance = None

    def bound_to(self, instance):
        """A copy whose Caller is ``instance`` (each importing instance gets one)."""
        if not self.access_caller:
            return self
        copy = HostFunc(None, self.type, self.fn, self.access_caller, self.raw, self.name)
        copy.caller_instance = instance
        return copy

    def direct(self, depth, *args):
        return unwrap_results(self.run(list(args)))

    def run(self, args):
        functype = self.type
        if not self.raw:
            args = [values.from_raw(t, a) for t, a in zip(functype.params, args)]
        if self.access_caller:
            args.insert(0, Caller(self.caller_instance))
        try:
            result = self.fn(*args)
        except (WasmError, ProcExit):
            raise
        except RecursionError:
            raise
        except Exception as error:
            raise Trap(TrapKind.HOST, "%s: %s" % (type(error).__name__, error)) from error
        return _results(functype.results, result, self.raw)

    def describe(self):
        return "<host>!%s" % (self.name or "?")


def unwrap_results(results):
    """run()'s result list -> direct()'s None, value or tuple."""
    if not results:
        return None
    return results[0] if len(results) == 1 else tuple(results)


def _results(types, result, raw):
    """Normalise a host function's return value to a list of raw values."""
    count = len(types)
    if count == 0:
        if result is not None:
            raise Trap(TrapKind.HOST, "host function returned a value, expected none")
        return []
    if count == 1:
        result = (result,)
    elif not isinstance(result, (tuple, list)) or len(result) != count:
        raise Trap(TrapKind.HOST, "host function must return %d values" % count)
    try:
        if raw:
            return [values.mask_raw(t, r) for t, r in zip(types, result)]
        return [values.to_raw(t, r) for t, r in zip(types, result)]
    except (TypeError, ValueError) as error:
        raise Trap(TrapKind.HOST, "bad host function result: %s" % error) from None
