"""An optional on-disk cache of tier-1 translations (Store(cache_dir=...)).

Translating a function to Python source and compiling it is the main
start-up cost of a big guest after decoding.  The cache keeps, per
function, the compiled code object and the constants it needs, so a second
run of the same module skips both steps.

Keys: the module's SHA-256, this runtime's version and a digest of its
source files (a checkout or install from another commit may translate
differently under the same version number), the Python implementation's
bytecode magic (code objects are not portable between interpreters), and
whether metering was on (it changes the code).  Each
entry starts with a SHA-256 of its payload: a truncated, corrupted or
foreign file is ignored and rewritten, never executed.  Writes go to a
temporary file renamed into place, so concurrent runs never see half an
entry.
"""

import hashlib
import importlib.util
import marshal
import os
import tempfile

from .. import __version__

__all__ = ["TranslationCache"]

_DIGEST = hashlib.sha256().digest_size
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_sources_digest = None


def sources_digest():
    """SHA-256 of this runtime's Python sources (names and contents), read
    once per process: any change to the code that translates, or to what
    the translated code calls, gives the cache new keys."""
    global _sources_digest
    if _sources_digest is None:
        h = hashlib.sha256()
        for directory, subdirs, files in os.walk(_PACKAGE):
            subdirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    h.update(os.path.relpath(path, _PACKAGE).encode() + b"\0")
                    with open(path, "rb") as f:
                        h.update(hashlib.sha256(f.read()).digest())
        _sources_digest = h.digest()
    return _sources_digest


class TranslationCache:
    """Cached (code object, constants) per translated function."""

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        self._module_dirs = {}

    def _path(self, func):
        module = func.instance.module
        key = self._module_dirs.get(id(module))
        if key is None:
            h = hashlib.sha256()
            for part in (__version__.encode(), sources_digest(),
                         importlib.util.MAGIC_NUMBER, module.ast.raw):
                h.update(part)
            key = self._module_dirs[id(module)] = h.hexdigest()
        variant = ("m" if func.store.metered else "p") + ("f" if func.store.engine == "flat" else "")
        return os.path.join(self.directory, key[:2], key, "%d%s.bin" % (func.index, variant))

    def load(self, func):
        """(code, constants) for ``func``, or None if absent or unusable."""
        try:
            with open(self._path(func), "rb") as f:
                blob = f.read()
        except OSError:
            return None
        digest, payload = blob[:_DIGEST], blob[_DIGEST:]
        if len(blob) <= _DIGEST or hashlib.sha256(payload).digest() != digest:
            return None
        try:
            code, constants = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if not hasattr(code, "co_code") or not isinstance(constants, list):
            return None
        return code, constants

    def save(self, func, code, constants):
        """Store an entry; a cache that cannot be written is skipped."""
        path = self._path(func)
        payload = marshal.dumps((code, list(constants)))
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except OSError:
            pass
