"""Host ``errno`` values to WASI ``Errno`` (witx names are POSIX names less
the leading E, so the table is derived by name; the host's numbering never
reaches the guest)."""

import errno as host_errno

from .abi import Errno

__all__ = ["oserror_errno"]

_TABLE = {}
for _member in Errno:
    _code = getattr(host_errno, "E" + _member.name, None)
    if _code is not None:
        _TABLE.setdefault(_code, _member)
_TABLE[host_errno.E2BIG] = Errno.TOOBIG
if hasattr(host_errno, "EOPNOTSUPP"):
    _TABLE.setdefault(host_errno.EOPNOTSUPP, Errno.NOTSUP)
if hasattr(host_errno, "EWOULDBLOCK"):
    _TABLE.setdefault(host_errno.EWOULDBLOCK, Errno.AGAIN)
del _member, _code


def oserror_errno(exc):
    """The WASI errno for an OSError (EIO when the host code has no match)."""
    code = getattr(exc, "errno", None)
    return int(_TABLE.get(code, Errno.IO))
