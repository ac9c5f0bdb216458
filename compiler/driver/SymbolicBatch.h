//===- SymbolicBatch.h - one plan for every size of a batch dimension -*- C++
//-*-===//
//
// A model whose inputs have a symbolic dimension (`--dim batch=1..64`) is
// compiled once, per sample: the plan is the model at batch 1, and the
// runtime runs every kernel once per sample (as TensorRT's implicit batch
// did) with launch dimensions and buffer offsets scaled at run time. That is
// exact only when the samples never meet: no op reduces, sorts, indexes or
// concatenates along the dimension, and no value depends on its size. This
// checks it on the graph imported at several sizes of the dimension.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_DRIVER_SYMBOLICBATCH_H
#define DSC_COMPILER_DRIVER_SYMBOLICBATCH_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace dsc::driver {

/// Where the symbolic dimension lies in each input and output of `@main`:
/// the axis whose extent is a multiple of it (the outermost axis other than
/// ones), or -1 for a value that does not depend on it.
struct SampleLayout {
  llvm::SmallVector<int64_t> inputAxes, outputAxes;
};

/// Checks that the model computes every sample on its own. `probes` are the
/// model imported with the dimension `name` set to each of `sizes` (at least
/// two, all above one), before any pass. Emits an error naming the node at
/// fault and fails when a sample's results could depend on another sample or
/// on the number of samples.
mlir::FailureOr<SampleLayout>
checkPerSample(llvm::ArrayRef<mlir::ModuleOp> probes,
               llvm::ArrayRef<int64_t> sizes, llvm::StringRef name);

} // namespace dsc::driver

#endif // DSC_COMPILER_DRIVER_SYMBOLICBATCH_H
