;; Reports what point_get and point_quality say for output 2 (level) at the start of each tick
;; ("seen", "quality"), sets level to input 0 when that is positive, and reports point_get
;; again after the set ("after").
(module
  (import "graft" "point_get" (func $point_get (param i32) (result f64)))
  (import "graft" "point_set" (func $point_set (param i32 f64) (result i32)))
  (import "graft" "point_quality" (func $point_quality (param i32) (result i32)))
  (import "graft" "metric" (func $metric (param i32 i32 f64)))
  (memory (export "memory") 1)
  (data (i32.const 16) "seen")
  (data (i32.const 32) "quality")
  (data (i32.const 48) "after")
  (func (export "graft_tick") (param $now i64) (result i32)
    (call $metric (i32.const 16) (i32.const 4) (call $point_get (i32.const 2)))
    (call $metric (i32.const 32) (i32.const 7)
      (f64.convert_i32_s (call $point_quality (i32.const 2))))
    (if (f64.gt (call $point_get (i32.const 0)) (f64.const 0))
      (then (drop (call $point_set (i32.const 2) (call $point_get (i32.const 0))))))
    (call $metric (i32.const 48) (i32.const 5) (call $point_get (i32.const 2)))
    (i32.const 0)))
