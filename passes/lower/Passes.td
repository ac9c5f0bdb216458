//===- Passes.td - lowering to the exec dialect ------------*- tablegen -*-===//

#ifndef DSC_PASSES_LOWER
#define DSC_PASSES_LOWER

include "mlir/Pass/PassBase.td"

def LowerToExec : Pass<"graph-lower-to-exec", "::mlir::ModuleOp"> {
  let summary = "bufferizes a fused graph into exec kernels, buffers and launches";
  let description = [{
    Each graph.fusion becomes an exec.kernel (its body, with exec.yield) and
    one exec.launch; arguments become exec.input, constants exec.weight,
    reshapes exec.view of the same bytes, every other value an exec.alloc.
    A fusion result that a function result is (through views only) is
    written straight into the caller's output buffer; any other result gets
    an exec.copy at the end. Ops left outside fusions are an error.
  }];
  let dependentDialects = ["::dsc::exec::ExecDialect"];
}

def PlanMemory : Pass<"exec-plan-memory", "::dsc::exec::ProgramOp"> {
  let summary = "packs the intermediate buffers into one arena";
  let description = [{
    Liveness over the program order (a buffer lives from its first use to
    its last, through views), then interval packing: each buffer is placed,
    in some order, at an offset free for its whole lifetime. `auto` tries
    every order (size, first use, lifetime length, size times lifetime,
    TensorFlow Lite's breadth) with first-fit and best-fit offsets, keeps
    the smallest arena and improves it by a local search over its order
    until it meets the lower bound. Records `arena_size` and
    `arena_lower_bound` (the most bytes live at once, which no packing can
    beat) on the program.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"256",
           "byte alignment of every buffer offset">,
    Option<"strategy", "strategy", "std::string", /*default=*/"\"auto\"",
           "auto, or one order and fit, e.g. size-first-fit, breadth-best-fit">,
    Option<"searchSteps", "search-steps", "int64_t", /*default=*/"4000",
           "local search moves tried while the arena exceeds the lower bound">
  ];
}

def DedupeKernels : Pass<"exec-dedupe-kernels", "::mlir::ModuleOp"> {
  let summary = "launches identical kernels through one exec.kernel";
  let description = [{
    Kernels with the same family, function type and body (ignoring
    locations) compute the same thing: the repeated layers of a network.
    Every launch of a duplicate is pointed at the first one and the
    duplicate is erased, so each distinct kernel is generated and compiled
    once.
  }];
}

def SelectLibraryGemm : Pass<"exec-select-library-gemm", "::mlir::ModuleOp"> {
  let summary = "marks the gemm kernels that cuBLASLt can also compute";
  let description = [{
    A gemm kernel whose body cuBLASLt's matmul with an epilogue expresses
    gets an `exec.library_gemm` dictionary: the row-major problem (m, n, k,
    batch, leading dimensions, batch strides; 0 for an operand shared by
    every batch), the element type, the argument numbers of A, B, the bias
    and the residual (-1 when absent; D is the result, after the
    arguments) and the activation. The runtime may then time cuBLASLt
    against the generated kernel and run the faster one.

    Expressible: f16, bf16 or f32 throughout (f32 accumulation, no TF32);
    after the matmul, in any order, at most one add of a bias (a kernel
    argument of shape [N], leading ones allowed) and one add of a residual
    (an argument of the result's shape), then at most one of relu and
    tanh-approximated gelu, and an activation only without a residual
    (cuBLASLt adds the residual before the activation). Batches must be
    whole on each side (strided batches) or shared; a shared B folds the
    batches into A's rows. Anything else (erf gelu, casts, other ops,
    per-sample kernels, plans with a symbolic dimension) stays generated
    only.
  }];
}

def SelectGemmTactics : Pass<"exec-select-gemm-tactics", "::mlir::ModuleOp"> {
  let summary = "lists the tensor-core tiles the runtime times for each gemm";
  let description = [{
    For each f16/bf16 gemm kernel (not per sample), adds an exec.tactics op
    after it: the compile-time heuristic's tile first (what runs untuned),
    then split-K variants of it when its tiles leave SMs idle, then other
    tiles that fit the problem (Hopper warpgroup-MMA tiles first) (none much taller or wider than it, each
    within the shared memory limit), at most `max-candidates` in all
    (`max-conv-candidates` for convolutions).
    Implicit-GEMM convolutions on tensor cores (f16/bf16 data kernels) get
    the conv heuristic's tile, split-K when its tiles leave SMs idle, then
    that tile with twice the slices and unsplit, then patch tiles for
    16-bit inputs of 4 or 8 channels (a direct convolution from the input
    window in shared memory), then warpgroup-MMA tiles (with TMA im2col
    copies where the input allows), then the other conv tiles that fit
    (bk = 32, each split as the heuristic would). A kernel that
    already has an exec.tactics keeps it; one with a single candidate gets
    none.
  }];
  let options = [
    Option<"maxCandidates", "max-candidates", "unsigned", /*default=*/"8",
           "the most tiles listed per gemm kernel (the heuristic's pick "
           "included)">,
    Option<"maxConvCandidates", "max-conv-candidates", "unsigned",
           /*default=*/"6",
           "the most tiles listed per implicit-GEMM convolution">
  ];
}

#endif // DSC_PASSES_LOWER
