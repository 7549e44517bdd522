"""WASI preview 1 ``path_*`` functions (witx wasi_snapshot_preview1, in its
order).  Every path goes through sandbox.resolve, and every system call
uses the resulting directory descriptor and a single name, never following
a symlink in the final position unless resolve has already expanded it
inside the sandbox.
"""

import os
import sys

from ...host.hostfunc import host_func
from ...types import I32, I64
from .abi import (AbiError, Errno, Fdflags, Filetype, Lookupflags, Oflags,
                  Rights, FILESTAT)
from .adapter import export
from .fd import filestat_fields, set_times_ns
from .fdtable import DIR, FILE, Descriptor, derive_rights, filetype_of_mode
from .guestmem import GuestMemory
from .sandbox import resolve, O_PATH

_OFLAGS_ALL = int(Oflags.CREAT | Oflags.DIRECTORY | Oflags.EXCL | Oflags.TRUNC)
_FDFLAGS_ALL = int(Fdflags.APPEND | Fdflags.DSYNC | Fdflags.NONBLOCK | Fdflags.RSYNC | Fdflags.SYNC)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_PYPY = sys.implementation.name == "pypy"
_O_RSYNC = getattr(os, "O_RSYNC", getattr(os, "O_SYNC", 0))
_O_DSYNC = getattr(os, "O_DSYNC", getattr(os, "O_SYNC", 0))

_READ_RIGHTS = int(Rights.FD_READ | Rights.FD_READDIR)
_WRITE_RIGHTS = int(Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)


def _lookupflags(flags):
    if flags & ~int(Lookupflags.SYMLINK_FOLLOW):
        raise AbiError(Errno.INVAL)
    return bool(flags & Lookupflags.SYMLINK_FOLLOW)


def _resolve(entry, mem, ptr, length, follow):
    path = mem.string(ptr, length)
    # A trailing slash makes the kernel follow a final symlink; do that
    # ourselves, inside the sandbox, for the calls that look at the target.
    return resolve(entry.host_fd, path, follow)


@export
@host_func((I32, I32, I32), (I32,))
def path_create_directory(ctx, caller, fd, path, path_len):
    entry = ctx.fds.get_dir(fd, Rights.PATH_CREATE_DIRECTORY)
    mem = GuestMemory(caller)
    with _resolve(entry, mem, path, path_len, False) as target:
        os.mkdir(target.name, 0o777, dir_fd=target.dirfd)


@export
@host_func((I32, I32, I32, I32, I32), (I32,))
def path_filestat_get(ctx, caller, fd, flags, path, path_len, buf):
    follow = _lookupflags(flags)
    entry = ctx.fds.get_dir(fd, Rights.PATH_FILESTAT_GET)
    mem = GuestMemory(caller)
    mem.check(buf, FILESTAT.size, 8)
    raw = mem.string(path, path_len)
    with resolve(entry.host_fd, raw, follow or raw.endswith(b"/")) as target:
        st = os.stat(target.name, dir_fd=target.dirfd, follow_symlinks=False)
    mem.pack(FILESTAT, buf, 8, *filestat_fields(st))


@export
@host_func((I32, I32, I32, I32, I64, I64, I32), (I32,))
def path_filestat_set_times(ctx, caller, fd, flags, path, path_len, atim, mtim, fst_flags):
    follow = _lookupflags(flags)
    entry = ctx.fds.get_dir(fd, Rights.PATH_FILESTAT_SET_TIMES)
    mem = GuestMemory(caller)
    raw = mem.string(path, path_len)
    with resolve(entry.host_fd, raw, follow or raw.endswith(b"/")) as target:
        def current():
            return os.stat(target.name, dir_fd=target.dirfd, follow_symlinks=False)
        times = set_times_ns(current, atim, mtim, fst_flags)
        os.utime(target.name, ns=times, dir_fd=target.dirfd, follow_symlinks=False)


