//===- Npy.h - numpy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes the .npy format (versions 1 to 3, C order, little-endian)
// for the dtypes of reference::Tensor. bf16 has no numpy dtype: it is written
// as f32. String arrays (|S<n> as UTF-8, <U<n>) are read as string tensors
// (Tensor::text), which are written as <U<n>.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_REFERENCE_NPY_H
#define DSC_COMPILER_REFERENCE_NPY_H

#include "compiler/reference/Reference.h"

#include "llvm/Support/Error.h"

namespace dsc::reference {

/// Parses the contents of a .npy file; `name` is used in error messages.
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
llvm::Expected<Tensor> readNpy(llvm::StringRef path);

/// The .npy (version 1.0) encoding of `tensor`.
std::string encodeNpy(const Tensor &tensor);
llvm::Error writeNpy(llvm::StringRef path, const Tensor &tensor);

/// Re-lays a string tensor out in slots of `slotBytes`; fails when a string
/// is longer.
llvm::Error fitStringSlots(Tensor &tensor, int64_t slotBytes,
                           llvm::StringRef name);

/// Checks that `tensor` can be bound to a value of `dtype` and `shape`
/// (ShapedType::kDynamic dimensions match any size). An f32 tensor is
/// accepted for a bf16 value, which .npy cannot hold, and rounded to it; a
/// string tensor for a U8 value whose last dimension is the string slot,
/// and re-laid out in slots of that size.
llvm::Error checkCompatible(Tensor &tensor, DType dtype,
                            llvm::ArrayRef<int64_t> shape,
                            llvm::StringRef name);

} // namespace dsc::reference

#endif // DSC_COMPILER_REFERENCE_NPY_H
