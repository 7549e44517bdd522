"""WASI preview 1 functions outside the filesystem: args_*, environ_*,
clock_*, random_get, proc_exit, proc_raise, sched_yield, poll_oneoff and
sock_* (witx wasi_snapshot_preview1, same order).

Sockets: preview 1 can only use sockets handed to the guest at start-up,
and this runtime hands out none, so every sock_* call answers BADF for an
unknown descriptor and NOTSOCK for any other, as wasmtime does without
``--tcplisten``.
"""

import os
import select
import time

from ...errors import ProcExit
from ...host.hostfunc import host_func
from ...types import I32, I64
from .abi import (AbiError, Errno, Clockid, Eventtype, Filetype,
                  Rights, Signal, Subclockflags, Sdflags, SUBSCRIPTION,
                  SUBSCRIPTION_CLOCK, SUBSCRIPTION_FD_READWRITE, EVENT, member)
from .adapter import export
from .fdtable import FILE, STDIO
from .guestmem import GuestMemory

_CLOCKS = {
    Clockid.REALTIME: (time.CLOCK_REALTIME, time.time_ns),
    Clockid.MONOTONIC: (time.CLOCK_MONOTONIC, time.monotonic_ns),
    Clockid.PROCESS_CPUTIME_ID: (time.CLOCK_PROCESS_CPUTIME_ID, time.process_time_ns),
    Clockid.THREAD_CPUTIME_ID: (time.CLOCK_THREAD_CPUTIME_ID, time.thread_time_ns),
}


def _strings_sizes(caller, strings, count_ptr, size_ptr):
    mem = GuestMemory(caller)
    mem.check(count_ptr, 4, 4)
    mem.check(size_ptr, 4, 4)
    mem.u32(count_ptr, len(strings))
    mem.u32(size_ptr, sum(len(s) + 1 for s in strings))


def _strings_get(caller, strings, ptrs, buf):
    """Write the NUL-terminated strings at ``buf`` and their addresses at ``ptrs``."""
    mem = GuestMemory(caller)
    mem.check(ptrs, 4 * len(strings), 4)
    mem.check(buf, sum(len(s) + 1 for s in strings))
    for i, s in enumerate(strings):
        mem.u32(ptrs + 4 * i, buf)
        mem.write(buf, s + b"\0")
        buf += len(s) + 1


@export
@host_func((I32, I32), (I32,))
def args_get(ctx, caller, argv, argv_buf):
    _strings_get(caller, ctx.args, argv, argv_buf)


@export
@host_func((I32, I32), (I32,))
def args_sizes_get(ctx, caller, argc_ptr, argv_buf_size_ptr):
    _strings_sizes(caller, ctx.args, argc_ptr, argv_buf_size_ptr)


@export
@host_func((I32, I32), (I32,))
def environ_get(ctx, caller, environ, environ_buf):
    _strings_get(caller, ctx.environ, environ, environ_buf)


@export
@host_func((I32, I32), (I32,))
def environ_sizes_get(ctx, caller, count_ptr, buf_size_ptr):
    _strings_sizes(caller, ctx.environ, count_ptr, buf_size_ptr)


def _clock(clock_id):
    return _CLOCKS[member(Clockid, clock_id)]


@export
@host_func((I32, I32), (I32,))
def clock_res_get(ctx, caller, clock_id, resolution_ptr):
    host_clock, _now = _clock(clock_id)
    mem = GuestMemory(caller)
    mem.check(resolution_ptr, 8, 8)
    try:
        res = max(1, int(round(time.clock_getres(host_clock) * 1e9)))
    except OSError:
        res = 1000
    mem.u64(resolution_ptr, res)


@export
@host_func((I32, I64, I32), (I32,))
def clock_time_get(ctx, caller, clock_id, precision, time_ptr):
    # ``precision`` is a hint the host may ignore (witx); we always give the
    # finest reading the clock has.
    _host_clock, now = _clock(clock_id)
    mem = GuestMemory(caller)
    mem.check(time_ptr, 8, 8)
    mem.u64(time_ptr, now())


@export
@host_func((I32, I32), (I32,))
def random_get(ctx, caller, buf, buf_len):
    mem = GuestMemory(caller)
    mem.check(buf, buf_len)
    mem.write(buf, os.urandom(buf_len))


@export
@host_func((I32,), ())
def proc_exit(ctx, caller, rval):
    raise ProcExit(rval)


@export
@host_func((I32,), (I32,))
def proc_raise(ctx, caller, sig):
    # Delivering a signal to a sandboxed guest has no meaning here; wasmtime
    # answers NOTSUP as well.
    member(Signal, sig)
    raise AbiError(Errno.NOTSUP)


@export
@host_func((), (I32,))
def sched_yield(ctx, caller):
    time.sleep(0)


def _fd_event(ctx, userdata, kind, fd):
    """Readiness of one fd subscription: (event tuple or None, host fd to wait on)."""
    entry = ctx.fds.entries.get(fd)
    if entry is None:
        return (userdata, Errno.BADF, kind, 0, 0), None
    if entry.rights_base & Rights.POLL_FD_READWRITE == 0:
        return (userdata, Errno.NOTCAPABLE, kind, 0, 0), None
    if entry.kind == FILE:
        # Regular files are always ready; for reading, report what is left.
        nbytes = 0
        if kind == Eventtype.FD_READ and entry.filetype == Filetype.REGULAR_FILE:
            try:
                size = os.fstat(entry.host_fd).st_size
                pos = os.lseek(entry.host_fd, 0, os.SEEK_CUR)
                nbytes = max(0, size - pos)
            except OSError:
                nbytes = 0
        return (userdata, Errno.SUCCESS, kind, nbytes, 0), None
    if entry.kind == STDIO and entry.host_fd is not None:
        return None, entry.host_fd
    if entry.kind == STDIO:
        return (userdata, Errno.SUCCESS, kind, 0, 0), None
    # A directory cannot be read or written as a stream.
    return (userdata, Errno.BADF, kind, 0, 0), None


