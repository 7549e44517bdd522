;; br_table: a switch over 8 cases and a default (taken for a quarter of
;; the indexes), driven by a linear congruential generator.  Prints the
;; accumulator in hex and how often the default was taken.
;; bench-args default: 250000
;; bench-args large: 25000000
;; bench-expect default: br_table(250000) = 9fa061c1 62186
;; bench-expect large: br_table(25000000) = 6f35655b 6249926
(module
  ;; #include prelude.wat
  (data (i32.const 2048) "br_table")
  (func $_start (export "_start")
    (local $n i32) (local $i i32) (local $x i32) (local $acc i32) (local $other i32)
    (local.set $n (call $arg (i32.const 1) (i32.const 250000)))
    (local.set $x (i32.const 12345))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
        (block $end
          (block $default
            (block $c7 (block $c6 (block $c5 (block $c4
            (block $c3 (block $c2 (block $c1 (block $c0
              (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7 $c1 $c3 $c5 $c7 $default
                (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 15))))
              (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
              (br $end))
              (local.set $acc (i32.xor (local.get $acc) (local.get $x)))
              (br $end))
              (local.set $acc (i32.rotl (local.get $acc) (i32.const 3)))
              (br $end))
              (local.set $acc (i32.sub (local.get $acc) (local.get $i)))
              (br $end))
              (local.set $acc (i32.mul (local.get $acc) (i32.const 3)))
              (br $end))
              (local.set $acc (i32.add (local.get $acc) (i32.shr_u (local.get $x) (i32.const 7))))
              (br $end))
              (local.set $acc (i32.or (local.get $acc) (i32.const 0x10)))
              (br $end))
              (local.set $acc (i32.and (local.get $acc) (i32.const 0xfffeffff)))
              (br $end))
          (local.set $other (i32.add (local.get $other) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $put_head (i32.const 8) (local.get $n))
    (call $put_hex (i64.extend_i32_u (local.get $acc)) (i32.const 8))
    (call $put_space)
    (call $put_dec (i64.extend_i32_u (local.get $other)))
    (call $flush)))