@export
@host_func((I32, I32, I32, I32, I32, I32, I32), (I32,))
def path_link(ctx, caller, old_fd, old_flags, old_path, old_path_len, new_fd, new_path,
              new_path_len):
    if _lookupflags(old_flags):
        # Following the source symlink would let the new hard link name a
        # file reached through it; wasmtime rejects the flag, and so do we.
        raise AbiError(Errno.INVAL)
    source_dir = ctx.fds.get_dir(old_fd, Rights.PATH_LINK_SOURCE)
    target_dir = ctx.fds.get_dir(new_fd, Rights.PATH_LINK_TARGET)
    mem = GuestMemory(caller)
    with _resolve(source_dir, mem, old_path, old_path_len, False) as source:
        with _resolve(target_dir, mem, new_path, new_path_len, False) as target:
            _link_nofollow(source.name, target.name, source.dirfd, target.dirfd)


def _link_nofollow(source, target, source_dirfd, target_dirfd):
    """linkat(2) with flags 0: a symlink source is linked, not followed.

    PyPy 3.9 turns ``follow_symlinks=False`` into a flag linkat rejects
    (EINVAL), while its default already passes 0; CPython needs the flag.
    """
    if _PYPY:
        os.link(source, target, src_dir_fd=source_dirfd, dst_dir_fd=target_dirfd)
    else:
        os.link(source, target, src_dir_fd=source_dirfd, dst_dir_fd=target_dirfd,
                follow_symlinks=False)


def _open_flags(oflags, fdflags, read, write):
    flags = _O_CLOEXEC | os.O_NOFOLLOW
    if read and write:
        flags |= os.O_RDWR
    elif write:
        flags |= os.O_WRONLY
    else:
        flags |= os.O_RDONLY
    for wasi_flags, table in ((oflags, _OFLAG_TO_OS), (fdflags, _FDFLAG_TO_OS)):
        for wasi_flag, os_flag in table:
            if wasi_flags & wasi_flag:
                flags |= os_flag
    return flags


_OFLAG_TO_OS = ((Oflags.CREAT, os.O_CREAT), (Oflags.EXCL, os.O_EXCL),
                (Oflags.TRUNC, os.O_TRUNC), (Oflags.DIRECTORY, os.O_DIRECTORY))
_FDFLAG_TO_OS = ((Fdflags.APPEND, os.O_APPEND), (Fdflags.NONBLOCK, os.O_NONBLOCK),
                 (Fdflags.SYNC, os.O_SYNC), (Fdflags.DSYNC, _O_DSYNC),
                 (Fdflags.RSYNC, _O_RSYNC))


@export
@host_func((I32, I32, I32, I32, I32, I64, I64, I32, I32), (I32,))
def path_open(ctx, caller, fd, dirflags, path, path_len, oflags, fs_rights_base,
              fs_rights_inheriting, fdflags, fd_ptr):
    follow = _lookupflags(dirflags)
    if oflags & ~_OFLAGS_ALL or fdflags & ~_FDFLAGS_ALL:
        raise AbiError(Errno.INVAL)
    if oflags & Oflags.CREAT and oflags & Oflags.DIRECTORY:
        # "create a directory" is path_create_directory's job; Linux
        # rejects O_CREAT|O_DIRECTORY too.
        raise AbiError(Errno.INVAL)
    parent = ctx.fds.get_dir(fd, Rights.PATH_OPEN)
    if oflags & Oflags.CREAT:
        parent.require(Rights.PATH_CREATE_FILE)
    if oflags & Oflags.TRUNC:
        # wasmtime (and the WASI test suite) answer PERM for this one.
        parent.require(Rights.PATH_FILESTAT_SET_SIZE, Errno.PERM)
    mem = GuestMemory(caller)
    mem.check(fd_ptr, 4, 4)
    raw = mem.string(path, path_len)
    # Rights the new descriptor can have at most decide the access mode.
    effective = fs_rights_base & parent.rights_inheriting
    read = bool(effective & _READ_RIGHTS)
    write = bool(effective & _WRITE_RIGHTS) or bool(fdflags & Fdflags.APPEND and effective & Rights.FD_WRITE)
    flags = _open_flags(oflags, fdflags, read, write)
    with resolve(parent.host_fd, raw, follow or raw.endswith(b"/")) as target:
        try:
            host_fd = os.open(target.name, flags, 0o666, dir_fd=target.dirfd)
        except PermissionError:
            # Asked for no data access at all: an O_PATH descriptor still
            # allows fstat and path_* use, as a rights-0 open promises.
            if read or write or oflags & (Oflags.CREAT | Oflags.TRUNC):
                raise
            host_fd = os.open(target.name, O_PATH | _O_CLOEXEC | os.O_NOFOLLOW
                              | (os.O_DIRECTORY if oflags & Oflags.DIRECTORY else 0),
                              dir_fd=target.dirfd)
    try:
        st = os.fstat(host_fd)
        filetype = filetype_of_mode(st.st_mode)
        kind = DIR if filetype == Filetype.DIRECTORY else FILE
        base, inheriting = derive_rights(parent, filetype, fs_rights_base, fs_rights_inheriting)
        new_fd = ctx.fds.allocate(Descriptor(kind, filetype, base, inheriting, fdflags,
                                             host_fd=host_fd))
    except BaseException:
        os.close(host_fd)
        raise
    mem.u32(fd_ptr, new_fd)


