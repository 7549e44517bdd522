"""Tier 1: a validated function body translated to Python source.

Locals become Python locals ``l0, l1, ...``; the operand stack becomes
Python locals ``s0, s1, ...`` named by stack slot (the validator's heights
give every instruction a static slot).  Pure operations are not executed
one by one: a symbolic stack keeps them as expressions and writes a slot
only when the value must exist (``local.set`` of a local it reads, control
flow joins, calls of unknown effect are fine since pure expressions read
only locals and constants).  Loads, global reads and calls are always
written to their slot at once, since memory, globals and tables may change.

Structured control maps onto Python:

* a ``block``/``if`` that is branched to, and a ``loop`` that is branched
  to, becomes ``while True:`` ("a P-loop"): a branch to a block is
  ``break``, to a loop ``continue``, falling off the end ``break``;
* a branch across several P-loops sets ``_tgt`` to the target's id and
  breaks; after each P-loop that such a branch crosses, a check either
  finishes the branch (``continue``/``break`` of the target) or breaks on;
* ``return`` and branches to the function label are Python ``return``.

The generated function takes the call depth and then its parameters
positionally, and returns None, a value, or a tuple (its ``direct`` form);
``run(args)`` wraps it for the uniform calling convention (engine/tiers.py).

Python's own limits are respected: a function whose P-loops would nest
more than 20 deep (or that compile() rejects for its nesting) is
translated by flat.py as a state machine instead; a function too large to
compile quickly stays in tier 0 (``TranslationUnsupported``).  Memory bounds: addresses are
unsigned, so struct's own range check (``struct.error``) and bytearray
and memoryview indexing (``IndexError``) catch every out-of-bounds access
without a wrap around; both are turned into the spec's trap at the
function boundary.  A computed address that would need a wrap-around
correction is tried without it first, in a ``try`` whose handler corrects
it (see _access_forms).  On CPython, an access whose address alignment.py
proves a multiple of its width reads a memoryview of that width instead of
calling struct (the views live in the memory's code namespace); an
innermost loop, or else straight-line code in a loop, whose accesses would
be aligned if some locals were, or an innermost counted loop whose
counter cannot wrap around given its entry values (counters.py), is
emitted twice, under one test of those locals (``versioned_region``).
Calls to small functions are inlined (inline.py).
SIMD loads and stores call simd.py, which checks bounds and traps itself;
other SIMD instructions are opcode-table templates like the scalar ones
(``imm``, a lane index or the shuffle's lanes, becomes a literal).
"""

import math
import re
import struct
import sys

from .. import numeric as N
from .. import opcodes as O
from ..errors import Trap, TrapKind, ExhaustionError
from ..types import PAGE_SIZE, V128
from ..values import default_raw
from . import runtime_ops as R
from .alignment import (aligned_accesses, conditional_accesses, region_end, innermost_loop_end,
                        MIN_VERSIONED, MIN_VERSIONED_LOOP, CONTROL as _CONTROL)
from .compile import blocktype_arity, has_call, has_loop
from .counters import counted_loop
from .inline import expand

__all__ = ["translate_function", "TranslationUnsupported"]

MAX_NESTING = 20            # CPython allows 20 nested blocks per function; the try is one
MAX_BODY = 60000            # instructions; beyond this compile() gets slow
MAX_EXPR = 160              # characters of a symbolic expression
MAX_ANALYSED = 2000         # instructions; larger bodies skip the alignment analysis
MAX_VERSIONED = 40          # instructions of a region translated twice (see versioned_region)
# and of an innermost loop: not memcpy's 77-instruction word loops, whose
# second copies cost every process 3.5 ms of translation and compile()
MAX_VERSIONED_LOOP = 60
# Counted loops (counters.py) repay a second copy at larger sizes: nbody's
# 117-instruction loop loses eight wrap-around tests.
MAX_COUNTED_LOOP = 150

_LOADS = {
    "i32.load": ("u32", ""), "i64.load": ("u64", ""), "f32.load": ("u32", ""),
    "f64.load": ("f64", ""), "i32.load8_s": ("s8", " & 0xFFFFFFFF"),
    "i32.load8_u": (None, ""), "i32.load16_s": ("s16", " & 0xFFFFFFFF"),
    "i32.load16_u": ("u16", ""), "i64.load8_s": ("s8", " & 0xFFFFFFFFFFFFFFFF"),
    "i64.load8_u": (None, ""), "i64.load16_s": ("s16", " & 0xFFFFFFFFFFFFFFFF"),
    "i64.load16_u": ("u16", ""), "i64.load32_s": ("s32", " & 0xFFFFFFFFFFFFFFFF"),
    "i64.load32_u": ("u32", ""),
}
_STORES = {
    "i32.store": ("u32", ""), "i64.store": ("u64", ""), "f32.store": ("u32", ""),
    "f64.store": ("f64", ""), "i32.store8": (None, " & 0xFF"),
    "i32.store16": ("u16", " & 0xFFFF"), "i64.store8": (None, " & 0xFF"),
    "i64.store16": ("u16", " & 0xFFFF"), "i64.store32": ("u32", " & 0xFFFFFFFF"),
}
# Aligned accesses of these kinds read a memoryview of the memory (CPython
# only: on PyPy a memoryview item costs many times a struct call).
_VIEWS = {"u16": "MV_H", "u32": "MV_I", "u64": "MV_Q", "f64": "MV_D"}
_USE_VIEWS = sys.implementation.name == "cpython" and sys.byteorder == "little"
# The bits an unsigned load can set.
_LOAD_BITS = {"u16": 0xFFFF, "u32": 0xFFFFFFFF, "u64": 0xFFFFFFFFFFFFFFFF}
_STRUCTS = {"u32": "<I", "u64": "<Q", "f64": "<d", "s8": "<b", "s16": "<h",
            "u16": "<H", "s32": "<i"}
# Addresses tried before their correction (see _access_forms): CPython on
# 64-bit machines, where no index overflows before the 2**32 bound.
_TRY_ADDRESSES = sys.implementation.name == "cpython" and sys.maxsize > 1 << 62
# what struct raises for an offset past the memory (or past ssize_t)
_STRUCT_ERRORS = "(struct_error, OverflowError)"
_NAMESPACE = {"N": N, "math": math, "Trap": Trap, "TrapKind": TrapKind,
              "ExhaustionError": ExhaustionError, "struct_error": struct.error,
              "PAGE_SIZE": PAGE_SIZE, "R": R}
for _key, _fmt in _STRUCTS.items():
    _NAMESPACE["ld_" + _key] = struct.Struct(_fmt).unpack_from
    _NAMESPACE["st_" + _key] = struct.Struct(_fmt).pack_into

_WORD = re.compile(r"\b(?:[a-z]|imm)\b")     # template operands and ``imm``
# Templates whose numeric helper may trap (division, trapping truncation).
_TRAPPING = re.compile(r"N\.i(32|64)_(div|rem|trunc_f)")


class TranslationUnsupported(Exception):
    """This function stays in tier 0 (the reason is the message)."""


class _TooDeep(TranslationUnsupported):
    """The structured form exceeds Python's nesting limits: the state
    machine (flat.py) takes the function instead."""


class _Entry:
    """A symbolic stack entry: a Python expression and the variables it
    reads (``l3``, ``s5``).  An integer result whose final mask could be
    deferred also keeps ``wide``, the same expression without that mask:
    right modulo 2**32 (or 2**64) but possibly out of range, for operations
    that only need the low bits (see _WIDE_OPERANDS).  A sum or difference
    of two in-range operands also keeps ``wrap``, its modulus: ``wide`` is
    then at most one modulus out of range, which one conditional
    correction fixes more cheaply than the mask (Translator.write).  A
    value known to fit a mask (a byte load: 0xFF) keeps it as ``bits``:
    masking it again with those bits is a no-op.  ``nonneg`` says that
    ``wide`` is never negative (sums, products, shifts and bitwise
    operations of such values): as a memory address it may be tried
    before it is corrected (see _access_forms)."""

    __slots__ = ("expr", "reads", "wide", "wrap", "bits", "nonneg")

    def __init__(self, expr, reads, wide=None, wrap=None, bits=None, nonneg=False):
        self.expr = expr
        self.reads = reads
        self.wide = wide
        self.wrap = wrap
        self.bits = bits
        self.nonneg = nonneg


