;; A tag and a throw: the exception handling proposal, which graft/1 refuses.
(module
  (memory (export "memory") 1 2)
  (tag $oops)
  (func (export "graft_tick") (param $now_ms i64) (result i32)
    throw $oops))
