;; Reads WASI's monotonic clock and writes it, in milliseconds, to output 2 (level); prints a line.
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "graft" "point_set" (func $point_set (param i32 f64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "tick\n")
  (func (export "graft_tick") (param $now i64) (result i32)
    (if (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 256))
      (then (return (i32.const 2))))
    (drop (call $point_set (i32.const 2)
      (f64.div (f64.convert_i64_u (i64.load (i32.const 256))) (f64.const 1000000))))
    ;; one iovec {ptr 64, len 5} at 128, bytes written to 136
    (i32.store (i32.const 128) (i32.const 64))
    (i32.store (i32.const 132) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 128) (i32.const 1) (i32.const 136)))
    (i32.const 0)))
