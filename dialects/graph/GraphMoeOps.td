//===- GraphMoeOps.td - routed mixture of experts ----------*- tablegen -*-===//
//
// The ops graph-route-experts builds: the router's top-k choices sorted
// into row groups per expert, and the GEMM whose row groups each take
// their own expert's weights. Included at the end of GraphOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_GRAPH_MOE_OPS
#define DSC_GRAPH_MOE_OPS

def Graph_MoeRouteOp : Graph_Op<"moe_route", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "sorts top-k expert choices into row groups, one expert per group";
  let description = [{
    `choices` [T, k] holds each token's k experts (distinct, in [0, E)). The
    T * k slots (slot s = t * k + j) are laid out as rows: expert 0's slots
    first, then expert 1's, each expert's in slot order and starting at a
    multiple of `group_rows` G. R = floor((T * k + E * (G - 1)) / G) * G
    rows hold every layout.

    - `row_tokens` [R] i32: the token of each row's slot (0 for a row that
      holds none);
    - `row_slots` [R] i32: each row's slot (0 for a row that holds none);
    - `slot_rows` [T, k] i32: the row of each slot (-1 for a choice outside
      [0, E), which no row holds);
    - `groups` [R / G] i32: the expert of each group of G rows, -1 past the
      last expert's rows.
  }];
  let arguments = (ins AnyTensor:$choices, I64Attr:$experts,
                       I64Attr:$group_rows);
  let results = (outs AnyTensor:$row_tokens, AnyTensor:$row_slots,
                      AnyTensor:$slot_rows, AnyTensor:$groups);
  let assemblyFormat = [{
    $choices attr-dict `:` type($choices) `->` type($row_tokens) `,`
    type($row_slots) `,` type($slot_rows) `,` type($groups)
  }];
  let extraClassDeclaration = [{
    /// R: the rows that hold every layout of T * k slots.
    static int64_t routedRows(int64_t slots, int64_t experts, int64_t groupRows) {
      return (slots + experts * (groupRows - 1)) / groupRows * groupRows;
    }
  }];
  let hasVerifier = 1;
}

def Graph_GroupedMatMulOp : Graph_Op<"grouped_matmul", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "each group of rows of `lhs` times the matrix of its expert";
  let description = [{
    `lhs` [R, K], `rhs` [E, K, N], `groups` [R / group_rows] i32: rows
    g * G ... g * G + G - 1 of the [R, N] result are those rows of `lhs`
    times `rhs[groups[g]]`; the rows of a group whose entry is outside
    [0, E) are zeros.
  }];
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs, AnyTensor:$groups,
                       I64Attr:$group_rows);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $groups attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // DSC_GRAPH_MOE_OPS
