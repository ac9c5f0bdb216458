//===- DedupeKernels.cpp - exec-dedupe-kernels ----------------------------===//

#include "passes/lower/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace dsc::lower {
#define GEN_PASS_DEF_DEDUPEKERNELS
#include "passes/lower/Passes.h.inc"
} // namespace dsc::lower

using namespace mlir;
using namespace dsc;

namespace {
struct DedupeKernelsPass
    : dsc::lower::impl::DedupeKernelsBase<DedupeKernelsPass> {
  static bool sameKernel(exec::KernelOp a, exec::KernelOp b) {
    return a.getFamily() == b.getFamily() &&
           a.getFunctionType() == b.getFunctionType() &&
           a.getArgAttrsAttr() == b.getArgAttrsAttr() &&
           a.getResAttrsAttr() == b.getResAttrsAttr() &&
           OperationEquivalence::isRegionEquivalentTo(
               &a.getBody(), &b.getBody(),
               OperationEquivalence::IgnoreLocations);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Candidates are bucketed by a cheap key; bodies are compared within.
    llvm::DenseMap<std::pair<Type, unsigned>, SmallVector<exec::KernelOp>>
        buckets;
    llvm::StringMap<StringRef> replacement;
    for (auto kernel :
         llvm::make_early_inc_range(module.getOps<exec::KernelOp>())) {
      auto key =
          std::make_pair(Type(kernel.getFunctionType()),
                         static_cast<unsigned>(
                             kernel.getBody().front().getOperations().size()));
      SmallVector<exec::KernelOp> &bucket = buckets[key];
      auto same = llvm::find_if(bucket, [&](exec::KernelOp other) {
        return sameKernel(kernel, other);
      });
      if (same == bucket.end()) {
        bucket.push_back(kernel);
        continue;
      }
      replacement[kernel.getSymName()] = same->getSymName();
    }
    if (replacement.empty())
      return;
    module.walk([&](exec::LaunchOp launch) {
      auto it = replacement.find(launch.getKernel());
      if (it != replacement.end())
        launch.setKernelAttr(FlatSymbolRefAttr::get(&getContext(), it->second));
    });
    for (auto kernel :
         llvm::make_early_inc_range(module.getOps<exec::KernelOp>()))
      if (replacement.count(kernel.getSymName()))
        kernel.erase();
  }
};
} // namespace
