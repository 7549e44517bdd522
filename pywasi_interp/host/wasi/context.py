"""Per-instance WASI state: the grants of a WasiConfig turned into encoded
argv/environ blocks and a file descriptor table with open host directories.
"""

import os

from .fdtable import FdTable

__all__ = ["WasiContext"]

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class WasiContext:
    """What the preview 1 functions of one instance share.

    Raises (constructor):
        ValueError: a preopened host directory cannot be opened.
    """

    def __init__(self, config):
        self.config = config
        # surrogateescape: arguments the host OS gave us as undecodable
        # bytes reach the guest as those same bytes.
        self.args = [a.encode("utf-8", "surrogateescape") for a in config.args]
        self.environ = [("%s=%s" % (k, v)).encode("utf-8", "surrogateescape")
                        for k, v in config.env]
        host_fds = []
        try:
            for pre in config.preopens:
                try:
                    host_fds.append(os.open(pre.host_path, os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC))
                except OSError as error:
                    raise ValueError("cannot preopen directory %r: %s"
                                     % (pre.host_path, error.strerror or error)) from None
        except ValueError:
            for fd in host_fds:
                os.close(fd)
            raise
        self.fds = FdTable.from_config(config, host_fds)

    def close(self):
        """Close every host descriptor the guest still holds."""
        self.fds.close_all()
