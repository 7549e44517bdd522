/* SIMD guest: vectorised dot products, a byte scan and a tour of the v128
 * instruction families, each printing one "label: value" line so the whole
 * output can be compared with wasmtime's.
 *
 * SIMD is enabled per function (target("simd128")) rather than with
 * -msimd128, so tools/build_guests.py builds it with the common flags; the
 * auto-vectorised loops are vectorised because their functions carry the
 * attribute too (check with wasm2wat: the module has 0xFD instructions).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasm_simd128.h>

#define SIMD __attribute__((target("simd128"), noinline))
#define N 1000

static int16_t a16[N], b16[N];
static float af[N], bf[N];
static int32_t ai[N], bi[N];
static unsigned char text[4096];

/* pmaddwd-style: i32x4.dot_i16x8_s over 8 lanes at a time. */
SIMD static int32_t dot_i16(const int16_t *a, const int16_t *b, int n) {
    v128_t acc = wasm_i32x4_splat(0);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    int32_t sum = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1)
                + wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

SIMD static float dot_f32(const float *a, const float *b, int n) {
    v128_t acc = wasm_f32x4_splat(0.0f);
    int i = 0;
    for (; i + 4 <= n; i += 4)
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    float sum = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)
              + wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

/* Count bytes equal to c, and find the first: i8x16.eq + bitmask. */
SIMD static int count_byte(const unsigned char *p, int n, unsigned char c, int *first) {
    v128_t needle = wasm_i8x16_splat((int8_t)c);
    int count = 0, i = 0;
    *first = -1;
    for (; i + 16 <= n; i += 16) {
        uint32_t mask = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p + i), needle));
        if (mask && *first < 0) *first = i + __builtin_ctz(mask);
        count += __builtin_popcount(mask);
    }
    for (; i < n; i++)
        if (p[i] == c) { if (*first < 0) *first = i; count++; }
    return count;
}

/* Plain C loops the vectoriser turns into v128 code. */
SIMD static int64_t auto_sum(const int32_t *a, const int32_t *b, int n) {
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += (int64_t)(a[i] * 3 - b[i]);
    return s;
}

SIMD static void auto_saxpy(float *y, const float *x, float k, int n) {
    for (int i = 0; i < n; i++) y[i] = k * x[i] + y[i];
}

static uint32_t fold(v128_t v) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++) {
        h ^= ((unsigned char *)&v)[i];
        h *= 16777619u;
    }
    return h;
}

static void show(const char *label, v128_t v) { printf("%s: %08x\n", label, fold(v)); }

/* Inputs come from memory filled at run time (they depend on argc), so
 * clang cannot fold the operations below into constants. */
static int8_t xin[16] = {1, -2, 3, -4, 5, -6, 7, -8, 127, -128, 100, -100, 0, 50, -50, 9};
static int8_t yin[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5, -128};
static int32_t iin[8] = {-1, 0, 0x0F0F0F0F, 0x12345678, -1, 70000, 65535, 3};
static float fin[8] = {1.5f, -2.5f, 1e30f, -0.0f, 0.1f, 3.0f, 1e10f, 0.0f};
static double din[4] = {2.0, -1e300, -0.5, 2.25};
static int64_t lin[4] = {-3, 1LL << 40, 7, (1LL << 30) + 5};

/* NaN results of invalid operations (0/0, sqrt(-x)) have an unspecified
 * sign: hardware gives -nan, the spec allows either.  Clear sign bits
 * before printing those. */
#define ABS32(v) wasm_v128_and(v, wasm_i32x4_splat(0x7FFFFFFF))
#define ABS64(v) wasm_v128_and(v, wasm_i64x2_splat(0x7FFFFFFFFFFFFFFFLL))

