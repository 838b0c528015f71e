;; A module that starts with two pages of memory.
(module
  (memory (export "memory") 2)
  (func (export "graft_tick") (param $now i64) (result i32) (i32.const 0)))
