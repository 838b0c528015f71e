;; An atomic add on an unshared memory: the threads proposal, which graft/1 refuses.
(module
  (memory (export "memory") 1 2)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    i32.const 0))
