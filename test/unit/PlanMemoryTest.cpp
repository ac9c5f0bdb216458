//===- PlanMemoryTest.cpp - exec-plan-memory on random programs -----------===//
//
// Builds random schedules of allocations, launches and views, runs the
// planner, and checks what any correct plan must satisfy: buffers alive at
// the same time never share bytes, every buffer lies inside the arena, and
// the arena is no smaller than the most bytes ever live at once.
//
//===----------------------------------------------------------------------===//

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "passes/lower/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

using namespace mlir;
using namespace dsc;

namespace {

/// A random program: `count` buffers of random sizes, each written by one
/// launch that reads one or two earlier buffers; a few are read through views.
std::string randomProgram(std::mt19937 &rng, int count) {
  std::uniform_int_distribution<int> size(1, 64), pick(0, 1 << 30);
  std::ostringstream kernels, body;
  body << "exec.program @main {\n"
       << "  %in = exec.input \"x\" index(0) : !exec.buffer<16xf32>\n";
  std::vector<int> sizes;
  std::vector<bool> viewed(count, false);
  for (int i = 0; i < count; ++i) {
    int n = size(rng) * 4;
    sizes.push_back(n);
    int a = i == 0 ? -1 : pick(rng) % i;
    int b = i < 2 ? -1 : pick(rng) % i;
    auto name = [&](int j) {
      if (j < 0)
        return std::string("%in");
      return (viewed[j] ? "%w" : "%b") + std::to_string(j);
    };
    auto type = [&](int j) {
      return "!exec.buffer<" + std::to_string(j < 0 ? 16 : sizes[j]) + "xf32>";
    };
    auto tensor = [&](int j) {
      return "tensor<" + std::to_string(j < 0 ? 16 : sizes[j]) + "xf32>";
    };
    kernels << "exec.kernel @k" << i << "(%a: " << tensor(a)
            << ", %c: " << tensor(b) << ") -> tensor<" << n
            << "xf32> attributes {family = \"elementwise\"} {\n"
            << "  %r = graph.constant dense<1.0> : tensor<" << n << "xf32>\n"
            << "  exec.yield %r : tensor<" << n << "xf32>\n}\n";
    body << "  %b" << i << " = exec.alloc : !exec.buffer<" << n << "xf32>\n";
    body << "  exec.launch @k" << i << " ins(" << name(a) << ", " << name(b)
         << " : " << type(a) << ", " << type(b) << ") outs(%b" << i << " : "
         << "!exec.buffer<" << n << "xf32>)\n";
    // Some buffers are renamed through a chain of views right away and read
    // only through it later: those reads must keep the buffer alive.
    if (pick(rng) % 3 == 0) {
      body << "  %v" << i << " = exec.view %b" << i << " : !exec.buffer<" << n
           << "xf32> to !exec.buffer<" << n / 4 << "x4xf32>\n";
      body << "  %w" << i << " = exec.view %v" << i << " : !exec.buffer<"
           << n / 4 << "x4xf32> to !exec.buffer<" << n << "xf32>\n";
      viewed[i] = true;
    }
  }
  body << "  %out = exec.output \"y\" index(0) : !exec.buffer<" << sizes.back()
       << "xf32>\n  exec.copy %b" << count - 1 << " to %out : !exec.buffer<"
       << sizes.back() << "xf32> to !exec.buffer<" << sizes.back()
       << "xf32>\n}\n";
  return kernels.str() + body.str();
}

struct Interval {
  int64_t offset, size;
  unsigned first, last;
};

TEST(PlanMemory, RandomProgramsArePackedWithoutOverlap) {
  MLIRContext context;
  context
      .loadDialect<graph::GraphDialect, exec::ExecDialect, func::FuncDialect>();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::string text = randomProgram(rng, 2 + trial % 30);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    ASSERT_TRUE(module) << text;
    PassManager pm(&context);
    pm.nest<exec::ProgramOp>().addPass(lower::createPlanMemory());
    ASSERT_TRUE(succeeded(pm.run(*module))) << text;

    auto program = *module->getOps<exec::ProgramOp>().begin();
    Block &block = program.getBody().front();
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;
    std::vector<Interval> intervals;
    for (auto alloc : block.getOps<exec::AllocOp>()) {
      ASSERT_TRUE(alloc.getOffset().has_value());
      Interval interval{
          *alloc.getOffset(),
          cast<exec::BufferType>(alloc.getType()).getSizeInBytes(),
          position[alloc], position[alloc]};
      SmallVector<Value> worklist = {alloc.getResult()};
      while (!worklist.empty())
        for (Operation *user : worklist.pop_back_val().getUsers()) {
          interval.last = std::max(interval.last, position[user]);
          if (auto view = dyn_cast<exec::ViewOp>(user))
            worklist.push_back(view.getResult());
        }
      EXPECT_EQ(interval.offset % 256, 0);
      intervals.push_back(interval);
    }
    int64_t arena = *program.getArenaSize();
    int64_t lowerBound = *program.getArenaLowerBound();
    EXPECT_GE(arena, lowerBound);
    for (size_t i = 0; i < intervals.size(); ++i) {
      const Interval &a = intervals[i];
      EXPECT_LE(a.offset + a.size, arena);
      for (size_t j = i + 1; j < intervals.size(); ++j) {
        const Interval &b = intervals[j];
        bool liveTogether = a.first <= b.last && b.first <= a.last;
        bool overlap =
            a.offset < b.offset + b.size && b.offset < a.offset + a.size;
        EXPECT_FALSE(liveTogether && overlap)
            << "buffers " << i << " and " << j << " overlap in trial " << trial
            << "\n"
            << text;
      }
    }
  }
}