class _Ctrl:
    """A control construct being translated."""

    __slots__ = ("kind", "id", "height", "nparams", "nresults", "ploop",
                 "escapes", "else_seen", "facts")

    def __init__(self, kind, ident, height, nparams, nresults, ploop):
        self.kind = kind            # "block", "loop", "if", "function"
        self.id = ident
        self.height = height        # slot of the first param/result
        self.nparams = nparams
        self.nresults = nresults
        self.ploop = ploop          # compiled to ``while True:``
        self.escapes = set()        # ids of outer labels branched to through it
        self.else_seen = False
        self.facts = None           # a block's or if's: see Translator.recall

    @property
    def label_arity(self):
        return self.nparams if self.kind == "loop" else self.nresults


class Translator:
    """Produces the Python source of one function."""

    track_floors = True         # the state machine's jumps join anywhere: off there
    version_regions = True      # and its segments are not versioned either
    inline_calls = True         # nor its calls inlined

    def __init__(self, func):
        self.func = func
        self.functype = func.type
        self.nparams = len(self.functype.params)
        self.local_defaults = []
        for count, valtype in func.ast.locals:
            self.local_defaults.extend([default_raw(valtype)] * count)
        # Small callees inlined (inline.py): ``analysed`` is what the
        # analyses read, the expanded body, locals and heights.
        expansion = None
        if self.inline_calls and not func.store.metered:
            expansion = expand(func)
        self.analysed = expansion or func
        self.inline_sites = expansion.sites if expansion else {}
        self.inline_ends = expansion.ends if expansion else frozenset()
        # What the calls of the code being translated pass as the callee's
        # depth: ``_d1`` (``_d`` + 1), ``_d2`` in code inlined one level deep,
        # and so on; and those used.
        self.depth = "_d1"
        self.depths = set()
        self.inlined = []           # (first line, end line, funcidx) of inlined code
        self.open_inlined = []      # (its place in inlined, the depth outside) of those open
        self.body = self.analysed.ast.body
        self.heights = self.analysed.heights
        self.types = func.instance.types
        self.lines = []
        self.indent = 1
        self.stack = []
        self.ctrls = []
        self.consts = {}            # value key -> (closure constant name, value)
        self.callees = {}           # funcidx -> closure variable name
        self.bound = {}             # expression -> closure variable (prebind)
        self.targeted = _targeted_blocks(self.body)
        self.dead_depth = 0
        self.index = 0              # the instruction being translated
        self.uses_tgt = False       # some branch crosses P-loops (see branch)
        # With fuel or a timeout, each loop iteration and each call charge
        # their instructions at once (see _metering_costs).
        self.costs = _metering_costs(self.body) if func.store.metered else None
        # Aligned accesses go through memoryviews (memory.code_namespace):
        # {index: known zero low bits of the address}, worked out at the
        # first access that could use a view.
        self.aligned = None
        # Lower bounds of locals known here from a br_if that fell through
        # (``if l0 < 2: break`` leaves l0 >= 2): subtracting up to the bound
        # needs no wrap-around test.  Forgotten at assignments and joins.
        self.floors = {}
        self.masks = {}             # local -> the bits it can have (see _Entry.bits)
        self.writes = {}            # var -> when it was last written (a serial number)
        self.serial = 0
        self.assumed = ()           # accesses a versioned region's test aligns
        self.unwrapped = frozenset()    # counter steps it keeps from wrapping (counters.py)
        self.loop_floors = {}           # and floors locals keep throughout its loop
        # Only loops run accesses often enough to repay the analysis (1-2 us
        # an instruction, at every start of the process).
        self.may_use_views = (_USE_VIEWS and len(self.body) <= MAX_ANALYSED
                              and has_loop(self.body))

    # --- emission helpers ----------------------------------------------------
    def emit(self, line):
        self.lines.append("    " * self.indent + line)

    def const(self, value):
        """A literal for ``value``, or a closure constant when no literal
        round-trips exactly (NaNs with payloads, infinities)."""
        if isinstance(value, float):
            if math.isfinite(value):
                return repr(value)
            key = ("f", struct.pack("<d", value))
            if key not in self.consts:
                self.consts[key] = ("k%d" % len(self.consts), value)
            return self.consts[key][0]
        return str(value)

    def const_object(self, key, value):
        """A closure constant holding ``value`` (marshal-able: it may be
        cached, see cache.py)."""
        key = ("object", key)
        if key not in self.consts:
            self.consts[key] = ("k%d" % len(self.consts), value)
        return self.consts[key][0]

    def callee(self, funcidx):
        """The direct-call target for function ``funcidx``: ``f`` itself for
        recursion, else a closure variable's current ``direct``."""
        if funcidx == self.func.index:
            return "f"
        if funcidx not in self.callees:
            self.callees[funcidx] = "c%d" % funcidx
        return self.callees[funcidx] + ".direct"

    def prebind(self, expr):
        """A closure variable bound to ``expr`` (over the factory's
        arguments) once, when the function is made."""
        if expr not in self.bound:
            self.bound[expr] = "b%d" % len(self.bound)
        return self.bound[expr]

    def view(self, op, kind):
        """The memoryview access (``%s`` for the address) for this load or
        store if its address is known to be aligned, else None."""
        view = _VIEWS.get(kind)
        if view is None or not self.may_use_views:
            return None
        if self.aligned is None:
            self.aligned = aligned_accesses(self.analysed)
        if self.index not in self.assumed and self.aligned.get(self.index, 0) < op.align:
            return None
        return "%s[%%s >> %d]" % (view, op.align)

    def versioned_region(self, start):
        """Version the innermost loop at ``start``, or else the straight-line
        code from ``start`` (just after a control instruction, inside a
        loop), when enough of its accesses would be aligned if some locals
        were (alignment.conditional_accesses), or when the loop is counted
        (counters.py): it is translated twice, with memoryviews and without
        the counter's wrap-around test under one test of the locals on
        entry, and as usual otherwise.  Returns the index after it, or None
        when that is not worth it."""
        if not self.version_regions or self.heights[start] < 0:
            return None
        loop_end = (innermost_loop_end(self.body, start)
                    if self.body[start][0].name == "loop" else None)
        counted = None
        if loop_end is not None and loop_end - start <= MAX_COUNTED_LOOP:
            counted = counted_loop(self.body, start, loop_end)
        aligned = None
        if self.may_use_views:
            # (a counted loop is copied anyway: its accesses may as well gain)
            limit = MAX_VERSIONED_LOOP if counted is None else MAX_COUNTED_LOOP
            small = loop_end is not None and loop_end - start <= limit
            aligned = self.alignment_plan(start, loop_end if small else None)
        if aligned is not None and aligned[0] != loop_end:
            counted = None              # a straight-line region, not the loop
        if aligned is None and counted is None:
            return None
        end = loop_end if aligned is None else aligned[0]
        tests, accesses, steps, floors_kept = [], (), frozenset(), {}
        if aligned is not None:
            tests.append(aligned[1])
            accesses = aligned[2]
        if counted is not None:
            tests.append(counted[0])
            steps, floors_kept = counted[1], counted[2]
        stack, floors, masks = list(self.stack), dict(self.floors), dict(self.masks)
        self.emit("if %s:" % " and ".join(tests))
        ends = []
        arms = ((accesses, steps, floors_kept), ((), frozenset(), {}))
        for arm, (assumed, unwrapped, loop_floors) in enumerate(arms):
            # Both arms start from the same symbolic stack and, as loads are
            # written to their slots at once, end with the same one.
            self.indent += 1
            self.stack, self.floors, self.masks = list(stack), dict(floors), dict(masks)
            self.assumed, self.unwrapped, self.loop_floors = assumed, unwrapped, loop_floors
            for index in range(start, end):
                self.step(index)
            ends.append([entry.expr for entry in self.stack])
            self.indent -= 1
            if not arm:
                self.emit("else:")
        if ends[0] != ends[1]:
            raise TranslationUnsupported("versioned region arms disagree")
        return end

    def alignment_plan(self, start, loop_end):
        """(end, test, accesses it aligns) for versioning the innermost loop
        ending at ``loop_end`` (if not None) or the straight-line region at
        ``start``, or None when too few accesses would gain."""
        body = self.body
        if loop_end is not None:
            end, minimum = loop_end, MIN_VERSIONED_LOOP
        else:
            if start and body[start - 1][0].name not in _CONTROL:
                return None
            if not any(ctrl.kind == "loop" for ctrl in self.ctrls):
                return None
            end = region_end(body, start)
            if end - start > MAX_VERSIONED:
                return None
            minimum = MIN_VERSIONED
        wanted = {}
        for index in range(start, end):
            op = body[index][0]
            kind = (_LOADS.get(op.name) or _STORES.get(op.name) or (None,))[0]
            if kind in _VIEWS:
                wanted[index] = op.align
        if len(wanted) < 2:
            return None
        if self.aligned is None:
            self.aligned = aligned_accesses(self.analysed)
        wanted = {index: align for index, align in wanted.items()
                  if self.aligned.get(index, 0) < align}
        plan = conditional_accesses(self.analysed, start, end, wanted, minimum)
        if plan is None:
            return None
        tested, zeros, accesses = plan
        test = "not (%s) & %d" % (" | ".join("l%d" % n for n in tested), (1 << zeros) - 1)
        return end, test, accesses

    def step(self, index):
        """Translate instruction ``index``."""
        self.index = index
        op, imm, _ = self.body[index]
        name = op.name
        if self.heights[index] < 0:
            self.skip_dead(name)
            return
        rule = _RULES.get(name)
        if rule is not None:
            rule(self, op, imm)
        elif op.expr is not None:
            self.template(op, imm)
        else:
            raise TranslationUnsupported("no translation for %s" % name)

    # --- the symbolic stack ----------------------------------------------------
    def push(self, expr, reads, wide=None, wrap=None, bits=None, nonneg=False):
        entry = _Entry(expr, frozenset(reads), wide, wrap, bits, nonneg)
        if len(expr) > MAX_EXPR:
            slot = "s%d" % len(self.stack)
            self.set_var(slot, entry)
            entry = _Entry(slot, frozenset((slot,)), bits=bits)
        self.stack.append(entry)

    def push_slot_value(self, expr, bits=None):
        """Write ``expr`` (impure) into its slot now and push the slot."""
        slot = "s%d" % len(self.stack)
        self.assign(slot, expr)
        self.stack.append(_Entry(slot, frozenset((slot,)), bits=bits))

    def pop(self):
        return self.stack.pop()

    def assign(self, var, expr):
        """``var = expr``, first saving entries that read ``var``.  When
        ``expr`` is a slot the previous line (or both arms of the previous
        emit_tried) just wrote and nothing else reads, those lines write
        ``var`` directly instead."""
        self.protect(var)
        if self.lines and _is_slot(expr) and not self.slot_in_use(expr):
            indent = "    " * self.indent
            lines = self.lines
            tried = len(lines) >= 4 and lines[-4] == indent + "try:"
            writes = [-3, -1] if tried else [-1]
            prefix = (indent + "    " if tried else indent) + expr + " = "
            if all(lines[n].startswith(prefix) for n in writes):
                for n in writes:
                    lines[n] = prefix[:-len(expr) - 3] + var + " = " + lines[n][len(prefix):]
                return
        self.emit("%s = %s" % (var, expr))

    def forget(self):
        """At a join: nothing is known of the locals any more."""
        self.floors.clear()
        self.masks.clear()

    def recall(self, ctrl):
        """At the else or end of a block or if: what was known of the locals
        on entry, for those not written since, holds on every path here."""
        if ctrl.facts is None:          # the state machine's: nothing is kept
            self.forget()
            return
        serial, floors, masks = ctrl.facts
        def kept(var):
            return var.startswith("l") and self.writes.get(var, 0) <= serial
        self.floors = {var: floor for var, floor in floors.items() if kept(var)}
        self.masks = {var: bits for var, bits in masks.items() if kept(var)}

    def set_var(self, var, entry):
        """``var = `` the value of ``entry``, as assign does."""
        if entry.wrap is None:
            self.assign(var, entry.expr)
        else:
            self.protect(var)
            self.write(var, entry)
        if entry.bits is not None and self.track_floors:
            self.masks[var] = entry.bits

    def write(self, var, entry):
        """``var = `` the value of ``entry``: a sum or difference is
        corrected by a test, cheaper than the mask (see _Entry)."""
        if entry.wrap is None:
            self.emit("%s = %s" % (var, entry.expr))
            return
        self.emit("%s = %s" % (var, entry.wide))
        sign, modulus = entry.wrap
        if sign == "+":
            self.emit("if %s > %d: %s -= %d" % (var, modulus - 1, var, modulus))
        else:
            self.emit("if %s < 0: %s += %d" % (var, var, modulus))

    def emit_tried(self, template, fast, slow, error):
        """``template`` with the ``fast`` form, and with the ``slow`` one
        if that raises ``error``."""
        self.emit("try:")
        self.emit("    " + template % fast)
        self.emit("except %s:" % error)
        self.emit("    " + template % slow)

    def can_nest(self):
        """Whether one more Python block (a ``try``) may open here."""
        return self.indent < MAX_NESTING

    def slot_in_use(self, slot):
        return any(slot in entry.reads for entry in self.stack)

    def protect(self, var, skip=None):
        """Write to their slots the entries (but ``skip``) that read ``var``,
        which is about to change (so what was known of it is forgotten)."""
        self.floors.pop(var, None)
        self.masks.pop(var, None)
        self.serial += 1
        self.writes[var] = self.serial
        for position, entry in enumerate(self.stack):
            if position != skip and var in entry.reads and entry.expr != "s%d" % position:
                self.materialize(position)

    def materialize(self, position):
        entry = self.stack[position]
        slot = "s%d" % position
        if entry.expr == slot:
            return
        self.protect(slot, skip=position)
        self.write(slot, entry)
        self.stack[position] = _Entry(slot, frozenset((slot,)), bits=entry.bits)

    def materialize_all(self):
        for position in range(len(self.stack)):
            self.materialize(position)

    def reset_stack(self, height):
        """After a join: slots 0..height-1 hold the values."""
        self.stack = [_Entry("s%d" % i, frozenset(("s%d" % i,))) for i in range(height)]

    # --- translation -----------------------------------------------------------
    def skip_dead(self, name):
        """Dead code: only track structure so the live ``else``/``end``
        that closes it is recognised."""
        if name in ("block", "loop", "if"):
            self.dead_depth += 1
        elif name == "end":
            if self.dead_depth:
                self.dead_depth -= 1
            else:
                self.end_construct(reachable=False)
        elif name == "else" and not self.dead_depth:
            self.else_(reachable=False)

    def template(self, op, op_imm=None):
        if self.constant_operand_form(op):
            return
        source, read_twice, trapping = _template_facts(op)
        count = len(op.params)
        names = ("a", "b", "c")
        base = len(self.stack) - count
        for offset, name in enumerate(names[:count]):
            # An operand the template reads twice is computed once, into its
            # own slot, while all operands still sit in their places.
            if name in read_twice and not _is_atom(self.stack[base + offset].expr):
                self.materialize(base + offset)
        operands = self.stack[base:]
        del self.stack[base:]
        subst = {"imm": repr(op_imm)} if op_imm is not None else {}
        reads = set()
        accepts_wide = _WIDE_OPERANDS.get(op.name, ())
        any_wide = False
        nonneg = op.name[4:] in _NONNEGATIVE
        for name, entry in zip(names, operands):
            expr = entry.expr
            if entry.wide is not None and name in accepts_wide:
                expr = entry.wide
                any_wide = True
                nonneg = nonneg and entry.nonneg
            subst[name] = expr if _is_atom(expr) else "(%s)" % expr
            reads |= entry.reads
        wide = wrap = bits = None
        expr = _inline_rotate(op, subst)
        if expr is None:
            template, mask = _WIDE_RESULTS.get(op.name, (None, None))
            if template is not None and op.name in _ANDS and any(
                    _is_literal(value) for value in subst.values()):
                # a literal operand bounds the result: no mask, wide or not
                literal = int(subst["a"] if _is_literal(subst["a"]) else subst["b"])
                other = operands[1] if _is_literal(subst["a"]) else operands[0]
                if other.bits is not None and other.bits & ~literal == 0:
                    self.stack.append(other)        # the and changes nothing
                    return
                expr = _substitute(template, subst)
                bits = literal
            elif template is not None and (mask is not None or any_wide):
                wide = _fold_constants(_substitute(template, subst))
                expr = "(%s) & %s" % (wide, mask or _MASKS[op.name[:3]])
                if self.index in self.unwrapped:
                    expr = wide         # a counted loop's step (see versioned_region)
                elif not any_wide and _CORRECT_BY_TEST:
                    wrap = _WRAPS.get(op.name)
                    if wrap is not None:
                        expr = _corrected(wide, wrap)
            else:
                expr = _substitute(source, subst)
        else:
            wide, expr = expr
        expr = _fold_constants(expr)
        if trapping:
            # A trap must happen here, before any later side effect, and
            # even if the value is dropped: evaluate now.
            self.push_slot_value(expr)
        else:
            self.push(expr, reads, wide, wrap, bits, nonneg and wide is not None)

    def constant_operand_form(self, op):
        """Integer operations with a literal operand that have a cheaper
        exact form than the generic template (see _constant_form): push it
        and return True."""
        shape = _CONSTANT_FORMS.get(op.name)
        if shape is None:
            return False
        top, below = self.stack[-1], self.stack[-2]
        if _is_literal(top.expr):
            var, const, swapped = below, int(top.expr), False
        elif _is_literal(below.expr) and shape not in ("sub", "shl"):
            var, const, swapped = top, int(below.expr), True
        else:
            return False
        if shape != "compare" and var.wide is not None:
            return False            # a deferred-mask chain is cheaper as it is
        form = _constant_form(op.name, shape, const, swapped)
        if form is None:
            return False
        position = len(self.stack) - (1 if swapped else 2)
        if not _is_atom(var.expr):
            self.materialize(position)
        x = self.stack[position]
        del self.stack[-2:]
        expr, wide = form
        subtracts = wide is not None and wide.startswith("{x} - ")
        floor = max(self.floors.get(x.expr, 0), self.loop_floors.get(x.expr, 0))
        if subtracts and floor >= int(wide[6:]):
            expr = wide                 # x is known not to go below zero
        elif self.index in self.unwrapped:
            expr = wide                 # a counted loop's step (see versioned_region)
        self.push(expr.format(x=x.expr), x.reads, wide.format(x=x.expr) if wide else None,
                  nonneg=wide is not None and not subtracts)
        return True

    # structure ---------------------------------------------------------------
    def open_construct(self, kind, imm, condition=None):
        """Enter a block/loop/if; ``condition`` is the if's popped operand
        (it reads only slots at or above the current top, which the
        materialisation below never writes)."""
        nparams, nresults = blocktype_arity(self.types, imm)
        self.materialize_all()
        height = len(self.stack) - nparams
        ploop = self.index in self.targeted
        ctrl = _Ctrl(kind, self.index + 1, height, nparams, nresults, ploop)
        if kind != "loop":
            ctrl.facts = (self.serial, dict(self.floors), dict(self.masks))
        if ploop:
            self.emit("while True:")
            self.indent += 1
        if kind == "loop":
            self.forget()               # back edges join here, also into the params
            self.reset_stack(len(self.stack))
            self.charge(self.index)
        if kind == "if":
            self.emit("if %s:" % _truth(condition))
            self.indent += 1
        if self.indent > MAX_NESTING:
            raise _TooDeep("blocks nested too deeply for Python")
        self.ctrls.append(ctrl)

    def charge(self, index):
        """Metering: spend the ticks of the code region starting at ``index``."""
        if self.costs is None:
            return
        self.emit("store.ticks -= %d" % self.costs[index])
        self.emit("if store.ticks < 0:")
        self.emit("    store.checkpoint()")

    def else_(self, reachable):
        ctrl = self.ctrls[-1]
        if reachable:
            self.fall_through(ctrl)
        self.emit("pass")
        self.indent -= 1
        self.emit("else:")
        self.indent += 1
        ctrl.else_seen = True
        self.recall(ctrl)
        self.reset_stack(ctrl.height + ctrl.nparams)

    def fall_through(self, ctrl):
        """End of a construct's code reached normally: results to their slots."""
        results = self.stack[-ctrl.nresults:] if ctrl.nresults else []
        self.set_slots(ctrl.height, results)

    def set_slots(self, base, entries):
        targets = ["s%d" % (base + i) for i in range(len(entries))]
        exprs = [e.expr for e in entries]
        if targets == exprs:
            return
        for var in targets:
            self.protect_except(var, entries)
        if len(targets) == 1:
            self.emit("%s = %s" % (targets[0], exprs[0]))
        else:
            self.emit("%s = %s" % (", ".join(targets), ", ".join(exprs)))

    def protect_except(self, var, entries):
        """Save stack entries (other than the ones being moved) reading ``var``."""
        moving = set(id(e) for e in entries)
        for position, entry in enumerate(self.stack):
            if id(entry) in moving:
                continue
            if var in entry.reads and entry.expr != "s%d" % position:
                self.materialize(position)

    def end_construct(self, reachable):
        ctrl = self.ctrls.pop()
        self.recall(ctrl)
        if ctrl.kind == "function":
            if reachable:
                self.emit_return(ctrl.nresults)
            return
        if reachable:
            self.fall_through(ctrl)
        self.close(ctrl, reachable)
        self.reset_stack(ctrl.height + ctrl.nresults)
        if self.index in self.inline_ends:
            self.leave_inline()

    def enter_inline(self, site):
        """Before the block of an inlined call (inline.py): what the call
        would do on entry, its arguments being in their locals already."""
        self.materialize_all()          # the caller's pending values: before the callee's lines
        for k, value in enumerate(site.defaults):
            var = "l%d" % (site.base + site.nparams + k)
            self.protect(var)
            self.emit("%s = %r" % (var, value))
        # The callee runs at depth _d + level: its calls pass one more.  Its
        # own depth check, if it calls, is the prologue's (see source).
        self.open_inlined.append((len(self.inlined), self.depth))
        self.depth = "_d%d" % (site.level + 1)
        self.inlined.append((len(self.lines), None, site.callee.index))

    def leave_inline(self):
        position, self.depth = self.open_inlined.pop()
        start, _, funcidx = self.inlined[position]
        self.inlined[position] = (start, len(self.lines), funcidx)

    def close(self, ctrl, reachable):
        """The Python side of the end of ``ctrl`` (not the function)."""
        if ctrl.kind == "if":
            self.emit("pass")
            self.indent -= 1
        if ctrl.ploop:
            self.emit("break")      # falling off the end leaves the construct
            self.indent -= 1
            self.after_ploop(ctrl)

    def after_ploop(self, ctrl):
        """Finish or propagate multi-level branches that crossed ``ctrl``."""
        if not ctrl.escapes:
            return
        enclosing = self.enclosing_ploop()
        self.emit("if _tgt:")
        self.indent += 1
        rest = set(ctrl.escapes)
        if enclosing is not None and enclosing.id in rest:
            rest.discard(enclosing.id)
            self.emit("if _tgt == %d:" % enclosing.id)
            self.indent += 1
            self.emit("_tgt = 0")
            self.emit("continue" if enclosing.kind == "loop" else "break")
            self.indent -= 1
        if rest:
            enclosing.escapes |= rest
            self.emit("break")
        self.emit("pass")
        self.indent -= 1

    def enclosing_ploop(self):
        for ctrl in reversed(self.ctrls):
            if ctrl.ploop:
                return ctrl
        return None

    def branch_table(self, index, labels, default):
        """Emit br_table's jumps; ``index`` is an atom."""
        _branch_chain(self, index, labels, default)

    def branch_values(self, depth):
        """A taken branch to the label ``depth`` out, up to the jump: a
        ``return`` (then None), or its values moved to the target's slots
        (then the target's _Ctrl)."""
        target = self.ctrls[-1 - depth]
        if target.kind == "function":
            self.emit_return(target.nresults)
            return None
        arity = target.label_arity
        values = self.stack[len(self.stack) - arity:] if arity else []
        self.set_slots(target.height, values)
        return target

    def branch(self, depth):
        """Emit the jump of a taken branch to the label ``depth`` out."""
        target = self.branch_values(depth)
        if target is None:
            return
        inner = []
        for ctrl in reversed(self.ctrls[len(self.ctrls) - depth:]):
            if ctrl.ploop:
                inner.append(ctrl)
        if not inner:
            self.emit("continue" if target.kind == "loop" else "break")
            return
        # The break leaves the innermost P-loop; the checks after_ploop emits
        # after each crossed P-loop carry the branch on to its target.
        for ctrl in inner:
            ctrl.escapes.add(target.id)
        self.emit("_tgt = %d" % target.id)
        self.emit("break")
        self.uses_tgt = True

    def emit_return(self, nresults):
        if nresults == 0:
            self.emit("return None")
        elif nresults == 1:
            self.emit("return %s" % self.stack[-1].expr)
        else:
            self.emit("return (%s,)" % ", ".join(e.expr for e in self.stack[-nresults:]))

    # --- output ----------------------------------------------------------------
    def inlined_frames(self, first):
        """The handler lines adding the frame of the inlined function a trap
        was raised in or passed through (by the line it crossed this
        function at: no cost until a trap), for body lines from ``first``."""
        if not self.inlined:
            return lambda name: []
        lines = {}                  # line -> the inlined functions there, innermost first
        for start, end, funcidx in self.inlined:        # outer ones first
            for n in range(start, end):
                lines[first + n] = (funcidx,) + lines.get(first + n, ())
        table = self.const_object("inlined", lines)
        return lambda name: [
            "            for _k in %s.get(%s.__traceback__.tb_lineno, ()):" % (table, name),
            "                trap.frames.append(F[_k])"]

    def body_lines(self):
        """The function body's lines, indented into the ``try`` block."""
        return ["        " + line for line in self.lines]

    def source(self):
        params = "".join(", l%d" % i for i in range(self.nparams))
        # ``_d`` is this call's depth; callees get ``_d`` + 1 (see tiers.py).
        # A function that calls nothing cannot deepen the stack: no check.
        # An inlined callee that calls would check ``_d`` + its level: instead,
        # frames that near the limit run in tier 0, which checks every call.
        head = [None, "    LIMIT = store.max_call_depth"]     # (the factory's line: below)
        prologue = []
        levels = [site.level for site in self.inline_sites.values() if site.calls]
        if levels:
            head.append("    AT_LIMIT = R.tier0_entry(func)")
            near = "LIMIT - %d" % (max(levels) - 1) if max(levels) > 1 else "LIMIT"
            prologue = ["        if _d >= %s:" % near,
                        "            if _d > LIMIT:",
                        "                raise ExhaustionError('call stack exhausted')",
                        "            return AT_LIMIT(_d%s)" % params]
        elif has_call(self.body):
            prologue = ["        if _d > LIMIT:",
                        "            raise ExhaustionError('call stack exhausted')"]
        prologue.append("        try:")
        for i, value in enumerate(self.local_defaults):
            prologue.append("            l%d = %r" % (self.nparams + i, value))
        if self.uses_tgt:
            prologue.append("            _tgt = 0")
        for name in sorted(self.depths):
            prologue.append("            %s = _d + %s" % (name, name[2:]))
        head += ["    %s = F[%d]" % (name, idx) for idx, name in sorted(self.callees.items())]
        head += ["    %s = %s" % (name, expr) for expr, name in self.bound.items()]
        head.append("    def f(_d%s):" % params)
        frames = self.inlined_frames(len(head) + len(prologue) + 1)     # may add a constant
        head[0] = "def make(func, store, mem, memory, G, F, T, E, D, TYPES%s):" % "".join(
            ", " + name for name, _ in self.consts.values())
        body = self.body_lines()
        epilogue = (["        except Trap as trap:"] + frames("trap")
                    + ["            trap.frames.append(func)",
                       "            raise",
                       "        except (struct_error, IndexError) as error:",
                       "            trap = Trap(TrapKind.MEMORY_OOB)"] + frames("error")
                    + ["            trap.frames.append(func)",
                       "            raise trap from None",
                       "    return f"])
        return "\n".join(head + prologue + body + epilogue) + "\n"


