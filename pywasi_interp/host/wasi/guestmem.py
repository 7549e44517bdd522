"""Bounds- and alignment-checked access to the caller's linear memory for
the WASI functions (witx "pointer" and "list" parameters).

A bad guest pointer is the guest's error, not the host's: out of bounds is
``Errno.FAULT`` and a misaligned struct or integer pointer ``Errno.INVAL``,
as wasmtime reports them.  Nothing here raises anything but AbiError.
"""

import struct

from ...errors import Trap, TrapKind
from .abi import AbiError, Errno, IOVEC

__all__ = ["GuestMemory"]

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


class GuestMemory:
    """A view of the calling instance's exported ``memory``."""

    __slots__ = ("data",)

    def __init__(self, caller):
        mem = caller.memory
        if mem is None:
            # Without a memory the ABI cannot work at all; wasmtime traps too.
            raise Trap(TrapKind.HOST, "WASI function called by a module that exports no memory")
        self.data = mem.data

    def check(self, addr, length, align=1):
        """Raise FAULT unless [addr, addr+length) is inside memory."""
        if align > 1 and addr % align:
            raise AbiError(Errno.INVAL)
        if addr < 0 or length < 0 or addr + length > len(self.data):
            raise AbiError(Errno.FAULT)

    def read(self, addr, length):
        self.check(addr, length)
        return bytes(self.data[addr:addr + length])

    def write(self, addr, payload, align=1):
        self.check(addr, len(payload), align)
        self.data[addr:addr + len(payload)] = payload

    def unpack(self, layout, addr, align):
        self.check(addr, layout.size, align)
        return layout.unpack_from(self.data, addr)

    def pack(self, layout, addr, align, *values):
        self.check(addr, layout.size, align)
        layout.pack_into(self.data, addr, *values)

    def u8(self, addr, value):
        self.pack(_U8, addr, 1, value)

    def u16(self, addr, value):
        self.pack(_U16, addr, 2, value)

    def u32(self, addr, value):
        self.pack(_U32, addr, 4, value & 0xFFFFFFFF)

    def u64(self, addr, value):
        self.pack(_U64, addr, 8, value & 0xFFFFFFFFFFFFFFFF)

    def string(self, addr, length):
        """A path or name argument: UTF-8 bytes (ILSEQ when not UTF-8)."""
        raw = self.read(addr, length)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise AbiError(Errno.ILSEQ)
        return raw

    def iovecs(self, addr, count):
        """The (buf, buf_len) pairs of an iovec array, each buffer checked."""
        self.check(addr, count * IOVEC.size, 4)
        out = []
        for i in range(count):
            buf, length = IOVEC.unpack_from(self.data, addr + 8 * i)
            self.check(buf, length)
            out.append((buf, length))
        return out

    def gather(self, iovs):
        """The bytes of a ciovec list, concatenated."""
        data = self.data
        return b"".join(data[buf:buf + length] for buf, length in iovs)

    def scatter(self, iovs, payload):
        """Spread ``payload`` over an iovec list (payload fits by contract)."""
        data = self.data
        pos = 0
        total = len(payload)
        for buf, length in iovs:
            if pos >= total:
                break
            chunk = payload[pos:pos + length]
            data[buf:buf + len(chunk)] = chunk
            pos += len(chunk)
