//===- SelectLibraryGemm.cpp - exec-select-library-gemm -------------------===//

#include "passes/lower/Passes.h"

namespace dsc::lower {
#define GEN_PASS_DEF_SELECTLIBRARYGEMM
#include "passes/lower/Passes.h.inc"
} // namespace dsc::lower

using namespace mlir;
using namespace dsc;

namespace {

/// cuBLASLt's view of a gemm kernel, row-major.
struct LibraryGemm {
  int64_t m = 0, n = 0, k = 0, batch = 1;
  int64_t strideA = 0, strideB = 0, strideD = 0;
  int64_t a = -1, b = -1, d = -1, bias = -1, residual = -1;
  StringRef activation = "none";
  Type elementType;
};

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t result = 1;
  for (int64_t d : shape)
    result *= d;
  return result;
}

bool isPerSample(ArrayAttr attrs) {
  return attrs && llvm::any_of(attrs, [](Attribute attr) {
           auto dict = dyn_cast<DictionaryAttr>(attr);
           return dict && dict.contains("exec.per_sample");
         });
}

/// Whether `batch` (an operand's leading dimensions) is all of `full`:
/// equal after dropping leading ones.
bool isWholeBatch(ArrayRef<int64_t> batch, ArrayRef<int64_t> full) {
  while (!batch.empty() && batch.front() == 1 && batch.size() > full.size())
    batch = batch.drop_front();
  while (!full.empty() && full.front() == 1 && full.size() > batch.size())
    full = full.drop_front();
  return batch == full;
}

/// A bias: N values along the last axis, leading ones only.
bool isBias(Value value, int64_t n, int64_t resultRank) {
  ArrayRef<int64_t> shape = shapeOf(value);
  return !shape.empty() && static_cast<int64_t>(shape.size()) <= resultRank &&
         shape.back() == n && product(shape.drop_back()) == 1;
}

/// Matches `kernel` against what one cuBLASLt matmul computes.
std::optional<LibraryGemm> match(exec::KernelOp kernel) {
  if (kernel.getFamily() != "gemm" || kernel.getNumResults() != 1 ||
      isPerSample(kernel.getArgAttrsAttr()) ||
      isPerSample(kernel.getResAttrsAttr()))
    return std::nullopt;
  Block &body = kernel.getBody().front();
  auto matmuls = llvm::to_vector(body.getOps<graph::MatMulOp>());
  if (matmuls.size() != 1)
    return std::nullopt;
  graph::MatMulOp matmul = matmuls.front();
  auto lhs = dyn_cast<BlockArgument>(matmul.getLhs());
  auto rhs = dyn_cast<BlockArgument>(matmul.getRhs());
  if (!lhs || !rhs)
    return std::nullopt;
  LibraryGemm gemm;
  gemm.elementType = elementTypeOf(matmul.getResult());
  Type type = gemm.elementType;
  if ((!type.isF16() && !type.isBF16() && !type.isF32()) ||
      elementTypeOf(lhs) != type || elementTypeOf(rhs) != type)
    return std::nullopt;
  ArrayRef<int64_t> lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
  ArrayRef<int64_t> resultShape = shapeOf(matmul.getResult());
  if (lhsShape.size() < 2 || rhsShape.size() < 2 || resultShape.size() < 2)
    return std::nullopt;
  int64_t rank = resultShape.size();
  gemm.m = lhsShape[lhsShape.size() - 2];
  gemm.k = lhsShape.back();
  gemm.n = rhsShape.back();

  // The epilogue: a chain of single-use ops from the matmul to the yield.
  Value current = matmul.getResult();
  bool activated = false;
  for (Operation &op : body.without_terminator()) {
    if (&op == matmul.getOperation())
      continue;
    if (op.getNumResults() != 1 || !current.hasOneUse() ||
        *current.getUsers().begin() != &op ||
        shapeOf(op.getResult(0)) != resultShape ||
        elementTypeOf(op.getResult(0)) != type || activated)
      return std::nullopt;
    if (auto add = dyn_cast<graph::AddOp>(op)) {
      Value other = add.getLhs() == current ? add.getRhs() : add.getLhs();
      auto argument = dyn_cast<BlockArgument>(other);
      if (!argument || elementTypeOf(argument) != type)
        return std::nullopt;
      if (shapeOf(argument) == resultShape && gemm.residual < 0)
        gemm.residual = argument.getArgNumber();
      else if (isBias(argument, gemm.n, rank) && gemm.bias < 0)
        gemm.bias = argument.getArgNumber();
      else
        return std::nullopt;
    } else if (isa<graph::ReluOp>(op)) {
      gemm.activation = "relu";
      activated = true;
    } else if (auto gelu = dyn_cast<graph::GeluOp>(op)) {
      // cuBLASLt's GELU is the tanh approximation only.
      if (gelu.getApproximate() != graph::GeluApproximation::Tanh)
        return std::nullopt;
      gemm.activation = "gelu_tanh";
      activated = true;
    } else {
      return std::nullopt;
    }
    current = op.getResult(0);
  }
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  // An activation comes last, after the bias and the residual: cuBLASLt's
  // act(A B + beta C + bias).
  if (yield.getValues().size() != 1 || yield.getValues().front() != current)
    return std::nullopt;

  // Batches: whole on each side (strided), or one matrix for all of them.
  ArrayRef<int64_t> batchShape = resultShape.drop_back(2);
  gemm.batch = product(batchShape);
  ArrayRef<int64_t> lhsBatch = lhsShape.drop_back(2);
  ArrayRef<int64_t> rhsBatch = rhsShape.drop_back(2);
  bool lhsShared = product(lhsBatch) == 1, rhsShared = product(rhsBatch) == 1;
  if ((!lhsShared && !isWholeBatch(lhsBatch, batchShape)) ||
      (!rhsShared && !isWholeBatch(rhsBatch, batchShape)))
    return std::nullopt;
  gemm.strideA = lhsShared ? 0 : gemm.m * gemm.k;
  gemm.strideB = rhsShared ? 0 : gemm.k * gemm.n;
  gemm.strideD = gemm.m * gemm.n;
  if (gemm.batch > 1 && rhsShared && !lhsShared) {
    // [batch, m, k] x [k, n] is one [batch * m, k] x [k, n] product.
    gemm.m *= gemm.batch;
    gemm.batch = 1;
    gemm.strideA = gemm.strideD = 0;
  }
  // Sizes the runtime takes (it refuses 2^31 and beyond).
  constexpr int64_t kLimit = (int64_t(1) << 31) - 1;
  if (gemm.m < 1 || gemm.n < 1 || gemm.k < 1 || gemm.m > kLimit ||
      gemm.n > kLimit || gemm.k > kLimit || gemm.batch > kLimit ||
      gemm.strideD > kLimit)
    return std::nullopt;
  gemm.a = lhs.getArgNumber();
  gemm.b = rhs.getArgNumber();
  gemm.d = kernel.getNumArguments();
  return gemm;
}

