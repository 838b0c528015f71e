;; What clang emits for function pointers, plus table.grow and table.size on the same funcref
;; table, whose maximum is left open: accepted, the runtime caps its growth.
(module
  (memory (export "memory") 1 2)
  (table $t 2 funcref)
  (elem (i32.const 0) $zero $zero)
  (type $ret (func (result i32)))
  (func $zero (result i32) i32.const 0)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    (drop (table.grow $t (ref.null func) (i32.const 1)))
    (drop (table.size $t))
    (call_indirect (type $ret) (i32.const 0))))
