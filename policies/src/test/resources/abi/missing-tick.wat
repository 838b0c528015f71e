(module
  (memory (export "memory") 1)
  (func (export "graft_init") (result i32) i32.const 0))