SIMD static void tour(void) {
    v128_t x = wasm_v128_load(xin);
    v128_t y = wasm_v128_load(yin);
    v128_t m = wasm_v128_load(iin);
    v128_t m2 = wasm_v128_load(iin + 4);
    show("i8x16.add_sat_s", wasm_i8x16_add_sat(x, y));
    show("u8x16.sub_sat", wasm_u8x16_sub_sat(x, y));
    show("i8x16.min/max", wasm_v128_xor(wasm_i8x16_min(x, y), wasm_u8x16_max(x, y)));
    show("u8x16.avgr", wasm_u8x16_avgr(x, y));
    show("i8x16.popcnt", wasm_i8x16_popcnt(x));
    show("i8x16.abs", wasm_i8x16_abs(y));
    show("i8x16.shuffle", wasm_i8x16_shuffle(x, y, 0, 17, 2, 19, 4, 21, 6, 23, 31, 30, 29, 28, 15, 14, 13, 12));
    show("i8x16.swizzle", wasm_i8x16_swizzle(x, wasm_i8x16_add(y, wasm_i8x16_splat(3))));
    show("i8x16.shr_s", wasm_i8x16_shr(x, (uint32_t)xin[0] + 2));
    show("i8x16.gt_s", wasm_i8x16_gt(x, y));
    show("u8x16.le", wasm_u8x16_le(x, y));
    v128_t w = wasm_i16x8_extend_low_i8x16(x);
    v128_t z = wasm_u16x8_extend_high_u8x16(y);
    show("i16x8.extend", wasm_v128_or(w, wasm_i16x8_shl(z, 1)));
    show("i16x8.mul", wasm_i16x8_mul(w, z));
    show("i16x8.q15mulr", wasm_i16x8_q15mulr_sat(wasm_i16x8_splat(-32768), wasm_i16x8_shl(w, 8)));
    show("i8x16.narrow", wasm_i8x16_narrow_i16x8(wasm_i16x8_mul(w, w), z));
    show("u16x8.narrow", wasm_u16x8_narrow_i32x4(m2, m));
    show("i32x4.extmul", wasm_i32x4_extmul_high_i16x8(w, z));
    show("i16x8.extadd", wasm_i16x8_extadd_pairwise_i8x16(x));
    v128_t l = wasm_v128_load(lin), l2 = wasm_v128_load(lin + 2);
    show("i64x2.mul", wasm_i64x2_mul(l, l2));
    show("i64x2.shr_s", wasm_i64x2_shr(wasm_i64x2_mul(l, l), (uint32_t)lin[2] + 58));
    show("i64x2.lt_s", wasm_i64x2_lt(l, l2));
    show("i64x2.abs/neg", wasm_v128_xor(wasm_i64x2_abs(l), wasm_i64x2_neg(l2)));
    show("i32x4.bitmask", wasm_i32x4_splat((int32_t)wasm_i32x4_bitmask(m)));
    show("i32x4.min_u", wasm_u32x4_min(m, m2));
    show("i32x4.mul", wasm_i32x4_mul(m, m2));
    printf("all_true: %d %d\n", wasm_i8x16_all_true(x), wasm_i8x16_all_true(y));
    printf("any_true: %d\n", wasm_v128_any_true(wasm_v128_and(x, wasm_v128_not(x))));
    show("bitselect", wasm_v128_bitselect(x, y, m));

    v128_t f = wasm_v128_load(fin);
    v128_t g = wasm_v128_load(fin + 4);
    show("f32x4.div", ABS32(wasm_f32x4_div(f, g)));
    show("f32x4.sqrt", wasm_f32x4_sqrt(wasm_f32x4_abs(f)));
    show("f32x4.nearest", wasm_f32x4_nearest(f));
    show("f32x4.floor", wasm_f32x4_floor(wasm_f32x4_mul(f, g)));
    show("f32x4.min", wasm_f32x4_min(f, g));
    show("f32x4.pmax", wasm_f32x4_pmax(f, g));
    show("f32x4.lt", wasm_f32x4_lt(f, g));
    show("i32x4.trunc_sat", wasm_i32x4_trunc_sat_f32x4(f));
    show("f32x4.convert_u", wasm_f32x4_convert_u32x4(wasm_i32x4_add(m, wasm_i32x4_splat(16777216))));
    show("f32x4.convert_s", wasm_f32x4_convert_i32x4(m2));
    v128_t d = wasm_v128_load(din);
    v128_t e = wasm_v128_load(din + 2);
    show("f64x2.sqrt", ABS64(wasm_f64x2_sqrt(d)));
    show("f64x2.div/sub", wasm_f64x2_sub(wasm_f64x2_div(d, e), e));
    show("f64x2.pmin/max", wasm_v128_xor(wasm_f64x2_pmin(d, e), wasm_f64x2_max(d, e)));
    show("f64x2.ge", wasm_f64x2_ge(d, e));
    show("f64x2.mul", wasm_f64x2_mul(d, d));
    show("f64x2.ceil", wasm_f64x2_ceil(e));
    show("f64x2.nearest", wasm_f64x2_nearest(wasm_f64x2_mul(e, d)));
    show("f64x2.promote", wasm_f64x2_promote_low_f32x4(f));
    show("f32x4.demote", wasm_f32x4_demote_f64x2_zero(d));
    show("f64x2.convert_low", wasm_f64x2_convert_low_i32x4(m2));
    show("f64x2.convert_low_u", wasm_f64x2_convert_low_u32x4(m));
    show("i32x4.trunc_sat_zero", wasm_u32x4_trunc_sat_f64x2_zero(wasm_f64x2_mul(e, wasm_f64x2_splat(3e9))));
    show("i32x4.trunc_sat_s_zero", wasm_i32x4_trunc_sat_f64x2_zero(d));
    printf("f64 lane: %.17g\n", wasm_f64x2_extract_lane(wasm_f64x2_replace_lane(d, 1, 0.25), 1));

    /* Memory forms: splat, extend, zero, lane loads and stores. */
    static unsigned char buf[64];
    for (int i = 0; i < 64; i++) buf[i] = (unsigned char)(i * 37 + 11);
    show("load8_splat", wasm_v128_load8_splat(buf + 3));
    show("load32_splat", wasm_v128_load32_splat(buf + 5));
    show("load8x8_s", wasm_i16x8_load8x8(buf + 7));
    show("load32x2_u", wasm_u64x2_load32x2(buf + 9));
    show("load64_zero", wasm_v128_load64_zero(buf + 11));
    show("load16_lane", wasm_v128_load16_lane(buf + 13, x, 5));
    wasm_v128_store32_lane(buf + 40, y, 3);
    wasm_v128_store(buf + 20, wasm_i16x8_sub(w, z));
    show("stored", wasm_v128_load(buf + 18));
}

