//===- ScalarExprEmitter.h - elementwise op chains as C ---------*- C++ -*-===//
//
// Turns a chain of graph elementwise ops into scalar C statements, one
// `const T vN = ...;` per op, in the compute type of the op's element type.
// Every family uses it: the elementwise kernels for their whole body, the
// gemm and row-reduction kernels for their epilogues.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_CODEGEN_CUDA_SCALAREXPREMITTER_H
#define DSC_CODEGEN_CUDA_SCALAREXPREMITTER_H

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>

namespace dsc::codegen {

class ScalarExprEmitter {
public:
  /// Produces the expression of a value the chain does not compute (a kernel
  /// argument, the matmul accumulator, the normalized value of a reduction),
  /// emitting any statements it needs to `os` first. Returns failure after
  /// emitting an error.
  using LeafFn = std::function<mlir::FailureOr<std::string>(mlir::Value)>;

  /// `kernel` receives the diagnostics; `what` names the context in them
  /// (e.g. "an elementwise body", "a gemm epilogue").
  ScalarExprEmitter(exec::KernelOp kernel, llvm::StringRef what,
                    llvm::raw_ostream &os, llvm::StringRef indent, LeafFn leaf);

  /// Emits the statements computing `value` (memoized) and returns the name
  /// or literal holding it in its compute type.
  mlir::FailureOr<std::string> emit(mlir::Value value);

  /// Gives `value` a known expression (e.g. the accumulator element).
  void bind(mlir::Value value, std::string expr) {
    exprs[value] = std::move(expr);
  }

  /// Forgets every memoized value, for the next element of an unrolled loop.
  void reset() { exprs.clear(); }

  /// Whether `op` is something emit() can turn into an expression.
  static bool isScalarizable(mlir::Operation *op);

private:
  mlir::FailureOr<std::string> emitOp(mlir::Operation *op);
  mlir::FailureOr<std::string> emitMath(graph::MathFn fn, mlir::Type type,
                                        llvm::StringRef x);
  mlir::FailureOr<std::string> emitMod(mlir::Type type, bool fmod,
                                       llvm::StringRef a, llvm::StringRef b);
  mlir::FailureOr<std::string> emitBitwise(graph::BitwiseKind kind,
                                           mlir::Type type, llvm::StringRef a,
                                           llvm::StringRef b);

  exec::KernelOp kernel;
  std::string what;
  llvm::raw_ostream &os;
  std::string indent;
  LeafFn leaf;
  llvm::DenseMap<mlir::Value, std::string> exprs;
  unsigned nextId = 0;
};

/// Emits `static __device__ void dsc_epilogue(<kernel parameters>, index_t o,
/// <acc> y)`, which stores element `o` of the kernel's only result: the
/// elementwise ops between `anchor` (element `o` of it is `y`, in the
/// compute type of its element type) and the yielded value, reading other
/// kernel arguments broadcast to the result. `what` names the context in
/// diagnostics. With `withValue`, the ops go into `dsc_epilogue_value` (same
/// parameters), which returns the element as stored, for a caller that packs
/// several into one wide store; dsc_epilogue stores what it returns.
mlir::LogicalResult
emitEpilogueFunction(exec::KernelOp kernel, mlir::Value anchor,
                     llvm::StringRef acc, llvm::StringRef what,
                     llvm::raw_ostream &os, bool withValue = false);

/// `arg0, ..., argN, out0`: the arguments that call dsc_epilogue.
std::string kernelArgumentNames(exec::KernelOp kernel);

} // namespace dsc::codegen

#endif // DSC_CODEGEN_CUDA_SCALAREXPREMITTER_H
