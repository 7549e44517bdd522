/*
 * wasi_experimental_http.h - C bindings for the wasi_experimental_http
 * host module (deislabs' HTTP ABI, as implemented by pywasi_interp).
 *
 * ABI reference: shared/spec/wasi-experimental-http-abi.md, section 0 (the
 * five imports), section 3 (error codes) and section 7.1 (what real guests
 * do: retry header reads on code 4 with a doubled buffer).
 *
 * The raw imports return an error code (0 = success).  The helpers below
 * allocate with malloc and retry on WASI_HTTP_BUFFER_TOO_SMALL, because the
 * host never reports the size it needed.
 */
#ifndef WASI_EXPERIMENTAL_HTTP_H
#define WASI_EXPERIMENTAL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* http_error (witx), in declaration order. */
enum {
    WASI_HTTP_SUCCESS = 0,
    WASI_HTTP_INVALID_HANDLE = 1,
    WASI_HTTP_MEMORY_NOT_FOUND = 2,
    WASI_HTTP_MEMORY_ACCESS_ERROR = 3,
    WASI_HTTP_BUFFER_TOO_SMALL = 4,
    WASI_HTTP_HEADER_NOT_FOUND = 5,
    WASI_HTTP_UTF8_ERROR = 6,
    WASI_HTTP_DESTINATION_NOT_ALLOWED = 7,
    WASI_HTTP_INVALID_METHOD = 8,
    WASI_HTTP_INVALID_ENCODING = 9,
    WASI_HTTP_INVALID_URL = 10,
    WASI_HTTP_REQUEST_ERROR = 11,
    WASI_HTTP_RUNTIME_ERROR = 12,
    WASI_HTTP_TOO_MANY_SESSIONS = 13,
    /* not a host code: malloc failed inside a helper */
    WASI_HTTP_GUEST_OUT_OF_MEMORY = 100
};

typedef uint32_t wasi_http_handle_t;

#define WASI_HTTP_IMPORT(name) \
    __attribute__((import_module("wasi_experimental_http"), import_name(name)))

/* --- the five imports, exactly as the host declares them ---------------- */

WASI_HTTP_IMPORT("req")
uint32_t wasi_experimental_http_req(
    const char *url, size_t url_len, const char *method, size_t method_len,
    const char *headers, size_t headers_len, const uint8_t *body, size_t body_len,
    uint16_t *status_out, wasi_http_handle_t *handle_out);

WASI_HTTP_IMPORT("close")
uint32_t wasi_experimental_http_close(wasi_http_handle_t handle);

WASI_HTTP_IMPORT("header_get")
uint32_t wasi_experimental_http_header_get(
    wasi_http_handle_t handle, const char *name, size_t name_len,
    char *value, size_t value_cap, size_t *written_out);

WASI_HTTP_IMPORT("headers_get_all")
uint32_t wasi_experimental_http_headers_get_all(
    wasi_http_handle_t handle, char *buf, size_t buf_cap, size_t *written_out);

WASI_HTTP_IMPORT("body_read")
uint32_t wasi_experimental_http_body_read(
    wasi_http_handle_t handle, uint8_t *buf, size_t buf_cap, size_t *written_out);

/* --- helpers --------------------------------------------------------------- */

/* A readable name for an error code ("destination_not_allowed", ...). */
const char *wasi_http_strerror(uint32_t code);

/* req with NUL-terminated url, method and header block ("name:value\n"...;
 * NULL for none).  body may be NULL when body_len is 0. */
uint32_t wasi_http_request(const char *url, const char *method, const char *headers,
                           const void *body, size_t body_len,
                           uint16_t *status, wasi_http_handle_t *handle);

/* First value of a response header, NUL-terminated, in a malloc'd buffer
 * (free it).  Retries on code 4 with a doubled buffer, 4 KiB up to 1 MiB. */
uint32_t wasi_http_header_get_alloc(wasi_http_handle_t handle, const char *name,
                                    char **value, size_t *len);

/* The whole header block ("name:value\n" per value), NUL-terminated and
 * malloc'd; same retry loop. */
uint32_t wasi_http_headers_get_all_alloc(wasi_http_handle_t handle, char **block,
                                         size_t *len);

/* Reads the rest of the body into a malloc'd buffer (NUL-terminated). */
uint32_t wasi_http_body_read_all(wasi_http_handle_t handle, uint8_t **body, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* WASI_EXPERIMENTAL_HTTP_H */
