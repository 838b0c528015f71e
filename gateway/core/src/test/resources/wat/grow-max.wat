;; Declares a maximum of 10 pages, above the grant; the host caps memory at the grant's ceiling. Reports what memory.grow
;; returned for one more page and for five more pages.
(module
  (import "graft" "metric" (func $metric (param i32 i32 f64)))
  (memory (export "memory") 1 10)
  (data (i32.const 16) "grow1")
  (data (i32.const 32) "grow5")
  (func (export "graft_tick") (param $now i64) (result i32)
    (call $metric (i32.const 32) (i32.const 5) (f64.convert_i32_s (memory.grow (i32.const 5))))
    (call $metric (i32.const 16) (i32.const 5) (f64.convert_i32_s (memory.grow (i32.const 1))))
    (i32.const 0)))
