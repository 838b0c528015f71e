(module
  (import "env" "abort" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "graft_tick") (param i64) (result i32) i32.const 0))
