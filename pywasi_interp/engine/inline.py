"""Inlining small functions into their callers, for tier 1.

A Python call is among the dearest things tier 1 does (fib(35) spends
about 50 ns on each of its 30 million calls, body included), so a call to
a small function is replaced by the function's own body, rewritten as a
block of the caller:

    call $g             local.set  base+n-1 ... local.set base+0   (the arguments)
                        block (result of $g)
                          $g's body: its locals renumbered from ``base``,
                          ``return`` turned into a branch to this block
                        end                                        ($g's own end)

The rest of tier 1 translates the expanded body like any other; what a
call does besides running the body is done by the translator around the
block (Translator.enter_inline / leave_inline): $g's declared locals set to
zero, the depth its own calls pass, and a table of the lines its code
became, so that a trap raised in or passing through it still shows its
frame.  $g's call-depth check (if it calls) needs no code at the site:
the caller runs in tier 0 when called that near the depth limit
(Translator.source).  Calls inside an inlined body are inlined too, down
to MAX_LEVEL levels, within MAX_SITES and MAX_GROWTH (fib, which calls
itself twice, gets two copies of its body and four more inside those).

Inlined: direct calls to functions of the same instance with no loop, at
most one result, no SIMD, and at most MAX_CALLEE instructions; not under
fuel or timeouts, whose accounting counts calls.
"""

from .. import opcodes as O
from ..types import ValType
from ..values import default_raw
from .compile import has_call, has_loop

__all__ = ["expand", "Expansion", "MAX_CALLEE", "module_heights"]

MAX_CALLEE = 30             # instructions of an inlined function, its end included
MAX_SITES = 8               # calls inlined into one function
MAX_GROWTH = 200            # instructions an expansion may add to a function
MAX_LEVEL = 2               # calls inside inlined code inlined too, once more

_CALL, _LOCAL_SET, _BLOCK, _BR = (O.BY_NAME[name] for name in ("call", "local.set", "block", "br"))
_LOCALS = frozenset(("local.get", "local.set", "local.tee"))


class Site:
    """One inlined call: the callee, where its locals start, the values its
    declared locals start with, whether its body calls, and how deep in
    inlined code it is (1: a call of the function itself)."""

    __slots__ = ("callee", "base", "nparams", "defaults", "calls", "level")

    def __init__(self, callee, base, defaults, calls, level):
        self.callee = callee
        self.base = base
        self.nparams = len(callee.type.params)
        self.defaults = defaults
        self.calls = calls
        self.level = level


class Expansion:
    """A function with some of its calls inlined: what tier 1 and its
    analyses read of a function (``ast.body``, ``ast.locals``, ``heights``,
    ``type``, ``instance``, ``index``), for the expanded body, plus the
    inlined sites by the index of their block and the indexes of their
    ends."""

    def __init__(self, func, body, heights, extra_locals, sites, ends):
        self.instance, self.type, self.index = func.instance, func.type, func.index
        self.heights = heights
        self.ast = _Ast(body, list(func.ast.locals) + [(1, t) for t in extra_locals])
        self.sites = sites
        self.ends = ends


class _Ast:
    __slots__ = ("body", "locals")

    def __init__(self, body, locals_):
        self.body = body
        self.locals = locals_


def expand(func):
    """The Expansion of ``func`` (a WasmFunc about to be translated), or None
    when none of its calls is inlined."""
    body, heights = func.ast.body, module_heights(func)
    out = _Output(func)
    for index, instr in enumerate(body):
        op, imm, offset = instr
        if op is _CALL and heights[index] >= 0:
            site = out.site(imm, 1)
            if site is not None:
                _splice(out, site, heights[index], offset)
                continue
        out.body.append(instr)
        out.heights.append(heights[index])
    if not out.sites:
        return None
    return Expansion(func, out.body, out.heights, out.extra, out.sites, out.ends)


class _Output:
    """The expanded body being built, and its inlined sites."""

    def __init__(self, func):
        self.func = func
        self.body, self.heights, self.extra, self.sites, self.ends = [], [], [], {}, set()
        self.next_local = len(func.type.params) + sum(count for count, _ in func.ast.locals)
        self.growth = 0

    def site(self, funcidx, level):
        """A Site for inlining a call of ``funcidx`` here, or None."""
        callee = self.func.instance.funcs[funcidx]
        if len(self.sites) >= MAX_SITES or not _inlinable(callee, self.func) \
                or self.growth + len(callee.ast.body) > MAX_GROWTH:
            return None
        self.growth += len(callee.ast.body)
        declared = _declared(callee)
        site = Site(callee, self.next_local, [default_raw(t) for t in declared],
                    has_call(callee.ast.body), level)
        self.extra.extend(callee.type.params)
        self.extra.extend(declared)
        self.next_local += site.nparams + len(declared)
        return site


def _inlinable(callee, caller):
    """Whether ``callee`` can be inlined into ``caller``."""
    ast = getattr(callee, "ast", None)
    if ast is None or callee.instance is not caller.instance:
        return False                # a host function, or another instance's
    functype = callee.type
    if len(ast.body) > MAX_CALLEE or len(functype.results) > 1 or has_loop(ast.body):
        return False
    types = list(functype.params) + list(functype.results) + _declared(callee)
    return ValType.V128 not in types and not any(
        op.prefix == O.PREFIX_FD for op, _, _ in ast.body)


def module_heights(func):
    """The validator's operand heights of a function of a module (kept by
    the module: a compiled function drops its own)."""
    instance = func.instance
    first = len(instance.funcs) - len(instance.module.ast.funcs)    # imports come first
    return instance.module.heights[func.index - first]


def _declared(callee):
    types = []
    for count, valtype in callee.ast.locals:
        types.extend([valtype] * count)
    return types


def _splice(out, site, height, offset):
    """Append the inlined form of a call made at operand ``height``, and
    within it the inlined forms of the callee's calls, down to MAX_LEVEL."""
    for k in reversed(range(site.nparams)):            # the last argument is on top
        out.body.append((_LOCAL_SET, site.base + k, offset))
        out.heights.append(height)
        height -= 1
    results = site.callee.type.results
    out.sites[len(out.body)] = site
    out.body.append((_BLOCK, results[0] if results else None, offset))
    out.heights.append(height)
    depth = 0                       # constructs open inside the callee
    for (op, imm, at), h in zip(site.callee.ast.body, module_heights(site.callee)):
        name = op.name
        if op is _CALL and h >= 0 and site.level < MAX_LEVEL:
            nested = out.site(imm, site.level + 1)
            if nested is not None:
                _splice(out, nested, h + height, at)
                continue
        if name in _LOCALS:
            imm += site.base
        elif name == "return":
            op, imm = _BR, depth
        elif name in ("block", "loop", "if"):
            depth += 1
        elif name == "end":
            depth -= 1
        out.body.append((op, imm, at))
        out.heights.append(h + height if h >= 0 else -1)
    out.ends.add(len(out.body) - 1)
