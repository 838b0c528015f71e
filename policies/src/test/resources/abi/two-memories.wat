;; Needs wat2wasm --enable-multi-memory.
(module
  (memory $a (export "memory") 1)
  (memory $b 1)
  (func (export "graft_tick") (param i64) (result i32) i32.const 0))
