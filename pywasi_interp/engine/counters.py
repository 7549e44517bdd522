"""Counted loops: loop counters that cannot wrap around, under one test.

Clang ends a counted loop with its counter's step and exit test:

    local.get $n  local.get $i  i32.const 1  i32.add  local.tee $i  i32.ne  br_if 0   (up)
    local.get $k  i32.const -1  i32.add  local.tee $k  br_if 0                        (down)

Tier 1 adds a constant with a test for the wrap-around
(``i + 1 if i < 1073741823 else (i + 1) & 0xFFFFFFFF``).  If on entry
``i < n`` and ``n - i`` is a multiple of the step, and neither local is
written elsewhere in the loop, the counter meets ``n`` before it could pass
2**32 - 1: the sum needs no test.  (Other back edges do not matter: the
step is the counter's only write, and its test follows it at once.)
Likewise ``k`` counting down by ``c`` to zero from a positive multiple of
``c`` never goes below zero.  The translator emits such a loop twice,
under that test (Translator.versioned_region).
"""

__all__ = ["counted_loop"]

MAX_STEP = 1 << 16


def counted_loop(body, start, end):
    """For the innermost loop ``body[start:end]`` (its ``loop`` to just past
    its ``end``), (the entry test, a Python condition on locals, and the
    index of the counter's ``i32.add``, whose result then cannot wrap
    around), or None if it is not a counted loop."""
    names = [op.name for op, _, _ in body[start:end]]
    if len(names) < 8 or names[-2:] != ["br_if", "end"] or body[end - 2][1] != 0:
        return None
    plan = _up(body, names, start, end) or _down(body, names, start, end)
    if plan is None:
        return None
    test, add, counter, fixed = plan
    if _writes(body, start, end, counter) != 1 or (fixed is not None and _writes(
            body, start, end, fixed)):
        return None
    return test, add


def _up(body, names, start, end):
    step = ["local.get", "i32.const", "i32.add", "local.tee"]
    for shape in (["local.get"] + step + ["i32.ne"], step + ["local.get", "i32.ne"]):
        at = end - 2 - len(shape)
        if names[at - start:end - 2 - start] != shape:
            continue
        first = at if shape[1] == "i32.const" else at + 1       # the step's local.get
        bound = at + 4 if first == at else at
        counter, c = body[first][1], body[first + 1][1] % (1 << 32)
        if body[first + 3][1] != counter or body[bound][1] == counter or not 0 < c < MAX_STEP:
            return None
        i, n = "l%d" % counter, "l%d" % body[bound][1]
        test = "%s < %s" % (i, n) if c == 1 else "%s < %s and not (%s - %s) %% %d" % (
            i, n, n, i, c)
        return test, first + 2, counter, body[bound][1]
    return None


def _down(body, names, start, end):
    at = end - 6
    if names[at - start:end - 2 - start] != ["local.get", "i32.const", "i32.add", "local.tee"]:
        return None
    counter, c = body[at][1], (1 << 32) - body[at + 1][1] % (1 << 32)
    if body[at + 3][1] != counter or not 0 < c < MAX_STEP:
        return None
    k = "l%d" % counter
    test = k if c == 1 else "%s and not %s %% %d" % (k, k, c)
    return test, at + 2, counter, None


def _writes(body, start, end, local):
    return sum(1 for op, imm, _ in body[start:end]
               if op.name in ("local.set", "local.tee") and imm == local)
