"""Which memory accesses are provably aligned: a forward dataflow analysis
over one function body, for tier 1.

An address known to be a multiple of the access width lets tier 1 read and
write through a memoryview cast to that width (``view[address >> 3]``),
about a third cheaper than a struct call; one not known to be aligned keeps
the struct call, since a memoryview cannot read across its items.  So the
analysis must be sound, never optimistic.

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
"""

from .compile import blocktype_arity

__all__ = ["aligned_accesses", "conditional_accesses", "region_end", "CAP", "CONTROL"]

CAP = 3
_UNKNOWN = (0, None)        # (known zero low bits, constant value or None)
_STRUCTURE = frozenset(("block", "loop", "if", "else", "end"))


def aligned_accesses(func):
    """{instruction index: known zero low bits of the effective address}
    for every reachable load and store of ``func`` (a WasmFunc)."""
    walk = _Walk(func)
    walk.run()
    return walk.found


def _zeros(value):
    if value == 0:
        return CAP
    return min(CAP, (value & -value).bit_length() - 1)


def _merge(into, state):
    """The merge of two local states (None: no path reaches)."""
    if into is None:
        return None if state is None else list(state)
    if state is not None:
        for i, zeros in enumerate(state):
            if zeros < into[i]:
                into[i] = zeros
    return into


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
    def __init__(self, func):
        self.body = func.ast.body
        self.heights = func.heights
        self.types = func.instance.types
        self.funcs = func.instance.funcs
        nparams = len(func.type.params)
        nlocals = nparams + sum(count for count, _ in func.ast.locals)
        # parameters are unknown; declared locals start at zero
        self.locals = [0] * nparams + [CAP] * (nlocals - nparams)
        self.stack = []
        self.frames = [_Frame("function", 0, 0, 0, len(func.type.results), None)]
        self.found = {}

    def run(self):
        index = 0
        body = self.body
        rules = _RULES
        while index < len(body):
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
            if back is not None and any(b < e for b, e in zip(back, frame.entry)):
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
        frame = self.frames[-1 - depth]
        if frame.kind == "loop":
            frame.back = _merge(frame.back, self.locals)
        elif frame.kind != "function":
            frame.out = _merge(frame.out, self.locals)

    # --- straight-line code: one rule per instruction (_NAMED, _rule_for) --
    def local_get(self, index, op, imm):
        self.stack.append((self.locals[imm], None))

    def local_set(self, index, op, imm):
        self.locals[imm] = self.stack.pop()[0]

    def local_tee(self, index, op, imm):
        self.locals[imm] = self.stack[-1][0]

    def int_const(self, index, op, imm):
        self.stack.append((_zeros(imm), imm))

    def push_unknown(self, index, op, imm):
        self.stack.append(_UNKNOWN)

    def pop_one(self, index, op, imm):
        self.stack.pop()

    def keep(self, index, op, imm):
        self.stack[-1] = (self.stack[-1][0], None)

    def select(self, index, op, imm):
        stack = self.stack
        del stack[-1]
        b = stack.pop()
        stack[-1] = (min(stack[-1][0], b[0]), None)

    def add_like(self, index, op, imm):
        b = self.stack.pop()
        self.stack[-1] = (min(self.stack[-1][0], b[0]), None)

    def and_(self, index, op, imm):
        b = self.stack.pop()
        self.stack[-1] = (max(self.stack[-1][0], b[0]), None)

    def mul(self, index, op, imm):
        b = self.stack.pop()
        self.stack[-1] = (min(CAP, self.stack[-1][0] + b[0]), None)

    def shl(self, index, op, imm):
        count = self.stack.pop()[1]
        zeros = self.stack[-1][0]
        if count is not None:
            zeros = min(CAP, zeros + (count & (31 if op.name[1] == "3" else 63)))
        self.stack[-1] = (zeros, None)

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
        self.record(index, self.stack[-1][0], imm[1])
        self.stack[-1] = _UNKNOWN

    def store(self, index, op, imm):
        self.record(index, self.stack[-2][0], imm[1])
        del self.stack[-2:]

    def record(self, index, zeros, offset):
        zeros = min(zeros, _zeros(offset))
        previous = self.found.get(index)
        self.found[index] = zeros if previous is None else min(previous, zeros)

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


# --- straight-line regions: alignment that one test at their start buys ------

