;; calls: direct calls with 2 and 3 parameters through two levels, and
;; call_indirect through a 4-entry table, per iteration.  Prints the
;; 32-bit accumulator in hex.
;; bench-args default: 150000
;; bench-args large: 15000000
;; bench-expect default: calls(150000) = a7cf5189
;; bench-expect large: calls(15000000) = a6fa6bfc
(module
  ;; #include prelude.wat
  (data (i32.const 2048) "calls")
  (type $binop (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $op_add $op_xor $op_mul $op_sub)
  (func $op_add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $op_xor (type $binop) (i32.xor (local.get 0) (local.get 1)))
  (func $op_mul (type $binop) (i32.mul (local.get 0) (i32.or (local.get 1) (i32.const 1))))
  (func $op_sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $leaf (param $a i32) (param $b i32) (result i32)
    (i32.add (i32.rotl (local.get $a) (i32.const 5)) (local.get $b)))
  (func $mid (param $a i32) (param $b i32) (param $c i32) (result i32)
    (call $leaf (call $leaf (local.get $a) (local.get $b)) (local.get $c)))
  (func $_start (export "_start")
    (local $n i32) (local $i i32) (local $acc i32)
    (local.set $n (call $arg (i32.const 1) (i32.const 150000)))
    (local.set $acc (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $mid (local.get $acc) (local.get $i) (i32.const 0x9e3779b9)))
        (local.set $acc (call_indirect (type $binop)
          (local.get $acc) (local.get $i) (i32.and (local.get $i) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $put_head (i32.const 5) (local.get $n))
    (call $put_hex (i64.extend_i32_u (local.get $acc)) (i32.const 8))
    (call $flush)))
