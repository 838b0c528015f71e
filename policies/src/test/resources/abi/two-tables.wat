;; Two funcref tables: graft/1 allows one.
(module
  (memory (export "memory") 1 2)
  (table 1 funcref)
  (table 1 funcref)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    i32.const 0))
