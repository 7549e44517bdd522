"""Which memory accesses are aligned: forward dataflow analyses over one
function body, for tier 1.

An address known to be a multiple of the access width lets tier 1 read and
write through a memoryview cast to that width (``view[address >> 3]``),
about a third cheaper than a struct call; one not known to be aligned keeps
the struct call, since a memoryview cannot read across its items.  So the
analyses must be sound, never optimistic.

Each value is abstracted to the number of its low bits known to be zero,
capped at ``CAP`` (3: a multiple of 8).  Constants give their own count;
sums, differences, ors and xors keep the smaller count of their operands,
ands the larger, products the sum, shifts left by a constant add the
count; wrapping and extending keep it; everything else (loads, call
results, parameters, globals) knows nothing.  Locals are followed through
the structured control flow: a block or if merges the states of the
branches that leave it (the smaller count wins), and a loop is walked
again with its header state lowered until the states that reach it from
its back edges add nothing (counts only fall, so this ends).

``aligned_accesses`` proves alignment outright.  ``conditional_accesses``
runs the same rules over straight-line code assuming the locals aligned
at its start, and keeps with each count the locals it rests on ("bases"):
tier 1 then tests those locals once to choose between two versions of the
code (translate.Translator.versioned_region).
"""

from .compile import blocktype_arity

__all__ = ["aligned_accesses", "conditional_accesses", "region_end", "innermost_loop_end",
           "CAP", "CONTROL", "MIN_VERSIONED", "MIN_VERSIONED_LOOP"]

CAP = 3
_NONE = frozenset()
# A value: (known zero low bits, the locals that count rests on, its constant
# value or None); a local: the first two.
_UNKNOWN = (0, _NONE, None)
_STRUCTURE = frozenset(("block", "loop", "if", "else", "end"))


def aligned_accesses(func):
    """{instruction index: known zero low bits of the effective address}
    for every reachable load and store of ``func`` (a WasmFunc)."""
    walk = _Walk(func)
    walk.run(0, len(walk.body))
    return {index: zeros for index, (zeros, _) in walk.found.items()}


def _zeros(value):
    if value == 0:
        return CAP
    return min(CAP, (value & -value).bit_length() - 1)


def _merge(into, state):
    """The merge of two local states (None: no path reaches)."""
    if into is None:
        return None if state is None else list(state)
    if state is not None:
        for i, (zeros, bases) in enumerate(state):
            known, on = into[i]
            if zeros < known or not bases <= on:
                into[i] = (min(zeros, known), on | bases)
    return into


def _falls(state, assumed):
    """Whether ``state`` knows less than ``assumed`` of some local."""
    return any(z < a or not b <= on for (z, b), (a, on) in zip(state, assumed))


class _Frame:
    __slots__ = ("kind", "start", "base", "nparams", "nresults", "entry", "out",
                 "back", "else_state")

    def __init__(self, kind, start, base, nparams, nresults, entry):
        self.kind = kind
        self.start = start          # instruction index of a loop
        self.base = base            # stack height below the params (None: dead)
        self.nparams = nparams
        self.nresults = nresults
        self.entry = entry          # locals at a loop's header (assumed)
        self.out = None             # locals merged over the exits
        self.back = None            # locals merged over a loop's back edges
        self.else_state = None      # locals on an if's false path


