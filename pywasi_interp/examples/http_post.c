/*
 * http_post URL [BODY] - POST BODY (default: a fixed sentence) as text/plain
 * with an extra "abc: def" header, print the status and the response body
 * (an echo server shows what it received).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_experimental_http.h"

static int fail(const char *what, uint32_t rc) {
    fprintf(stderr, "http_post: %s failed: error %u (%s)\n", what, (unsigned)rc,
            wasi_http_strerror(rc));
    return 1;
}

int main(int argc, char **argv) {
    const char *text = "Testing with a request body. Does this actually work?";
    uint16_t status = 0;
    wasi_http_handle_t handle = 0;
    uint8_t *body = NULL;
    size_t body_len = 0;
    uint32_t rc;

    if (argc < 2) {
        fprintf(stderr, "usage: http_post URL [BODY]\n");
        return 2;
    }
    if (argc > 2) text = argv[2];
    rc = wasi_http_request(argv[1], "POST", "content-type:text/plain\nabc:def\n",
                           text, strlen(text), &status, &handle);
    if (rc) return fail("req", rc);
    printf("status: %u\n", (unsigned)status);
    rc = wasi_http_body_read_all(handle, &body, &body_len);
    if (rc) return fail("body_read", rc);
    fwrite(body, 1, body_len, stdout);
    if (body_len && body[body_len - 1] != '\n') putchar('\n');
    free(body);
    wasi_experimental_http_close(handle);
    return 0;
}