# Accesses a region must gain to be versioned: duplicating code costs
# translation and compile() time in every run, which only hot loops repay
# (usvg.wasm, a Rust program: 270 regions with two or more, 51 with four).
MIN_VERSIONED = 4
CONTROL = frozenset(("block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                     "return", "unreachable"))


def region_end(body, start):
    """The index of the first control instruction from ``start`` on."""
    index = start
    while body[index][0].name not in CONTROL:
        index += 1
    return index


def conditional_accesses(func, start, end, wanted):
    """Accesses in the straight-line code [start, end) that are aligned if
    some locals are, at ``start``, multiples of 2**zeros.

    ``wanted`` maps the instruction indexes of the accesses worth it to
    the zero low bits each needs.  Returns (the locals to test, zeros, the
    accesses that test makes aligned) when it makes MIN_VERSIONED or more,
    else None.  A value is abstracted to (its known zero low bits if the tested
    locals have ``zeros`` of them, the locals that rests on, its constant
    value or None)."""
    if not wanted:
        return None
    zeros = max(wanted.values())
    body = func.ast.body
    assigned = {}               # local -> its abstract value, once set here
    stack = []
    found = {}
    for index in range(start, end):
        op, imm, _ = body[index]
        name = op.name
        if name == "local.get":
            stack.append(assigned.get(imm, (zeros, frozenset((imm,)), None)))
        elif name in ("local.set", "local.tee"):
            assigned[imm] = stack[-1]
            if name == "local.set":
                stack.pop()
        elif name in ("i32.const", "i64.const"):
            stack.append((_zeros(imm), _NONE, imm))
        elif op.width is not None and name[:3] in ("i32", "i64", "f32", "f64"):
            store = ".store" in name
            address = stack[-2] if store else stack[-1]
            if index in wanted and address[1] and \
                    min(address[0], _zeros(imm[1])) >= wanted[index]:
                found[index] = address[1]
            if store:
                del stack[-2:]
            else:
                stack[-1] = _OPAQUE
        elif name in _REGION_RULES:
            b = stack.pop()
            stack[-1] = _REGION_RULES[name](stack[-1], b, name)
        elif name in _KEEP_NAMES:
            stack[-1] = stack[-1][:2] + (None,)
        elif name in ("f32.const", "f64.const", "v128.const", "global.get"):
            stack.append(_OPAQUE)
        elif name in ("drop", "global.set"):
            stack.pop()
        else:
            stack = _effect(func, op, imm, stack, index)
    if len(found) < MIN_VERSIONED:
        return None
    return sorted(frozenset().union(*found.values())), zeros, set(found)


_NONE = frozenset()
_OPAQUE = (0, _NONE, None)


def _effect(func, op, imm, stack, index):
    """The stack after an instruction the region rules do not follow: its
    results unknown."""
    if op.params is not None:
        popped, pushed = len(op.params), len(op.results)
    elif op.name in ("call", "call_indirect"):
        functype = (func.instance.funcs[imm].type if op.name == "call"
                    else func.instance.types[imm[0]])
        popped = len(functype.params) + (op.name == "call_indirect")
        pushed = len(functype.results)
    else:
        return [_OPAQUE] * max(0, func.heights[index + 1])
    return stack[:len(stack) - popped] + [_OPAQUE] * pushed


def _sum_rule(a, b, name):
    return (min(a[0], b[0]), a[1] | b[1], None)


def _and_rule(a, b, name):
    return (a if a[0] >= b[0] else b)[:2] + (None,)


def _mul_rule(a, b, name):
    for x in (a, b):
        if x[0] >= CAP and not x[1]:
            return (CAP, _NONE, None)
    return (min(CAP, a[0] + b[0]), a[1] | b[1], None)


def _shl_rule(a, b, name):
    if b[2] is None:
        return a[:2] + (None,)
    count = b[2] & (31 if name[1] == "3" else 63)
    if count >= CAP:
        return (CAP, _NONE, None)
    return (min(CAP, a[0] + count), a[1], None)


_REGION_RULES = {}
for _p in ("i32", "i64"):
    for _name in ("add", "sub", "or", "xor"):
        _REGION_RULES["%s.%s" % (_p, _name)] = _sum_rule
    _REGION_RULES[_p + ".and"] = _and_rule
    _REGION_RULES[_p + ".mul"] = _mul_rule
    _REGION_RULES[_p + ".shl"] = _shl_rule
_KEEP_NAMES = frozenset(("i32.wrap_i64", "i64.extend_i32_u", "i64.extend_i32_s"))
