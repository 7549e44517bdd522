"""What a WASI guest is granted: arguments, environment, preopened
directories and its three standard streams.

The default grants nothing: no arguments beyond the program name, an empty
environment, no directory.  Standard streams default to the host process's
own file descriptors 0, 1 and 2, as the wasmtime CLI does.
"""

import dataclasses
from typing import Any, Optional, Tuple

__all__ = ["WasiConfig", "Preopen"]


@dataclasses.dataclass(frozen=True)
class Preopen:
    """A host directory made visible to the guest under ``guest_path``.

    ``guest_path`` is the name the guest sees through ``fd_prestat_dir_name``
    (wasi-libc matches absolute and relative guest paths against it).
    """

    host_path: str
    guest_path: str


def _pairs(env):
    if isinstance(env, dict):
        return tuple((str(k), str(v)) for k, v in env.items())
    return tuple((str(k), str(v)) for k, v in env)


@dataclasses.dataclass(frozen=True)
class WasiConfig:
    """Grants of one WASI instance.

    - ``args``: argv, including the program name as ``args[0]``.
    - ``env``: (name, value) pairs (a dict is accepted), in order.
    - ``preopens``: Preopen objects (or (host, guest) pairs); the first
      becomes fd 3.
    - ``stdin`` / ``stdout`` / ``stderr``: None for the host process's own
      fd 0/1/2, an int for another host file descriptor, or a binary file
      object (``read``/``write``; e.g. ``io.BytesIO``) for captured I/O.
    """

    args: Tuple[str, ...] = ()
    env: Tuple[Tuple[str, str], ...] = ()
    preopens: Tuple[Preopen, ...] = ()
    stdin: Optional[Any] = None
    stdout: Optional[Any] = None
    stderr: Optional[Any] = None

    def __post_init__(self):
        # Normalise so that lists and dicts given by the embedder become the
        # immutable shapes the dataclass promises.
        object.__setattr__(self, "args", tuple(str(a) for a in self.args))
        object.__setattr__(self, "env", _pairs(self.env))
        preopens = []
        for item in self.preopens:
            if not isinstance(item, Preopen):
                host, guest = item
                item = Preopen(str(host), str(guest))
            preopens.append(item)
        object.__setattr__(self, "preopens", tuple(preopens))
        for name, _value in self.env:
            if "=" in name or "\0" in name:
                raise ValueError("invalid environment variable name %r" % (name,))
