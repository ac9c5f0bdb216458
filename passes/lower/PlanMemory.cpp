//===- PlanMemory.cpp - exec-plan-memory ----------------------------------===//

#include "passes/lower/Passes.h"

#include "llvm/Support/MathExtras.h"

namespace dsc::lower {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/lower/Passes.h.inc"
} // namespace dsc::lower

using namespace mlir;
using namespace dsc;

namespace {
struct Lifetime {
  exec::AllocOp alloc;
  int64_t size;   // aligned bytes
  unsigned first; // position of the allocation
  unsigned last;  // position of the last use, through views
  int64_t offset = -1;
};

struct PlanMemoryPass : dsc::lower::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    exec::ProgramOp program = getOperation();
    Block &block = program.getBody().front();
    if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
      program.emitError("alignment must be a positive power of two, not ")
          << alignment;
      return signalPassFailure();
    }

    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;

    std::vector<Lifetime> lifetimes;
    for (auto alloc : block.getOps<exec::AllocOp>()) {
      Lifetime lifetime{
          alloc,
          static_cast<int64_t>(llvm::alignTo(
              cast<exec::BufferType>(alloc.getType()).getSizeInBytes(),
              alignment)),
          position[alloc], position[alloc]};
      SmallVector<Value> worklist = {alloc.getResult()};
      while (!worklist.empty()) {
        Value value = worklist.pop_back_val();
        for (Operation *user : value.getUsers()) {
          lifetime.last = std::max(lifetime.last, position[user]);
          if (auto view = dyn_cast<exec::ViewOp>(user))
            worklist.push_back(view.getResult());
        }
      }
      lifetimes.push_back(lifetime);
    }

    // The most bytes live at one point: a bound no placement can beat.
    int64_t lowerBound = 0;
    for (unsigned t = 0; t < block.getOperations().size(); ++t) {
      int64_t live = 0;
      for (const Lifetime &l : lifetimes)
        if (l.first <= t && t <= l.last)
          live += l.size;
      lowerBound = std::max(lowerBound, live);
    }

    // Greedy by size: largest first, each at the lowest offset that no
    // already placed buffer with an overlapping lifetime occupies.
    std::vector<Lifetime *> order;
    for (Lifetime &l : lifetimes)
      order.push_back(&l);
    llvm::stable_sort(order, [](const Lifetime *a, const Lifetime *b) {
      return a->size != b->size ? a->size > b->size : a->first < b->first;
    });
    std::vector<Lifetime *> placed;
    int64_t arenaSize = 0;
    for (Lifetime *l : order) {
      std::vector<std::pair<int64_t, int64_t>> taken;
      for (Lifetime *other : placed)
        if (other->first <= l->last && l->first <= other->last)
          taken.emplace_back(other->offset, other->offset + other->size);
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [begin, end] : taken) {
        if (begin - offset >= l->size)
          break;
        offset = std::max(offset, end);
      }
      l->offset = offset;
      placed.push_back(l);
      arenaSize = std::max(arenaSize, offset + l->size);
    }

    OpBuilder builder(&getContext());
    for (Lifetime &l : lifetimes)
      l.alloc.setOffsetAttr(builder.getI64IntegerAttr(l.offset));
    program.setArenaSizeAttr(builder.getI64IntegerAttr(arenaSize));
    program.setArenaLowerBoundAttr(builder.getI64IntegerAttr(lowerBound));
  }
};
} // namespace
