//===- Reference.h - CPU reference interpreter ------------------*- C++ -*-===//
//
// Evaluates graph-dialect ops on the host, simply and exactly: every value is
// held as double and rounded to its element type after each op, so fp16/bf16
// results match what a GPU kernel storing that type produces (up to
// accumulation order); 64-bit integers are exact up to 2^53. Used by the
// tests, constant folding, and
// `dsc run --device cpu`.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_REFERENCE_REFERENCE_H
#define DSC_COMPILER_REFERENCE_REFERENCE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dsc::reference {

/// The values equal the plan schema's DType (tools convert by value).
enum class DType {
  F32,
  F16,
  BF16,
  F64,
  I64,
  I32,
  I8,
  U8,
  Bool,
  I16,
  U16,
  U32,
  U64
};

/// Whether `dtype` is a floating-point type.
bool isFloat(DType dtype);
/// Whether `dtype` is an unsigned integer type (Bool excluded).
bool isUnsigned(DType dtype);

/// Bytes one element takes in memory (Bool: 1).
int64_t byteSize(DType dtype);
const char *dtypeName(DType dtype);
/// The dtype of an MLIR element type; failure for types dsc does not support.
mlir::FailureOr<DType> dtypeOf(mlir::Type elementType);
mlir::Type mlirType(DType dtype, mlir::MLIRContext *context);

/// Rounds `value` to what `dtype` can hold (round to nearest even for floats,
/// truncation toward zero and wrap-around for integers, != 0 for Bool).
double roundTo(DType dtype, double value);

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// Row-major values, each already representable in `dtype`.
  std::vector<double> data;
  /// A tensor of strings: dtype U8, and the last dimension is one slot per
  /// string holding its UTF-8 bytes, NUL-padded (the layout the compiled
  /// graph computes on; see stringTensor).
  bool text = false;

  int64_t numElements() const;
  int64_t sizeInBytes() const { return numElements() * byteSize(dtype); }

  /// Reads/writes the in-memory representation (little-endian, IEEE half for
  /// F16, bfloat16 for BF16).
  static Tensor fromBytes(DType dtype, llvm::ArrayRef<int64_t> shape,
                          const void *bytes);
  void toBytes(void *bytes) const;
};

/// A string tensor of `shape` holding `strings` (row-major) in slots of
/// `slotBytes` bytes, or of the longest string's length (at least 1) when
/// `slotBytes` is 0. Strings must fit their slot.
Tensor stringTensor(llvm::ArrayRef<int64_t> shape,
                    llvm::ArrayRef<std::string> strings, int64_t slotBytes = 0);
/// The strings of a tensor laid out as stringTensor makes them: each slot's
/// bytes up to its first NUL.
std::vector<std::string> stringsOf(const Tensor &tensor);

/// The value of a constant attribute (dense or dense_resource).
mlir::FailureOr<Tensor> fromAttr(mlir::ElementsAttr attr);
/// A dense_resource attribute (blob named `name`) holding `tensor`, or a
/// dense attribute when the tensor is small.
mlir::ElementsAttr toAttr(const Tensor &tensor, mlir::MLIRContext *context,
                          llvm::StringRef name = "folded");
/// The same for a tensor already in its in-memory representation (see
/// Tensor::fromBytes), without widening it to double: used for weights.
mlir::ElementsAttr attrFromBytes(DType dtype, mlir::RankedTensorType type,
                                 llvm::ArrayRef<char> bytes,
                                 llvm::StringRef name);

/// Evaluates one op of the graph dialect (graph.fusion included: its body is
/// evaluated). Emits an error on the op and fails for an op it cannot run.
mlir::FailureOr<llvm::SmallVector<Tensor>>
evaluateOp(mlir::Operation *op, llvm::ArrayRef<Tensor> operands);

/// Evaluates a block's ops in order with `arguments` bound to its arguments
/// and returns the terminator's operands (func.return, graph.yield,
/// exec.yield).
mlir::FailureOr<llvm::SmallVector<Tensor>>
evaluateBlock(mlir::Block &block, llvm::ArrayRef<Tensor> arguments);

/// Evaluates `func` on `inputs`; checks their dtypes and shapes first.
mlir::FailureOr<llvm::SmallVector<Tensor>>
evaluateFunction(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> inputs);

} // namespace dsc::reference

#endif // DSC_COMPILER_REFERENCE_REFERENCE_H
