;; A table of externref and a global holding one: reference types beyond funcref tables.
(module
  (memory (export "memory") 1 2)
  (table 1 externref)
  (global $g (mut externref) (ref.null extern))
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    i32.const 0))