struct SelectLibraryGemmPass
    : dsc::lower::impl::SelectLibraryGemmBase<SelectLibraryGemmPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Library steps take their pointers as they are: not per sample.
    for (auto program : module.getOps<exec::ProgramOp>())
      if (program.getSymbolicDim())
        return;
    for (auto kernel : module.getOps<exec::KernelOp>()) {
      std::optional<LibraryGemm> gemm = match(kernel);
      if (!gemm)
        continue;
      Builder builder(kernel.getContext());
      auto integer = [&](int64_t value) {
        return builder.getI64IntegerAttr(value);
      };
      NamedAttribute fields[] = {
          builder.getNamedAttr("m", integer(gemm->m)),
          builder.getNamedAttr("n", integer(gemm->n)),
          builder.getNamedAttr("k", integer(gemm->k)),
          builder.getNamedAttr("batch", integer(gemm->batch)),
          builder.getNamedAttr("lda", integer(gemm->k)),
          builder.getNamedAttr("ldb", integer(gemm->n)),
          builder.getNamedAttr("ldd", integer(gemm->n)),
          builder.getNamedAttr("stride_a", integer(gemm->strideA)),
          builder.getNamedAttr("stride_b", integer(gemm->strideB)),
          builder.getNamedAttr("stride_d", integer(gemm->strideD)),
          builder.getNamedAttr("type", TypeAttr::get(gemm->elementType)),
          builder.getNamedAttr("a", integer(gemm->a)),
          builder.getNamedAttr("b", integer(gemm->b)),
          builder.getNamedAttr("d", integer(gemm->d)),
          builder.getNamedAttr("bias", integer(gemm->bias)),
          builder.getNamedAttr("residual", integer(gemm->residual)),
          builder.getNamedAttr("activation",
                               builder.getStringAttr(gemm->activation))};
      kernel->setAttr("exec.library_gemm", builder.getDictionaryAttr(fields));
    }
  }
};

} // namespace