class _Walk:
    """The abstract state while walking a body: the locals, the value stack
    and the control frames, and what each access's address was found to be."""

    def __init__(self, func):
        self.body = func.ast.body
        self.heights = func.heights
        self.types = func.instance.types
        self.funcs = func.instance.funcs
        nparams = len(func.type.params)
        self.nlocals = nparams + sum(count for count, _ in func.ast.locals)
        # parameters are unknown; declared locals start at zero
        self.locals = [(0, _NONE)] * nparams + [(CAP, _NONE)] * (self.nlocals - nparams)
        self.stack = []
        self.frames = [_Frame("function", 0, 0, 0, len(func.type.results), None)]
        self.found = {}             # index -> (zeros, bases) of the address

    def run(self, index, end):
        body = self.body
        rules = _RULES
        while index < end:
            op, imm, _ = body[index]
            name = op.name
            if name in _STRUCTURE:
                index = self.structure(index, name, imm)
            elif self.locals is not None:
                rule = rules.get(op)
                if rule is None:
                    rule = rules[op] = _rule_for(op)
                rule(self, index, op, imm)
            index += 1

    # --- structure ----------------------------------------------------------
    def structure(self, index, name, imm):
        """Handle a structured instruction; returns the index to go on from
        (a loop's start again when its header state had to fall)."""
        reachable = self.locals is not None
        if name in ("block", "loop", "if"):
            if name == "if" and reachable:
                self.stack.pop()
            nparams, nresults = blocktype_arity(self.types, imm)
            # (dead code keeps no stack: a construct entered there leaves
            # the stack alone at its end)
            base = len(self.stack) - nparams if reachable else None
            entry = list(self.locals) if name == "loop" and reachable else None
            frame = _Frame(name, index, base, nparams, nresults, entry)
            if name == "if" and reachable:
                frame.else_state = list(self.locals)
            self.frames.append(frame)
            return index
        frame = self.frames[-1]
        if name == "else":
            frame.out = _merge(frame.out, self.locals)
            self.locals, frame.else_state = frame.else_state, None
            if frame.base is not None:
                self.stack = self.stack[:frame.base] + [_UNKNOWN] * frame.nparams
            frame.kind = "else"
            return index
        # end
        if frame.kind == "function":
            return index
        self.frames.pop()
        if frame.kind == "loop":
            back = frame.back
            if back is not None and _falls(back, frame.entry):
                # a back edge brings less than assumed: walk the loop again
                entry = _merge(list(frame.entry), back)
                again = _Frame("loop", frame.start, frame.base, frame.nparams,
                               frame.nresults, entry)
                self.frames.append(again)
                self.locals = list(entry)
                self.stack = self.stack[:frame.base] + [_UNKNOWN] * frame.nparams
                return frame.start
            out = self.locals
        else:
            out = _merge(frame.out, self.locals)
            if frame.kind == "if":          # no else: the false path joins here
                out = _merge(out, frame.else_state)
        self.locals = out
        if frame.base is not None:
            self.stack = self.stack[:frame.base] + [_UNKNOWN] * frame.nresults
        return index

    def branch(self, depth):
        if depth >= len(self.frames):
            return                  # out of the region being walked
        frame = self.frames[-1 - depth]
        if frame.kind == "loop":
            frame.back = _merge(frame.back, self.locals)
        elif frame.kind != "function":
            frame.out = _merge(frame.out, self.locals)

    # --- straight-line code: one rule per instruction (_NAMED, _rule_for) --
    def local_get(self, index, op, imm):
        self.stack.append(self.locals[imm] + (None,))

    def local_set(self, index, op, imm):
        self.locals[imm] = self.stack.pop()[:2]

    def local_tee(self, index, op, imm):
        self.locals[imm] = self.stack[-1][:2]

    def int_const(self, index, op, imm):
        self.stack.append((_zeros(imm), _NONE, imm))

    def push_unknown(self, index, op, imm):
        self.stack.append(_UNKNOWN)

    def pop_one(self, index, op, imm):
        self.stack.pop()

    def keep(self, index, op, imm):
        self.stack[-1] = self.stack[-1][:2] + (None,)

    def select(self, index, op, imm):
        del self.stack[-1]
        self.add_like(index, op, imm)

    def add_like(self, index, op, imm):
        b = self.stack.pop()
        a = self.stack[-1]
        self.stack[-1] = (min(a[0], b[0]), a[1] | b[1], None)

    def and_(self, index, op, imm):
        b = self.stack.pop()
        a = self.stack[-1]
        self.stack[-1] = (a if a[0] >= b[0] else b)[:2] + (None,)

    def mul(self, index, op, imm):
        b = self.stack.pop()
        a = self.stack[-1]
        if (a[0] >= CAP and not a[1]) or (b[0] >= CAP and not b[1]):
            self.stack[-1] = (CAP, _NONE, None)
        else:
            self.stack[-1] = (min(CAP, a[0] + b[0]), a[1] | b[1], None)

    def shl(self, index, op, imm):
        count = self.stack.pop()[2]
        zeros, bases, _ = self.stack[-1]
        if count is not None:
            count &= 31 if op.name[1] == "3" else 63
            zeros, bases = (CAP, _NONE) if count >= CAP else (min(CAP, zeros + count), bases)
        self.stack[-1] = (zeros, bases, None)

    def generic(self, index, op, imm):
        stack = self.stack
        del stack[len(stack) - len(op.params):]
        stack.extend([_UNKNOWN] * len(op.results))

    def call(self, index, op, imm):
        if op.name == "call":
            functype, count = self.funcs[imm].type, 0
        else:
            functype, count = self.types[imm[0]], 1         # and the table index
        count += len(functype.params)
        del self.stack[len(self.stack) - count:]
        self.stack.extend([_UNKNOWN] * len(functype.results))

    def load(self, index, op, imm):
        self.record(index, self.stack[-1], imm[1])
        self.stack[-1] = _UNKNOWN

    def store(self, index, op, imm):
        self.record(index, self.stack[-2], imm[1])
        del self.stack[-2:]

    def record(self, index, address, offset):
        zeros, bases = min(address[0], _zeros(offset)), address[1]
        previous = self.found.get(index)
        if previous is not None:        # a loop walked again: the merge
            zeros, bases = min(previous[0], zeros), previous[1] | bases
        self.found[index] = (zeros, bases)

    def br(self, index, op, imm):
        self.branch(imm)
        self.locals = None

    def br_if(self, index, op, imm):
        self.stack.pop()
        self.branch(imm)

    def br_table(self, index, op, imm):
        self.stack.pop()
        labels, default = imm
        for depth in set(labels) | {default}:
            self.branch(depth)
        self.locals = None

    def end_path(self, index, op, imm):
        self.locals = None

    def resync(self, index, op, imm):
        """An instruction without a rule of its own: the validator's height
        of the next instruction, every value unknown (sound, if lossy)."""
        self.stack = [_UNKNOWN] * max(0, self.heights[index + 1])


