"""WASI preview 1 (``wasi_snapshot_preview1``) as a host module.

``register(linker, config)`` is the only entry point: it defines every
preview 1 function on the linker for one guest, granted what ``config`` (a
WasiConfig) says and nothing more, and returns the WasiContext holding the
guest's descriptors (call its ``close()`` when the guest is done).

Layout (STYLE section 4): config.py (grants), abi.py (witx constants and
struct layouts), adapter.py (AbiError -> errno), sandbox.py (path
resolution), fdtable.py (descriptors and rights), and the functions in
proc.py, fd.py and path.py, one per import, named as imported.

Where the witx is silent we do what wasmtime does (escapes are PERM,
short prestat buffers NAMETOOLONG, symlinks with absolute targets cannot be
created, path_link refuses SYMLINK_FOLLOW, proc_raise is NOTSUP, stdio is
not seekable: SPIPE).  Deliberate differences from wasmtime 50:

- A bad guest pointer or length returns FAULT (misaligned: INVAL), and an
  invalid enum or flags value INVAL, as the witx errno list describes;
  wasmtime traps instead.
- Rights are enforced, as the witx defines them: a descriptor opened below
  a directory gets at most its inheriting rights (a file: what it asked
  for within them; a directory: all of them, see fdtable.derive_rights),
  ``fd_fdstat_set_rights`` drops rights, and a missing right is NOTCAPABLE
  (BADF for fd_read/fd_write, as POSIX and wasmtime do for a descriptor
  not opened for it).  wasmtime ignores rights.
- ``fd_write`` writes every iovec (wasmtime writes the first non-empty one).
- The CPU-time clocks (process_cputime_id, thread_cputime_id) exist
  (wasmtime answers BADF), and ``fd_allocate`` grows a file (wasmtime: NOTSUP).
- poll_oneoff reports an unknown descriptor in that subscription's event
  (witx), where wasmtime fails the whole call with BADF.
"""

from .abi import MODULE, Errno, AbiError
from .adapter import REGISTRY, bind
from .config import WasiConfig, Preopen
from .context import WasiContext
from . import proc as _proc, fd as _fd, path as _path   # noqa: F401 (register bodies)

__all__ = ["register", "WasiConfig", "Preopen", "WasiContext", "MODULE",
           "Errno", "AbiError", "FUNCTION_NAMES"]

FUNCTION_NAMES = tuple(sorted(fn.__name__ for fn in REGISTRY))


def register(linker, config=None):
    """Define all of ``wasi_snapshot_preview1`` on ``linker`` for one guest.

    Returns the WasiContext (its ``fds`` table, ``close()``).

    Raises:
        ValueError: a preopened directory cannot be opened.
    """
    if config is None:
        config = WasiConfig()
    ctx = WasiContext(config)
    for fn in REGISTRY:
        linker.define_host(MODULE, fn.__name__, bind(fn, ctx))
    return ctx
