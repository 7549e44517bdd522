"""Tier 1 for functions whose blocks nest deeper than Python allows.

CPython compiles at most 20 nested loops per function, and the structured
translation (translate.py) turns every branch target into a ``while True:``
loop.  C ``switch`` statements and interpreter dispatch loops compile to
dozens or hundreds of nested blocks, so their functions would stay in
tier 0.  This translator keeps every instruction rule of translate.py and
changes only the control flow: the function becomes a state machine over
code segments,

    pc = 0
    while True:
        if pc < 7:          # a balanced binary search on pc
            ...
        else:
            <segment 7>     # straight-line code and inline ``if``s
            pc = 9          # then fall through to the next segment,
                            # or ``pc = L; continue`` for a branch

A segment starts at each label: the header of a loop that is branched to,
the end of a block or ``if`` that is branched to, and the ``else`` and end
of an ``if`` whose arms contain labels.  An ``if`` without labels inside
stays a Python ``if``, which costs no loop nesting.  Values live in the
stack slots at every label, as at the joins of the structured form, so the
two forms share the symbolic stack.  The only Python loop is the
dispatcher; indentation is the search depth plus the inline ``if``s.
"""

from .compile import blocktype_arity
from .translate import Translator, TranslationUnsupported, _Ctrl, _truth

__all__ = ["FlatTranslator"]


class FlatTranslator(Translator):
    """Produces the state-machine source of one function."""

    track_floors = False
    version_regions = False
    inline_calls = False

    def __init__(self, func):
        super().__init__(func)
        self.indent = 0
        self.segments = []          # (label, lines) of the finished segments
        self.label = 0              # the segment being written
        self.next_label = 1
        self.jump_label = {}        # ctrl id -> label its branches go to
        self.else_label = {}        # ctrl id -> label of an if's else arm
        self.then_falls = {}        # ctrl id -> an inline if's then arm falls through
        self.inline_ifs, self.ifs_with_else = _scan_ifs(self.body, self.targeted)

    def new_label(self):
        self.next_label += 1
        return self.next_label - 1

    def start_segment(self, label, reachable):
        """End the current segment (falling through to ``label`` if the code
        before is reachable) and start the one at ``label``."""
        if self.indent:
            raise TranslationUnsupported("a label inside an inline if")
        if reachable:
            self.emit("pc = %d" % label)
        self.segments.append((self.label, self.lines))
        self.lines = []
        self.label = label

    # --- structure ---------------------------------------------------------------
    def open_construct(self, kind, imm, condition=None):
        nparams, nresults = blocktype_arity(self.types, imm)
        self.materialize_all()
        height = len(self.stack) - nparams
        ctrl = _Ctrl(kind, self.index + 1, height, nparams, nresults, False)
        targeted = self.index in self.targeted
        if kind == "loop":
            if targeted:
                header = self.jump_label[ctrl.id] = self.new_label()
                self.start_segment(header, reachable=True)
                self.reset_stack(height + nparams)
            self.charge(self.index)
        elif kind == "block":
            if targeted:
                self.jump_label[ctrl.id] = self.new_label()
        elif self.index in self.inline_ifs:
            if targeted:
                self.jump_label[ctrl.id] = self.new_label()
            self.emit("if %s:" % _truth(condition))
            self.indent += 1
        else:
            end = self.jump_label[ctrl.id] = self.new_label()
            # Without an else arm, a false condition goes to the end.
            self.else_label[ctrl.id] = (self.new_label() if self.index in self.ifs_with_else
                                        else end)
            self.emit("if not (%s):" % _truth(condition))
            self.emit("    pc = %d" % self.else_label[ctrl.id])
            self.emit("    continue")
        self.ctrls.append(ctrl)

    def else_(self, reachable):
        ctrl = self.ctrls[-1]
        if ctrl.id not in self.else_label:          # a Python if
            self.then_falls[ctrl.id] = reachable
            super().else_(reachable)
            return
        if reachable:
            self.fall_through(ctrl)
            self.emit("pc = %d" % self.jump_label[ctrl.id])
        self.start_segment(self.else_label[ctrl.id], reachable=False)
        ctrl.else_seen = True
        self.reset_stack(ctrl.height + ctrl.nparams)

    def close(self, ctrl, reachable):
        if ctrl.kind == "if" and ctrl.id not in self.else_label:
            self.emit("pass")
            self.indent -= 1
            # Past a Python if: reached if either arm falls through (a
            # missing else arm always does).
            reachable = reachable or self.then_falls.get(ctrl.id, True)
        end = self.jump_label.get(ctrl.id) if ctrl.kind != "loop" else None
        if end is not None:
            self.start_segment(end, reachable)

    def branch(self, depth):
        target = self.branch_values(depth)
        if target is not None:
            self.emit("pc = %d" % self.jump_label[target.id])
            self.emit("continue")

    def branch_table(self, index, labels, default):
        """Without values to move, one tuple lookup finds the target."""
        depths = tuple(labels) + (default,)
        targets = [self.ctrls[-1 - depth] for depth in depths]
        if not labels or any(t.kind == "function" or t.label_arity for t in targets):
            super().branch_table(index, labels, default)
            return
        table = ", ".join(str(self.jump_label[t.id]) for t in targets[:-1])
        self.emit("pc = (%s,)[%s] if %s < %d else %d" % (
            table, index, index, len(labels), self.jump_label[targets[-1].id]))
        self.emit("continue")

    # --- output ----------------------------------------------------------------
    def body_lines(self):
        segments = sorted(self.segments + [(self.label, self.lines)])
        lines = ["            pc = 0", "            while True:"]
        _dispatch(segments, 4, lines)
        return lines


def _dispatch(segments, depth, lines):
    """A balanced binary search on ``pc`` over the (label, lines) segments."""
    pad = "    " * depth
    if len(segments) == 1:
        body = segments[0][1] or ["pass"]
        lines.extend(pad + line for line in body)
        return
    middle = len(segments) // 2
    lines.append("%sif pc < %d:" % (pad, segments[middle][0]))
    _dispatch(segments[:middle], depth + 1, lines)
    lines.append(pad + "else:")
    _dispatch(segments[middle:], depth + 1, lines)


def _scan_ifs(body, targeted):
    """(indexes of the ``if`` instructions that can stay Python ``if``s:
    those with no label strictly inside (see the module doc), indexes of
    the ``if`` instructions with an else arm)."""
    inline, with_else = set(), set()
    stack = []                      # [index, kind, has a label inside]
    for index, (op, _, _) in enumerate(body):
        name = op.name
        if name in ("block", "loop", "if"):
            stack.append([index, name, False])
        elif name == "else" and stack:
            with_else.add(stack[-1][0])
        elif name == "end" and stack:
            start, kind, inside = stack.pop()
            if kind == "if" and not inside:
                inline.add(start)
            # Labels this construct puts inside its parent: its own, a loop
            # header, an end, or the else/end labels of a segmented if.
            makes = inside or start in targeted or (kind == "if" and start not in inline)
            if makes and stack:
                stack[-1][2] = True
    return inline, with_else