_NAMED = {
    "local.get": _Walk.local_get, "local.set": _Walk.local_set,
    "local.tee": _Walk.local_tee, "i32.const": _Walk.int_const,
    "i64.const": _Walk.int_const, "global.get": _Walk.push_unknown,
    "f32.const": _Walk.push_unknown, "f64.const": _Walk.push_unknown,
    "v128.const": _Walk.push_unknown, "ref.null": _Walk.push_unknown,
    "ref.func": _Walk.push_unknown, "global.set": _Walk.pop_one, "drop": _Walk.pop_one,
    "nop": lambda *args: None, "select": _Walk.select, "select_t": _Walk.select,
    "call": _Walk.call, "call_indirect": _Walk.call, "br": _Walk.br,
    "br_if": _Walk.br_if, "br_table": _Walk.br_table, "return": _Walk.end_path,
    "unreachable": _Walk.end_path,
}
for _p in ("i32", "i64"):
    for _name in ("add", "sub", "or", "xor"):
        _NAMED["%s.%s" % (_p, _name)] = _Walk.add_like
    _NAMED[_p + ".and"] = _Walk.and_
    _NAMED[_p + ".mul"] = _Walk.mul
    _NAMED[_p + ".shl"] = _Walk.shl
for _name in ("i32.wrap_i64", "i64.extend_i32_u", "i64.extend_i32_s"):
    _NAMED[_name] = _Walk.keep
_RULES = {}                 # Op -> rule, filled on first sight


def _rule_for(op):
    rule = _NAMED.get(op.name)
    if rule is not None:
        return rule
    if op.width is not None and op.name[:3] in ("i32", "i64", "f32", "f64"):
        return _Walk.store if ".store" in op.name else _Walk.load
    if op.params is not None:
        return _Walk.generic
    return _Walk.resync


# --- regions: alignment that one test at their start buys --------------------

# Accesses a region must gain to be versioned: duplicating code costs
# translation and compile() time in every run, which only hot loops repay
# (usvg.wasm, a Rust program: 270 straight-line regions in loops with two
# or more, 51 with four).  The test before an innermost loop runs once per
# entry, not once per iteration: two accesses repay it.
MIN_VERSIONED = 4
MIN_VERSIONED_LOOP = 2
CONTROL = frozenset(("block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                     "return", "unreachable"))


def region_end(body, start):
    """The index of the first control instruction from ``start`` on."""
    index = start
    while body[index][0].name not in CONTROL:
        index += 1
    return index


def innermost_loop_end(body, start):
    """The index just past the ``end`` of the loop at ``start``, or None if
    another loop is nested in it."""
    depth = 0
    for index in range(start, len(body)):
        name = body[index][0].name
        if name in ("block", "loop", "if"):
            if name == "loop" and index != start:
                return None
            depth += 1
        elif name == "end":
            depth -= 1
            if not depth:
                return index + 1
    return None


def conditional_accesses(func, start, end, wanted, minimum=MIN_VERSIONED):
    """Accesses in [start, end), straight-line code or a whole loop, that
    are aligned if the locals they rest on are, at ``start``, multiples of
    2**zeros.  (In a loop, the walk's fixed point keeps a local's bases only
    while every back edge brings it back as aligned as it came in.)

    ``wanted`` maps the instruction indexes of the accesses worth it to
    the zero low bits each needs.  Returns (the locals to test, zeros, the
    accesses that test makes aligned) when it makes ``minimum`` or more,
    else None."""
    if not wanted:
        return None
    zeros = max(wanted.values())
    walk = _Walk(func)
    walk.locals = [(zeros, frozenset((i,))) for i in range(walk.nlocals)]
    walk.stack = [_UNKNOWN] * func.heights[start]     # values from before: unknown
    walk.run(start, end)
    found = {index: bases for index, (at, bases) in walk.found.items()
             if index in wanted and bases and at >= wanted[index]}
    if len(found) < minimum:
        return None
    return sorted(frozenset().union(*found.values())), zeros, set(found)
