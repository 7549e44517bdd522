"""The guest's file descriptor table (WASI preview 1 "fd" handles and their
rights, witx ``fdstat``).

Each guest fd maps to a Descriptor: a standard stream, an open host file or
an open host directory.  Rights live here and only ever shrink: a
descriptor opened below a directory gets at most that directory's
inheriting rights (``derive_rights``), and ``fd_fdstat_set_rights`` refuses
to add any.
"""

import os
import stat

from .abi import (AbiError, Errno, Filetype, RIGHTS_DIRECTORY_BASE,
                  RIGHTS_DIRECTORY_INHERITING, RIGHTS_REGULAR_FILE,
                  RIGHTS_STDIN, RIGHTS_STDOUT)

__all__ = ["Descriptor", "FdTable", "filetype_of_mode", "derive_rights",
           "STDIO", "FILE", "DIR"]

STDIO = "stdio"
FILE = "file"
DIR = "dir"

MAX_FDS = 65536       # beyond this a guest gets NFILE, not host exhaustion


def filetype_of_mode(mode):
    if stat.S_ISREG(mode):
        return Filetype.REGULAR_FILE
    if stat.S_ISDIR(mode):
        return Filetype.DIRECTORY
    if stat.S_ISLNK(mode):
        return Filetype.SYMBOLIC_LINK
    if stat.S_ISCHR(mode):
        return Filetype.CHARACTER_DEVICE
    if stat.S_ISBLK(mode):
        return Filetype.BLOCK_DEVICE
    if stat.S_ISSOCK(mode):
        return Filetype.SOCKET_STREAM
    return Filetype.UNKNOWN


def applicable_rights(filetype):
    """The rights that mean something for a descriptor of this type."""
    if filetype == Filetype.DIRECTORY:
        return RIGHTS_DIRECTORY_BASE
    return RIGHTS_REGULAR_FILE


def derive_rights(parent, filetype, base, inheriting):
    """Rights of a descriptor opened below ``parent`` (path_open).

    Rights never exceed the parent's inheriting rights, so they can only
    shrink along a chain of opens.  Within that bound:

    - a file gets what it asked for, less the rights that do not apply to
      files (the witx allows dropping those); a request beyond the parent's
      inheriting rights is narrowed rather than refused (wasmtime refuses
      no request);
    - a directory gets all the directory rights its parent can hand down,
      whatever it asked for.  Guests (the WASI test suite among them) open
      scratch directories asking for a handful of rights and then rename,
      link or stat below them, which works under wasmtime; a guest that
      wants a narrower directory drops rights with fd_fdstat_set_rights.
    """
    allowed = parent.rights_inheriting
    if filetype == Filetype.DIRECTORY:
        new_base = allowed & RIGHTS_DIRECTORY_BASE
        new_inheriting = allowed
    else:
        new_base = base & allowed & RIGHTS_REGULAR_FILE
        # A file has nothing to hand down but file rights.
        new_inheriting = inheriting & allowed & RIGHTS_REGULAR_FILE
    return new_base, new_inheriting


class Descriptor:
    """One open guest descriptor.

    ``host_fd``: the host file descriptor (None for a stream object);
    ``stream``: a binary file object for captured stdio; ``owned``: whether
    closing the guest fd closes ``host_fd``; ``preopen``: the guest name
    (bytes) of a preopened directory, else None.
    """

    __slots__ = ("kind", "filetype", "rights_base", "rights_inheriting",
                 "fdflags", "host_fd", "stream", "owned", "preopen", "listing")

    def __init__(self, kind, filetype, rights_base, rights_inheriting, fdflags=0,
                 host_fd=None, stream=None, owned=True, preopen=None):
        self.kind = kind
        self.filetype = int(filetype)
        self.rights_base = int(rights_base)
        self.rights_inheriting = int(rights_inheriting)
        self.fdflags = int(fdflags)
        self.host_fd = host_fd
        self.stream = stream
        self.owned = owned
        self.preopen = preopen
        self.listing = None   # fd_readdir cache: list of (name, ino, type)

    def require(self, rights, errno=Errno.NOTCAPABLE):
        """Raise ``errno`` unless every bit of ``rights`` is held."""
        if self.rights_base & rights != rights:
            raise AbiError(errno)

    def close(self):
        if self.owned and self.host_fd is not None:
            try:
                os.close(self.host_fd)
            except OSError:
                pass
        self.host_fd = None


def _stdio(host_default, source, is_input):
    """A stdio Descriptor for a WasiConfig stdin/stdout/stderr value."""
    rights = RIGHTS_STDIN if is_input else RIGHTS_STDOUT
    if source is None or isinstance(source, int):
        host_fd = host_default if source is None else source
        try:
            tty = os.isatty(host_fd)
        except OSError:
            tty = False
        # wasmtime reports a terminal as a character device and any other
        # stream (pipe, redirected file) as "unknown".
        filetype = Filetype.CHARACTER_DEVICE if tty else Filetype.UNKNOWN
        return Descriptor(STDIO, filetype, rights, 0, host_fd=host_fd, owned=False)
    return Descriptor(STDIO, Filetype.UNKNOWN, rights, 0, stream=source, owned=False)


class FdTable:
    """Guest fd number -> Descriptor."""

    def __init__(self):
        self.entries = {}

    @classmethod
    def from_config(cls, config, preopen_fds):
        """Stdio at 0-2, then one directory per preopen from fd 3 on.

        ``preopen_fds``: host directory descriptors already opened, in
        config order (the caller opens them so that errors name the path).
        """
        table = cls()
        table.entries[0] = _stdio(0, config.stdin, True)
        table.entries[1] = _stdio(1, config.stdout, False)
        table.entries[2] = _stdio(2, config.stderr, False)
        for i, (pre, host_fd) in enumerate(zip(config.preopens, preopen_fds)):
            table.entries[3 + i] = Descriptor(
                DIR, Filetype.DIRECTORY, RIGHTS_DIRECTORY_BASE,
                RIGHTS_DIRECTORY_INHERITING, host_fd=host_fd,
                preopen=pre.guest_path.encode("utf-8", "surrogateescape"))
        return table

    def get(self, fd):
        """The Descriptor for ``fd``; BADF when there is none."""
        entry = self.entries.get(fd)
        if entry is None:
            raise AbiError(Errno.BADF)
        return entry

    def get_dir(self, fd, rights):
        """A directory descriptor holding ``rights`` (path_* base fds)."""
        entry = self.get(fd)
        if entry.kind != DIR:
            raise AbiError(Errno.NOTDIR)
        entry.require(rights)
        return entry

    def allocate(self, entry):
        """Install ``entry`` at the lowest free fd number and return it."""
        fd = 0
        entries = self.entries
        while fd in entries:
            fd += 1
        if fd >= MAX_FDS:
            entry.close()
            raise AbiError(Errno.NFILE)
        entries[fd] = entry
        return fd

    def close(self, fd):
        entry = self.entries.pop(fd, None)
        if entry is None:
            raise AbiError(Errno.BADF)
        entry.close()

    def renumber(self, fd, to):
        entry = self.get(fd)
        target = self.get(to)
        if fd == to:
            return
        target.close()
        self.entries[to] = entry
        del self.entries[fd]

    def close_all(self):
        for entry in self.entries.values():
            entry.close()
        self.entries.clear()

