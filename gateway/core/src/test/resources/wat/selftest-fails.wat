;; A module whose self-test reports fault code 3.
(module
  (memory (export "memory") 1)
  (func (export "graft_self_test") (result i32) (i32.const 3))
  (func (export "graft_tick") (param $now i64) (result i32) (i32.const 0)))
