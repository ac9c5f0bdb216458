//===- PlanMemory.cpp - exec-plan-memory ----------------------------------===//
//
// Packing buffers with fixed lifetimes into the least memory is NP-hard
// (dynamic storage allocation), but its lower bound, the most bytes live at
// one point, is cheap and usually reachable: several greedy heuristics are
// tried, the best one is improved by a short local search over its order,
// and the search stops as soon as a packing meets the bound.
//
//===----------------------------------------------------------------------===//

#include "passes/lower/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/MathExtras.h"

#include <limits>
#include <numeric>
#include <random>

#define DEBUG_TYPE "exec-plan-memory"

namespace dsc::lower {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/lower/Passes.h.inc"
} // namespace dsc::lower

using namespace mlir;
using namespace dsc;

namespace {
/// An arena buffer: its aligned size and the schedule positions of its
/// first and last use (through views), both inclusive.
struct Buffer {
  exec::AllocOp alloc;
  int64_t size;
  unsigned first;
  unsigned last;

  unsigned length() const { return last - first + 1; }
};

/// The order in which buffers are placed.
enum class Order { Size, FirstUse, Lifetime, Area, Breadth };
/// Which free range a buffer takes: the lowest, or the smallest that fits.
enum class Fit { First, Best };

constexpr std::pair<StringLiteral, Order> kOrders[] = {
    {"size", Order::Size},         {"first-use", Order::FirstUse},
    {"lifetime", Order::Lifetime}, {"area", Order::Area},
    {"breadth", Order::Breadth},
};
constexpr std::pair<StringLiteral, Fit> kFits[] = {
    {"first-fit", Fit::First},
    {"best-fit", Fit::Best},
};

struct Strategy {
  Order order;
  Fit fit;
};

/// "size-first-fit", "breadth-best-fit", ...
std::string strategyName(Strategy strategy) {
  StringRef order, fit;
  for (auto [name, value] : kOrders)
    if (value == strategy.order)
      order = name;
  for (auto [name, value] : kFits)
    if (value == strategy.fit)
      fit = name;
  return (order + "-" + fit).str();
}

std::optional<Strategy> parseStrategy(StringRef name) {
  for (auto [orderName, order] : kOrders)
    for (auto [fitName, fit] : kFits)
      if (name == strategyName({order, fit}))
        return Strategy{order, fit};
  return std::nullopt;
}

/// Offsets, one per buffer, and the arena they span.
struct Packing {
  SmallVector<int64_t> offsets;
  int64_t arenaSize = std::numeric_limits<int64_t>::max();
};

class Packer {
public:
  Packer(ArrayRef<Buffer> buffers, unsigned numPositions)
      : buffers(buffers), conflicts(buffers.size()), live(numPositions, 0) {
    for (auto [i, a] : llvm::enumerate(buffers)) {
      for (unsigned t = a.first; t <= a.last; ++t)
        live[t] += a.size;
      for (unsigned j = i + 1; j < buffers.size(); ++j)
        if (a.first <= buffers[j].last && buffers[j].first <= a.last) {
          conflicts[i].push_back(j);
          conflicts[j].push_back(i);
        }
    }
  }

  /// The most bytes live at one point: no packing can beat it.
  int64_t lowerBound() const {
    return live.empty() ? 0 : *llvm::max_element(live);
  }

  SmallVector<unsigned> orderBy(Order order) const {
    SmallVector<unsigned> indices(buffers.size());
    std::iota(indices.begin(), indices.end(), 0);
    auto byKey = [&](auto key) {
      llvm::stable_sort(indices, [&](unsigned a, unsigned b) {
        return key(buffers[a]) > key(buffers[b]);
      });
    };
    switch (order) {
    case Order::Size:
      byKey([](const Buffer &b) {
        return std::make_pair(b.size, -int64_t(b.first));
      });
      break;
    case Order::FirstUse:
      byKey([](const Buffer &b) {
        return std::make_pair(-int64_t(b.first), b.size);
      });
      break;
    case Order::Lifetime:
      byKey([](const Buffer &b) { return std::make_pair(b.length(), b.size); });
      break;
    case Order::Area:
      byKey([](const Buffer &b) { return b.size * int64_t(b.length()); });
      break;
    case Order::Breadth:
      return orderByBreadth();
    }
    return indices;
  }

