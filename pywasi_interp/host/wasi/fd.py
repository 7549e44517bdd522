"""WASI preview 1 ``fd_*`` functions (witx wasi_snapshot_preview1, in its
order): reading, writing, seeking, descriptor flags and rights, file
attributes, directory listing, renumbering and the preopen queries.

Errno choices where the witx is silent follow wasmtime on Linux: reading
or writing a directory is ISDIR, seeking or positioned I/O on a stream is
SPIPE, reading without FD_READ (or writing without FD_WRITE) is BADF, any
other missing right is NOTCAPABLE.
"""

import fcntl
import os
import time

from ...host.hostfunc import host_func
from ...types import I32, I64
from .abi import (AbiError, Errno, Advice, Fdflags, Filetype, Fstflags, Rights,
                  Whence, DIRENT, FDSTAT, FILESTAT, PRESTAT, Preopentype, member)
from .adapter import export
from .fdtable import DIR, FILE, STDIO, filetype_of_mode
from .guestmem import GuestMemory

I64_MAX = (1 << 63) - 1

_FDFLAGS_ALL = int(Fdflags.APPEND | Fdflags.DSYNC | Fdflags.NONBLOCK | Fdflags.RSYNC | Fdflags.SYNC)
_FSTFLAGS_ALL = int(Fstflags.ATIM | Fstflags.ATIM_NOW | Fstflags.MTIM | Fstflags.MTIM_NOW)
_SYNC_FLAGS = int(Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC)

_ADVICE = {
    Advice.NORMAL: "POSIX_FADV_NORMAL",
    Advice.SEQUENTIAL: "POSIX_FADV_SEQUENTIAL",
    Advice.RANDOM: "POSIX_FADV_RANDOM",
    Advice.WILLNEED: "POSIX_FADV_WILLNEED",
    Advice.DONTNEED: "POSIX_FADV_DONTNEED",
    Advice.NOREUSE: "POSIX_FADV_NOREUSE",
}


def signed64(value):
    """An i64 argument (raw unsigned) as a signed int."""
    return value - (1 << 64) if value & (1 << 63) else value


def filestat_fields(st):
    """FILESTAT fields for an os.stat_result."""
    mask = 0xFFFFFFFFFFFFFFFF
    return (st.st_dev & mask, st.st_ino & mask, int(filetype_of_mode(st.st_mode)),
            st.st_nlink & mask, st.st_size & mask, st.st_atime_ns & mask,
            st.st_mtime_ns & mask, st.st_ctime_ns & mask)


def set_times_ns(current, atim, mtim, fst_flags):
    """The (atime, mtime) pair for os.utime from fst_flags.

    Python's os.utime has no UTIME_OMIT, so an untouched time is written
    back with its current value (``current``: a stat result, or None when
    both times are being set).

    Raises:
        AbiError: INVAL for unknown bits or a time given both as a value
            and as "now" (the witx leaves this open; wasmtime rejects it).
    """
    if fst_flags & ~_FSTFLAGS_ALL:
        raise AbiError(Errno.INVAL)
    if fst_flags & Fstflags.ATIM and fst_flags & Fstflags.ATIM_NOW:
        raise AbiError(Errno.INVAL)
    if fst_flags & Fstflags.MTIM and fst_flags & Fstflags.MTIM_NOW:
        raise AbiError(Errno.INVAL)
    now = time.time_ns()
    if fst_flags & Fstflags.ATIM:
        atime = atim
    elif fst_flags & Fstflags.ATIM_NOW:
        atime = now
    else:
        atime = current().st_atime_ns
    if fst_flags & Fstflags.MTIM:
        mtime = mtim
    elif fst_flags & Fstflags.MTIM_NOW:
        mtime = now
    else:
        mtime = current().st_mtime_ns
    return atime, mtime


# --- stream I/O shared by fd_read/fd_write ----------------------------------

def _read(entry, size):
    if entry.stream is not None:
        reader = getattr(entry.stream, "read1", None) or entry.stream.read
        data = reader(size) if size else b""
        return data or b""
    return os.read(entry.host_fd, size) if size else b""


def _write(entry, payload):
    """Write all of ``payload``; return how much was written."""
    if entry.stream is not None:
        entry.stream.write(payload)
        flush = getattr(entry.stream, "flush", None)
        if flush is not None:
            flush()
        return len(payload)
    view = memoryview(payload)
    done = 0
    while done < len(payload):
        try:
            n = os.write(entry.host_fd, view[done:])
        except BlockingIOError:
            if done:
                break
            raise
        if n <= 0:
            break
        done += n
    return done


