;; Nine globals, above a ceiling of eight.
(module
  (memory (export "memory") 1 2)
  (global (mut i32) (i32.const 0))
  (global (mut i32) (i32.const 1))
  (global (mut i32) (i32.const 2))
  (global (mut i32) (i32.const 3))
  (global (mut i32) (i32.const 4))
  (global (mut i32) (i32.const 5))
  (global (mut i32) (i32.const 6))
  (global (mut i32) (i32.const 7))
  (global (mut i32) (i32.const 8))
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    i32.const 0))
