"""WASI preview 1 ABI: the constants, enums, flags and struct layouts of
``wasi_snapshot_preview1`` (WASI repository, legacy/preview1/witx/typenames.witx
and wasi_snapshot_preview1.witx).

Names follow the witx exactly (``Errno.BADF``, ``Rights.FD_READ``,
``FILESTAT`` with fields ``dev ino filetype nlink size atim mtim ctim``).
Struct layouts are little-endian ``struct.Struct`` objects whose padding
reproduces the witx (C) alignment rules; each one's size and alignment is
checked against the witx numbers in tests/host/test_wasi_abi.py.
"""

import enum
import struct

__all__ = [
    "MODULE", "Errno", "Rights", "Filetype", "Fdflags", "Oflags", "Lookupflags",
    "Fstflags", "Whence", "Advice", "Clockid", "Eventtype", "Eventrwflags",
    "Subclockflags", "Signal", "Preopentype", "Riflags", "Sdflags",
    "IOVEC", "CIOVEC", "FDSTAT", "FILESTAT", "DIRENT", "PRESTAT",
    "SUBSCRIPTION", "SUBSCRIPTION_CLOCK", "SUBSCRIPTION_FD_READWRITE", "EVENT",
    "AbiError", "member", "RIGHTS_ALL", "RIGHTS_DIRECTORY_BASE", "RIGHTS_DIRECTORY_INHERITING",
    "RIGHTS_REGULAR_FILE", "RIGHTS_STDIN", "RIGHTS_STDOUT", "RIGHTS_TTY",
]

MODULE = "wasi_snapshot_preview1"


class Errno(enum.IntEnum):
    """``errno``: an enum(u16); the value is the witx case index."""

    SUCCESS = 0
    TOOBIG = 1          # witx "2big"; a Python name cannot start with a digit
    ACCES = 2
    ADDRINUSE = 3
    ADDRNOTAVAIL = 4
    AFNOSUPPORT = 5
    AGAIN = 6
    ALREADY = 7
    BADF = 8
    BADMSG = 9
    BUSY = 10
    CANCELED = 11
    CHILD = 12
    CONNABORTED = 13
    CONNREFUSED = 14
    CONNRESET = 15
    DEADLK = 16
    DESTADDRREQ = 17
    DOM = 18
    DQUOT = 19
    EXIST = 20
    FAULT = 21
    FBIG = 22
    HOSTUNREACH = 23
    IDRM = 24
    ILSEQ = 25
    INPROGRESS = 26
    INTR = 27
    INVAL = 28
    IO = 29
    ISCONN = 30
    ISDIR = 31
    LOOP = 32
    MFILE = 33
    MLINK = 34
    MSGSIZE = 35
    MULTIHOP = 36
    NAMETOOLONG = 37
    NETDOWN = 38
    NETRESET = 39
    NETUNREACH = 40
    NFILE = 41
    NOBUFS = 42
    NODEV = 43
    NOENT = 44
    NOEXEC = 45
    NOLCK = 46
    NOLINK = 47
    NOMEM = 48
    NOMSG = 49
    NOPROTOOPT = 50
    NOSPC = 51
    NOSYS = 52
    NOTCONN = 53
    NOTDIR = 54
    NOTEMPTY = 55
    NOTRECOVERABLE = 56
    NOTSOCK = 57
    NOTSUP = 58
    NOTTY = 59
    NXIO = 60
    OVERFLOW = 61
    OWNERDEAD = 62
    PERM = 63
    PIPE = 64
    PROTO = 65
    PROTONOSUPPORT = 66
    PROTOTYPE = 67
    RANGE = 68
    ROFS = 69
    SPIPE = 70
    SRCH = 71
    STALE = 72
    TIMEDOUT = 73
    TXTBSY = 74
    XDEV = 75
    NOTCAPABLE = 76