@export
@host_func((I32, I64, I64, I32), (I32,))
def fd_advise(ctx, caller, fd, offset, length, advice):
    advice = member(Advice, advice)
    entry = ctx.fds.get(fd)
    if entry.kind != FILE:
        raise AbiError(Errno.BADF if entry.kind == DIR else Errno.SPIPE)
    entry.require(Rights.FD_ADVISE)
    if offset > I64_MAX or length > I64_MAX:
        raise AbiError(Errno.INVAL)
    fadvise = getattr(os, "posix_fadvise", None)
    if fadvise is not None and entry.filetype == Filetype.REGULAR_FILE:
        fadvise(entry.host_fd, offset, length, getattr(os, _ADVICE[advice]))


@export
@host_func((I32, I64, I64), (I32,))
def fd_allocate(ctx, caller, fd, offset, length):
    entry = ctx.fds.get(fd)
    if entry.kind != FILE:
        raise AbiError(Errno.BADF)
    entry.require(Rights.FD_ALLOCATE)
    end = offset + length
    if end > I64_MAX:
        raise AbiError(Errno.FBIG)
    # Allocation only ever grows the file (posix_fallocate semantics); a
    # sparse extension by ftruncate is indistinguishable to the guest.
    if os.fstat(entry.host_fd).st_size < end:
        os.ftruncate(entry.host_fd, end)


@export
@host_func((I32,), (I32,))
def fd_close(ctx, caller, fd):
    ctx.fds.close(fd)


@export
@host_func((I32,), (I32,))
def fd_datasync(ctx, caller, fd):
    entry = ctx.fds.get(fd)
    entry.require(Rights.FD_DATASYNC)
    _sync(entry, getattr(os, "fdatasync", os.fsync))


def _sync(entry, how):
    if entry.kind == STDIO:
        if entry.stream is not None:
            flush = getattr(entry.stream, "flush", None)
            if flush is not None:
                flush()
            return
        # Syncing a pipe or terminal is meaningless: EINVAL as on Linux.
        raise AbiError(Errno.INVAL)
    how(entry.host_fd)


@export
@host_func((I32, I32), (I32,))
def fd_fdstat_get(ctx, caller, fd, buf):
    entry = ctx.fds.get(fd)
    mem = GuestMemory(caller)
    mem.pack(FDSTAT, buf, 8, entry.filetype, entry.fdflags, entry.rights_base,
             entry.rights_inheriting)


@export
@host_func((I32, I32), (I32,))
def fd_fdstat_set_flags(ctx, caller, fd, flags):
    if flags & ~_FDFLAGS_ALL:
        raise AbiError(Errno.INVAL)
    entry = ctx.fds.get(fd)
    entry.require(Rights.FD_FDSTAT_SET_FLAGS)
    if (flags ^ entry.fdflags) & _SYNC_FLAGS:
        # Linux cannot change O_SYNC/O_DSYNC on an open file (fcntl ignores
        # them), so rather than pretend, refuse as wasmtime does.
        raise AbiError(Errno.NOTSUP)
    if entry.kind != STDIO and entry.host_fd is not None:
        current = fcntl.fcntl(entry.host_fd, fcntl.F_GETFL)
        wanted = current & ~(os.O_APPEND | os.O_NONBLOCK)
        if flags & Fdflags.APPEND:
            wanted |= os.O_APPEND
        if flags & Fdflags.NONBLOCK:
            wanted |= os.O_NONBLOCK
        fcntl.fcntl(entry.host_fd, fcntl.F_SETFL, wanted)
    # The host's own stdio stays as it is: only the guest's view changes.
    entry.fdflags = flags


@export
@host_func((I32, I64, I64), (I32,))
def fd_fdstat_set_rights(ctx, caller, fd, fs_rights_base, fs_rights_inheriting):
    entry = ctx.fds.get(fd)
    # Rights may only be dropped, never gained (witx: "can only remove").
    if fs_rights_base & ~entry.rights_base or fs_rights_inheriting & ~entry.rights_inheriting:
        raise AbiError(Errno.NOTCAPABLE)
    entry.rights_base = fs_rights_base
    entry.rights_inheriting = fs_rights_inheriting


@export
@host_func((I32, I32), (I32,))
def fd_filestat_get(ctx, caller, fd, buf):
    entry = ctx.fds.get(fd)
    entry.require(Rights.FD_FILESTAT_GET)
    mem = GuestMemory(caller)
    mem.check(buf, FILESTAT.size, 8)
    if entry.kind == STDIO:
        # Streams have no inode the guest should learn about (wasmtime
        # reports zeros as well).
        fields = (0, 0, entry.filetype, 0, 0, 0, 0, 0)
    else:
        fields = filestat_fields(os.fstat(entry.host_fd))
    mem.pack(FILESTAT, buf, 8, *fields)


