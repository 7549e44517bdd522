"""Choosing how a function runs: today tier 0 (closures, interp.py)."""

from .compile import compile_body
from .interp import build_code, make_runner
from ..values import default_raw

__all__ = ["compile_function"]


def compile_function(func):
    """Compile a WasmFunc on first call and return its ``run`` function."""
    ast_func = func.ast
    instance = func.instance
    functype = func.type
    zeros = []
    for count, valtype in ast_func.locals:
        zeros.extend([default_raw(valtype)] * count)
    nlocals = len(functype.params) + len(zeros)
    flat = compile_body(ast_func.body, func.heights, nlocals,
                        len(functype.results), instance.types)
    code = build_code(flat, instance)
    func.heights = None          # only needed once
    return make_runner(func, code, zeros, len(functype.results), func.store)
