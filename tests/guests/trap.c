/* Traps and limits for the CLI tests.
 *   trap.wasm unreachable   __builtin_trap() three calls deep
 *   trap.wasm oob           a store far outside memory
 *   trap.wasm div0          integer division by zero
 *   trap.wasm recurse       unbounded recursion (call stack exhausted)
 *   trap.wasm spin          an endless loop (for --fuel / --timeout)
 *   trap.wasm grow MB       malloc 1 MiB blocks until MB or failure
 * Exports for --invoke: add(i32, i32), mul64(i64, i64), half(f64). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((export_name("add"))) int32_t add(int32_t a, int32_t b) { return a + b; }
__attribute__((export_name("mul64"))) int64_t mul64(int64_t a, int64_t b) { return a * b; }
__attribute__((export_name("half"))) double half(double x) { return x / 2; }

__attribute__((noinline)) void innermost_trap(void) { __builtin_trap(); }
__attribute__((noinline)) void middle(void) { innermost_trap(); puts("not reached"); }
__attribute__((noinline)) void outer(void) { middle(); puts("not reached"); }

volatile int sink;
__attribute__((noinline)) int recurse(int n) { sink = n; return recurse(n + 1) + 1; }

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "unreachable";
    printf("mode %s\n", mode);
    fflush(stdout);
    if (strcmp(mode, "unreachable") == 0) outer();
    if (strcmp(mode, "oob") == 0) *(volatile int *)(uintptr_t)0xFFFFFFF0u = 1;
    if (strcmp(mode, "div0") == 0) { volatile int zero = 0; sink = 10 / zero; }
    if (strcmp(mode, "recurse") == 0) sink = recurse(0);
    if (strcmp(mode, "spin") == 0) for (;;) sink++;
    if (strcmp(mode, "grow") == 0) {
        int limit = argc > 2 ? atoi(argv[2]) : 64, got = 0;
        /* Keep and touch each block, or the compiler may drop the malloc. */
        static char *volatile blocks[4096];
        while (got < limit && got < 4096) {
            char *block = malloc(1 << 20);
            if (block == NULL) break;
            block[0] = 1;
            blocks[got++] = block;
        }
        printf("allocated %d MiB\n", got);
    }
    return 0;
}
