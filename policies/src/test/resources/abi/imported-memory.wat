(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  (func (export "graft_tick") (param i64) (result i32) i32.const 0))
