"""The one adapter between WASI function bodies and the host-function
calling convention (STYLE section 4).

Bodies are written as straight-line code taking ``(ctx, caller, *args)`` and
raising ``AbiError(errno)``; ``export`` records them and ``bind`` wraps each
for one WasiContext so that:

- an AbiError becomes the function's errno result;
- an OSError from a host system call becomes the matching errno (EIO when
  the host's code has no WASI name);
- an argument the host's os module cannot represent (OverflowError,
  ValueError) is EINVAL;
- returning None means ``Errno.SUCCESS``.

``ProcExit`` and traps pass through untouched.
"""

from .abi import AbiError, Errno
from .errno_map import oserror_errno

__all__ = ["export", "bind", "REGISTRY"]

REGISTRY = []        # every preview 1 function body, in definition order


def export(fn):
    """Register a body declared with ``@host_func`` (put this above it)."""
    if getattr(fn, "wasm_type", None) is None:
        raise TypeError("%s must be declared with @host_func" % fn.__name__)
    REGISTRY.append(fn)
    return fn


def bind(fn, ctx):
    """A host function for ``linker.define_host`` running ``fn`` for ``ctx``."""
    returns_errno = bool(fn.wasm_type.results)

    def call(caller, *args):
        try:
            result = fn(ctx, caller, *args)
        except AbiError as error:
            return error.errno
        except OSError as error:
            return oserror_errno(error)
        except (OverflowError, ValueError):
            # An argument the host cannot represent (a time or offset past
            # what the OS takes): the guest's invalid argument.
            return int(Errno.INVAL)
        if not returns_errno:
            return None
        return 0 if result is None else result

    call.wasm_type = fn.wasm_type
    call.__name__ = fn.__name__
    call.__qualname__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call
