"""Validated function body -> flat code with branches resolved ahead of time.

Input: a function's instruction list and the operand heights the validator
recorded (-1 where unreachable).  Output: a list of ``(name, args)`` pairs,
one per executed instruction, where ``name`` is an engine handler name and
``args`` holds resolved immediates.  Structured control disappears:

* ``block``/``loop``/``nop`` and non-final ``end`` emit nothing;
* branches become ``jump``/``jump_if``/``jump_table`` with a target index
  and a stack adjustment ``(pc, drop_at, drop_count)``: drop ``drop_count``
  slots starting at absolute slot ``drop_at``, which leaves the branch
  values where the target expects them;
* ``if`` becomes ``jump_unless`` to the else branch (or the end), ``else``
  a ``jump`` to the end;
* unreachable code is not emitted at all.

Stack slots are absolute: the frame's stack holds the locals first
(parameters, then declared locals), so a height h from the validator is
slot ``nlocals + h``.  This form feeds both execution tiers.
"""

__all__ = ["compile_body", "Label", "blocktype_arity", "has_loop"]


class Label:
    """A branch target; ``pc`` is filled in when its position is known."""

    __slots__ = ("pc", "arity", "height", "is_return")

    def __init__(self, arity, height, pc=None, is_return=False):
        self.pc = pc
        self.arity = arity
        self.height = height        # absolute slot where branch values land
        self.is_return = is_return


class _Block:
    __slots__ = ("label", "else_fixup")

    def __init__(self, label):
        self.label = label
        self.else_fixup = None      # the if's jump_unless, patched at else/end


def blocktype_arity(types, imm):
    """(param count, result count) of a block type immediate."""
    if imm is None:
        return 0, 0
    if isinstance(imm, int):
        functype = types[imm]
        return len(functype.params), len(functype.results)
    return 0, 1


def has_loop(body):
    """Whether a function body contains a loop."""
    return any(op.name == "loop" for op, _, _ in body)


def has_call(body):
    """Whether a function body calls (and so can deepen the call stack)."""
    return any(op.name in ("call", "call_indirect") for op, _, _ in body)


def compile_body(body, heights, nlocals, nresults, types):
    """Compile one function body.  ``types`` is the module's type list.

    Returns the flat code: a list of [name, args] (lists so that forward
    targets can be patched); the last entry is always ``return``.
    """
    code = []
    emit = code.append
    function_label = Label(nresults, nlocals, is_return=True)
    blocks = [_Block(function_label)]
    for index, (op, imm, _) in enumerate(body):
        height = heights[index]
        name = op.name
        reachable = height >= 0
        if name in ("block", "loop", "if"):
            nparams, nres = blocktype_arity(types, imm)
            base = (height - (1 if name == "if" else 0) - nparams + nlocals
                    if reachable else -1)
            if name == "loop":
                label = Label(nparams, base, pc=len(code))
            else:
                label = Label(nres, base)
            block = _Block(label)
            blocks.append(block)
            if name == "if" and reachable:
                block.else_fixup = ["jump_unless", None]
                emit(block.else_fixup)
            continue
        if name == "else":
            block = blocks[-1]
            if reachable:
                emit(["jump", (block.label, None)])   # over the else branch
            _patch_else(block, len(code))
            continue
        if name == "end":
            block = blocks.pop()
            _patch_else(block, len(code))
            if block.label.pc is None:
                block.label.pc = len(code)
            if not blocks:
                emit(["return", None])
            continue
        if not reachable or name == "nop":
            continue
        if name == "br":
            emit(["jump", _branch(blocks, imm, nlocals + height)])
        elif name == "br_if":
            emit(["jump_if", _branch(blocks, imm, nlocals + height - 1)])
        elif name == "br_table":
            labels, default = imm
            top = nlocals + height - 1
            targets = [_branch(blocks, depth, top) for depth in labels]
            emit(["jump_table", (targets, _branch(blocks, default, top))])
        else:
            emit([name, imm])
    _resolve(code)
    return code


def _patch_else(block, pc):
    if block.else_fixup is not None:
        block.else_fixup[1] = pc
        block.else_fixup = None


def _branch(blocks, depth, height):
    """A branch to the label ``depth`` levels out, taken with ``height``
    values on the stack (absolute slots, branch values included)."""
    return (blocks[-1 - depth].label, height)


def _resolve(code):
    """Turn (label, height) pairs into (target pc, drop_at, drop_count):
    drop ``drop_count`` slots starting at ``drop_at`` so that the label's
    ``arity`` branch values end up where the label expects them."""
    for entry in code:
        name = entry[0]
        if name in ("jump", "jump_if"):
            entry[1] = _target(*entry[1])
        elif name == "jump_table":
            targets, default = entry[1]
            entry[1] = ([_target(*t) for t in targets], _target(*default))


def _target(label, height):
    if label.is_return or height is None:
        # A return keeps the top results (the caller takes them from the
        # top); the jump out of a then-branch has exactly its results.
        return (label.pc, 0, 0)
    return (label.pc, label.height, height - label.arity - label.height)
