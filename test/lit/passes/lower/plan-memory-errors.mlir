// RUN: split-file %s %t
// RUN: dsc-opt %t/alignment.mlir -exec-plan-memory=alignment=48 -verify-diagnostics
// RUN: dsc-opt %t/zero-alignment.mlir -exec-plan-memory=alignment=0 -verify-diagnostics
// RUN: dsc-opt %t/strategy.mlir -exec-plan-memory=strategy=largest-first -verify-diagnostics
// RUN: dsc-opt %t/search.mlir -exec-plan-memory=search-steps=-1 -verify-diagnostics

//--- alignment.mlir
// expected-error @below {{alignment must be a positive power of two, not 48}}
exec.program @main {
  %a = exec.alloc : !exec.buffer<64xf32>
}

//--- zero-alignment.mlir
// expected-error @below {{alignment must be a positive power of two, not 0}}
exec.program @main {
  %a = exec.alloc : !exec.buffer<64xf32>
}

//--- strategy.mlir
// expected-error @below {{unknown strategy 'largest-first': expected auto or one of size-first-fit, size-best-fit, first-use-first-fit, first-use-best-fit, lifetime-first-fit, lifetime-best-fit, area-first-fit, area-best-fit, breadth-first-fit, breadth-best-fit}}
exec.program @main {
  %a = exec.alloc : !exec.buffer<64xf32>
}

//--- search.mlir
// expected-error @below {{search-steps must not be negative, not -1}}
exec.program @main {
  %a = exec.alloc : !exec.buffer<64xf32>
}
