;; Runaway: graft_tick never returns. It loops forever without calling the host,
;; so only the runtime's per-tick budget (an interrupt at a loop back-edge) can
;; stop it. Statically it is a well-formed graft/1 module; the fault shows only
;; at run time.
(module
  (memory (export "memory") 1 1)
  (global $spins (mut i64) (i64.const 0))
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    (loop $forever
      (global.set $spins (i64.add (global.get $spins) (i64.const 1)))
      (br $forever))
    (i32.const 0)))
