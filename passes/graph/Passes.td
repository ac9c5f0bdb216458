//===- Passes.td - graph dialect passes --------------------*- tablegen -*-===//

#ifndef DSC_PASSES_GRAPH
#define DSC_PASSES_GRAPH

include "mlir/Pass/PassBase.td"

def InferShapes : Pass<"graph-infer-shapes", "::mlir::func::FuncOp"> {
  let summary = "infers every result shape from the function's argument shapes";
  let description = [{
    Visits ops in order and refines unranked results through
    ShapeInferenceOpInterface; the function's result types are updated to
    match. Fails, naming the op, when operands contradict each other or a
    shape cannot be inferred.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def Recompose : Pass<"graph-recompose", "::mlir::func::FuncOp"> {
  let summary = "recognizes decomposed GELU (erf and tanh forms) and rebuilds graph.gelu";
  let description = [{
    Exporters older than opset 20 spell GELU as Div/Erf/Add/Mul or as
    Pow/Mul/Add/Tanh chains. One graph.gelu is one expression in a kernel
    instead of five to eight. Constants must match to 1e-4 relative.
  }];
}

def ConvertPrecision : Pass<"graph-convert-precision", "::mlir::func::FuncOp"> {
  let summary = "computes in fp16 or bf16: converts f32 weights and activations";
  let description = [{
    Every f32 value inside the function becomes `precision`; with
    `io-precision=model` the signature keeps f32 (casts are inserted after
    the arguments and before the results), with `io-precision=compute` its
    f32 arguments and results become `precision` too (callers pass and get
    16-bit tensors, no conversion kernels). Kernels still accumulate in f32. The inputs of selections
    (TopK, ArgMax/ArgMin: an MoE router) stay f32 back to the nearest matmul,
    so that rounding does not flip which elements are chosen.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"fp16\"",
           "target precision: fp16 or bf16">,
    Option<"ioPrecision", "io-precision", "std::string",
           /*default=*/"\"model\"",
           "the f32 inputs' and outputs' type: model (f32) or compute "
           "(the target precision)">
  ];
}

def ConvToMatmul : Pass<"graph-conv-to-matmul", "::mlir::func::FuncOp"> {
  let summary = "rewrites channels-last 1x1 convolutions into matmuls";
  let description = [{
    A channels-last 2-D graph.conv with a 1x1 filter, stride 1, no padding,
    group 1, static shapes and float elements computes
    `x[N*H*W, C] x filter[M, C]^T`: it becomes a reshape of the input to
    [N*H*W, C], a graph.matmul with the filter reshaped to [M, C] and
    transposed (graph-fold-constants folds a constant filter), the bias
    added to the [N*H*W, M] product, and a reshape back to N x H x W x M.
    Reshapes are views; graph-sink-reshapes then moves the reshape below
    the bias, activation and residual add so that they fuse as the GEMM's
    epilogue. Runs after graph-convert-layout (which makes convs
    channels-last).
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def HoistRowScale : Pass<"graph-hoist-row-scale", "::mlir::func::FuncOp"> {
  let summary = "moves a per-row scale of a matmul's result onto its input";
  let description = [{
    `g * (h @ W)` with one factor of g per row of the product (shape
    [..., M, 1]) becomes `(g * h) @ W`: the scale fuses into the elementwise
    kernel that produces h, and the GEMM's epilogue keeps only what cuBLASLt
    can run (an MoE expert's `out + gate * w2(h)` is then a GEMM with a
    residual add). Only when the matmul has no other use.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def SinkReshapes : Pass<"graph-sink-reshapes", "::mlir::func::FuncOp"> {
  let summary = "moves row-keeping reshapes below the elementwise ops that follow a matmul";
  let description = [{
    `op(reshape(x), y)` becomes `reshape(op(x, reshape(y)))` when x is a
    matmul's result (or an elementwise chain on one), the reshape keeps the
    last dimension, and the other operands have the reshape's shape or are
    row vectors and scalars. Exporters put a reshape between each projection
    and its bias, residual add or activation; once it is below them, the
    fusion gives them to the GEMM as its epilogue. Consecutive reshapes fold.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def StackExperts : Pass<"graph-stack-experts", "::mlir::func::FuncOp"> {
  let summary = "stacks the experts of a dense mixture of experts into three GEMMs";
  let description = [{
    A chain `acc_e = acc_{e-1} + h_e @ W2_e` over E >= 2 experts, where each
    h_e is the same body of elementwise ops and keepdims reductions (up to
    which values it reads) of projections `x @ Wp_e` of one shared x,
    per-expert [T, 1] row scales (the gates after graph-hoist-row-scale),
    per-expert constants and shared values, becomes one GEMM per projection
    against the experts' weights side by side ([Dm, E * F], built at
    compile time), the body once over [T, E, F] (per-expert values stacked
    to [a, E, b]) and one GEMM of the flattened [T, E * F] result against
    the W2_e stacked to [E * F, D]: its sum over K is the sum over experts
    (an initial sum other than zeros is added to it). The gates join the
    body when they are computed, the same way for each expert, from shared
    values (the router's choices) and per-expert constants (the expert's
    index). The weights must be constants of equal shapes and every
    intermediate must have no other reader. When the stacked intermediates
    (each projection's and the body's [T, E * F]) would take more than
    `max-stacked-bytes`, the chain is left alone with a remark.
  }];
  let options = [
    Option<"maxStackedBytes", "max-stacked-bytes", "int64_t",
           /*default=*/"int64_t(2) << 30",
           "most bytes the stacked intermediates may take">
  ];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def RouteExperts : Pass<"graph-route-experts", "::mlir::func::FuncOp"> {
  let summary = "computes a stacked mixture of experts on the routed tokens only";
  let description = [{
    After graph-stack-experts, a dense MoE computes every expert on every
    token and multiplies by a gate that is zero for the experts the router
    did not choose:

      h = body(x @ W1, x @ W3, ...) * gate,   y = flat(h) @ W2

    where gate[t, e] = sum_j w[t, j] * (choices[t, j] == e) over the top-k
    `choices` of a graph.topk across the E experts. This pass computes the
    same sum over the chosen (token, expert) pairs only: graph.moe_route
    sorts the T * k choices into row groups per expert, the projections
    become graph.grouped_matmul over the gathered token rows (each group
    against its expert's [Dm, F] weights, rearranged at compile time), the
    body runs once per routed row with that slot's weight w[t, j] as its
    gate, the down projection is a grouped GEMM too, and each token sums
    its k rows. Exact up to rounding: the skipped terms are products with
    a zero gate.

    Routing pays when the routed rows (T * k plus up to E * (G - 1) of
    padding) times `cost-factor` are fewer than the dense rows T * E; the
    factor covers the grouped GEMM being generated code where the dense one
    is the library's, and the gathers. 0 routes every match.
  }];
  let options = [
    Option<"costFactor", "cost-factor", "double", /*default=*/"2.5",
           "route when routed rows times this are fewer than T * E (0: always)">,
    Option<"groupRows", "group-rows", "int64_t", /*default=*/"128",
           "rows per group of graph.moe_route; the grouped GEMM's row tiles divide it">
  ];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def Fuse : Pass<"graph-fuse", "::mlir::func::FuncOp"> {
  let summary = "groups ops into graph.fusion regions, one per future kernel";
  let description = [{
    Anchors (matmul, softmax, layer_norm, reduce_mean, transpose, graph.reduce
    and convs that run as implicit GEMMs: channels-last, 2-D, group 1)
    absorb the chain of elementwise consumers that only they use, as an
    epilogue of the same shape. Then, consumers first, each elementwise op
    joins the elementwise kernels that read it: for free when they are one
    kernel; cloned into each of several kernels (`recomputed` counts such
    members) when the bytes that not writing and reading it saves pay for
    the FLOPs the clones add (`recompute-flops-per-byte`); as an extra
    result of one reader kernel when some op needs it in memory (a matmul
    operand, a view, a function result) and that saves bytes. `cost` on a
    fusion sums the bytes saved and FLOPs added by these decisions. Splat
    constants are cloned into the bodies. Reshapes stay outside (they become
    views). A merge that would make a kernel depend on itself through
    another op (a cycle), take more than `max-inputs` inputs or hold more
    than `max-live-values` values per element at once is not made.
    With `library-epilogues` (the default), float matmuls of at least
    `library-epilogue-min-macs` multiply-adds stop absorbing at the first
    op cuBLASLt's epilogues cannot express: on the H100 its large GEMMs are
    2-4x faster than the generated ones (bench/gemm_tiles.py), which
    outweighs one more pass over the result. Smaller GEMMs are
    launch-bound, and shallow ones (K below `library-epilogue-min-depth`)
    memory-bound, so they keep the whole epilogue in the generated kernel.
  }];
  let options = [
    Option<"maxInputs", "max-inputs", "unsigned", /*default=*/"8",
           "most inputs one fused kernel may take">,
    Option<"maxLiveValues", "max-live-values", "unsigned", /*default=*/"32",
           "most values one kernel body may hold at once per element (a "
           "register-pressure budget)">,
    Option<"libraryEpilogues", "library-epilogues", "bool", /*default=*/"true",
           "a large float matmul absorbs only the epilogue cuBLASLt can run "
           "(a bias add, a residual add, then relu or tanh GELU), so that "
           "the runtime may run it as a library GEMM; the rest of the chain "
           "is an elementwise kernel">,
    Option<"libraryEpilogueMinMacs", "library-epilogue-min-macs", "int64_t",
           /*default=*/"int64_t(1) << 27",
           "the multiply-adds from which a matmul counts as large for "
           "library-epilogues (0: every matmul)">,
    Option<"libraryEpilogueMinDepth", "library-epilogue-min-depth", "int64_t",
           /*default=*/"768",
           "the reduction depth (K) from which a matmul counts as large for "
           "library-epilogues: a shallower one is memory-bound, and the "
           "extra pass over its result costs more than the library saves "
           "(0: any depth)">,
    Option<"recomputeFlopsPerByte", "recompute-flops-per-byte", "double",
           /*default=*/"2.0",
           "FLOPs (FMA-equivalent instructions) that recomputing an "
           "elementwise op in each of its readers may add per byte of memory "
           "traffic it saves">
  ];
}

def FoldConstants : Pass<"graph-fold-constants", "::mlir::func::FuncOp"> {
  let summary = "evaluates ops whose operands are all constants";
  let description = [{
    Runs every graph op whose operands are all `graph.constant` through the
    reference interpreter and replaces it with a `graph.constant` of the
    result (a `dense_resource` blob unless it is small). The key case is
    Gemm's `transpose(weight)`, which becomes a transposed weight. Results
    without a static shape, and results with more than `max-elements`
    elements, are left alone.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"1 << 24",
           "results with more elements than this are not folded">
  ];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def FuseAttention : Pass<"graph-fuse-attention", "::mlir::func::FuncOp"> {
  let summary = "rebuilds softmax(q kT * scale + mask) v as graph.attention";
  let description = [{
    Recognizes the attention that exporters decompose (HF eager: a Div by
    sqrt(d) on the scores; the dynamo decomposition of
    scaled_dot_product_attention: a Mul by sqrt(scale) on q and on kT, a NaN
    guard after softmax), with an additive or boolean (Where) mask, and
    casts to f32 around softmax. A constant causal mask becomes the `causal`
    attribute. Scores used elsewhere, softmax on another axis, or a mask that
    does not broadcast to [B, H, S, Sk] leave the ops alone.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def AttentionLayout : Pass<"graph-attention-layout", "::mlir::func::FuncOp"> {
  let summary = "lets graph.attention read and write the projections' B x S x H x D layout";
  let description = [{
    An attention whose query, key and value are all transpose(X, [0, 2, 1, 3])
    of B x S x H x D tensors reads the X directly (`seq_major`) and produces
    B x S x H x Dv; a transpose back of its result disappears (others read a
    transpose of the new result). An X that is a reshape of a last-axis slice
    of a packed projection (B x S x C, as from a fused QKV matmul) becomes
    that projection as B x S x (C / D) x D with a head offset.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def FoldBatchNorm : Pass<"graph-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "folds per-channel affine ops after a conv (inference BatchNorm) into its filter and bias";
  let description = [{
    A chain of add/sub/mul/div by per-output-channel constants (one element
    or M along the channel axis) that follows a graph.conv, each value with
    one use, is y = a * conv + b per channel: it becomes the conv with
    filter * a and bias * a + b. Only convs whose filter and bias are
    constants fold. The new filter and bias are graph ops on the constants
    (computed in f32 for 16-bit types); graph-fold-constants evaluates them.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def ConvertLayout : Pass<"graph-convert-layout", "::mlir::func::FuncOp"> {
  let summary = "moves 2-D convolutions and pools to channels-last (NHWC), with transposes only at the boundary";
  let description = [{
    When some 2-D graph.conv with group 1 has a multiple of 8 input channels,
    every 2-D graph.conv and graph.pool takes its `channels_last` form
    between transposes (filters become M x R x S x C/group). Transposes back
    to channels-first then sink through elementwise ops (whose constant
    operands are transposed instead) and keepdims means, adjacent transposes
    compose (inverse pairs cancel), and a transpose that only moves
    dimensions of size 1 becomes a reshape. Values are unchanged: the
    reference interpreter evaluates both layouts the same way.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

def PadChannels : Pass<"graph-pad-channels", "::mlir::func::FuncOp"> {
  let summary = "pads a 16-bit channels-last conv's input channels with zeros to a multiple of 4";
  let description = [{
    A channels-last graph.conv with group 1, 16-bit elements and input
    channels not a multiple of 4 (an image's 3 colours), whose input is a
    transpose read by nothing else (the NCHW-to-NHWC one), reads its input
    and filter through constant zero graph.pads on the channel dimension, up
    to the next multiple of 4: each tap of the implicit GEMM is then one
    8-byte copy instead of element gathers. The input's pad fuses into the
    transpose (graph-fuse); graph-fold-constants folds the filter's.
    Results are unchanged.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

#endif // DSC_PASSES_GRAPH