class Rights(enum.IntFlag):
    """``rights``: flags(u64), one bit per operation a descriptor permits."""

    FD_DATASYNC = 1 << 0
    FD_READ = 1 << 1
    FD_SEEK = 1 << 2
    FD_FDSTAT_SET_FLAGS = 1 << 3
    FD_SYNC = 1 << 4
    FD_TELL = 1 << 5
    FD_WRITE = 1 << 6
    FD_ADVISE = 1 << 7
    FD_ALLOCATE = 1 << 8
    PATH_CREATE_DIRECTORY = 1 << 9
    PATH_CREATE_FILE = 1 << 10
    PATH_LINK_SOURCE = 1 << 11
    PATH_LINK_TARGET = 1 << 12
    PATH_OPEN = 1 << 13
    FD_READDIR = 1 << 14
    PATH_READLINK = 1 << 15
    PATH_RENAME_SOURCE = 1 << 16
    PATH_RENAME_TARGET = 1 << 17
    PATH_FILESTAT_GET = 1 << 18
    PATH_FILESTAT_SET_SIZE = 1 << 19
    PATH_FILESTAT_SET_TIMES = 1 << 20
    FD_FILESTAT_GET = 1 << 21
    FD_FILESTAT_SET_SIZE = 1 << 22
    FD_FILESTAT_SET_TIMES = 1 << 23
    PATH_SYMLINK = 1 << 24
    PATH_REMOVE_DIRECTORY = 1 << 25
    PATH_UNLINK_FILE = 1 << 26
    POLL_FD_READWRITE = 1 << 27
    SOCK_SHUTDOWN = 1 << 28
    SOCK_ACCEPT = 1 << 29


RIGHTS_ALL = (1 << 30) - 1

_R = Rights
# Rights that mean something on a directory descriptor (the ones a
# preopened directory starts with).  Deliberately without FD_READ/FD_WRITE,
# FD_SEEK/FD_TELL and FD_FILESTAT_SET_SIZE, which only apply to files.
RIGHTS_DIRECTORY_BASE = int(
    _R.FD_FDSTAT_SET_FLAGS | _R.FD_SYNC | _R.FD_ADVISE | _R.FD_DATASYNC
    | _R.PATH_CREATE_DIRECTORY | _R.PATH_CREATE_FILE | _R.PATH_LINK_SOURCE
    | _R.PATH_LINK_TARGET | _R.PATH_OPEN | _R.FD_READDIR | _R.PATH_READLINK
    | _R.PATH_RENAME_SOURCE | _R.PATH_RENAME_TARGET | _R.PATH_FILESTAT_GET
    | _R.PATH_FILESTAT_SET_SIZE | _R.PATH_FILESTAT_SET_TIMES
    | _R.FD_FILESTAT_GET | _R.FD_FILESTAT_SET_TIMES | _R.PATH_SYMLINK
    | _R.PATH_REMOVE_DIRECTORY | _R.PATH_UNLINK_FILE | _R.POLL_FD_READWRITE)
# What descriptors opened below a directory may receive: everything a file
# or a directory can use (sockets are never handed out).
RIGHTS_DIRECTORY_INHERITING = RIGHTS_ALL & ~int(_R.SOCK_SHUTDOWN | _R.SOCK_ACCEPT)
RIGHTS_REGULAR_FILE = int(
    _R.FD_DATASYNC | _R.FD_READ | _R.FD_SEEK | _R.FD_FDSTAT_SET_FLAGS
    | _R.FD_SYNC | _R.FD_TELL | _R.FD_WRITE | _R.FD_ADVISE | _R.FD_ALLOCATE
    | _R.FD_FILESTAT_GET | _R.FD_FILESTAT_SET_SIZE | _R.FD_FILESTAT_SET_TIMES
    | _R.POLL_FD_READWRITE)
# Streams: no seek/tell, which is also how wasi-libc's isatty() tells a
# terminal from a file.
RIGHTS_STDIN = int(_R.FD_READ | _R.FD_FDSTAT_SET_FLAGS | _R.FD_FILESTAT_GET
                   | _R.POLL_FD_READWRITE)
RIGHTS_STDOUT = int(_R.FD_WRITE | _R.FD_FDSTAT_SET_FLAGS | _R.FD_FILESTAT_GET
                    | _R.POLL_FD_READWRITE)
RIGHTS_TTY = RIGHTS_STDIN | RIGHTS_STDOUT
del _R


class Filetype(enum.IntEnum):
    UNKNOWN = 0
    BLOCK_DEVICE = 1
    CHARACTER_DEVICE = 2
    DIRECTORY = 3
    REGULAR_FILE = 4
    SOCKET_DGRAM = 5
    SOCKET_STREAM = 6
    SYMBOLIC_LINK = 7


class Fdflags(enum.IntFlag):
    APPEND = 1 << 0
    DSYNC = 1 << 1
    NONBLOCK = 1 << 2
    RSYNC = 1 << 3
    SYNC = 1 << 4


class Oflags(enum.IntFlag):
    CREAT = 1 << 0
    DIRECTORY = 1 << 1
    EXCL = 1 << 2
    TRUNC = 1 << 3


class Lookupflags(enum.IntFlag):
    SYMLINK_FOLLOW = 1 << 0


