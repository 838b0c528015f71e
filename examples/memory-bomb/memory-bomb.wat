;; Memory bomb: each graft_tick grows linear memory one page at a time, writing
;; to every new page so it is really used, and declares no maximum so only the
;; grant's page ceiling stops it. When memory.grow finally fails (-1) it traps,
;; as a C module would abort when malloc fails. Statically it is a well-formed
;; graft/1 module; the fault shows only at run time.
(module
  (memory (export "memory") 1)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    (local $old_pages i32)
    (loop $grow
      (local.set $old_pages (memory.grow (i32.const 1)))
      (if (i32.eq (local.get $old_pages) (i32.const -1))
        (then (unreachable)))
      ;; touch the first byte of the page just added (old size × 64 KiB)
      (i32.store8
        (i32.shl (local.get $old_pages) (i32.const 16))
        (i32.const 0x42))
      (br $grow))
    (i32.const 0)))
