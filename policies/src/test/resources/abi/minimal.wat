;; The least a graft/1 module can be: its memory and a tick that reports success.
(module
  (memory (export "memory") 1 2)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    i32.const 0))
