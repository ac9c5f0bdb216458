//===- MoeEmitter.cpp - graph.moe_route -----------------------------------===//
//
// One block sorts the T * k expert choices into row groups (a counting
// sort). Thread t counts its contiguous chunk of slots per expert; one
// exclusive scan over the counts in (expert, thread) order gives each
// thread the first row of its slots of each expert, so that every
// expert's slots stay in slot order and the result does not depend on
// scheduling. The routed slots are at most a few hundred thousand: one
// block does them in a few microseconds, and the layout is ready in one
// launch without a second pass over global memory.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace dsc::codegen {

namespace {

/// Shared counters the block may take: E * threads ints (44 KiB of the 48
/// KiB of static shared memory).
constexpr int64_t kMaxCounters = 11264;

constexpr StringLiteral kRouteBody = R"cuda(
  constexpr int E = $E$, G = $G$, THREADS = $THREADS$;
  constexpr long long SLOTS = $SLOTS$, K = $K$, ROWS = $ROWS$;
  constexpr long long CHUNK = (SLOTS + THREADS - 1) / THREADS;
  // counts[e * THREADS + t]: thread t's slots of expert e, then the row of
  // its next one (less the expert's first unpadded position: shift[e]).
  __shared__ int counts[E * THREADS];
  __shared__ int starts[E + 1], ends[E], shift[E];
  __shared__ int warpSums[THREADS / 32];
  const int t = threadIdx.x, lane = t % 32, warp = t / 32;
  const long long begin = min(SLOTS, (long long)t * CHUNK);
  const long long end = min(SLOTS, begin + CHUNK);
  for (int e = 0; e < E; ++e)
    counts[e * THREADS + t] = 0;
  __syncthreads();
  // The slots of this thread's chunk in order, eight loads in flight at a
  // time (the chunk is a thread's serial work): counted, then assigned.
  auto walkSlots = [&](bool assign) {
    for (long long s0 = begin; s0 < end; s0 += 8) {
      long long choice[8];
      #pragma unroll
      for (int u = 0; u < 8; ++u)
        choice[u] = s0 + u < end ? (long long)$CHOICES$[s0 + u] : -1;
      #pragma unroll
      for (int u = 0; u < 8; ++u) {
        const long long s = s0 + u, c = choice[u];
        if (s >= end)
          break;
        const bool routed = c >= 0 && c < E;
        if (!assign) {
          if (routed)
            ++counts[c * THREADS + t];
        } else if (routed) {
          const int row = shift[c] + counts[c * THREADS + t]++;
$WRITE_SLOT$        } else {
$WRITE_UNROUTED$        }
      }
    }
  };
  walkSlots(false);
  __syncthreads();
  // Exclusive scan of the E * THREADS counts: thread t takes positions
  // t * E ... t * E + E - 1, then the block scans the threads' sums.
  int local = 0;
  for (int i = 0; i < E; ++i)
    local += counts[t * E + i];
  int inclusive = local;
  for (int offset = 1; offset < 32; offset <<= 1) {
    const int other = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset)
      inclusive += other;
  }
  if (lane == 31)
    warpSums[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    int sum = lane < THREADS / 32 ? warpSums[lane] : 0;
    for (int offset = 1; offset < 32; offset <<= 1) {
      const int other = __shfl_up_sync(0xffffffffu, sum, offset);
      if (lane >= offset)
        sum += other;
    }
    if (lane < THREADS / 32)
      warpSums[lane] = sum; // inclusive over warps
  }
  __syncthreads();
  int prefix = inclusive - local + (warp > 0 ? warpSums[warp - 1] : 0);
  for (int i = 0; i < E; ++i) {
    const int c = counts[t * E + i];
    counts[t * E + i] = prefix;
    prefix += c;
  }
  __syncthreads();
  // Each expert's rows start at a multiple of G.
  if (t == 0) {
    const int routed = warpSums[THREADS / 32 - 1];
    int row = 0;
    for (int e = 0; e < E; ++e) {
      const int first = counts[e * THREADS];
      const int slots = (e + 1 < E ? counts[(e + 1) * THREADS] : routed) - first;
      starts[e] = row;
      ends[e] = row + slots;
      shift[e] = row - first;
      row += (slots + G - 1) / G * G;
    }
    starts[E] = row;
  }
  __syncthreads();
  walkSlots(true);
  // The expert of row r: the last e with starts[e] <= r.
  auto expertOf = [&](long long r) {
    int lo = 0, hi = E - 1;
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      if (starts[mid] <= r)
        lo = mid;
      else
        hi = mid - 1;
    }
    return lo;
  };
  for (long long r = t; r < ROWS; r += THREADS) {
    const int e = expertOf(r);
    if (r % G == 0) {
$WRITE_GROUP$    }
    if (r >= starts[E] || r >= ends[e]) {
$WRITE_PADDING$    }
  }
)cuda";

} // namespace

