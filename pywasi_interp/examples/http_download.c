/*
 * http_download URL FILE [CHUNK] - stream a response body into FILE (a path
 * inside a directory the runtime preopened) with body_read, CHUNK bytes at a
 * time (default 65536), never holding the whole body.  Prints the status
 * and the byte count.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasi_experimental_http.h"

static int fail(const char *what, uint32_t rc) {
    fprintf(stderr, "http_download: %s failed: error %u (%s)\n", what, (unsigned)rc,
            wasi_http_strerror(rc));
    return 1;
}

int main(int argc, char **argv) {
    uint16_t status = 0;
    wasi_http_handle_t handle = 0;
    unsigned long long total = 0;
    size_t chunk = 65536;
    uint8_t *buf;
    FILE *out;
    uint32_t rc;

    if (argc < 3) {
        fprintf(stderr, "usage: http_download URL FILE [CHUNK]\n");
        return 2;
    }
    if (argc > 3) chunk = (size_t)strtoul(argv[3], NULL, 10);
    buf = malloc(chunk ? chunk : 1);
    if (buf == NULL) return fail("malloc", WASI_HTTP_GUEST_OUT_OF_MEMORY);
    rc = wasi_http_request(argv[1], "GET", NULL, NULL, 0, &status, &handle);
    if (rc) return fail("req", rc);
    out = fopen(argv[2], "wb");
    if (out == NULL) {
        perror("http_download: fopen");
        return 1;
    }
    for (;;) {
        size_t got = 0;
        rc = wasi_experimental_http_body_read(handle, buf, chunk, &got);
        if (rc) return fail("body_read", rc);
        if (got == 0) break;
        if (fwrite(buf, 1, got, out) != got) {
            perror("http_download: fwrite");
            return 1;
        }
        total += got;
    }
    fclose(out);
    wasi_experimental_http_close(handle);
    printf("status: %u\nsaved %llu bytes to %s\n", (unsigned)status, total, argv[2]);
    return 0;
}
