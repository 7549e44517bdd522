/*
 * wasi_experimental_http.c - helpers over the five raw imports.
 * See wasi_experimental_http.h; ABI: shared/spec/wasi-experimental-http-abi.md.
 */
#include "wasi_experimental_http.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 4096u
#define MAX_CAP (1024u * 1024u)

const char *wasi_http_strerror(uint32_t code) {
    static const char *const names[] = {
        "success", "invalid_handle", "memory_not_found", "memory_access_error",
        "buffer_too_small", "header_not_found", "utf8_error",
        "destination_not_allowed", "invalid_method", "invalid_encoding",
        "invalid_url", "request_error", "runtime_error", "too_many_sessions",
    };
    if (code < sizeof names / sizeof names[0]) return names[code];
    if (code == WASI_HTTP_GUEST_OUT_OF_MEMORY) return "guest_out_of_memory";
    return "unknown_error";
}

uint32_t wasi_http_request(const char *url, const char *method, const char *headers,
                           const void *body, size_t body_len,
                           uint16_t *status, wasi_http_handle_t *handle) {
    /* Empty slices still need a valid pointer; "" serves for all of them. */
    if (headers == NULL) headers = "";
    if (body == NULL) body = "";
    return wasi_experimental_http_req(url, strlen(url), method, strlen(method),
                                      headers, strlen(headers), (const uint8_t *)body,
                                      body_len, status, handle);
}

/* The retry-on-4 loop of section 7.1: the host writes nothing and reports
 * no size when the buffer is too small, so double it and ask again. */
typedef uint32_t (*fetch_fn)(wasi_http_handle_t, const char *, char *, size_t, size_t *);

static uint32_t fetch_header(wasi_http_handle_t h, const char *name, char *buf,
                             size_t cap, size_t *written) {
    return wasi_experimental_http_header_get(h, name, strlen(name), buf, cap, written);
}

static uint32_t fetch_all(wasi_http_handle_t h, const char *name, char *buf,
                          size_t cap, size_t *written) {
    (void)name;
    return wasi_experimental_http_headers_get_all(h, buf, cap, written);
}

static uint32_t fetch_growing(fetch_fn fetch, wasi_http_handle_t handle, const char *name,
                              char **out, size_t *len) {
    size_t cap = FIRST_CAP;
    for (;;) {
        char *buf = malloc(cap + 1);
        size_t written = 0;
        uint32_t rc;
        if (buf == NULL) return WASI_HTTP_GUEST_OUT_OF_MEMORY;
        rc = fetch(handle, name, buf, cap, &written);
        if (rc == WASI_HTTP_SUCCESS) {
            buf[written] = '\0';
            *out = buf;
            if (len) *len = written;
            return rc;
        }
        free(buf);
        if (rc != WASI_HTTP_BUFFER_TOO_SMALL || cap >= MAX_CAP) return rc;
        cap *= 2;
    }
}

uint32_t wasi_http_header_get_alloc(wasi_http_handle_t handle, const char *name,
                                    char **value, size_t *len) {
    return fetch_growing(fetch_header, handle, name, value, len);
}

uint32_t wasi_http_headers_get_all_alloc(wasi_http_handle_t handle, char **block,
                                         size_t *len) {
    return fetch_growing(fetch_all, handle, NULL, block, len);
}

uint32_t wasi_http_body_read_all(wasi_http_handle_t handle, uint8_t **body, size_t *len) {
    size_t size = 0, cap = 16384;
    uint8_t *buf = malloc(cap + 1);
    if (buf == NULL) return WASI_HTTP_GUEST_OUT_OF_MEMORY;
    for (;;) {
        size_t got = 0;
        uint32_t rc;
        if (cap - size < 4096) {
            uint8_t *bigger = realloc(buf, cap * 2 + 1);
            if (bigger == NULL) { free(buf); return WASI_HTTP_GUEST_OUT_OF_MEMORY; }
            buf = bigger;
            cap *= 2;
        }
        rc = wasi_experimental_http_body_read(handle, buf + size, cap - size, &got);
        if (rc != WASI_HTTP_SUCCESS) { free(buf); return rc; }
        if (got == 0) break;            /* 0 bytes: end of body */
        size += got;
    }
    buf[size] = '\0';
    *body = buf;
    if (len) *len = size;
    return WASI_HTTP_SUCCESS;
}
