"""Path resolution inside a directory capability (WASI filesystem
"path resolution": every path is relative to a directory descriptor and may
never lead outside it).

The walk is done one component at a time with ``*at`` system calls on host
directory descriptors, as cap-std does for wasmtime: each intermediate
directory is opened with ``O_NOFOLLOW | O_DIRECTORY`` relative to the one
before, symbolic links are read and expanded here (never by the kernel), and
a stack of the directories walked through answers ``..``.  So:

- an absolute path, ``..`` above the starting directory, or a symlink whose
  target is absolute or climbs out, fails with ``Errno.PERM`` (wasmtime's
  errno for "would escape");
- more than MAX_SYMLINK_EXPANSIONS link expansions is ``Errno.LOOP``;
- the final component is handed to the caller's system call as a plain
  name relative to the last directory, so a symlink swapped in behind our
  back is not followed either (every call uses NOFOLLOW forms).

A trailing slash stays on the final name (``b"dir/"``) so the kernel applies
its own trailing-slash rules (ENOTDIR for a file, and so on); callers that
would let the kernel follow a final symlink because of it resolve with
``follow=True`` instead.
"""

import os
import stat

from .abi import AbiError, Errno
from .errno_map import oserror_errno

__all__ = ["resolve", "Resolved", "MAX_SYMLINK_EXPANSIONS", "O_PATH"]

MAX_SYMLINK_EXPANSIONS = 40      # Linux's MAXSYMLINKS

# PyPy 3.9's os module lacks O_PATH; the Linux value is fixed by the ABI.
O_PATH = getattr(os, "O_PATH", 0o10000000)

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class Resolved:
    """The outcome of a walk: ``dirfd`` holds the final component ``name``.

    ``name`` is bytes: a plain entry name, ``b"."`` for the directory itself,
    with a trailing ``b"/"`` when the guest's path had one.  Directory
    descriptors opened during the walk are closed by ``close()``.
    """

    __slots__ = ("dirfd", "name", "_owned")

    def __init__(self, dirfd, name, owned):
        self.dirfd = dirfd
        self.name = name
        self._owned = owned

    def close(self):
        for fd in self._owned:
            try:
                os.close(fd)
            except OSError:
                pass
        self._owned = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def check_path(path):
    """Reject guest paths that can never resolve (before touching the disk)."""
    if not path:
        raise AbiError(Errno.NOENT)
    if b"\0" in path:
        raise AbiError(Errno.INVAL)
    if path.startswith(b"/"):
        raise AbiError(Errno.PERM)


def resolve(base_fd, path, follow):
    """Walk ``path`` (bytes) from the host directory descriptor ``base_fd``.

    ``follow``: expand a symlink in the final position (SYMLINK_FOLLOW).
    Symlinks in other positions are always expanded, inside the sandbox.

    Raises:
        AbiError: PERM (escape or absolute path), NOENT, NOTDIR, LOOP, ...
    """
    check_path(path)
    must_dir = path.endswith(b"/")
    pending = [c for c in path.split(b"/") if c]
    pending.reverse()
    if not pending:
        raise AbiError(Errno.PERM)   # the path was only slashes: absolute
    stack = [base_fd]
    expansions = 0
    name = b"."
    try:
        while pending:
            comp = pending.pop()
            last = not pending
            if comp == b".":
                if last:
                    name = b"."
                continue
            if comp == b"..":
                if len(stack) == 1:
                    raise AbiError(Errno.PERM)
                os.close(stack.pop())
                if last:
                    name = b"."
                continue
            if last and not follow:
                name = comp
                break
            try:
                st = os.stat(comp, dir_fd=stack[-1], follow_symlinks=False)
            except FileNotFoundError:
                if last:
                    # Creating calls need the name of what does not exist yet.
                    name = comp
                    break
                raise AbiError(Errno.NOENT)
            if stat.S_ISLNK(st.st_mode):
                expansions += 1
                if expansions > MAX_SYMLINK_EXPANSIONS:
                    raise AbiError(Errno.LOOP)
                target = os.readlink(comp, dir_fd=stack[-1])
                if target.startswith(b"/"):
                    raise AbiError(Errno.PERM)
                if not target:
                    raise AbiError(Errno.NOENT)
                if last and target.endswith(b"/"):
                    must_dir = True
                parts = [c for c in target.split(b"/") if c]
                parts.reverse()
                pending.extend(parts)
                if last and not parts:
                    name = b"."
                continue
            if last:
                name = comp
                break
            if not stat.S_ISDIR(st.st_mode):
                raise AbiError(Errno.NOTDIR)
            stack.append(os.open(comp, _DIR_FLAGS, dir_fd=stack[-1]))
    except OSError as exc:
        for fd in stack[1:]:
            os.close(fd)
        raise AbiError(oserror_errno(exc))
    except AbiError:
        for fd in stack[1:]:
            os.close(fd)
        raise
    if must_dir and name not in (b".", b".."):
        name += b"/"
    return Resolved(stack[-1], name, stack[1:])
