;; Grows its funcref table (declared with 1 entry and no maximum) by 1000 entries each tick and
;; reports the size as metric "table" and the last table.grow result as metric "grew".
;; Traps when input 0 is positive, to show a replacement instance starts from the declared size.
(module
  (import "graft" "point_get" (func $point_get (param i32) (result f64)))
  (import "graft" "metric" (func $metric (param i32 i32 f64)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (data (i32.const 16) "table")
  (data (i32.const 32) "grew")
  (func (export "graft_tick") (param $now i64) (result i32)
    (if (f64.gt (call $point_get (i32.const 0)) (f64.const 0)) (then unreachable))
    (call $metric (i32.const 32) (i32.const 4)
      (f64.convert_i32_s (table.grow $t (ref.null func) (i32.const 1000))))
    (call $metric (i32.const 16) (i32.const 5) (f64.convert_i32_s (table.size $t)))
    (i32.const 0)))
