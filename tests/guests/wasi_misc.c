/* args, environ, clocks, random_get, poll_oneoff, sched_yield, proc_raise,
 * proc_exit, sock_* and stdio, one line per check.
 *   wasi_misc.wasm [portable]  all checks (portable: without bad pointers)
 *   wasi_misc.wasm exit N      proc_exit(N)
 *   wasi_misc.wasm cat         copy stdin to stdout with fd_read/fd_write
 *   wasi_misc.wasm stderr      a line on stderr */
#include <stdint.h>
#include <stdlib.h>
#include "testlib.h"

static uint8_t subs[3 * 48] __attribute__((aligned(8)));
static uint8_t events[3 * 32] __attribute__((aligned(8)));

static void put_clock_sub(uint8_t *s, uint64_t userdata, uint32_t clock, uint64_t timeout, uint16_t flags) {
    memset(s, 0, 48);
    *(uint64_t *)s = userdata;
    s[8] = 0;
    *(uint32_t *)(s + 16) = clock;
    *(uint64_t *)(s + 24) = timeout;
    *(uint16_t *)(s + 40) = flags;
}

static void put_fd_sub(uint8_t *s, uint64_t userdata, uint8_t type, uint32_t fd) {
    memset(s, 0, 48);
    *(uint64_t *)s = userdata;
    s[8] = type;
    *(uint32_t *)(s + 16) = fd;
}

