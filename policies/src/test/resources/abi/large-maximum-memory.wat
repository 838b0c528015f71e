;; A declared maximum above the ceiling is capped, not refused.
(module
  (memory (export "memory") 1 1000)
  (func (export "graft_tick") (param i64) (result i32) i32.const 0))
