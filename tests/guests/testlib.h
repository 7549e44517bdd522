/* Tiny helpers shared by the WASI test guests: every check prints one line
 * "label: value" so that a test (or a differential run under wasmtime) can
 * compare whole outputs. */
#ifndef TESTLIB_H
#define TESTLIB_H
#include <stdio.h>
#include <string.h>
#include "wasi_raw.h"

/* Print an errno (0 = success). */
static void e(const char *label, int32_t err) { printf("%s: %d\n", label, err); }
/* Print a number. */
static void v(const char *label, long long value) { printf("%s: %lld\n", label, value); }
/* Print "ok" when err is one of the accepted errnos, else the errno. */
static void one_of(const char *label, int32_t err, int32_t a, int32_t b, int32_t c) {
    if (err == a || err == b || err == c) printf("%s: ok\n", label);
    else printf("%s: unexpected %d\n", label, err);
}

/* Open path under dir with the given oflags/rights; returns fd or -errno. */
static int32_t open_at(int32_t dir, const char *path, int32_t oflags, uint64_t base, int32_t fdflags) {
    int32_t fd = -1;
    int32_t err = raw_path_open(dir, 0, S(path), oflags, (int64_t)base, (int64_t)R_ALL, fdflags, P(&fd));
    return err ? -err : fd;
}

static int32_t write_str(int32_t fd, const char *text, uint32_t *written) {
    uint32_t iov[2] = {(uint32_t)P(text), (uint32_t)strlen(text)};
    return raw_fd_write(fd, P(iov), 1, P(written));
}

static int32_t read_n(int32_t fd, char *buf, uint32_t n, uint32_t *got) {
    uint32_t iov[2] = {(uint32_t)P(buf), n};
    return raw_fd_read(fd, P(iov), 1, P(got));
}

enum { E_BADF = 8, E_EXIST = 20, E_FAULT = 21, E_ILSEQ = 25, E_INVAL = 28, E_ISDIR = 31,
       E_LOOP = 32, E_NAMETOOLONG = 37, E_NOENT = 44, E_NOTDIR = 54, E_NOTEMPTY = 55,
       E_NOTSUP = 58, E_PERM = 63, E_SPIPE = 70, E_NOTCAPABLE = 76, E_NOTSOCK = 57,
       E_ACCES = 2 };
#endif
