;; A reactor with every optional graft/1 export and a few graft and WASI imports.
(module
  (import "graft" "point_get" (func $point_get (param i32) (result f64)))
  (import "graft" "point_quality" (func $point_quality (param i32) (result i32)))
  (import "graft" "point_set" (func $point_set (param i32 f64) (result i32)))
  (import "graft" "log" (func $log (param i32 i32 i32)))
  (import "graft" "metric" (func $metric (param i32 i32 f64)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "_initialize"))
  (func (export "graft_init") (result i32) i32.const 0)
  (func (export "graft_self_test") (result i32) i32.const 0)
  (func (export "graft_save") (result i64) i64.const 0)
  (func (export "graft_load") (param i32 i32) (result i32) i32.const 0)
  (func (export "graft_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    global.get $heap
    local.set $ptr
    global.get $heap
    local.get $len
    i32.add
    global.set $heap
    local.get $ptr)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    i32.const 1
    i32.const 0
    call $point_get
    f64.const 20
    f64.lt
    f64.convert_i32_u
    call $point_set))
