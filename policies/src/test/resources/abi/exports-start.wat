;; A WASI command, not a reactor.
(module
  (memory (export "memory") 1)
  (func (export "_start"))
  (func (export "graft_tick") (param i64) (result i32) i32.const 0))