  /// Places the buffers in `order`, each among the ranges that no placed
  /// buffer of an overlapping lifetime occupies.
  Packing place(ArrayRef<unsigned> order, Fit fit) const {
    Packing packing;
    packing.offsets.assign(buffers.size(), -1);
    packing.arenaSize = 0;
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (unsigned i : order) {
      taken.clear();
      for (unsigned j : conflicts[i])
        if (packing.offsets[j] >= 0)
          taken.emplace_back(packing.offsets[j],
                             packing.offsets[j] + buffers[j].size);
      llvm::sort(taken);
      int64_t size = buffers[i].size;
      int64_t offset = -1, smallestGap = std::numeric_limits<int64_t>::max();
      int64_t end = 0;
      for (auto [begin, stop] : taken) {
        int64_t gap = begin - end;
        if (gap >= size && gap < smallestGap) {
          offset = end;
          smallestGap = gap;
          if (fit == Fit::First)
            break;
        }
        end = std::max(end, stop);
      }
      if (offset < 0)
        offset = end;
      packing.offsets[i] = offset;
      packing.arenaSize = std::max(packing.arenaSize, offset + size);
    }
    return packing;
  }

private:
  /// TensorFlow Lite's greedy by breadth: the positions with the most bytes
  /// live first, and at each the buffers not yet ordered, largest first.
  SmallVector<unsigned> orderByBreadth() const {
    SmallVector<unsigned> positions(live.size());
    std::iota(positions.begin(), positions.end(), 0);
    llvm::stable_sort(
        positions, [&](unsigned a, unsigned b) { return live[a] > live[b]; });
    SmallVector<SmallVector<unsigned>> startingAt(live.size());
    for (auto [i, b] : llvm::enumerate(buffers))
      startingAt[b.first].push_back(i);
    SmallVector<unsigned> order;
    SmallVector<bool> ordered(buffers.size(), false);
    for (unsigned t : positions) {
      SmallVector<unsigned> here;
      for (auto [i, b] : llvm::enumerate(buffers))
        if (!ordered[i] && b.first <= t && t <= b.last)
          here.push_back(i);
      llvm::stable_sort(here, [&](unsigned a, unsigned b) {
        return buffers[a].size > buffers[b].size;
      });
      for (unsigned i : here) {
        ordered[i] = true;
        order.push_back(i);
      }
    }
    return order;
  }

  ArrayRef<Buffer> buffers;
  /// For each buffer, the buffers whose lifetimes overlap its own.
  std::vector<SmallVector<unsigned>> conflicts;
  /// Bytes live at each schedule position.
  SmallVector<int64_t> live;
};

struct PlanMemoryPass : dsc::lower::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    exec::ProgramOp program = getOperation();
    if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
      program.emitError("alignment must be a positive power of two, not ")
          << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    if (searchSteps < 0) {
      program.emitError("search-steps must not be negative, not ")
          << static_cast<int64_t>(searchSteps);
      return signalPassFailure();
    }
    SmallVector<Strategy> strategies;
    if (strategy == "auto") {
      for (auto [orderName, order] : kOrders)
        for (auto [fitName, fit] : kFits)
          strategies.push_back({order, fit});
    } else if (std::optional<Strategy> one = parseStrategy(strategy)) {
      strategies.push_back(*one);
    } else {
      SmallVector<std::string> names;
      for (auto [orderName, order] : kOrders)
        for (auto [fitName, fit] : kFits)
          names.push_back(strategyName({order, fit}));
      program.emitError("unknown strategy '")
          << strategy << "': expected auto or one of "
          << llvm::join(names, ", ");
      return signalPassFailure();
    }

