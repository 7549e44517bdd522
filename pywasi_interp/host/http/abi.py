"""Constants of the ``wasi_experimental_http`` guest ABI.

Implements shared/spec/wasi-experimental-http-abi.md, section 0 ("Quick
reference"), section 3 ("Error codes") and section 4.1 (integer widths).
Names follow the witx file: the enum ``http_error`` becomes
``HttpErrorCode`` with its members in declaration order.
"""

import enum
import struct

from ...types import I32

__all__ = [
    "MODULE_NAME", "FUNCTION_NAMES", "HttpErrorCode", "AbiError",
    "STATUS_CODE", "RESPONSE_HANDLE", "WRITTEN_BYTES", "U32_MAX",
    "REQ_PARAMS", "CLOSE_PARAMS", "HEADER_GET_PARAMS",
    "HEADERS_GET_ALL_PARAMS", "BODY_READ_PARAMS", "RESULTS", "TransportError",
]

MODULE_NAME = "wasi_experimental_http"
FUNCTION_NAMES = ("req", "close", "header_get", "headers_get_all", "body_read")

U32_MAX = 0xFFFFFFFF


class HttpErrorCode(enum.IntEnum):
    """``http_error`` (witx, tag ``u32``); section 3 lists when each occurs."""

    SUCCESS = 0
    INVALID_HANDLE = 1
    MEMORY_NOT_FOUND = 2
    MEMORY_ACCESS_ERROR = 3
    BUFFER_TOO_SMALL = 4
    HEADER_NOT_FOUND = 5
    UTF8_ERROR = 6
    DESTINATION_NOT_ALLOWED = 7
    INVALID_METHOD = 8
    INVALID_ENCODING = 9
    INVALID_URL = 10
    REQUEST_ERROR = 11
    RUNTIME_ERROR = 12
    TOO_MANY_SESSIONS = 13


class AbiError(Exception):
    """Internal: a guest-visible failure.  The adapter in functions.py turns it
    into the function's return value; it never leaves the host module."""

    def __init__(self, code, reason=None):
        super().__init__("%s (%d)%s" % (code.name.lower(), code,
                                        "" if reason is None else ": " + reason))
        self.code = HttpErrorCode(code)
        self.reason = reason


# Output slots, section 4.1: exact widths, little-endian, unsigned.  The Rust
# guest points status_code at a 2-byte stack slot, so the width matters.
STATUS_CODE = struct.Struct("<H")        # witx status_code: u16
RESPONSE_HANDLE = struct.Struct("<I")    # witx response_handle: u32
WRITTEN_BYTES = struct.Struct("<I")      # witx written_bytes: usize (wasm32)

# Wasm signatures of the five imports (section 0); every value is i32.
REQ_PARAMS = (I32,) * 10
CLOSE_PARAMS = (I32,)
HEADER_GET_PARAMS = (I32,) * 6
HEADERS_GET_ALL_PARAMS = (I32,) * 4
BODY_READ_PARAMS = (I32,) * 4
RESULTS = (I32,)


class TransportError(Exception):
    """The exchange failed; ``code`` is the ABI code the guest gets.  (Here
    rather than in client.py so that catching it needs no urllib3.)"""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = HttpErrorCode(code)
        self.reason = reason