/// The arena `strategy` packs the program `text` into (the pass's options).
int64_t packedArena(MLIRContext &context, const std::string &text,
                    const lower::PlanMemoryOptions &options) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  PassManager pm(&context);
  pm.nest<exec::ProgramOp>().addPass(lower::createPlanMemory(options));
  if (!module || failed(pm.run(*module)))
    return -1;
  return *(*module->getOps<exec::ProgramOp>().begin()).getArenaSize();
}

TEST(PlanMemory, SearchIsNeverWorseThanGreedyBySize) {
  // `auto` tries greedy by size among its orders and keeps only moves that
  // do not grow the arena: it can only match or beat it, and it should meet
  // the lower bound on most random programs.
  MLIRContext context;
  context
      .loadDialect<graph::GraphDialect, exec::ExecDialect, func::FuncDialect>();
  std::mt19937 rng(11);
  int atBound = 0, trials = 100;
  for (int trial = 0; trial < trials; ++trial) {
    std::string text = randomProgram(rng, 5 + trial % 40);
    lower::PlanMemoryOptions bySize;
    bySize.strategy = "size-first-fit";
    bySize.searchSteps = 0;
    int64_t greedy = packedArena(context, text, bySize);
    int64_t searched = packedArena(context, text, {});
    ASSERT_GT(greedy, 0) << text;
    ASSERT_GT(searched, 0) << text;
    EXPECT_LE(searched, greedy) << text;

    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    PassManager pm(&context);
    pm.nest<exec::ProgramOp>().addPass(lower::createPlanMemory());
    ASSERT_TRUE(succeeded(pm.run(*module)));
    auto program = *module->getOps<exec::ProgramOp>().begin();
    atBound += *program.getArenaSize() == *program.getArenaLowerBound();
  }
  EXPECT_GE(atBound, trials * 9 / 10);
}

TEST(PlanMemory, ChainReusesMemory) {
  // Each buffer dies at the next launch: the arena holds two, not ten.
  MLIRContext context;
  context
      .loadDialect<graph::GraphDialect, exec::ExecDialect, func::FuncDialect>();
  std::string text =
      "exec.kernel @k(%a: tensor<64xf32>) -> tensor<64xf32> attributes "
      "{family = \"elementwise\"} {\n  %r = graph.relu %a : tensor<64xf32> -> "
      "tensor<64xf32>\n  exec.yield %r : tensor<64xf32>\n}\nexec.program @main "
      "{\n"
      "  %x = exec.input \"x\" index(0) : !exec.buffer<64xf32>\n";
  std::string previous = "%x";
  for (int i = 0; i < 10; ++i) {
    text +=
        "  %b" + std::to_string(i) + " = exec.alloc : !exec.buffer<64xf32>\n";
    text += "  exec.launch @k ins(" + previous +
            " : !exec.buffer<64xf32>) outs(%b" + std::to_string(i) +
            " : !exec.buffer<64xf32>)\n";
    previous = "%b" + std::to_string(i);
  }
  text += "}\n";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  pm.nest<exec::ProgramOp>().addPass(lower::createPlanMemory());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  auto program = *module->getOps<exec::ProgramOp>().begin();
  EXPECT_EQ(*program.getArenaSize(), 2 * 256);
  EXPECT_EQ(*program.getArenaLowerBound(), 2 * 256);
}

} // namespace