@export
@host_func((I32, I32, I32, I32), (I32,))
def poll_oneoff(ctx, caller, in_ptr, out_ptr, nsubscriptions, nevents_ptr):
    if nsubscriptions == 0:
        # Waiting on nothing would block forever; wasmtime refuses it too.
        raise AbiError(Errno.INVAL)
    mem = GuestMemory(caller)
    mem.check(in_ptr, SUBSCRIPTION.size * nsubscriptions, 8)
    mem.check(out_ptr, EVENT.size * nsubscriptions, 8)
    mem.check(nevents_ptr, 4, 4)
    start = time.monotonic_ns()
    ready = []            # finished events
    clocks = []           # (deadline on the monotonic clock, userdata)
    waits = []            # (userdata, kind, host fd)
    data = mem.data
    for i in range(nsubscriptions):
        base = in_ptr + SUBSCRIPTION.size * i
        userdata, tag = SUBSCRIPTION.unpack_from(data, base)
        if tag == Eventtype.CLOCK:
            clock_id, timeout, _precision, flags = SUBSCRIPTION_CLOCK.unpack_from(data, base + 16)
            if flags & ~int(Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME):
                raise AbiError(Errno.INVAL)
            clock = member(Clockid, clock_id)
            if flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME:
                if clock in (Clockid.PROCESS_CPUTIME_ID, Clockid.THREAD_CPUTIME_ID):
                    # CPU time only advances while we run: waiting for it
                    # in poll cannot be done (wasmtime: NOTSUP as well).
                    raise AbiError(Errno.NOTSUP)
                now = _CLOCKS[clock][1]()
                deadline = start + max(0, timeout - now)
            else:
                deadline = start + timeout
            clocks.append((deadline, userdata))
        elif tag in (Eventtype.FD_READ, Eventtype.FD_WRITE):
            (fd,) = SUBSCRIPTION_FD_READWRITE.unpack_from(data, base + 16)
            event, host_fd = _fd_event(ctx, userdata, tag, fd)
            if event is not None:
                ready.append(event)
            else:
                waits.append((userdata, tag, host_fd))
        else:
            raise AbiError(Errno.INVAL)

    if not ready:
        timeout = None
        if clocks:
            timeout = max(0, min(c[0] for c in clocks) - time.monotonic_ns()) / 1e9
        if waits:
            rlist = [w[2] for w in waits if w[1] == Eventtype.FD_READ]
            wlist = [w[2] for w in waits if w[1] == Eventtype.FD_WRITE]
            try:
                readable, writable, _x = select.select(rlist, wlist, [], timeout)
            except (OSError, ValueError):
                readable, writable = rlist, wlist
            for userdata, kind, host_fd in waits:
                if host_fd in (readable if kind == Eventtype.FD_READ else writable):
                    ready.append((userdata, Errno.SUCCESS, kind, _pending_bytes(host_fd, kind), 0))
        elif timeout is not None:
            time.sleep(timeout)
    now = time.monotonic_ns()
    for deadline, userdata in clocks:
        if deadline <= now:
            ready.append((userdata, Errno.SUCCESS, Eventtype.CLOCK, 0, 0))
    for i, event in enumerate(ready):
        userdata, error, kind, nbytes, flags = event
        EVENT.pack_into(data, out_ptr + EVENT.size * i, userdata, int(error), int(kind),
                        nbytes, int(flags))
    mem.u32(nevents_ptr, len(ready))


def _pending_bytes(host_fd, kind):
    """Bytes ready on a readable stream (FIONREAD), 0 when unknown."""
    if kind != Eventtype.FD_READ:
        return 0
    try:
        import fcntl
        import struct
        import termios
        raw = fcntl.ioctl(host_fd, termios.FIONREAD, b"\0\0\0\0")
        return struct.unpack("<i", raw)[0]
    except (ImportError, OSError, AttributeError):
        return 0



@export
@host_func((I32, I32, I32), (I32,))
def sock_accept(ctx, caller, fd, flags, ro_fd_ptr):
    ctx.fds.get(fd)
    raise AbiError(Errno.NOTSOCK)


@export
@host_func((I32, I32, I32, I32, I32, I32), (I32,))
def sock_recv(ctx, caller, fd, ri_data, ri_data_len, ri_flags, ro_datalen_ptr, ro_flags_ptr):
    ctx.fds.get(fd)
    raise AbiError(Errno.NOTSOCK)


@export
@host_func((I32, I32, I32, I32, I32), (I32,))
def sock_send(ctx, caller, fd, si_data, si_data_len, si_flags, so_datalen_ptr):
    ctx.fds.get(fd)
    raise AbiError(Errno.NOTSOCK)


@export
@host_func((I32, I32), (I32,))
def sock_shutdown(ctx, caller, fd, how):
    if how & ~int(Sdflags.RD | Sdflags.WR):
        raise AbiError(Errno.INVAL)
    ctx.fds.get(fd)
    raise AbiError(Errno.NOTSOCK)
