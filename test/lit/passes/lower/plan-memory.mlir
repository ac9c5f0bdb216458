// RUN: dsc-opt %s -exec-plan-memory | FileCheck %s
// RUN: dsc-opt %s -exec-plan-memory=alignment=16 | FileCheck %s --check-prefix=ALIGN16

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
