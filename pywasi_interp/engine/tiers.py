"""Choosing how a function runs, and the two calling conventions.

Every function offers ``run(args_list) -> results_list`` (what tier 0 and
host calls use) and ``direct(depth, *args) -> None | value | tuple`` (what
translated code calls, passing the guest call depth along instead of
keeping a counter).  Whichever tier compiles a function provides one
natively and gets the other as an adapter; the store's ``depth`` counter
(tier 0) and the ``depth`` argument (tier 1) hand over to each other there.

Engines (Store(engine=...)):
* ``interp``: tier 0 only (closures, interp.py);
* ``translate``: every function through tier 1 (translate.py, or flat.py's
  state machine where blocks nest too deeply), falling back to tier 0 only
  for bodies too large to compile quickly;
* ``flat``: every function through flat.py's state machine (for testing it);
* ``auto``: a function without loops runs its first LOOP_FREE_CALLS calls
  in tier 0 (most such functions run a few times: translating them would
  cost more than it saves), a very large one with loops that several places
  use its first few calls (see _tier0_calls); a function with a loop, or
  past those calls, goes to tier 1 where possible.
With fuel or a timeout, tier 0 spends one tick per instruction, tier 1 a
loop body's or a function's worth at once (translate.py), so fuel counts
differ slightly between the tiers but each is deterministic.
"""

import collections
import weakref

from .. import opcodes as O
from .compile import compile_body, has_loop
from .inline import module_heights
from .interp import build_code, make_runner
from .translate import translate_function, TranslationUnsupported
from ..runtime.func import unwrap_results
from ..values import default_raw

__all__ = ["compile_function", "direct_adapter"]

LARGE_BODY = 2000           # instructions (see _tier0_calls)
LARGE_BODY_CALL = 3
LOOP_FREE_CALLS = 50        # calls (see _tier0_calls)


def compile_function(func):
    """Compile a WasmFunc on first call: sets ``func.run`` and ``func.direct``."""
    store = func.store
    # A "ppci" store reaches here for modules ppci cannot run: treat as auto.
    if store.engine in ("auto", "ppci") and func.tier is None:
        calls = _tier0_calls(func)
        if calls:
            _run_in_tier0(func, calls)
            return
    if store.engine != "interp":
        try:
            direct = translate_function(func)
        except TranslationUnsupported:
            direct = None
        if direct is not None:
            func.direct = direct
            func.run = _run_adapter(direct, len(func.type.results), store)
            func.tier = 1
            func.heights = None
            return
    run = _tier0(func)
    func.run = run
    func.direct = direct_adapter(run, store)
    func.tier = 0
    func.heights = None


def _tier0_calls(func):
    """How many calls ``auto`` runs in tier 0 before translating: about as
    many as make staying in tier 0 cost what translating would, so that
    however many calls follow, at most about twice what the better choice
    would is spent (the rent-or-buy rule).  Translating costs about 6 us
    an instruction of the body.  A function without loops runs each of its
    instructions at most once a call, about 0.1 us slower in tier 0 than in
    tier 1: LOOP_FREE_CALLS calls (libc's pop_arg, 2 ms to translate, runs
    a few times in a program that prints a line).
    A large function with loops that is used from several places: one call
    per LARGE_BODY_CALL instructions (libc's malloc: 3,300 instructions,
    22 ms to translate; a call of it costs about 17 us more in tier 0).
    None for other functions with loops: a loop may run for long in one
    call, and a call cannot leave tier 0 once started (a large function
    used from one place only is likely a program's driver, its main)."""
    body = func.ast.body
    if not has_loop(body):
        return LOOP_FREE_CALLS
    if len(body) > LARGE_BODY and _uses(func) > 1:
        return len(body) // LARGE_BODY_CALL
    return 0


_USES = weakref.WeakKeyDictionary()     # ast module -> {funcidx: uses}


def _uses(func):
    """How many places use ``func``: ``call`` instructions naming it,
    exports, the start function, and references (``ref.func``, element
    segments), each of which may call it any number of times, counted as
    two."""
    ast_module = func.instance.module.ast
    uses = _USES.get(ast_module)
    if uses is None:
        uses = _USES[ast_module] = _count_uses(ast_module)
    return uses.get(func.index, 0)


def _count_uses(ast_module):
    call, ref_func = O.BY_NAME["call"], O.BY_NAME["ref.func"]
    uses = collections.Counter()
    for ast_func in ast_module.funcs:
        for op, imm, _ in ast_func.body:
            if op is call:
                uses[imm] += 1
            elif op is ref_func:
                uses[imm] += 2
    for export in ast_module.exports:
        if export.kind == "func":
            uses[export.index] += 1
    if ast_module.start is not None:
        uses[ast_module.start] += 1
    for elem in ast_module.elems:
        for expr in elem.init:
            for op, imm, _ in expr:
                if op is ref_func:
                    uses[imm] += 2
    return uses


def _run_in_tier0(func, calls):
    """Tier 0 for ``calls`` calls; the next (even a recursive one) compiles
    again, this time for tier 1."""
    run0 = _tier0(func)
    direct0 = direct_adapter(run0, func.store)
    stub_run, stub_direct = func.run, func.direct
    func.tier = 0
    left = [calls]

    def count():
        left[0] -= 1
        if left[0] == 0:
            func.run, func.direct = stub_run, stub_direct

    def run(args):
        count()
        return run0(args)

    def direct(depth, *args):
        count()
        return direct0(depth, *args)
    func.run, func.direct = run, direct


def tier0_direct(func):
    """A tier-0 ``direct`` for ``func``, whatever its own tier."""
    return direct_adapter(_tier0(func), func.store)


def _tier0(func):
    ast_func = func.ast
    functype = func.type
    zeros = []
    for count, valtype in ast_func.locals:
        zeros.extend([default_raw(valtype)] * count)
    nlocals = len(functype.params) + len(zeros)
    # (the module's operand heights: a translated function drops its own)
    flat = compile_body(ast_func.body, module_heights(func), nlocals,
                        len(functype.results), func.instance.types)
    code = build_code(flat, func.instance)
    return make_runner(func, code, zeros, len(functype.results), func.store)


def direct_adapter(run, store):
    """``direct(depth, *args)`` for a function that has only ``run``: the
    store's depth counter takes over from the caller's depth argument."""
    def direct(depth, *args):
        saved = store.depth
        store.depth = depth - 1     # the caller's: run() counts its own frame
        try:
            return unwrap_results(run(list(args)))
        finally:
            store.depth = saved
    return direct


def _run_adapter(direct, nresults, store):
    if nresults == 0:
        def run(args):
            direct(store.depth + 1, *args)
            return []
    elif nresults == 1:
        def run(args):
            return [direct(store.depth + 1, *args)]
    else:
        def run(args):
            return list(direct(store.depth + 1, *args))
    return run
