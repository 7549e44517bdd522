"""What a WASI guest is granted: arguments, environment, preopened
directories and its three standard streams.

The default grants nothing: no arguments beyond the program name, an empty
environment, no directory.  Standard streams default to the host process's
own file descriptors 0, 1 and 2, as the wasmtime CLI does.
"""

__all__ = ["WasiConfig", "Preopen"]


class _Record:
    """An immutable record: keyword construction, equality, hashing, a
    readable repr and ``replace(**changes)``, as a frozen dataclass has.
    (Not a dataclass: importing ``dataclasses`` imports ``inspect``, about
    7 ms of every process's start-up.)"""

    __slots__ = ()
    _fields = ()

    def _set(self, **values):
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("cannot assign to %s.%s: it is immutable (use replace())"
                             % (type(self).__name__, name))

    def __delattr__(self, name):
        raise AttributeError("cannot delete %s.%s: it is immutable"
                             % (type(self).__name__, name))

    def _values(self):
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % (name, getattr(self, name)) for name in self._fields))

    def replace(self, **changes):
        """A copy with the given fields changed."""
        values = {name: getattr(self, name) for name in self._fields}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError("%s has no field %s" % (type(self).__name__,
                                                    ", ".join(sorted(unknown))))
        values.update(changes)
        return type(self)(**values)


class Preopen(_Record):
    """A host directory made visible to the guest under ``guest_path``.

    ``guest_path`` is the name the guest sees through ``fd_prestat_dir_name``
    (wasi-libc matches absolute and relative guest paths against it).
    """

    __slots__ = ("host_path", "guest_path")
    _fields = __slots__

    def __init__(self, host_path, guest_path):
        self._set(host_path=host_path, guest_path=guest_path)


def _preopen(item):
    if isinstance(item, Preopen):
        return item
    host, guest = item
    return Preopen(str(host), str(guest))


def _pairs(env):
    if isinstance(env, dict):
        return tuple((str(k), str(v)) for k, v in env.items())
    return tuple((str(k), str(v)) for k, v in env)


class WasiConfig(_Record):
    """Grants of one WASI instance.

    - ``args``: argv, including the program name as ``args[0]``.
    - ``env``: (name, value) pairs (a dict is accepted), in order.
    - ``preopens``: Preopen objects (or (host, guest) pairs); the first
      becomes fd 3.
    - ``stdin`` / ``stdout`` / ``stderr``: None for the host process's own
      fd 0/1/2, an int for another host file descriptor, or a binary file
      object (``read``/``write``; e.g. ``io.BytesIO``) for captured I/O.

    Lists and dicts given by the embedder are stored as tuples.
    """

    __slots__ = ("args", "env", "preopens", "stdin", "stdout", "stderr")
    _fields = __slots__

    def __init__(self, args=(), env=(), preopens=(), stdin=None, stdout=None, stderr=None):
        env = _pairs(env)
        for name, _value in env:
            if "=" in name or "\0" in name:
                raise ValueError("invalid environment variable name %r" % (name,))
        self._set(args=tuple(str(a) for a in args), env=env,
                  preopens=tuple(_preopen(item) for item in preopens),
                  stdin=stdin, stdout=stdout, stderr=stderr)