@export
@host_func((I32, I64), (I32,))
def fd_filestat_set_size(ctx, caller, fd, size):
    entry = ctx.fds.get(fd)
    entry.require(Rights.FD_FILESTAT_SET_SIZE)
    if entry.kind != FILE:
        raise AbiError(Errno.BADF)
    if size > I64_MAX:
        raise AbiError(Errno.INVAL)
    os.ftruncate(entry.host_fd, size)


@export
@host_func((I32, I64, I64, I32), (I32,))
def fd_filestat_set_times(ctx, caller, fd, atim, mtim, fst_flags):
    entry = ctx.fds.get(fd)
    entry.require(Rights.FD_FILESTAT_SET_TIMES)
    if entry.kind == STDIO:
        raise AbiError(Errno.BADF)
    host_fd = entry.host_fd
    times = set_times_ns(lambda: os.fstat(host_fd), atim, mtim, fst_flags)
    os.utime(host_fd, ns=times)


def _vectored_io(ctx, caller, fd, iovs_ptr, iovs_len, out_ptr, right):
    """The checks fd_read/fd_write (and their positioned forms) share, in
    errno order: (descriptor entry, guest memory, iovecs)."""
    entry = ctx.fds.get(fd)
    mem = GuestMemory(caller)
    iovs = mem.iovecs(iovs_ptr, iovs_len)
    mem.check(out_ptr, 4, 4)
    if entry.kind == DIR:
        raise AbiError(Errno.ISDIR)
    entry.require(right, Errno.BADF)
    return entry, mem, iovs


def _positioned_io(ctx, caller, fd, iovs_ptr, iovs_len, offset, out_ptr, right):
    """_vectored_io plus the checks of fd_pread and fd_pwrite."""
    entry, mem, iovs = _vectored_io(ctx, caller, fd, iovs_ptr, iovs_len, out_ptr, right)
    if entry.kind == STDIO:
        raise AbiError(Errno.SPIPE)
    if offset > I64_MAX:
        raise AbiError(Errno.INVAL)
    return entry, mem, iovs


@export
@host_func((I32, I32, I32, I64, I32), (I32,))
def fd_pread(ctx, caller, fd, iovs_ptr, iovs_len, offset, nread_ptr):
    entry, mem, iovs = _positioned_io(ctx, caller, fd, iovs_ptr, iovs_len, offset,
                                      nread_ptr, Rights.FD_READ)
    total = sum(length for _buf, length in iovs)
    data = os.pread(entry.host_fd, total, offset) if total else b""
    mem.scatter(iovs, data)
    mem.u32(nread_ptr, len(data))


@export
@host_func((I32, I32), (I32,))
def fd_prestat_get(ctx, caller, fd, buf):
    entry = ctx.fds.get(fd)
    if entry.preopen is None:
        raise AbiError(Errno.BADF)
    mem = GuestMemory(caller)
    mem.pack(PRESTAT, buf, 4, Preopentype.DIR, len(entry.preopen))


@export
@host_func((I32, I32, I32), (I32,))
def fd_prestat_dir_name(ctx, caller, fd, path, path_len):
    entry = ctx.fds.get(fd)
    if entry.preopen is None:
        raise AbiError(Errno.BADF)
    name = entry.preopen
    if path_len < len(name):
        raise AbiError(Errno.NAMETOOLONG)
    GuestMemory(caller).write(path, name)


@export
@host_func((I32, I32, I32, I64, I32), (I32,))
def fd_pwrite(ctx, caller, fd, iovs_ptr, iovs_len, offset, nwritten_ptr):
    entry, mem, iovs = _positioned_io(ctx, caller, fd, iovs_ptr, iovs_len, offset,
                                      nwritten_ptr, Rights.FD_WRITE)
    payload = mem.gather(iovs)
    done = 0
    while done < len(payload):
        n = os.pwrite(entry.host_fd, payload[done:], offset + done)
        if n <= 0:
            break
        done += n
    mem.u32(nwritten_ptr, done)


@export
@host_func((I32, I32, I32, I32), (I32,))
def fd_read(ctx, caller, fd, iovs_ptr, iovs_len, nread_ptr):
    entry, mem, iovs = _vectored_io(ctx, caller, fd, iovs_ptr, iovs_len, nread_ptr,
                                    Rights.FD_READ)
    total = sum(length for _buf, length in iovs)
    data = _read(entry, total)
    mem.scatter(iovs, data)
    mem.u32(nread_ptr, len(data))