int main(int argc, char **argv) {
    (void)argv;
    /* argc is 1: the inputs are unchanged, but unknown to the compiler. */
    for (int i = 0; i < 16; i++) { xin[i] = (int8_t)(xin[i] + argc - 1); yin[i] = (int8_t)(yin[i] * argc); }
    for (int i = 0; i < 8; i++) { iin[i] += argc - 1; fin[i] *= (float)argc; }
    for (int i = 0; i < 4; i++) { din[i] *= argc; lin[i] += argc - 1; }
    for (int i = 0; i < N; i++) {
        a16[i] = (int16_t)((i * 7919) % 65536 - 32768);
        b16[i] = (int16_t)((i * 104729) % 2001 - 1000);
        af[i] = (float)(i % 17) * 0.25f - 2.0f;
        bf[i] = (float)(i % 13) * 0.5f + 1.0f;
        ai[i] = i * 1000003;
        bi[i] = i ^ 0x5555;
    }
    for (int i = 0; i < (int)sizeof text; i++) text[i] = (unsigned char)("the quick brown fox "[i % 20] + (i % 97 == 0));
    printf("dot_i16: %d\n", dot_i16(a16, b16, N));
    printf("dot_f32: %.9g\n", dot_f32(af, bf, N));
    int first;
    int count = count_byte(text, (int)sizeof text, 'o', &first);
    printf("count o: %d first %d\n", count, first);
    count = count_byte(text, (int)sizeof text, '!', &first);
    printf("count !: %d first %d\n", count, first);
    printf("auto_sum: %lld\n", (long long)auto_sum(ai, bi, N));
    auto_saxpy(bf, af, 1.5f, N);
    printf("saxpy: %.9g %.9g\n", bf[0], bf[N - 1]);
    printf("dot_f32 again: %.9g\n", dot_f32(af, bf, N));
    tour();
    return 0;
}
