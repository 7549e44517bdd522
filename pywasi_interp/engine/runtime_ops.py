"""Out-of-line operations the translated code (tier 1) calls: the checks
and bulk moves that are too long to inline.  Each raises the spec's trap."""

from ..errors import Trap, TrapKind

__all__ = ["indirect", "memory_fill", "memory_copy", "memory_init", "table_get",
           "table_set", "table_grow", "table_fill", "table_copy", "table_init"]


def indirect(table, index, expected):
    """The function ``call_indirect`` calls, after the spec's checks."""
    elements = table.elements
    if index >= len(elements):
        raise Trap(TrapKind.UNDEFINED_ELEMENT)
    callee = elements[index]
    if callee is None:
        kind = TrapKind.UNINITIALIZED_ELEMENT
        raise Trap(kind, message="%s %d" % (kind.value, index))
    if callee.type is not expected and callee.type != expected:
        raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH)
    return callee


def memory_fill(mem, d, value, n):
    if d + n > len(mem):
        raise Trap(TrapKind.MEMORY_OOB)
    mem[d:d + n] = bytes((value & 0xFF,)) * n


def memory_copy(mem, d, s, n):
    if s + n > len(mem) or d + n > len(mem):
        raise Trap(TrapKind.MEMORY_OOB)
    mem[d:d + n] = mem[s:s + n]


def memory_init(mem, datas, dataidx, d, s, n):
    data = datas[dataidx]
    if s + n > len(data) or d + n > len(mem):
        raise Trap(TrapKind.MEMORY_OOB)
    mem[d:d + n] = data[s:s + n]


def table_get(table, i):
    elements = table.elements
    if i >= len(elements):
        raise Trap(TrapKind.TABLE_OOB)
    return elements[i]


def table_set(table, i, value):
    elements = table.elements
    if i >= len(elements):
        raise Trap(TrapKind.TABLE_OOB)
    elements[i] = value


def table_grow(table, init, n):
    """table.grow's operands in stack order; the old size or -1, as i32."""
    return table.grow(n, init) & 0xFFFFFFFF


def table_fill(table, i, value, n):
    elements = table.elements
    if i + n > len(elements):
        raise Trap(TrapKind.TABLE_OOB)
    elements[i:i + n] = [value] * n


def table_copy(dst_table, src_table, d, s, n):
    dst, src = dst_table.elements, src_table.elements
    if s + n > len(src) or d + n > len(dst):
        raise Trap(TrapKind.TABLE_OOB)
    dst[d:d + n] = src[s:s + n]


def table_init(table, elems, elemidx, d, s, n):
    segment = elems[elemidx]
    elements = table.elements
    if s + n > len(segment) or d + n > len(elements):
        raise Trap(TrapKind.TABLE_OOB)
    elements[d:d + n] = segment[s:s + n]


def tier0_entry(func):
    """A direct entry (tiers.py) running ``func`` in tier 0, built on its
    first call: tier 1 runs a function's frames near the call-depth limit
    there (see translate.Translator.source)."""
    built = []

    def direct(depth, *args):
        if not built:
            from .tiers import tier0_direct
            built.append(tier0_direct(func))
        return built[0](depth, *args)
    return direct
