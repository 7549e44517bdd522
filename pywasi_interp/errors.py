"""The exception hierarchy: one class per error category of the spec.

The category is the type, never a string to parse.  Messages start with the
spec's own wording (what the official test suite matches as a prefix) and put
details such as byte offsets or function names after it.
"""

import enum

__all__ = [
    "WasmError", "DecodeError", "ValidationError", "LinkError", "Trap",
    "TrapKind", "ExhaustionError", "ProcExit", "InternalError",
]


class WasmError(Exception):
    """Base class of every error the runtime reports about a module or a run."""


class DecodeError(WasmError):
    """The binary is malformed (spec: "malformed").  Carries the byte offset."""

    def __init__(self, message, offset=None):
        if offset is not None:
            message = "%s (at byte offset %d)" % (message, offset)
        super().__init__(message)
        self.offset = offset


class ValidationError(WasmError):
    """The module is well formed but not valid (spec: "invalid")."""


class LinkError(WasmError):
    """An import could not be matched (spec: "unlinkable")."""


class TrapKind(enum.Enum):
    """Runtime traps; each value is the spec's message for it."""

    UNREACHABLE = "unreachable"
    INT_DIV_BY_ZERO = "integer divide by zero"
    INT_OVERFLOW = "integer overflow"
    INVALID_CONVERSION = "invalid conversion to integer"
    MEMORY_OOB = "out of bounds memory access"
    TABLE_OOB = "out of bounds table access"
    UNDEFINED_ELEMENT = "undefined element"
    UNINITIALIZED_ELEMENT = "uninitialized element"
    INDIRECT_CALL_TYPE_MISMATCH = "indirect call type mismatch"
    UNKNOWN_IMPORT = "unknown import"
    HOST = "host function error"
    FUEL_EXHAUSTED = "all fuel consumed"
    INTERRUPTED = "interrupted"


class Trap(WasmError):
    """A runtime trap.  ``kind`` is a TrapKind; ``str()`` starts with its message.

    ``frames`` is filled in while the trap unwinds: the guest backtrace as a
    list of the function instances it passed through, innermost first (each
    has ``index``, ``name`` from the name section or None, and
    ``describe()`` -> "module!name").
    """

    def __init__(self, kind, detail=None, message=None):
        if message is None:
            message = kind.value if detail is None else "%s: %s" % (kind.value, detail)
        super().__init__(message)
        self.kind = kind
        self.frames = []


class ExhaustionError(WasmError):
    """A resource ran out: the call stack, fuel, time or memory budget."""


class ProcExit(Exception):
    """WASI ``proc_exit(code)``: ends the run with an exit status.

    Not a WasmError and not a Trap: a normal way for a guest to finish.
    """

    def __init__(self, code):
        super().__init__("process exited with status %d" % code)
        self.code = code


class InternalError(Exception):
    """Something that validation should have ruled out happened: a runtime bug."""
