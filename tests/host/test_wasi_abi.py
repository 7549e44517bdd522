"""WASI preview 1 ABI tables (pywasi_interp/host/wasi/abi.py) against the
witx: errno numbering, rights bits, and struct sizes and field offsets."""

import errno as host_errno

import pytest

from pywasi_interp.host.wasi import FUNCTION_NAMES
from pywasi_interp.host.wasi.abi import (
    Errno, Rights, Filetype, Fdflags, Oflags, Fstflags, Clockid, Signal,
    IOVEC, FDSTAT, FILESTAT, DIRENT, PRESTAT, SUBSCRIPTION, SUBSCRIPTION_CLOCK,
    EVENT, RIGHTS_ALL, RIGHTS_DIRECTORY_BASE, RIGHTS_REGULAR_FILE)
from pywasi_interp.host.wasi.errno_map import oserror_errno

# Every import of wasi_snapshot_preview1 (witx), 46 functions.
PREVIEW1 = sorted("""
args_get args_sizes_get environ_get environ_sizes_get clock_res_get clock_time_get
fd_advise fd_allocate fd_close fd_datasync fd_fdstat_get fd_fdstat_set_flags
fd_fdstat_set_rights fd_filestat_get fd_filestat_set_size fd_filestat_set_times fd_pread
fd_prestat_get fd_prestat_dir_name fd_pwrite fd_read fd_readdir fd_renumber fd_seek
fd_sync fd_tell fd_write path_create_directory path_filestat_get path_filestat_set_times
path_link path_open path_readlink path_remove_directory path_rename path_symlink
path_unlink_file poll_oneoff proc_exit proc_raise sched_yield random_get sock_accept
sock_recv sock_send sock_shutdown""".split())


def test_wasi_abi_every_function_defined():
    assert list(FUNCTION_NAMES) == PREVIEW1


@pytest.mark.parametrize("name,value", [
    ("SUCCESS", 0), ("TOOBIG", 1), ("ACCES", 2), ("BADF", 8), ("EXIST", 20), ("FAULT", 21),
    ("INVAL", 28), ("ISDIR", 31), ("LOOP", 32), ("NOENT", 44), ("NOSYS", 52),
    ("NOTDIR", 54), ("NOTEMPTY", 55), ("NOTSUP", 58), ("PERM", 63), ("SPIPE", 70),
    ("XDEV", 75), ("NOTCAPABLE", 76)])
def test_wasi_abi_errno_values(name, value):
    assert Errno[name] == value


def test_wasi_abi_errno_is_dense():
    assert [e.value for e in Errno] == list(range(77))


def test_wasi_abi_rights_bits():
    assert Rights.FD_DATASYNC == 1
    assert Rights.PATH_OPEN == 1 << 13
    assert Rights.FD_READDIR == 1 << 14
    assert Rights.SOCK_ACCEPT == 1 << 29
    assert RIGHTS_ALL == (1 << 30) - 1
    assert not RIGHTS_DIRECTORY_BASE & Rights.FD_FILESTAT_SET_SIZE
    assert not RIGHTS_REGULAR_FILE & Rights.PATH_OPEN


def test_wasi_abi_small_enums():
    assert Filetype.SYMBOLIC_LINK == 7
    assert Fdflags.SYNC == 16
    assert Oflags.TRUNC == 8
    assert Fstflags.MTIM_NOW == 8
    assert Clockid.THREAD_CPUTIME_ID == 3
    assert Signal.SYS == 30


@pytest.mark.parametrize("layout,size", [
    (IOVEC, 8), (FDSTAT, 24), (FILESTAT, 64), (DIRENT, 24), (PRESTAT, 8),
    (SUBSCRIPTION, 48), (EVENT, 32)])
def test_wasi_abi_struct_sizes(layout, size):
    assert layout.size == size


def test_wasi_abi_field_offsets():
    fdstat = FDSTAT.pack(3, 0x1F, 0x1122334455667788, 0x99)
    assert fdstat[0] == 3 and fdstat[2:4] == b"\x1f\x00"
    assert fdstat[8:16] == (0x1122334455667788).to_bytes(8, "little")
    filestat = FILESTAT.pack(1, 2, 4, 5, 6, 7, 8, 9)
    assert filestat[16] == 4
    assert [int.from_bytes(filestat[o:o + 8], "little") for o in (24, 32, 40, 48, 56)] == [5, 6, 7, 8, 9]
    dirent = DIRENT.pack(1, 2, 3, 4)
    assert int.from_bytes(dirent[16:20], "little") == 3 and dirent[20] == 4
    assert PRESTAT.pack(0, 9)[4:8] == (9).to_bytes(4, "little")
    clock = SUBSCRIPTION_CLOCK.pack(1, 2, 3, 1)
    assert len(clock) == 32 and clock[8:16] == (2).to_bytes(8, "little") and clock[24] == 1
    event = EVENT.pack(7, 8, 2, 9, 1)
    assert event[8] == 8 and event[10] == 2 and event[16] == 9 and event[24] == 1


@pytest.mark.parametrize("code,expected", [
    (host_errno.ENOENT, Errno.NOENT), (host_errno.EEXIST, Errno.EXIST),
    (host_errno.ENOTEMPTY, Errno.NOTEMPTY), (host_errno.E2BIG, Errno.TOOBIG),
    (host_errno.EOPNOTSUPP, Errno.NOTSUP), (host_errno.ELOOP, Errno.LOOP),
    (99999, Errno.IO)])
def test_wasi_abi_host_errno_mapping(code, expected):
    assert oserror_errno(OSError(code, "x")) == expected
