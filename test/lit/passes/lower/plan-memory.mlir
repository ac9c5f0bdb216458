// RUN: dsc-opt %s -split-input-file -exec-plan-memory | FileCheck %s
// RUN: dsc-opt %s -split-input-file -exec-plan-memory=alignment=16 | FileCheck %s --check-prefix=ALIGN16
// RUN: dsc-opt %s -split-input-file -exec-plan-memory=strategy=size-first-fit | FileCheck %s --check-prefix=SIZE
// RUN: dsc-opt %s -split-input-file -exec-plan-memory="strategy=size-first-fit search-steps=0" | FileCheck %s --check-prefix=SIZE-ONLY

exec.kernel @k(%x: tensor<64xf32>) -> tensor<64xf32> attributes {family = "elementwise"} {
  %r = graph.relu %x : tensor<64xf32> -> tensor<64xf32>
  exec.yield %r : tensor<64xf32>
}
exec.kernel @big(%x: tensor<64xf32>) -> tensor<2x64xf32> attributes {family = "elementwise"} {
  %c = graph.constant dense<1.0> : tensor<2x64xf32>
  %r = graph.add %x, %c : (tensor<64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  exec.yield %r : tensor<2x64xf32>
}
exec.kernel @shrink(%x: tensor<2x64xf32>) -> tensor<64xf32> attributes {family = "row_reduction"} {
  %r = graph.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : tensor<2x64xf32> -> tensor<64xf32>
  exec.yield %r : tensor<64xf32>
}

// A chain x -> a -> b -> c -> d: each buffer dies when the next is written,
// so two slots suffice; the 512-byte buffer `b` overlaps `a` and `c` only.
// CHECK-LABEL: exec.program @main
// CHECK-SAME: arena_lower_bound = 768 : i64, arena_size = 768 : i64
// CHECK: %[[A:.*]] = exec.alloc {offset = 512 : i64} : !exec.buffer<64xf32>
// CHECK: %[[B:.*]] = exec.alloc {offset = 0 : i64} : !exec.buffer<2x64xf32>
// CHECK: %[[C:.*]] = exec.alloc {offset = 512 : i64} : !exec.buffer<64xf32>
// The view keeps `c` alive until the last launch: `d` may not take its slot.
// CHECK: %[[D:.*]] = exec.alloc {offset = 0 : i64} : !exec.buffer<64xf32>
// ALIGN16-LABEL: exec.program @main
// ALIGN16-SAME: arena_lower_bound = 768 : i64, arena_size = 768 : i64
exec.program @main {
  %x = exec.input "x" index(0) : !exec.buffer<64xf32>
  %y = exec.output "y" index(0) : !exec.buffer<64xf32>
  %a = exec.alloc : !exec.buffer<64xf32>
  exec.launch @k ins(%x : !exec.buffer<64xf32>) outs(%a : !exec.buffer<64xf32>)
  %b = exec.alloc : !exec.buffer<2x64xf32>
  exec.launch @big ins(%a : !exec.buffer<64xf32>) outs(%b : !exec.buffer<2x64xf32>)
  %c = exec.alloc : !exec.buffer<64xf32>
  exec.launch @shrink ins(%b : !exec.buffer<2x64xf32>) outs(%c : !exec.buffer<64xf32>)
  %cv = exec.view %c : !exec.buffer<64xf32> to !exec.buffer<8x8xf32>
  %d = exec.alloc : !exec.buffer<64xf32>
  exec.launch @k ins(%c : !exec.buffer<64xf32>) outs(%d : !exec.buffer<64xf32>)
  %dv = exec.view %cv : !exec.buffer<8x8xf32> to !exec.buffer<64xf32>
  exec.launch @k ins(%dv : !exec.buffer<64xf32>) outs(%y : !exec.buffer<64xf32>)
  exec.launch @k ins(%d : !exec.buffer<64xf32>) outs(%y : !exec.buffer<64xf32>)
}

// -----

exec.kernel @k(%x: tensor<64xf32>) -> tensor<64xf32> attributes {family = "elementwise"} {
  %r = graph.relu %x : tensor<64xf32> -> tensor<64xf32>
  exec.yield %r : tensor<64xf32>
}
exec.kernel @big(%x: tensor<64xf32>) -> tensor<2x64xf32> attributes {family = "elementwise"} {
  %c = graph.constant dense<1.0> : tensor<2x64xf32>
  %r = graph.add %x, %c : (tensor<64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  exec.yield %r : tensor<2x64xf32>
}
exec.kernel @shrink(%x: tensor<2x64xf32>) -> tensor<64xf32> attributes {family = "row_reduction"} {
  %r = graph.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : tensor<2x64xf32> -> tensor<64xf32>
  exec.yield %r : tensor<64xf32>
}

exec.kernel @mix(%x: tensor<64xf32>, %y: tensor<2x64xf32>) -> tensor<2x64xf32> attributes {family = "elementwise"} {
  %r = graph.add %x, %y : (tensor<64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  exec.yield %r : tensor<2x64xf32>
}

// Lifetimes in launches (256-byte units): b3 [0,3] x1, b1 [1,2] x2,
// b0 [3,5] x1, b2 [4,5] x2; at most 3 units live at once. Largest first
// puts b1 and b2 both at 0, so b0 and b3 stack above them (4 units), and
// no order of the greedy heuristics finds 3: the local search does, with
// b3 under b1 and b0 above b2. Allocations at the top of the program live
// from their first use, not from the alloc.
// CHECK-LABEL: exec.program @interleaved
// CHECK-SAME: arena_lower_bound = 768 : i64, arena_size = 768 : i64
// CHECK-NEXT: exec.input
// CHECK-NEXT: exec.output
// CHECK-NEXT: exec.output
// CHECK-NEXT: exec.alloc {offset = 512 : i64} : !exec.buffer<64xf32>
// CHECK-NEXT: exec.alloc {offset = 256 : i64} : !exec.buffer<2x64xf32>
// CHECK-NEXT: exec.alloc {offset = 0 : i64} : !exec.buffer<2x64xf32>
// CHECK-NEXT: exec.alloc {offset = 0 : i64} : !exec.buffer<64xf32>
// One strategy alone, then the search, still reaches the bound.
// SIZE-LABEL: exec.program @interleaved
// SIZE-SAME: arena_lower_bound = 768 : i64, arena_size = 768 : i64
// Greedy by size alone (the strategy of earlier planners) does not.
// SIZE-ONLY-LABEL: exec.program @interleaved
// SIZE-ONLY-SAME: arena_lower_bound = 768 : i64, arena_size = 1024 : i64
// SIZE-ONLY-NEXT: exec.input
// SIZE-ONLY-NEXT: exec.output
// SIZE-ONLY-NEXT: exec.output
// SIZE-ONLY-NEXT: exec.alloc {offset = 768 : i64} : !exec.buffer<64xf32>
// SIZE-ONLY-NEXT: exec.alloc {offset = 0 : i64} : !exec.buffer<2x64xf32>
// SIZE-ONLY-NEXT: exec.alloc {offset = 0 : i64} : !exec.buffer<2x64xf32>
// SIZE-ONLY-NEXT: exec.alloc {offset = 512 : i64} : !exec.buffer<64xf32>
exec.program @interleaved {
  %x = exec.input "x" index(0) : !exec.buffer<64xf32>
  %y = exec.output "y" index(0) : !exec.buffer<2x64xf32>
  %t = exec.output "t" index(1) : !exec.buffer<64xf32>
  %b0 = exec.alloc : !exec.buffer<64xf32>
  %b1 = exec.alloc : !exec.buffer<2x64xf32>
  %b2 = exec.alloc : !exec.buffer<2x64xf32>
  %b3 = exec.alloc : !exec.buffer<64xf32>
  exec.launch @k ins(%x : !exec.buffer<64xf32>) outs(%b3 : !exec.buffer<64xf32>)
  exec.launch @big ins(%b3 : !exec.buffer<64xf32>) outs(%b1 : !exec.buffer<2x64xf32>)
  exec.launch @shrink ins(%b1 : !exec.buffer<2x64xf32>) outs(%t : !exec.buffer<64xf32>)
  exec.launch @k ins(%b3 : !exec.buffer<64xf32>) outs(%b0 : !exec.buffer<64xf32>)
  exec.launch @big ins(%b0 : !exec.buffer<64xf32>) outs(%b2 : !exec.buffer<2x64xf32>)
  exec.launch @mix ins(%b0, %b2 : !exec.buffer<64xf32>, !exec.buffer<2x64xf32>) outs(%y : !exec.buffer<2x64xf32>)
}