static uint64_t now(uint32_t clock) {
    uint64_t t = 0;
    raw_clock_time_get(clock, 1, P(&t));
    return t;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && strcmp(argv[1], "exit") == 0) raw_proc_exit(atoi(argv[2]));
    if (argc > 1 && strcmp(argv[1], "cat") == 0) {
        static char data[4096];
        uint32_t n = 0, w = 0;
        for (;;) {
            int32_t err = read_n(0, data, sizeof data, &n);
            if (err) { fprintf(stderr, "read error %d\n", err); return 1; }
            if (n == 0) return 0;
            uint32_t iov[2] = {(uint32_t)P(data), n};
            raw_fd_write(1, P(iov), 1, P(&w));
        }
    }
    if (argc > 1 && strcmp(argv[1], "stderr") == 0) {
        fprintf(stderr, "to stderr\n");
        return 3;
    }
    int portable = argc > 1 && strcmp(argv[1], "portable") == 0;

    uint32_t count = 0, size = 0;
    e("args_sizes_get", raw_args_sizes_get(P(&count), P(&size)));
    v("argc", count);
    v("argv bytes", size);
    for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    e("environ_sizes_get", raw_environ_sizes_get(P(&count), P(&size)));
    v("environ count", count);
    char **env = malloc((count + 1) * sizeof(char *));
    char *env_buf = malloc(size + 1);
    e("environ_get", raw_environ_get(P(env), P(env_buf)));
    for (uint32_t i = 0; i < count; i++) printf("env: %s\n", env[i]);
    printf("getenv(GREETING): %s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
    if (!portable) {
        e("args_sizes_get bad pointer", raw_args_sizes_get(BAD_PTR, P(&size)));
        e("args_get bad pointer", raw_args_get(BAD_PTR, P(env_buf)));
        e("environ_get bad buffer", raw_environ_get(P(env), BAD_PTR));
    }

    /* wasmtime has no CPU-time clocks (BADF); we do, as the witx lists them */
    for (uint32_t clock = 0; clock < (portable ? 2u : 4u); clock++) {
        uint64_t res = 0, t = 0;
        printf("clock %u: res_get %d positive %d time_get %d\n", clock,
               raw_clock_res_get(clock, P(&res)), res > 0, raw_clock_time_get(clock, 0, P(&t)));
    }
    uint64_t t = 0;
    if (!portable) e("clock_res_get invalid clock", raw_clock_res_get(9, P(&t)));
    if (!portable) e("clock_time_get invalid clock", raw_clock_time_get(9, 0, P(&t)));
    if (!portable) e("clock_time_get bad pointer", raw_clock_time_get(0, 0, BAD_PTR));
    v("realtime after 2020", now(0) > 1577836800000000000ull);
    uint64_t m1 = now(1), m2 = now(1);
    v("monotonic does not go back", m2 >= m1);

    uint8_t r1[32] = {0}, r2[32] = {0};
    e("random_get", raw_random_get(P(r1), sizeof r1));
    raw_random_get(P(r2), sizeof r2);
    v("random differs", memcmp(r1, r2, sizeof r1) != 0);
    e("random_get empty", raw_random_get(P(r1), 0));
    if (!portable) e("random_get bad buffer", raw_random_get(BAD_PTR, 64));
    e("sched_yield", raw_sched_yield());

    /* poll_oneoff: a relative clock */
    uint32_t nevents = 0;
    put_clock_sub(subs, 42, 1, 20000000ull, 0);
    uint64_t before = now(1);
    e("poll clock 20ms", raw_poll_oneoff(P(subs), P(events), 1, P(&nevents)));
    uint64_t waited = now(1) - before;
    v("poll events", nevents);
    v("event userdata", (long long)*(uint64_t *)events);
    v("event error", *(uint16_t *)(events + 8));
    v("event type", events[10]);
    v("waited at least 20ms", waited >= 20000000ull);
    /* an absolute deadline already past */
    put_clock_sub(subs, 7, 1, 0, 1);
    e("poll abstime past", raw_poll_oneoff(P(subs), P(events), 1, P(&nevents)));
    v("poll abstime events", nevents);
    /* stdout is writable at once: the fd event comes before a 5 s clock */
    put_fd_sub(subs, 1, 2, 1);
    put_clock_sub(subs + 48, 2, 1, 5000000000ull, 0);
    before = now(1);
    e("poll stdout write", raw_poll_oneoff(P(subs), P(events), 2, P(&nevents)));
    v("poll stdout events", nevents);
    v("first event userdata", (long long)*(uint64_t *)events);
    v("first event type", events[10]);
    v("did not wait for the clock", now(1) - before < 4000000000ull);
    /* a bad descriptor is reported in its event (witx), where wasmtime
     * fails the whole call with BADF */
    if (!portable) {
    put_fd_sub(subs, 9, 1, 77);
    e("poll bad fd", raw_poll_oneoff(P(subs), P(events), 1, P(&nevents)));
    v("bad fd events", nevents);
    v("bad fd event error", *(uint16_t *)(events + 8));
    }
    e("poll nothing", raw_poll_oneoff(P(subs), P(events), 0, P(&nevents)));
    if (!portable) e("poll bad pointer", raw_poll_oneoff(BAD_PTR, P(events), 1, P(&nevents)));

    e("proc_raise", raw_proc_raise(15));
    int32_t newfd = 0;
    uint32_t n = 0;
    uint8_t flags16[2] __attribute__((aligned(2)));
    uint32_t iov[2] = {(uint32_t)P(r1), 4};
    e("sock_accept stdin", raw_sock_accept(0, 0, P(&newfd)));
    e("sock_recv stdin", raw_sock_recv(0, P(iov), 1, 0, P(&n), P(flags16)));
    e("sock_send stdout", raw_sock_send(1, P(iov), 1, 0, P(&n)));
    e("sock_shutdown stdout", raw_sock_shutdown(1, 3));
    e("sock_accept bad fd", raw_sock_accept(99, 0, P(&newfd)));

    uint8_t fdstat[24] __attribute__((aligned(8)));
    e("fdstat stdout", raw_fd_fdstat_get(1, P(fdstat)));
    v("stdout writable", (*(uint64_t *)(fdstat + 8) & R_FD_WRITE) != 0);
    v("stdout not seekable", (*(uint64_t *)(fdstat + 8) & R_FD_SEEK) == 0);
    e("fdstat stdin", raw_fd_fdstat_get(0, P(fdstat)));
    v("stdin readable", (*(uint64_t *)(fdstat + 8) & R_FD_READ) != 0);
    e("close stdin", raw_fd_close(0));
    e("fdstat closed stdin", raw_fd_fdstat_get(0, P(fdstat)));
    printf("done\n");
    return 0;
}
