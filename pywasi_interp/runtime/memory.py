"""Memory instances (spec "Memory Instances"): a bytearray grown in place.

The bytearray object is never replaced, only extended, so compiled code may
hold a reference to it across ``memory.grow``.  Memoryviews of it, which
tier 1 reads aligned values through, are another matter: a bytearray cannot
be resized while views of it exist, so ``grow`` releases them and puts new
ones in the namespace the code reads them from (``code_namespace``).
Runtime objects report facts (out of bounds, over limit); the engine turns
them into spec traps.
"""

from ..errors import Trap, TrapKind, ExhaustionError
from .compat import is_store, drop_store, CallableInt
from ..types import PAGE_SIZE, MAX_PAGES, Limits, MemoryType

__all__ = ["MemoryInstance"]

_CHUNK_PAGES = 16                           # 1 MiB of zeros per extend
_VIEW_FORMATS = (("MV_H", "H"), ("MV_I", "I"), ("MV_Q", "Q"), ("MV_D", "d"))


class MemoryInstance:
    """Linear memory.  ``data`` is the live bytearray; ``type`` its MemoryType.

    The store's ``max_memory`` is an embedder cap (resource limit) below the
    type's own maximum: growth beyond it fails as if the maximum were reached.
    """

    __slots__ = ("type", "data", "max_pages", "_namespace")

    def __init__(self, store, memtype):
        """Raises ExhaustionError if the minimum exceeds the store's cap."""
        self.type = memtype
        limits = memtype.limits
        cap = MAX_PAGES if limits.max is None else limits.max
        max_bytes = getattr(store, "max_memory", None)
        if max_bytes is not None:
            cap = min(cap, max_bytes // PAGE_SIZE)
        if limits.min > cap:
            # As wasmtime: a module whose initial memory is over the
            # embedder's cap does not instantiate at all.
            raise ExhaustionError("memory limit exceeded: %d pages needed, %d allowed"
                                  % (limits.min, cap))
        self.max_pages = cap
        self._namespace = None
        try:
            self.data = bytearray(limits.min * PAGE_SIZE)
        except MemoryError:
            raise ExhaustionError("cannot allocate %d pages of memory" % limits.min) from None

    @property
    def size(self):
        """Current size in pages (also callable: ``size(store)``)."""
        return CallableInt(len(self.data) // PAGE_SIZE)

    def data_len(self, store=None):
        """Current size in bytes."""
        return len(self.data)

    def grow(self, *args):
        """``grow(delta)`` or ``grow(store, delta)``: grow by ``delta`` pages;
        return the old size in pages, or -1 (ValueError for delta < 0)."""
        (delta,) = drop_store(args)
        if delta < 0:
            raise ValueError("memory.grow: negative delta %d" % delta)
        old = len(self.data) // PAGE_SIZE
        new = old + delta
        if new > self.max_pages:
            return -1
        if delta == 0:
            return old
        self._release_views()
        try:
            # In chunks: extending by one huge zero object would hold the
            # whole growth twice in host memory at the peak.
            chunk = bytes(min(delta, _CHUNK_PAGES) * PAGE_SIZE)
            for _ in range(delta // _CHUNK_PAGES):
                self.data.extend(chunk)
            self.data.extend(chunk[:(delta % _CHUNK_PAGES) * PAGE_SIZE])
        except MemoryError:
            del self.data[old * PAGE_SIZE:]
            return -1
        finally:
            self._make_views()
        # The type's minimum follows the current size (spec: memory grow
        # updates the limits), which matters for later import matching.
        self.type = MemoryType(Limits(new, self.type.limits.max))
        return old

    def code_namespace(self, base):
        """The globals of compiled code using this memory: a copy of
        ``base`` made on the first call, plus memoryviews of ``data`` as
        arrays of unsigned 16, 32 and 64-bit ints and doubles in the
        machine's byte order (``MV_H``, ``MV_I``, ``MV_Q``, ``MV_D``, cast
        from the byte view ``MV_B``), replaced there whenever the memory
        grows."""
        if self._namespace is None:
            self._namespace = dict(base)
            self._make_views()
        return self._namespace

    def _make_views(self):
        if self._namespace is not None:
            whole = memoryview(self.data)
            self._namespace["MV_B"] = whole
            for name, fmt in _VIEW_FORMATS:
                self._namespace[name] = whole.cast(fmt)

    def _release_views(self):
        if self._namespace is not None:
            for name, _ in _VIEW_FORMATS:
                self._namespace[name].release()
            self._namespace["MV_B"].release()

    def in_bounds(self, addr, length):
        """True when [addr, addr+length) lies inside memory (addr unsigned)."""
        return 0 <= addr and 0 <= length and addr + length <= len(self.data)

    def read(self, *args):
        """``read(addr, length)``, or wasmtime's ``read(store, start, stop)``:
        the bytes at [addr, addr+length).

        Raises:
            Trap: out of bounds memory access.
        """
        if args and is_store(args[0]):
            start, stop = _range(args[1:], len(self.data))
            addr, length = start, stop - start
        else:
            addr, length = args
        if not self.in_bounds(addr, length):
            raise Trap(TrapKind.MEMORY_OOB)
        return bytes(self.data[addr:addr + length])

    def write(self, *args):
        """``write(addr, payload)``, or wasmtime's ``write(store, payload,
        start=0)``: write ``payload`` at ``addr``, all or nothing.

        Raises:
            Trap: out of bounds memory access.
        """
        if args and is_store(args[0]):
            payload = args[1]
            addr = args[2] if len(args) > 2 and args[2] is not None else 0
        else:
            addr, payload = args
        if not self.in_bounds(addr, len(payload)):
            raise Trap(TrapKind.MEMORY_OOB)
        self.data[addr:addr + len(payload)] = payload
        return len(payload)


def _range(bounds, size):
    """wasmtime's (start=None, stop=None) read bounds."""
    start = bounds[0] if len(bounds) > 0 and bounds[0] is not None else 0
    stop = bounds[1] if len(bounds) > 1 and bounds[1] is not None else size
    return start, stop