def _listing(entry):
    """Directory entries as [name, ino, filetype], "." and ".." first.

    The list is taken once per pass (cookie 0) and reused for the cookies
    that follow, so that a guest paging through a large directory sees one
    consistent snapshot, with stable cookies (an entry's index + 1).
    """
    host_fd = entry.host_fd
    own = os.fstat(host_fd)
    try:
        parent_ino = os.stat(b"..", dir_fd=host_fd).st_ino
    except OSError:
        parent_ino = own.st_ino
    listing = [[b".", own.st_ino, Filetype.DIRECTORY],
               [b"..", parent_ino, Filetype.DIRECTORY]]
    for name in os.listdir(host_fd):
        listing.append([os.fsencode(name), None, None])
    return listing


@export
@host_func((I32, I32, I32, I64, I32), (I32,))
def fd_readdir(ctx, caller, fd, buf, buf_len, cookie, bufused_ptr):
    entry = ctx.fds.get(fd)
    if entry.kind != DIR:
        raise AbiError(Errno.NOTDIR)
    entry.require(Rights.FD_READDIR)
    mem = GuestMemory(caller)
    mem.check(buf, buf_len)
    mem.check(bufused_ptr, 4, 4)
    if cookie == 0 or entry.listing is None:
        entry.listing = _listing(entry)
    listing = entry.listing
    out = bytearray()
    index = cookie
    while index < len(listing) and len(out) < buf_len:
        item = listing[index]
        if item[1] is None:
            try:
                st = os.stat(item[0], dir_fd=entry.host_fd, follow_symlinks=False)
                item[1], item[2] = st.st_ino, filetype_of_mode(st.st_mode)
            except OSError:
                # Removed since the listing was taken: still listed, as a
                # directory stream opened earlier would show it.
                item[1], item[2] = 0, Filetype.UNKNOWN
        name = item[0]
        out += DIRENT.pack(index + 1, item[1], len(name), int(item[2]))
        out += name
        index += 1
    # A full buffer (bufused == buf_len) tells the guest there may be more;
    # the last entry may be cut, as the witx allows.
    del out[buf_len:]
    mem.write(buf, bytes(out))
    mem.u32(bufused_ptr, len(out))


@export
@host_func((I32, I32), (I32,))
def fd_renumber(ctx, caller, fd, to):
    ctx.fds.renumber(fd, to)


@export
@host_func((I32, I64, I32, I32), (I32,))
def fd_seek(ctx, caller, fd, offset, whence, newoffset_ptr):
    whence = member(Whence, whence)
    entry = ctx.fds.get(fd)
    offset = signed64(offset)
    if entry.kind == DIR:
        raise AbiError(Errno.BADF)
    if entry.kind == STDIO:
        raise AbiError(Errno.SPIPE)
    # fd_tell's right is enough to ask for the current position (witx).
    if offset == 0 and whence == Whence.CUR:
        if entry.rights_base & (Rights.FD_SEEK | Rights.FD_TELL) == 0:
            raise AbiError(Errno.NOTCAPABLE)
    else:
        entry.require(Rights.FD_SEEK)
    mem = GuestMemory(caller)
    mem.check(newoffset_ptr, 8, 8)
    host_whence = (os.SEEK_SET, os.SEEK_CUR, os.SEEK_END)[whence]
    mem.u64(newoffset_ptr, os.lseek(entry.host_fd, offset, host_whence))


@export
@host_func((I32,), (I32,))
def fd_sync(ctx, caller, fd):
    entry = ctx.fds.get(fd)
    entry.require(Rights.FD_SYNC)
    _sync(entry, os.fsync)


@export
@host_func((I32, I32), (I32,))
def fd_tell(ctx, caller, fd, offset_ptr):
    entry = ctx.fds.get(fd)
    if entry.kind == DIR:
        raise AbiError(Errno.BADF)
    if entry.kind == STDIO:
        raise AbiError(Errno.SPIPE)
    entry.require(Rights.FD_TELL)
    mem = GuestMemory(caller)
    mem.check(offset_ptr, 8, 8)
    mem.u64(offset_ptr, os.lseek(entry.host_fd, 0, os.SEEK_CUR))


@export
@host_func((I32, I32, I32, I32), (I32,))
def fd_write(ctx, caller, fd, iovs_ptr, iovs_len, nwritten_ptr):
    entry, mem, iovs = _vectored_io(ctx, caller, fd, iovs_ptr, iovs_len, nwritten_ptr,
                                    Rights.FD_WRITE)
    payload = mem.gather(iovs)
    done = _write(entry, payload) if payload else 0
    mem.u32(nwritten_ptr, done)
