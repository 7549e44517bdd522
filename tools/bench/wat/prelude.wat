;; Shared prelude of the micro-workloads, spliced by tools/bench/build_wat.py
;; where a workload says ";; #include prelude.wat".  WASI imports, one
;; exported memory, and helpers to read argv[i] as a decimal number and to
;; print one line ("name(n) = ...") to stdout.
;;
;; Scratch memory below 4096: 0 argc, 4 argv buffer size, 16 iovec,
;; 24 nwritten, 64..319 argv pointers, 512..1023 argv strings, 1024..1535
;; the output line, 1536..1560 decimal digits, 2040 ") = ", 2048.. the
;; workload's name.  Workloads use memory from 65536 (page 1) on.
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 2040) ") = ")
  (global $cursor (mut i32) (i32.const 1024))

  ;; argv[i] as an unsigned decimal, or $default when absent.
  (func $arg (param $i i32) (param $default i32) (result i32)
    (local $p i32) (local $n i32) (local $c i32)
    (if (call $args_sizes_get (i32.const 0) (i32.const 4)) (then (return (local.get $default))))
    (if (i32.ge_u (local.get $i) (i32.load (i32.const 0))) (then (return (local.get $default))))
    (if (i32.gt_u (i32.load (i32.const 0)) (i32.const 64)) (then (return (local.get $default))))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 512)) (then (return (local.get $default))))
    (if (call $args_get (i32.const 64) (i32.const 512)) (then (return (local.get $default))))
    (local.set $p (i32.load (i32.add (i32.const 64) (i32.shl (local.get $i) (i32.const 2)))))
    (block $done
      (loop $digits
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 10)) (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digits)))
    (local.get $n))

  (func $put_byte (param $b i32)
    (i32.store8 (global.get $cursor) (local.get $b))
    (global.set $cursor (i32.add (global.get $cursor) (i32.const 1))))

  (func $put_str (param $p i32) (param $len i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (call $put_byte (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next))))

  ;; $v as an unsigned decimal.
  (func $put_dec (param $v i64)
    (local $p i32)
    (local.set $p (i32.const 1560))
    (loop $next
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $next (i64.ne (local.get $v) (i64.const 0))))
    (call $put_str (local.get $p) (i32.sub (i32.const 1560) (local.get $p))))

  ;; The low $digits hex digits of $v, lower case.
  (func $put_hex (param $v i64) (param $digits i32)
    (local $d i32)
    (loop $next
      (local.set $digits (i32.sub (local.get $digits) (i32.const 1)))
      (local.set $d (i32.wrap_i64 (i64.and
        (i64.shr_u (local.get $v) (i64.extend_i32_u (i32.shl (local.get $digits) (i32.const 2))))
        (i64.const 15))))
      (call $put_byte (i32.add (local.get $d)
        (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $d) (i32.const 10)))))
      (br_if $next (local.get $digits))))

  ;; "name(n) = ": the name is the workload's data at 2048, $len bytes.
  (func $put_head (param $len i32) (param $n i32)
    (call $put_str (i32.const 2048) (local.get $len))
    (call $put_byte (i32.const 40))
    (call $put_dec (i64.extend_i32_u (local.get $n)))
    (call $put_str (i32.const 2040) (i32.const 4)))

  (func $put_space (call $put_byte (i32.const 32)))

  ;; Ends the line and writes it to stdout.
  (func $flush
    (call $put_byte (i32.const 10))
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.sub (global.get $cursor) (i32.const 1024)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (global.set $cursor (i32.const 1024)))