FailureOr<EmittedKernel> emitMoeRouteKernel(exec::KernelOp kernel,
                                            graph::MoeRouteOp route,
                                            ArrayRef<std::string> outputs,
                                            EmittedKernel emitted) {
  ArrayRef<int64_t> choiceShape = shapeOf(route.getChoices());
  int64_t experts = route.getExpertsAttr().getInt();
  int64_t groupRows = route.getGroupRowsAttr().getInt();
  if (choiceShape.size() != 2)
    return kernel.emitOpError("moe_route choices must be [tokens, k]");
  int64_t slots = choiceShape[0] * choiceShape[1];
  int64_t rows = graph::MoeRouteOp::routedRows(slots, experts, groupRows);
  if (experts * 32 > kMaxCounters)
    return kernel.emitOpError("moe_route of ")
           << experts << " experts: one block counts at most "
           << kMaxCounters / 32 << " experts";
  if (rows >= (int64_t(1) << 31))
    return kernel.emitOpError("moe_route of ")
           << slots << " slots: rows do not fit i32 indices";
  int64_t threads =
      std::clamp<int64_t>((kMaxCounters / experts) / 32 * 32, 32, 1024);
  threads = std::min<int64_t>(threads,
                              std::max<int64_t>(32, llvm::alignTo(slots, 32)));

  const std::string &rowTokens = outputs[0], &rowSlots = outputs[1];
  const std::string &slotRows = outputs[2], &groups = outputs[3];
  auto statements = [](ArrayRef<std::pair<std::string, std::string>> writes) {
    std::string text;
    for (const auto &[pointer, value] : writes)
      if (!pointer.empty())
        text += "          " + pointer + "[" + value + "\n";
    return text;
  };
  std::vector<std::pair<StringRef, std::string>> values = {
      {"E", std::to_string(experts)},
      {"G", std::to_string(groupRows)},
      {"THREADS", std::to_string(threads)},
      {"SLOTS", std::to_string(slots)},
      {"K", std::to_string(choiceShape[1])},
      {"ROWS", std::to_string(rows)},
      {"CHOICES", argName(route.getChoices())},
      {"WRITE_SLOT", statements({{rowTokens, "row] = (int)(s / K);"},
                                 {rowSlots, "row] = (int)s;"},
                                 {slotRows, "s] = row;"}})},
      {"WRITE_UNROUTED", statements({{slotRows, "s] = -1;"}})},
      {"WRITE_GROUP",
       statements({{groups, "r / G] = r < starts[E] ? e : -1;"}})},
      {"WRITE_PADDING",
       statements({{rowTokens, "r] = 0;"}, {rowSlots, "r] = 0;"}})}};

  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << llvm::formatv("// moe_route: {0} slots of {1} experts into {2} rows in "
                      "groups of {3}; one block of {4} threads\n",
                      slots, experts, rows, groupRows, threads);
  os << kernelSignature(kernel, emitted.entry, threads) << " {";
  os << substitute(kRouteBody, values) << "}\n";
  emitted.source = std::move(source);
  emitted.grid = {1, 1, 1};
  emitted.block = {static_cast<int32_t>(threads), 1, 1};
  return emitted;
}

} // namespace dsc::codegen
