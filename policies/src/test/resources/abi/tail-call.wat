;; A tick that tail-calls: the tail call proposal, which graft/1 refuses.
(module
  (memory (export "memory") 1 2)
  (func $zero (result i32) i32.const 0)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    return_call $zero))