_INT = r"(?:0x[0-9A-Fa-f]+|[0-9]+)"
_FOLDABLE = re.compile(r"\((%s) (&|\||\^|\+|-|\*|<<|>>) (%s)\)" % (_INT, _INT))
_ROTATES = {"i32.rotl": (32, True), "i32.rotr": (32, False),
            "i64.rotl": (64, True), "i64.rotr": (64, False)}


_MASKS = {"i32": "0xFFFFFFFF", "i64": "0xFFFFFFFFFFFFFFFF"}
# Deferred masks.  Operations computing modulo 2**N whatever the range of
# their operands (ring operations, bitwise ones, shift counts, operations
# that mask their operand first) may take wide operands; _WIDE_RESULTS maps
# operations to their result without the final mask: (template, mask), where
# a None mask means "wide only if an operand was" (bitwise operations, which
# need no mask of their own).  Everything else gets the masked ``expr``.
_WIDE_OPERANDS = {}
_WIDE_RESULTS = {}
for _p, _bits in (("i32", 31), ("i64", 63)):
    for _name, _template in (("add", "a + b"), ("sub", "a - b"), ("mul", "a * b"),
                             ("shl", "a << (b & %d)" % _bits)):
        _WIDE_OPERANDS[_p + "." + _name] = ("a", "b")
        _WIDE_RESULTS[_p + "." + _name] = (_template, _MASKS[_p])
    for _name, _symbol in (("and", "&"), ("or", "|"), ("xor", "^")):
        _WIDE_OPERANDS[_p + "." + _name] = ("a", "b")
        _WIDE_RESULTS[_p + "." + _name] = ("a %s b" % _symbol, None)
    for _name in ("shr_s", "shr_u", "rotl", "rotr"):
        _WIDE_OPERANDS[_p + "." + _name] = ("b",)
    for _name in ("extend8_s", "extend16_s"):
        _WIDE_OPERANDS[_p + "." + _name] = ("a",)
