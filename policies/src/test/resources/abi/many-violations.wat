;; Breaks five rules at once: an env import, a disallowed WASI import, _start exported,
;; a start section, and no graft_tick.
(module
  (import "env" "abort" (func (param i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $boot)
  (start $boot)
  (func (export "_start")))