class Fstflags(enum.IntFlag):
    ATIM = 1 << 0
    ATIM_NOW = 1 << 1
    MTIM = 1 << 2
    MTIM_NOW = 1 << 3


class Whence(enum.IntEnum):
    SET = 0
    CUR = 1
    END = 2


class Advice(enum.IntEnum):
    NORMAL = 0
    SEQUENTIAL = 1
    RANDOM = 2
    WILLNEED = 3
    DONTNEED = 4
    NOREUSE = 5


class Clockid(enum.IntEnum):
    REALTIME = 0
    MONOTONIC = 1
    PROCESS_CPUTIME_ID = 2
    THREAD_CPUTIME_ID = 3


class Eventtype(enum.IntEnum):
    CLOCK = 0
    FD_READ = 1
    FD_WRITE = 2


class Eventrwflags(enum.IntFlag):
    FD_READWRITE_HANGUP = 1 << 0


class Subclockflags(enum.IntFlag):
    SUBSCRIPTION_CLOCK_ABSTIME = 1 << 0


class Riflags(enum.IntFlag):
    RECV_PEEK = 1 << 0
    RECV_WAITALL = 1 << 1


class Sdflags(enum.IntFlag):
    RD = 1 << 0
    WR = 1 << 1


class Signal(enum.IntEnum):
    NONE = 0
    HUP = 1
    INT = 2
    QUIT = 3
    ILL = 4
    TRAP = 5
    ABRT = 6
    BUS = 7
    FPE = 8
    KILL = 9
    USR1 = 10
    SEGV = 11
    USR2 = 12
    PIPE = 13
    ALRM = 14
    TERM = 15
    CHLD = 16
    CONT = 17
    STOP = 18
    TSTP = 19
    TTIN = 20
    TTOU = 21
    URG = 22
    XCPU = 23
    XFSZ = 24
    VTALRM = 25
    PROF = 26
    WINCH = 27
    POLL = 28
    PWR = 29
    SYS = 30


class Preopentype(enum.IntEnum):
    DIR = 0


# --- struct layouts (little-endian, witx alignment) -----------------------
# iovec / ciovec: buf (pointer u32), buf_len (size u32).  size 8, align 4.
IOVEC = struct.Struct("<II")
CIOVEC = IOVEC
# fdstat: fs_filetype u8 @0, fs_flags u16 @2, fs_rights_base u64 @8,
# fs_rights_inheriting u64 @16.  size 24, align 8.
FDSTAT = struct.Struct("<BxHxxxxQQ")
# filestat: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24,
# size u64 @32, atim @40, mtim @48, ctim @56.  size 64, align 8.
FILESTAT = struct.Struct("<QQB7xQQQQQ")
# dirent: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20.
# size 24, align 8; the name follows the header in fd_readdir's buffer.
DIRENT = struct.Struct("<QQIB3x")
# prestat: a union tagged by preopentype (u8 @0); dir variant holds
# pr_name_len (size u32 @4).  size 8, align 4.
PRESTAT = struct.Struct("<B3xI")
# subscription: userdata u64 @0, then the subscription_u union: tag u8 @8,
# contents @16.  size 48, align 8.
SUBSCRIPTION = struct.Struct("<QB7x32x")
# subscription_clock at @16: id (clockid u32) @16, timeout u64 @24,
# precision u64 @32, flags (subclockflags u16) @40.
SUBSCRIPTION_CLOCK = struct.Struct("<I4xQQH6x")
# subscription_fd_readwrite at @16: file_descriptor (fd u32) @16.
SUBSCRIPTION_FD_READWRITE = struct.Struct("<I")
# event: userdata u64 @0, error (errno u16) @8, type (eventtype u8) @10,
# fd_readwrite @16: nbytes (filesize u64) @16, flags (eventrwflags u16) @24.
# size 32, align 8.
EVENT = struct.Struct("<QHB5xQH6x")

# Alignment of each struct (the largest field's), which wasmtime checks on
# guest pointers before using them.
ALIGN = {IOVEC: 4, FDSTAT: 8, FILESTAT: 8, DIRENT: 8, PRESTAT: 4,
         SUBSCRIPTION: 8, EVENT: 8}


class AbiError(Exception):
    """Raised inside a WASI function to return ``errno`` to the guest.

    Never escapes to the embedder: the adapter in adapter.py turns it into
    the function's return value.
    """

    def __init__(self, errno):
        super().__init__(Errno(errno).name)
        self.errno = int(errno)


def member(enum_type, value):
    """``enum_type(value)``; a value the witx type does not define is EINVAL."""
    try:
        return enum_type(value)
    except ValueError:
        raise AbiError(Errno.INVAL) from None
