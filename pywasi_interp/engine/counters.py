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
``c`` never goes below zero.  And ``x += s; loop while x <= n`` (or ``<``)
steps only from x's entry value or from one that passed the test, so
``x + s`` and ``n + s`` below 2**32 on entry keep it from wrapping.

When an exact exit test is the loop's only back edge, the loop runs at most
``(n - i) / c`` (or ``k / c``) times, which bounds the other locals the loop
steps by a constant once (pointers, mostly): ``p + d * trips`` below 2**32
on entry means ``p``'s steps need no test either, and as ``p`` then only
grows, ``p - 48`` needs none if ``p >= 48`` on entry.  The translator emits
such a loop twice, under the conjunction of those tests
(Translator.versioned_region).
"""

__all__ = ["counted_loop"]

MAX_STEP = 1 << 16
_WRITES = ("local.set", "local.tee")
_STEP = ["local.get", "i32.const", "i32.add", "local.tee"]     # a counter's step


def counted_loop(body, start, end):
    """For the innermost loop ``body[start:end]`` (its ``loop`` to just past
    its ``end``): (the entry test, a Python condition on locals; the
    indexes of the ``i32.add`` steps whose result then cannot wrap around;
    {local: a floor it keeps throughout the loop}), or None if it is not a
    counted loop."""
    names = [op.name for op, _, _ in body[start:end]]
    if len(names) < 8 or names[-2:] != ["br_if", "end"] or body[end - 2][1] != 0:
        return None
    plan = (_up(body, names, start, end) or _down(body, names, start, end)
            or _bounded(body, names, start, end))
    if plan is None:
        return None
    tests, add, counter, fixed, trips = plan
    writes = _writes(body, start, end)
    if writes.get(counter) != [add + 1] or any(local in writes for local in fixed):
        return None
    steps, floors = [add], {}
    if trips is not None and not _other_back_edges(body, start, end):
        stepped = _derived_steps(body, writes, {counter} | set(fixed))
        if fixed:
            stepped[counter] = (add, body[add - 1][1] % (1 << 32))
        for local, (index, d) in sorted(stepped.items()):
            p = "l%d" % local
            if d < MAX_STEP:                            # p grows
                if local != counter:
                    tests.append("%s + %d * %s < 4294967296" % (p, d, trips))
                floor = _largest_subtraction(body, start, end, local)
                if floor:
                    tests.append("%s >= %d" % (p, floor))
                    floors[p] = floor
            else:                                       # p shrinks
                tests.append("%s >= %d * %s" % (p, (1 << 32) - d, trips))
            if local != counter:
                steps.append(index)
    return " and ".join(tests), frozenset(steps), floors


def _up(body, names, start, end):
    for shape in (["local.get"] + _STEP + ["i32.ne"], _STEP + ["local.get", "i32.ne"]):
        at = end - 2 - len(shape)
        if names[at - start:end - 2 - start] != shape:
            continue
        first = at if shape[1] == "i32.const" else at + 1       # the step's local.get
        bound = at + 4 if first == at else at
        counter, c = body[first][1], body[first + 1][1] % (1 << 32)
        if body[first + 3][1] != counter or body[bound][1] == counter or not 0 < c < MAX_STEP:
            return None
        i, n = "l%d" % counter, "l%d" % body[bound][1]
        tests = ["%s < %s" % (i, n)]
        if c > 1:
            tests.append("not (%s - %s) %% %d" % (n, i, c))
        trips = "(%s - %s)" % (n, i) if c == 1 else "((%s - %s) // %d)" % (n, i, c)
        return tests, first + 2, counter, [body[bound][1]], trips
    return None


def _down(body, names, start, end):
    at = end - 6
    if names[at - start:end - 2 - start] != _STEP:
        return None
    counter, c = body[at][1], (1 << 32) - body[at + 1][1] % (1 << 32)
    if body[at + 3][1] != counter or not 0 < c < MAX_STEP:
        return None
    k = "l%d" % counter
    tests = [k] if c == 1 else [k, "not %s %% %d" % (k, c)]
    return tests, at + 2, counter, [], (k if c == 1 else "(%s // %d)" % (k, c))


def _bounded(body, names, start, end):
    """``x += s; loop while x <= n`` (or ``<``), s a constant or a local:
    each step starts from x's entry value or one that passed the test, so
    it cannot wrap if both are below 2**32 - s.  (No bound on the trips.)"""
    at = end - 8
    shape = names[at - start:end - 2 - start]
    if shape[:1] + shape[2:5] != ["local.get", "i32.add", "local.tee", "local.get"] \
            or shape[1] not in ("local.get", "i32.const") \
            or shape[5] not in ("i32.le_u", "i32.lt_u"):
        return None
    counter, step, bound = body[at][1], body[at + 1][1], body[at + 4][1]
    if body[at + 3][1] != counter or bound == counter:
        return None
    if shape[1] == "local.get":
        if step in (counter, bound):
            return None
        fixed, s = [bound, step], "l%d" % step
    else:
        step %= 1 << 32
        if not 0 < step < MAX_STEP:
            return None
        fixed, s = [bound], str(step)
    tests = ["l%d + %s < 4294967296" % (local, s) for local in (counter, bound)]
    return tests, at + 2, counter, fixed, None


def _writes(body, start, end):
    """{local: indexes of the instructions writing it} in the loop."""
    writes = {}
    for index in range(start, end):
        op, imm, _ = body[index]
        if op.name in _WRITES:
            writes.setdefault(imm, []).append(index)
    return writes


def _derived_steps(body, writes, excluded):
    """{local: (index of its i32.add, the constant)} for the locals the loop
    writes only as ``local.get p; i32.const d; i32.add; local.set/tee p``
    with d or -d below MAX_STEP."""
    stepped = {}
    for local, indexes in writes.items():
        if local in excluded or len(indexes) != 1:
            continue
        at = indexes[0]
        if at - 3 < 0:
            continue
        (get, p, _), (const, d, _), (add, _, _) = body[at - 3:at]
        if (get.name, const.name, add.name) != ("local.get", "i32.const", "i32.add") \
                or p != local:
            continue
        d %= 1 << 32
        if 0 < d < MAX_STEP or 0 < (1 << 32) - d < MAX_STEP:
            stepped[local] = (at - 1, d)
    return stepped


def _largest_subtraction(body, start, end, local):
    """The largest constant (below MAX_STEP) the loop subtracts from
    ``local`` (``local.get; i32.const -k; i32.add`` or ``i32.const k;
    i32.sub``), or 0."""
    largest = 0
    for index in range(start, end - 2):
        (get, p, _), (const, k, _), (op, _, _) = body[index:index + 3]
        if get.name != "local.get" or p != local or const.name != "i32.const":
            continue
        k %= 1 << 32
        if op.name == "i32.add" and 0 < (1 << 32) - k < MAX_STEP:
            largest = max(largest, (1 << 32) - k)
        elif op.name == "i32.sub" and 0 < k < MAX_STEP:
            largest = max(largest, k)
    return largest


def _other_back_edges(body, start, end):
    """Whether anything but the final br_if branches to the loop's start."""
    depth = 0                       # constructs open inside the loop
    for op, imm, _ in body[start + 1:end - 2]:
        name = op.name
        if name in ("block", "if"):
            depth += 1
        elif name == "end":
            depth -= 1
        elif name in ("br", "br_if") and imm == depth:
            return True
        elif name == "br_table" and depth in list(imm[0]) + [imm[1]]:
            return True
    return False
