/*
 * http_get URL [NAME:VALUE ...] - GET a URL with optional request headers,
 * print the status, the content-type, every response header and the body.
 * Exit status: 0 on success, 1 with a message on stderr on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_experimental_http.h"

static int fail(const char *what, uint32_t rc) {
    fprintf(stderr, "http_get: %s failed: error %u (%s)\n", what, (unsigned)rc,
            wasi_http_strerror(rc));
    return 1;
}

int main(int argc, char **argv) {
    char headers[4096] = "";
    uint16_t status = 0;
    wasi_http_handle_t handle = 0;
    char *value = NULL, *block = NULL;
    uint8_t *body = NULL;
    size_t body_len = 0;
    uint32_t rc;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: http_get URL [NAME:VALUE ...]\n");
        return 2;
    }
    for (i = 2; i < argc; i++) {
        if (strlen(headers) + strlen(argv[i]) + 2 > sizeof headers) break;
        strcat(headers, argv[i]);
        strcat(headers, "\n");
    }
    rc = wasi_http_request(argv[1], "GET", headers, NULL, 0, &status, &handle);
    if (rc) return fail("req", rc);
    printf("status: %u\n", (unsigned)status);

    rc = wasi_http_header_get_alloc(handle, "Content-Type", &value, NULL);
    if (rc == WASI_HTTP_SUCCESS) {
        printf("content-type: %s\n", value);
        free(value);
    } else if (rc != WASI_HTTP_HEADER_NOT_FOUND) {
        return fail("header_get", rc);
    }

    rc = wasi_http_headers_get_all_alloc(handle, &block, NULL);
    if (rc) return fail("headers_get_all", rc);
    printf("headers:\n%s", block);
    free(block);

    rc = wasi_http_body_read_all(handle, &body, &body_len);
    if (rc) return fail("body_read", rc);
    printf("body (%zu bytes):\n", body_len);
    fwrite(body, 1, body_len, stdout);
    if (body_len && body[body_len - 1] != '\n') putchar('\n');
    free(body);

    rc = wasi_experimental_http_close(handle);
    if (rc) return fail("close", rc);
    return 0;
}
