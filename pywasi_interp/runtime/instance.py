"""Module instances (spec "Module Instances"): the index spaces of one
instantiated module, which compiled code binds to directly."""

__all__ = ["ModuleInstance", "Exports"]


class Exports(dict):
    """Read-only mapping export name -> extern.  Calling it with a store
    (``instance.exports(store)``) returns itself, as wasmtime-py spells it."""

    def __call__(self, store=None):
        return self

    def _readonly(self, *args, **kwargs):
        raise TypeError("exports are read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _readonly


class ModuleInstance:
    """``module`` is the public Module; the lists follow the spec's index
    spaces (imports first).  ``elems`` and ``datas`` hold segment contents;
    a dropped segment becomes empty."""

    def __init__(self, module):
        self.module = module
        self.types = module.ast.types
        self.funcs = []
        self.tables = []
        self.mems = []
        self.globals = []
        self.elems = []
        self.datas = []
        self.exports = Exports()

    @property
    def memory(self):
        """Memory 0, or None."""
        return self.mems[0] if self.mems else None
