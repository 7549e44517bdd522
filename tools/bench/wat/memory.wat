;; memory: passes over a 16 KiB array of i32 words at 65536 with i32.load,
;; i32.load8_u, i32.load16_s (with offsets), i32.store, i32.store8, then an
;; i64.load checksum; memory.grow once at the start.  Prints the checksum
;; in hex and the memory size in pages after the grow.
;; bench-args default: 30
;; bench-args large: 3000
;; bench-expect default: memory(30) = b6ae75ef06eca05a 3
;; bench-expect large: memory(3000) = 0b0af93d3ab6fa0d 3
(module
  ;; #include prelude.wat
  (data (i32.const 2048) "memory")
  (func $_start (export "_start")
    (local $n i32) (local $r i32) (local $j i32) (local $p i32) (local $q i32)
    (local $v i32) (local $sum i64) (local $pages i32)
    (local.set $n (call $arg (i32.const 1) (i32.const 30)))
    (drop (memory.grow (i32.const 1)))
    (local.set $pages (memory.size))
    (block $done
      (loop $init
        (br_if $done (i32.ge_u (local.get $j) (i32.const 4096)))
        (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $j) (i32.const 2)))
          (i32.mul (local.get $j) (i32.const 0x9e3779b1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $init)))
    (block $passes_done
      (loop $pass
        (br_if $passes_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $words_done
          (loop $word
            (br_if $words_done (i32.ge_u (local.get $j) (i32.const 4096)))
            (local.set $p (i32.add (i32.const 65536) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $q (i32.add (i32.const 65536) (i32.shl
              (i32.and (i32.add (i32.mul (local.get $j) (i32.const 13)) (local.get $r)) (i32.const 0xfff))
              (i32.const 2))))
            (local.set $v (i32.add (i32.add (i32.load (local.get $p))
                                            (i32.load8_u offset=1 (local.get $q)))
                                   (i32.load16_s offset=2 (local.get $q))))
            (i32.store (local.get $p) (i32.rotl (local.get $v) (i32.const 3)))
            (i32.store8 offset=1 (local.get $q) (local.get $v))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $word)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $pass)))
    (local.set $j (i32.const 0))
    (block $sum_done
      (loop $sum_next
        (br_if $sum_done (i32.ge_u (local.get $j) (i32.const 2048)))
        (local.set $sum (i64.add (i64.rotl (local.get $sum) (i64.const 7))
          (i64.load (i32.add (i32.const 65536) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sum_next)))
    (call $put_head (i32.const 6) (local.get $n))
    (call $put_hex (local.get $sum) (i32.const 16))
    (call $put_space)
    (call $put_dec (i64.extend_i32_u (local.get $pages)))
    (call $flush)))
