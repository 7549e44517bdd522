;; f32: single-precision arithmetic on locals: mul, add, sub, div, sqrt,
;; min, max, abs, neg, copysign, compares, f32.convert_i32_u and
;; i32.trunc_f32_s.  Every result must round to f32 exactly; prints the bit
;; patterns of two accumulators in hex and an integer sum.
;; bench-args default: 80000
;; bench-args large: 8000000
;; bench-expect default: f32(80000) = 44121550 bfdbe72f 2538498
;; bench-expect large: f32(8000000) = 43208dec c4b831ce 253300898
(module
  ;; #include prelude.wat
  (data (i32.const 2048) "f32")
  (func $_start (export "_start")
    (local $n i32) (local $i i32) (local $k i32)
    (local $a f32) (local $s f32) (local $x f32) (local $b f32) (local $c f32)
    (local.set $n (call $arg (i32.const 1) (i32.const 80000)))
    (local.set $a (f32.const 1.0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (f32.convert_i32_u (i32.and (local.get $i) (i32.const 1023))))
        (local.set $a (f32.add (f32.mul (local.get $a) (f32.const 1.000123))
                               (f32.mul (local.get $x) (f32.const 0.001))))
        (if (f32.gt (local.get $a) (f32.const 1000))
          (then (local.set $a (f32.mul (local.get $a) (f32.const 0.001)))))
        (local.set $b (f32.sqrt (f32.add (local.get $a) (f32.const 1))))
        (local.set $c (f32.div (f32.add (local.get $x) (f32.const 0.5)) (local.get $b)))
        (local.set $s (f32.sub (f32.add (local.get $s) (f32.min (local.get $c) (local.get $b)))
                               (f32.max (f32.mul (local.get $c) (f32.const 0.25)) (f32.const 0.1))))
        (local.set $s (f32.copysign (f32.abs (local.get $s)) (f32.neg (local.get $b))))
        (local.set $k (i32.add (local.get $k) (i32.trunc_f32_s (local.get $c))))
        (if (f32.gt (f32.abs (local.get $s)) (f32.const 1e6))
          (then (local.set $s (f32.mul (local.get $s) (f32.const 0.5)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $put_head (i32.const 3) (local.get $n))
    (call $put_hex (i64.extend_i32_u (i32.reinterpret_f32 (local.get $a))) (i32.const 8))
    (call $put_space)
    (call $put_hex (i64.extend_i32_u (i32.reinterpret_f32 (local.get $s))) (i32.const 8))
    (call $put_space)
    (call $put_dec (i64.extend_i32_u (local.get $k)))
    (call $flush)))
