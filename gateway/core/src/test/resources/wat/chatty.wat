;; Logs 40 lines every tick, more than the per-tick limit.
(module
  (import "graft" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "graft_tick") (param $now i64) (result i32)
    (local $i i32)
    (loop $again
      (call $log (i32.const 2) (i32.const 16) (i32.const 5))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 40))))
    (i32.const 0)))