    Block &block = program.getBody().front();
    std::vector<Buffer> buffers = collectBuffers(block);
    Packer packer(buffers, block.getOperations().size());
    int64_t lowerBound = packer.lowerBound();

    Packing best;
    SmallVector<unsigned> bestOrder;
    Fit bestFit = Fit::First;
    for (Strategy s : strategies) {
      SmallVector<unsigned> order = packer.orderBy(s.order);
      Packing packing = packer.place(order, s.fit);
      LLVM_DEBUG(llvm::dbgs() << strategyName(s) << ": " << packing.arenaSize
                              << " bytes (lower bound " << lowerBound << ")\n");
      if (packing.arenaSize < best.arenaSize) {
        best = std::move(packing);
        bestOrder = std::move(order);
        bestFit = s.fit;
      }
      if (best.arenaSize == lowerBound)
        break;
    }

    // Local search: move one buffer elsewhere in the best order; keep moves
    // that do not grow the arena (ties let the search walk plateaus). A
    // fixed seed keeps plans reproducible.
    std::mt19937 random(0x5eed);
    for (int64_t step = 0; step < searchSteps && best.arenaSize > lowerBound &&
                           buffers.size() > 1;
         ++step) {
      std::uniform_int_distribution<size_t> pick(0, buffers.size() - 1);
      size_t from = pick(random), to = pick(random);
      if (from == to)
        continue;
      SmallVector<unsigned> order = bestOrder;
      unsigned moved = order[from];
      order.erase(order.begin() + from);
      order.insert(order.begin() + to, moved);
      Packing packing = packer.place(order, bestFit);
      if (packing.arenaSize <= best.arenaSize) {
        LLVM_DEBUG(if (packing.arenaSize < best.arenaSize) llvm::dbgs()
                   << "search step " << step << ": " << packing.arenaSize
                   << " bytes\n");
        best = std::move(packing);
        bestOrder = std::move(order);
      }
    }

    OpBuilder builder(&getContext());
    for (auto [buffer, offset] : llvm::zip_equal(buffers, best.offsets))
      buffer.alloc.setOffsetAttr(builder.getI64IntegerAttr(offset));
    program.setArenaSizeAttr(builder.getI64IntegerAttr(best.arenaSize));
    program.setArenaLowerBoundAttr(builder.getI64IntegerAttr(lowerBound));
  }

  /// Each allocation's aligned size and its lifetime over the program
  /// order: from its first use to its last, through views. An allocation
  /// nothing uses lives at its own position.
  std::vector<Buffer> collectBuffers(Block &block) const {
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;
    std::vector<Buffer> buffers;
    for (auto alloc : block.getOps<exec::AllocOp>()) {
      unsigned at = position[alloc];
      Buffer buffer{
          alloc,
          static_cast<int64_t>(llvm::alignTo(
              cast<exec::BufferType>(alloc.getType()).getSizeInBytes(),
              alignment)),
          std::numeric_limits<unsigned>::max(), 0};
      SmallVector<Value> worklist = {alloc.getResult()};
      while (!worklist.empty()) {
        Value value = worklist.pop_back_val();
        for (Operation *user : value.getUsers()) {
          if (auto view = dyn_cast<exec::ViewOp>(user)) {
            worklist.push_back(view.getResult());
            continue;
          }
          Operation *inProgram = block.findAncestorOpInBlock(*user);
          unsigned t = inProgram ? position[inProgram] : at;
          buffer.first = std::min(buffer.first, t);
          buffer.last = std::max(buffer.last, t);
        }
      }
      if (buffer.first > buffer.last)
        buffer.first = buffer.last = at;
      buffers.push_back(buffer);
    }
    return buffers;
  }
};
} // namespace