_WIDE_OPERANDS["i64.extend32_s"] = ("a",)
_WIDE_OPERANDS["i32.wrap_i64"] = ("a",)
_WIDE_RESULTS["i32.wrap_i64"] = ("a", _MASKS["i32"])
_ANDS = ("i32.and", "i64.and")
# Sums and differences of in-range operands: (sign, modulus) (see _Entry).
# CPython: a test and a rare correction cost less than a mask by the
# two-digit 0xFFFFFFFF; PyPy's JIT masks a machine word in one instruction
# and gains nothing from the test (sieve.wasm 10 % slower with it).
_CORRECT_BY_TEST = sys.implementation.name != "pypy"
# Operations whose wide result is never negative if their wide operands
# are not (see _Entry.nonneg).
_NONNEGATIVE = {"add", "mul", "shl", "and", "or", "xor"}
_WRAPS = {"i32.add": ("+", 1 << 32), "i32.sub": ("-", 1 << 32),
          "i64.add": ("+", 1 << 64), "i64.sub": ("-", 1 << 64)}


# Unsigned division inline (the helper call remains only to raise the
# trap), and rotates by a variable count as two shifts.
_INLINE_TEMPLATES = {
    "%s.%s_u" % (p, kind): "a %s b if b else N.%s_%s_u(a, b)" % (symbol, p, kind)
    for p in ("i32", "i64") for kind, symbol in (("div", "//"), ("rem", "%"))
}
# f64 division and square root raise in Python only where IEEE gives
# infinities or NaN: the helper handles just those cases.
_INLINE_TEMPLATES["f64.div"] = "a / b if b else N.f64_div(a, b)"
_INLINE_TEMPLATES["f64.sqrt"] = "math.sqrt(a) if a >= 0.0 else N.f64_sqrt(a)"
# Signed division and remainder on the operands' signed values (``_x``,
# ``_y``): Python's floor division, negated around for a quotient that
# truncates toward zero; the helper only for the traps (a zero divisor,
# div_s(INT_MIN, -1)).
_SIGNED_DIVISIONS = {
    "div_s": ("(-(-_x // _y) if ((_x := {A}) < 0) != (_y < 0) else _x // _y) & {mask}"
              " if (_y := {B}) and (_y != -1 or a != {half}) else N.{p}_div_s(a, b)"),
    "rem_s": ("(-(-_x % _y) if ((_x := {A}) < 0) != (_y < 0) else _x % _y) & {mask}"
              " if (_y := {B}) else N.{p}_rem_s(a, b)"),
}
for _p, _bits in (("i32", 32), ("i64", 64)):
    for _name, _template in _SIGNED_DIVISIONS.items():
        _signed = "({v} - %d if {v} >= %d else {v})" % (1 << _bits, 1 << (_bits - 1))
        _INLINE_TEMPLATES[_p + "." + _name] = _template.format(
            A=_signed.format(v="a"), B=_signed.format(v="b"), half=1 << (_bits - 1),
            mask="0x" + "F" * (_bits // 4), p=_p)
    _INLINE_TEMPLATES[_p + ".rotl"] = "((a << (b & %d)) | (a >> (-b & %d))) & %s" % (
        _bits - 1, _bits - 1, "0x" + "F" * (_bits // 4))
    _INLINE_TEMPLATES[_p + ".rotr"] = "((a >> (b & %d)) | (a << (-b & %d))) & %s" % (
        _bits - 1, _bits - 1, "0x" + "F" * (_bits // 4))


# Operations with one literal operand where Python has a cheaper exact form
# than the generic template.  CPython computes with single-digit ints
# (below 2**30) much faster than with the two-digit masks and sign flips,
# so the common case is guarded by a comparison with a literal below 2**30
# and the generic expression is kept for the rest.  Signed comparisons with
# a literal become unsigned ones.  ``{x}`` is the other operand (an atom,
# as it is read twice).
_CONSTANT_FORMS = {}
for _p in ("i32", "i64"):
    for _name in ("add", "mul", "shl"):
        _CONSTANT_FORMS[_p + "." + _name] = _name
    _CONSTANT_FORMS[_p + ".sub"] = "sub"
    for _name in ("lt_s", "le_s", "gt_s", "ge_s"):
        _CONSTANT_FORMS[_p + "." + _name] = "compare"
_SMALL = 1 << 30


def _constant_form(name, shape, c, swapped):
    """(expression, wide expression or None) with ``{x}`` for the other operand, or None."""
    bits = 32 if name.startswith("i32") else 64
    modulus = 1 << bits
    mask = "0x%X" % (modulus - 1)
    if shape == "compare":
        return _signed_compare(name[4:], bits, c, swapped), None
    if shape == "sub":
        shape, c = "add", (modulus - c) % modulus
    if shape == "add":
        if 0 < c < _SMALL:
            return ("{x} + %d if {x} < %d else ({x} + %d) & %s" % (c, _SMALL - c, c, mask),
                    "{x} + %d" % c)
        k = modulus - c             # adding c is subtracting k
        if 0 < k <= _SMALL:
            return "{x} - %d if {x} >= %d else {x} + %d" % (k, k, c), "{x} - %d" % k
        return None
    if shape == "mul":
        if 1 < c < (1 << 15):
            return ("{x} * %d if {x} < %d else ({x} * %d) & %s" % (c, _SMALL // c, c, mask),
                    "{x} * %d" % c)
        return None
    count = c & (bits - 1)          # shl
    if 0 < count < 15:
        return ("{x} << %d if {x} < %d else ({x} << %d) & %s"
                % (count, _SMALL >> count, count, mask), "{x} << %d" % count)
    return None


def _signed_compare(cmp, bits, c, swapped):
    """``x <cmp> c`` (``c <cmp> x`` if swapped) for a signed comparison,
    as unsigned comparisons of x: negative numbers are those >= 2**(bits-1)."""
    half = 1 << (bits - 1)
    signed = c - (1 << bits) if c >= half else c
    if swapped:                     # c < x  is  x > c, and so on
        cmp = {"lt_s": "gt_s", "gt_s": "lt_s", "le_s": "ge_s", "ge_s": "le_s"}[cmp]
    # Only < and >= remain: x <= c is x < c + 1, x > c is x >= c + 1.
    if cmp in ("le_s", "gt_s"):
        if signed == half - 1:      # x <= max is always true
            return "1" if cmp == "le_s" else "0"
        signed += 1
        cmp = "lt_s" if cmp == "le_s" else "ge_s"
    c = signed % (1 << bits)
    if cmp == "lt_s":
        if signed > 0:
            return "1 if {x} < %d or {x} >= %d else 0" % (c, half)
        if signed == 0:
            return "1 if {x} >= %d else 0" % half
        return "1 if %d <= {x} < %d else 0" % (half, c)
    if signed > 0:                  # ge_s
        return "1 if %d <= {x} < %d else 0" % (c, half)
    if signed == 0:
        return "1 if {x} < %d else 0" % half
    return "1 if {x} < %d or {x} >= %d else 0" % (half, c)


_FACTS = {}


def _template_facts(op):
    """(template, operand names it reads more than once, whether it may
    trap) of an opcode row, worked out once per row."""
    facts = _FACTS.get(op.name)
    if facts is None:
        source = _INLINE_TEMPLATES.get(op.name, op.expr)
        twice = frozenset(name for name in ("a", "b", "c")
                          if len(re.findall(r"\b%s\b" % name, source)) > 1)
        facts = _FACTS[op.name] = (source, twice, _TRAPPING.search(op.expr) is not None)
    return facts


def _substitute(template, subst):
    return _WORD.sub(lambda m: subst.get(m.group(0), m.group(0)), template)


def _fold_constants(expr):
    """Evaluate parenthesised operations on two integer literals, such as
    the shift-count mask ``(24 & 31)`` of a constant shift."""
    while True:
        folded = _FOLDABLE.sub(_fold_one, expr)
        if folded == expr:
            return expr
        expr = folded


def _fold_one(match):
    a, operator, b = int(match.group(1), 0), match.group(2), int(match.group(3), 0)
    if operator in ("<<", ">>") and b > 64:
        return match.group(0)       # no huge literals
    value = {"&": a & b, "|": a | b, "^": a ^ b, "+": a + b, "-": a - b,
             "*": a * b, "<<": a << b if operator == "<<" else 0,
             ">>": a >> b}[operator]
    return str(value) if value >= 0 else "(%d)" % value


def _inline_rotate(op, subst):
    """A rotate by a constant amount as shifts, saving a helper call:
    (wide, masked) expressions, or None."""
    rotate = _ROTATES.get(op.name)
    if rotate is None or not _is_literal(subst["b"]):
        return None
    bits, left = rotate
    count = int(subst["b"]) % bits
    if not left:
        count = (bits - count) % bits
    if count == 0:
        return None, subst["a"]
    a = subst["a"]
    wide = "(%s << %d) | (%s >> %d)" % (a, count, a, bits - count)
    return wide, "(%s) & 0x%X" % (wide, (1 << bits) - 1)


_SLOT = re.compile(r"s[0-9]+\Z")
_LITERAL = re.compile(r"[0-9]+\Z")
_ATOM = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z|-?[0-9.]+\Z")


def _is_slot(expr):
    return _SLOT.match(expr) is not None


def _is_literal(expr):
    return _LITERAL.match(expr) is not None


def _is_atom(expr):
    return _ATOM.match(expr) is not None


def _truth(expr):
    """A condition from an i32 expression: ``1 if x < y else 0`` tests as
    ``x < y``.  (Operands of templates are parenthesised unless atoms, so
    such a top-level shape is one conditional expression.)"""
    if expr.startswith("1 if ") and expr.endswith(" else 0") and _balanced(expr[5:-7]):
        return expr[5:-7]
    return expr


def _balanced(text):
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _metering_costs(body):
    """Ticks per code region for fuel and timeouts in tier 1: each loop
    (keyed by its index) costs the instructions directly inside it, the
    function (key -1) those outside any loop.  Counting every instruction
    of a region whether or not a branch skips part of it makes the count
    an upper bound of tier 0's exact one, and as deterministic."""
    costs = {-1: 0}
    loops = [-1]                    # innermost enclosing loop per construct
    for index, (op, _, _) in enumerate(body):
        name = op.name
        if name == "loop":
            loops.append(index)
            costs[index] = 0
        elif name in ("block", "if"):
            loops.append(loops[-1])
        elif name == "end":
            if len(loops) > 1:
                loops.pop()
            continue
        costs[loops[-1]] += 1
    return costs


def _targeted_blocks(body):
    """Indexes of block/loop/if instructions that some branch targets."""
    targeted = set()
    opened = [None]                 # index of each open construct; None = function
    for index, (op, imm, _) in enumerate(body):
        name = op.name
        if name in ("block", "loop", "if"):
            opened.append(index)
        elif name == "end":
            opened.pop()
        elif name in ("br", "br_if"):
            targeted.add(opened[-1 - imm])
        elif name == "br_table":
            labels, default = imm
            for depth in labels + (default,):
                targeted.add(opened[-1 - depth])
    targeted.discard(None)
    return targeted


# --- instruction rules ----------------------------------------------------------

def _block(t, op, imm):
    site = t.inline_sites.get(t.index)
    if site is not None:
        t.enter_inline(site)
    t.open_construct(op.name, imm)


def _if(t, op, imm):
    cond = t.pop().expr
    t.open_construct("if", imm, condition=cond)


def _else(t, op, imm):
    t.else_(reachable=True)


def _end(t, op, imm):
    t.end_construct(reachable=True)


def _br(t, op, imm):
    t.branch(imm)


def _br_if(t, op, imm):
    cond = t.pop().expr
    t.materialize_all()
    t.emit("if %s:" % _truth(cond))
    t.indent += 1
    t.branch(imm)
    t.indent -= 1
    floor = _FLOOR_TESTS.match(cond) if t.track_floors else None
    if floor is not None:
        var, bound = floor.group(1), floor.group(2)
        t.floors[var] = 1 if bound is None else int(bound)


def _br_table(t, op, imm):
    labels, default = imm
    index = t.pop().expr
    t.materialize_all()
    if not _is_atom(index):
        t.emit("_i = %s" % index)
        index = "_i"
    t.branch_table(index, labels, default)


# Branch conditions that, when false, bound a local from below: ``l < c``
# (unsigned, or signed with a positive literal) and ``l == 0``.
_FLOOR_TESTS = re.compile(r"^1 if (l[0-9]+) (?:< ([0-9]+)(?: or \1 >= [0-9]+)?|== 0) else 0$")


def _branch_chain(t, index, labels, default):
    """br_table as an if/elif chain over the cases that leave the default."""
    keyword = "if"
    for case, depth in enumerate(labels):
        if depth == default:
            continue
        t.emit("%s %s == %d:" % (keyword, index, case))
        keyword = "elif"
        t.indent += 1
        t.branch(depth)
        t.indent -= 1
    if keyword == "elif":
        t.emit("else:")
        t.indent += 1
        t.branch(default)
        t.indent -= 1
    else:
        t.branch(default)


def _return(t, op, imm):
    t.emit_return(len(t.functype.results))


def _unreachable(t, op, imm):
    t.emit("raise Trap(TrapKind.UNREACHABLE)")


def _nop(t, op, imm):
    pass


def _drop(t, op, imm):
    t.pop()


def _select(t, op, imm):
    c, b, a = t.pop(), t.pop(), t.pop()
    t.push("%s if %s else %s" % (_paren(a.expr), _paren(_truth(c.expr)), _paren(b.expr)),
           a.reads | b.reads | c.reads)


def _paren(expr):
    return expr if _is_atom(expr) else "(%s)" % expr


def _local_get(t, op, imm):
    var = "l%d" % imm
    t.push(var, (var,), bits=t.masks.get(var))


def _local_set(t, op, imm):
    t.set_var("l%d" % imm, t.pop())


def _local_tee(t, op, imm):
    value = t.pop()
    t.set_var("l%d" % imm, value)
    t.push("l%d" % imm, ("l%d" % imm,), bits=value.bits)


def _global_get(t, op, imm):
    t.push_slot_value("G[%d].raw" % imm)


def _global_set(t, op, imm):
    t.emit("G[%d].raw = %s" % (imm, t.pop().expr))


def _const(t, op, imm):
    t.push(t.const(imm), ())


def _call_args(t, count):
    args = [e.expr for e in t.stack[len(t.stack) - count:]] if count else []
    del t.stack[len(t.stack) - count:]
    return ", ".join(args)


def _push_results(t, call, nresults):
    if nresults == 0:
        t.emit(call)
    elif nresults == 1:
        t.push_slot_value(call)
    else:
        base = len(t.stack)
        slots = ["s%d" % (base + i) for i in range(nresults)]
        for slot in slots:
            t.protect(slot)
        t.emit("%s = %s" % (", ".join(slots), call))
        for slot in slots:
            t.stack.append(_Entry(slot, frozenset((slot,))))


def _call(t, op, imm):
    functype = t.func.instance.funcs[imm].type
    args = _call_args(t, len(functype.params))
    callee = t.callee(imm)
    _push_results(t, "%s(%s)" % (callee, _with_depth(t, args)), len(functype.results))


def _with_depth(t, args):
    t.depths.add(t.depth)
    return "%s, %s" % (t.depth, args) if args else t.depth


def _call_indirect(t, op, imm):
    """The callee is looked up inline; the slow path (a missing element, a
    type that is equal but not the same object, a trap) is R.indirect's."""
    typeidx, tableidx = imm
    functype = t.types[typeidx]
    index = t.pop().expr
    args = _call_args(t, len(functype.params))
    if not _is_atom(index):
        t.emit("_i = %s" % index)
        index = "_i"
    elements, expected = t.prebind("T[%d].elements" % tableidx), t.prebind("TYPES[%d]" % typeidx)
    t.emit("_c = %s[%s] if %s < len(%s) else None" % (elements, index, index, elements))
    t.emit("if _c is None or _c.type is not %s:" % expected)
    t.emit("    _c = R.indirect(T[%d], %s, %s)" % (tableidx, index, expected))
    _push_results(t, "_c.direct(%s)" % _with_depth(t, args), len(functype.results))


def _corrected(wide, wrap):
    """A sum or difference (``wide``) corrected inline by a test, cheaper
    than the mask (see _Entry); the walrus keeps it an expression."""
    sign, modulus = wrap
    if sign == "+":
        return "_w if (_w := %s) < %d else _w - %d" % (wide, modulus, modulus)
    return "_w if (_w := %s) >= 0 else _w + %d" % (wide, modulus)


def _load(t, op, imm):
    kind, suffix = _LOADS[op.name]
    entry = t.pop()
    view = t.view(op, kind)
    if kind is None:
        form, error, bits = "mem[%s]", "IndexError", 0xFF
    elif view is not None:
        form, error, bits = view, "IndexError", _LOAD_BITS.get(kind)
    else:
        form, error = "ld_%s(mem, %%s)[0]%s" % (kind, suffix), _STRUCT_ERRORS
        bits = None if suffix else _LOAD_BITS.get(kind)
    fast, slow = _access_forms(t, entry, imm[1], form, view is not None, error)
    slot = "s%d" % len(t.stack)
    if fast is None:
        t.assign(slot, slow)
    else:
        t.protect(slot)
        t.emit_tried(slot + " = %s", fast, slow, error)
    t.stack.append(_Entry(slot, frozenset((slot,)), bits=bits))


def _store(t, op, imm):
    kind, mask = _STORES[op.name]
    entry = t.pop()
    value = entry.expr
    if mask and entry.bits is not None and entry.bits & ~int(mask[3:], 16) == 0:
        mask = ""                   # the value fits already
    value = "%s%s" % (_paren(value), mask) if mask else value
    value = value.replace("%", "%%")      # the forms below are %-templates of the address
    view = t.view(op, kind)
    if kind is None:
        form, error = "mem[%%s] = %s" % value, "IndexError"
    elif view is not None:
        form, error = "%s = %s" % (view, value), "IndexError"
    else:
        form, error = "st_%s(mem, %%s, %s)" % (kind, value), _STRUCT_ERRORS
    fast, slow = _access_forms(t, t.pop(), imm[1], form, view is not None, error)
    if fast is None:
        t.emit(slow)
    else:
        t.emit_tried("%s", fast, slow, error)


def _access_forms(t, address, offset, form, shifted, error):
    """An access ``form`` (``%s`` for the effective address, a view's index
    if ``shifted``) at ``address`` plus ``offset``: (the form to try first,
    or None, and the form that is always right).  An address computed
    without its final correction (a sum, say) is tried first as it is, if
    it cannot be negative: memories are at most 2**32 bytes, so a value
    that should have wrapped around raises ``error`` in the access, and
    only then is the corrected address used (in CPython 3.11, a ``try``
    costs nothing until it catches)."""
    def at(expr):
        ea = "%s + %d" % (_paren(expr), offset) if offset else expr
        return form % (_paren(ea) if shifted else ea)
    if not (_TRY_ADDRESSES and address.nonneg and t.can_nest()):
        return None, at(address.expr)
    return at(address.wide), at(address.expr)


def _helper(call, nargs, result):
    """A rule calling a runtime_ops helper with the popped operands."""
    def rule(t, op, imm):
        args = _call_args(t, nargs)
        text = call.format(imm=imm, args=args)
        if result:
            t.push_slot_value(text)
        else:
            t.emit(text)
    return rule


def _ref_null(t, op, imm):
    t.push("None", ())


def _ref_is_null(t, op, imm):
    value = t.pop()
    t.push("1 if %s is None else 0" % _paren(value.expr), value.reads)


def _ref_func(t, op, imm):
    t.push_slot_value("F[%d]" % imm)


_RULES = {
    "block": _block, "loop": _block, "if": _if, "else": _else, "end": _end,
    "br": _br, "br_if": _br_if, "br_table": _br_table, "return": _return,
    "unreachable": _unreachable, "nop": _nop, "drop": _drop,
    "select": _select, "select_t": _select, "local.get": _local_get,
    "local.set": _local_set, "local.tee": _local_tee,
    "global.get": _global_get, "global.set": _global_set,
    "i32.const": _const, "i64.const": _const, "f32.const": _const,
    "f64.const": _const, "call": _call, "call_indirect": _call_indirect,
    "memory.size": _helper("len(mem) // PAGE_SIZE", 0, True),
    "memory.grow": _helper("memory.grow({args}) & 0xFFFFFFFF", 1, True),
    "memory.fill": _helper("R.memory_fill(mem, {args})", 3, False),
    "memory.copy": _helper("R.memory_copy(mem, {args})", 3, False),
    "memory.init": _helper("R.memory_init(mem, D, {imm}, {args})", 3, False),
    "data.drop": _helper("D.__setitem__({imm}, b'')", 0, False),
    "table.get": _helper("R.table_get(T[{imm}], {args})", 1, True),
    "table.set": _helper("R.table_set(T[{imm}], {args})", 2, False),
    "table.size": _helper("len(T[{imm}].elements)", 0, True),
    "table.grow": _helper("R.table_grow(T[{imm}], {args})", 2, True),
    "table.fill": _helper("R.table_fill(T[{imm}], {args})", 3, False),
    "table.copy": _helper("R.table_copy(T[{imm[0]}], T[{imm[1]}], {args})", 3, False),
    "table.init": _helper("R.table_init(T[{imm[1]}], E, {imm[0]}, {args})", 3, False),
    "elem.drop": _helper("E.__setitem__({imm}, ())", 0, False),
    "ref.null": _ref_null, "ref.is_null": _ref_is_null, "ref.func": _ref_func,
}


def _simd_memory(t, op, imm):
    """SIMD loads and stores call simd.py, which checks bounds itself."""
    access = "S.%s" % op.handler_name
    lane = ", %d" % imm[2] if op.imm == O.MEMARG_LANE else ""
    value = t.pop().expr if op.params[-1] is V128 else None
    address = t.pop().expr
    ea = "%s + %d" % (_paren(address), imm[1]) if imm[1] else address
    if op.results:
        args = ea if value is None else "%s, %s%s" % (ea, value, lane)
        t.push_slot_value("%s(mem, %s)" % (access, args))
    else:
        t.emit("%s(mem, %s, %s%s)" % (access, ea, value, lane))


for _name in O.SIMD_MEMORY:
    _RULES[_name] = _simd_memory
_RULES["v128.const"] = _const
for _name in _LOADS:
    _RULES[_name] = _load
for _name in _STORES:
    _RULES[_name] = _store


def translate_function(func):
    """Translate a WasmFunc; returns its ``direct`` Python function.

    Raises:
        TranslationUnsupported: the function must stay in tier 0.
    """
    cache = func.store.translation_cache
    cached = cache.load(func) if cache is not None else None
    if cached is not None:
        code, consts = cached
    else:
        code, consts = _compile(func)
        if cache is not None:
            cache.save(func, code, consts)
    instance = func.instance
    memory = instance.memory
    if memory is not None and _USE_VIEWS:
        namespace = memory.code_namespace(_NAMESPACE)
    else:
        namespace = dict(_NAMESPACE)
    if any(op.prefix == O.PREFIX_FD for op, _, _ in func.ast.body):
        from .. import simd         # SIMD semantics load on first use
        namespace["S"] = simd
    exec(code, namespace)
    return namespace["make"](func, func.store, memory.data if memory else None, memory,
                             instance.globals, instance.funcs, instance.tables,
                             instance.elems, instance.datas, instance.types, *consts)


def _compile(func):
    """(code object of the ``make`` factory, its constant arguments): the
    structured form, or the state machine where that is nested too deeply
    (always, for the "flat" engine)."""
    aligned = None
    if func.store.engine != "flat":
        structured = Translator(func)
        try:
            return _compile_with(structured)
        except _TooDeep:
            if not structured.inline_sites:     # else its indexes are the expanded body's
                aligned = structured.aligned
    from .flat import FlatTranslator
    flat = FlatTranslator(func)
    flat.aligned = aligned
    return _compile_with(flat)


def _compile_with(translator):
    source = _translate_with_index(translator)
    try:
        code = compile(source, "<wasm function %d>" % translator.func.index, "exec")
    except (SyntaxError, RecursionError, MemoryError) as error:
        # CPython's limits: 20 nested loops, 100 levels of indentation, and
        # the depth of its own recursion over the syntax tree.
        raise _TooDeep("Python cannot compile it: %s" % error) from None
    return code, [value for _, value in translator.consts.values()]


def _translate_with_index(translator):
    """Run the translation loop keeping ``translator.index`` current."""
    if len(translator.body) > MAX_BODY:
        raise TranslationUnsupported("function body too large")
    nresults = len(translator.functype.results)
    translator.ctrls.append(_Ctrl("function", 0, 0, 0, nresults, False))
    translator.charge(-1)
    index = 0
    while index < len(translator.body):
        end = translator.versioned_region(index)
        if end is not None:
            index = end
            continue
        translator.step(index)
        index += 1
    return translator.source()
