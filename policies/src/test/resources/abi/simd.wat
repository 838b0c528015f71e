;; A v128 local and a SIMD add: the SIMD proposal, which graft/1 refuses.
(module
  (memory (export "memory") 1 2)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    (local $v v128)
    (local.set $v (i32x4.add (local.get $v) (local.get $v)))
    i32.const 0))