@export
@host_func((I32, I32, I32, I32, I32, I32), (I32,))
def path_readlink(ctx, caller, fd, path, path_len, buf, buf_len, bufused_ptr):
    entry = ctx.fds.get_dir(fd, Rights.PATH_READLINK)
    mem = GuestMemory(caller)
    mem.check(buf, buf_len)
    mem.check(bufused_ptr, 4, 4)
    with _resolve(entry, mem, path, path_len, False) as target:
        contents = os.readlink(target.name, dir_fd=target.dirfd)
    # A short buffer gets the first buf_len bytes (wasmtime truncates too).
    contents = contents[:buf_len]
    mem.write(buf, contents)
    mem.u32(bufused_ptr, len(contents))


@export
@host_func((I32, I32, I32), (I32,))
def path_remove_directory(ctx, caller, fd, path, path_len):
    entry = ctx.fds.get_dir(fd, Rights.PATH_REMOVE_DIRECTORY)
    mem = GuestMemory(caller)
    with _resolve(entry, mem, path, path_len, False) as target:
        os.rmdir(target.name, dir_fd=target.dirfd)


@export
@host_func((I32, I32, I32, I32, I32, I32), (I32,))
def path_rename(ctx, caller, fd, old_path, old_path_len, new_fd, new_path, new_path_len):
    source_dir = ctx.fds.get_dir(fd, Rights.PATH_RENAME_SOURCE)
    target_dir = ctx.fds.get_dir(new_fd, Rights.PATH_RENAME_TARGET)
    mem = GuestMemory(caller)
    with _resolve(source_dir, mem, old_path, old_path_len, False) as source:
        with _resolve(target_dir, mem, new_path, new_path_len, False) as target:
            os.rename(source.name, target.name, src_dir_fd=source.dirfd,
                      dst_dir_fd=target.dirfd)


@export
@host_func((I32, I32, I32, I32, I32), (I32,))
def path_symlink(ctx, caller, old_path, old_path_len, fd, new_path, new_path_len):
    entry = ctx.fds.get_dir(fd, Rights.PATH_SYMLINK)
    mem = GuestMemory(caller)
    contents = mem.string(old_path, old_path_len)
    if b"\0" in contents:
        raise AbiError(Errno.INVAL)
    if contents.startswith(b"/"):
        # An absolute target could never be followed inside the sandbox;
        # wasmtime refuses to create one, with PERM.
        raise AbiError(Errno.PERM)
    # Other contents are only text, checked whenever something resolves
    # through the link: a target climbing out can be created, not followed.
    with _resolve(entry, mem, new_path, new_path_len, False) as target:
        os.symlink(contents, target.name, dir_fd=target.dirfd)


@export
@host_func((I32, I32, I32), (I32,))
def path_unlink_file(ctx, caller, fd, path, path_len):
    entry = ctx.fds.get_dir(fd, Rights.PATH_UNLINK_FILE)
    mem = GuestMemory(caller)
    with _resolve(entry, mem, path, path_len, False) as target:
        os.unlink(target.name, dir_fd=target.dirfd)

