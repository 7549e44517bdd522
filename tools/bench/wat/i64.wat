;; i64: a 64-bit LCG feeding i64.mul, rotl, shr_u/shr_s, div_u, rem_u,
;; div_s, popcnt, clz, signed and unsigned compares with select.  Prints
;; three 64-bit accumulators in hex.
;; bench-args default: 75000
;; bench-args large: 7500000
;; bench-expect default: i64(75000) = a5244169f36b0552 000048de523a0218 20ac2bf2b873ab62
;; bench-expect large: i64(7500000) = 4c47619af1afa967 001c9c744b67ddac 271bf2d60a995e83
(module
  ;; #include prelude.wat
  (data (i32.const 2048) "i64")
  (func $_start (export "_start")
    (local $n i32) (local $i i32) (local $x i64) (local $y i64) (local $z i64) (local $w i64)
    (local.set $n (call $arg (i32.const 1) (i32.const 75000)))
    (local.set $x (i64.const 0x0123456789abcdef))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))
                               (i64.const 1442695040888963407)))
        (local.set $y (i64.xor (local.get $y) (i64.rotl (local.get $x) (i64.const 17))))
        (local.set $z (i64.add (local.get $z) (i64.shr_u (local.get $x) (i64.const 33))))
        (local.set $w (i64.add (local.get $w)
          (i64.add (i64.div_u (local.get $y) (i64.or (i64.shr_u (local.get $x) (i64.const 40)) (i64.const 1)))
                   (i64.rem_u (local.get $z) (i64.const 1000003)))))
        (local.set $w (i64.add (local.get $w)
          (i64.div_s (i64.shr_s (local.get $y) (i64.const 3)) (i64.const -7))))
        (local.set $z (i64.add (local.get $z)
          (i64.add (i64.popcnt (local.get $x)) (i64.clz (local.get $y)))))
        (local.set $y (select (i64.sub (local.get $y) (local.get $w)) (local.get $y)
          (i64.lt_s (local.get $x) (local.get $w))))
        (local.set $w (select (local.get $w) (i64.xor (local.get $w) (i64.const -1))
          (i64.gt_u (local.get $z) (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $put_head (i32.const 3) (local.get $n))
    (call $put_hex (local.get $y) (i32.const 16))
    (call $put_space)
    (call $put_hex (local.get $z) (i32.const 16))
    (call $put_space)
    (call $put_hex (local.get $w) (i32.const 16))
    (call $flush)))
