;; Fills its two pages with N iovecs (N = input 0), each naming the whole memory, and calls
;; fd_write with all of them in an endless loop, reporting each call's errno as metric "errno".
;; With N = 16,000 one call asks for 2 GB, with no newline for a line-by-line writer to stop at.
(module
  (import "graft" "point_get" (func $point_get (param i32) (result f64)))
  (import "graft" "metric" (func $metric (param i32 i32 f64)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2 2)
  (func (export "graft_tick") (param $now i64) (result i32)
    (local $i i32)
    (local $n i32)
    (local $rc i32)
    (local.set $n (i32.trunc_f64_u (call $point_get (i32.const 0))))
    (loop $fill
      (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
      (i32.store (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4))
        (i32.const 131072))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
    ;; "errno" lives in the last bytes, beside the nwritten slot at 131068
    (i32.store (i32.const 131056) (i32.const 0x6e727265))
    (i32.store8 (i32.const 131060) (i32.const 0x6f))
    (loop $again
      (local.set $rc
        (call $fd_write (i32.const 1) (i32.const 0) (local.get $n) (i32.const 131068)))
      (call $metric (i32.const 131056) (i32.const 5) (f64.convert_i32_s (local.get $rc)))
      (br $again))
    (i32.const 0)))
