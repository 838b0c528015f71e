;; point_set takes the value as f64; this one declares f32.
(module
  (import "graft" "point_set" (func (param i32 f32) (result i32)))
  (memory (export "memory") 1)
  (func (export "graft_tick") (param i64) (result i32) i32.const 0))
