//===- FusionPlanner.cpp - graph-fuse's grouping decisions ----------------===//
//
// The ops of the body are the vertices of a Boost.Graph dataflow graph. Then:
//  1. every anchor (in topological order) starts a group and absorbs the
//     chain of elementwise ops that consume only its current result and keep
//     its shape: the epilogue. Large float GEMMs stop at what cuBLASLt runs;
//  2. every other computing op is a group of its own;
//  3. walking the elementwise ops in reverse topological order (consumers
//     first), each one joins the elementwise groups that read it:
//     - all readers in one group: it joins that group (free);
//     - readers in several groups: it is recomputed in each of them when
//       the bytes saved pay for the FLOPs added;
//     - some reader must have it in memory (an anchor operand, a view, a
//       function result): it may join one reader group as an extra result
//       when that saves bytes;
//     otherwise it is a kernel of its own.
// Every merge keeps the groups within `max-inputs` and `max-live-values`,
// and the quotient graph (groups contracted) acyclic.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/FusionPlanner.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>

#include <algorithm>
#include <numeric>

using namespace mlir;

namespace dsc::graph {

bool isInlinedConstant(Value value, Operation *user) {
  DenseElementsAttr attr;
  return isa<ElementwiseOpInterface>(user) &&
         matchPattern(value, m_Constant(&attr)) && attr.isSplat();
}

namespace {

using Digraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
using Vertex = Digraph::vertex_descriptor;

/// Collects the depth-first finish order and notes back edges (cycles).
struct FinishOrderVisitor : boost::default_dfs_visitor {
  std::vector<Vertex> *finished;
  bool *cyclic;

  template <typename Edge, typename Graph>
  void back_edge(Edge, const Graph &) const {
    *cyclic = true;
  }
  template <typename Graph>
  void finish_vertex(Vertex vertex, const Graph &) const {
    finished->push_back(vertex);
  }
};

/// An order of the vertices of `graph` in which every vertex follows its
/// predecessors, or nothing when the graph has a cycle. A depth-first search
/// over the reversed edges finishes each vertex after its predecessors, and
/// visits the roots by index: vertices already in such an order keep it.
std::optional<std::vector<Vertex>> dependencyOrder(const Digraph &graph) {
  std::vector<Vertex> finished;
  bool cyclic = false;
  FinishOrderVisitor visitor;
  visitor.finished = &finished;
  visitor.cyclic = &cyclic;
  boost::depth_first_search(boost::make_reverse_graph(graph),
                            boost::visitor(visitor));
  if (cyclic)
    return std::nullopt;
  return finished;
}

std::optional<std::pair<FusionKind, StringRef>> anchorKind(Operation *op) {
  if (isa<MatMulOp>(op))
    return std::make_pair(FusionKind::Gemm, StringRef("matmul"));
  if (isa<GroupedMatMulOp>(op))
    return std::make_pair(FusionKind::Gemm, StringRef("grouped_matmul"));
  if (isa<SoftmaxOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("softmax"));
  if (isa<LogSoftmaxOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("log_softmax"));
  if (isa<LayerNormOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("layer_norm"));
  if (isa<ReduceMeanOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("reduce_mean"));
  if (isa<TransposeOp>(op))
    return std::make_pair(FusionKind::Data, StringRef("transpose"));
  if (isa<ReduceOp>(op))
    return std::make_pair(FusionKind::Data, StringRef("reduce"));
  // Implicit-GEMM convs take an epilogue (bias is an operand already).
  if (isImplicitGemmConv(op))
    return std::make_pair(FusionKind::Data, StringRef("conv"));
  return std::nullopt;
}

bool isElementwise(Operation *op) { return isa<ElementwiseOpInterface>(op); }

/// Ops that never become kernels: constants (weights or literals), views,
/// fusions of an earlier run, the terminator.
bool staysOutside(Operation *op) {
  return op->getNumResults() == 0 ||
         isa<ConstantOp, ReshapeOp, SqueezeOp, UnsqueezeOp, FusionOp>(op);
}

/// Elements of `value`, counting dynamic dimensions as 1.
int64_t elementsOf(Value value) {
  auto type = dyn_cast<ShapedType>(value.getType());
  if (!type || !type.hasRank())
    return 1;
  int64_t elements = 1;
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d))
      elements *= d;
  return elements;
}

int64_t bytesOf(Value value) {
  Type element = getElementTypeOrSelf(value.getType());
  int64_t bytes =
      element.isIntOrFloat() ? (element.getIntOrFloatBitWidth() + 7) / 8 : 8;
  return elementsOf(value) * std::max<int64_t>(bytes, 1);
}

/// Arithmetic per element in FMA-equivalent instructions: what recomputing
/// the op costs the kernel that clones it.
int64_t flopsPerElement(Operation *op) {
  if (isa<GeluOp>(op))
    return 20;
  if (isa<ErfOp, PowOp, MathOp>(op))
    return 16;
  if (isa<ExpOp, LogOp, TanhOp, SigmoidOp>(op))
    return 8;
  if (isa<DivOp, ReciprocalOp, SqrtOp, ModOp>(op))
    return 4;
  return 1;
}

/// Multiply-adds of a matmul, if its shapes are static.
std::optional<int64_t> multiplyAddsOf(MatMulOp matmul) {
  auto lhs = cast<ShapedType>(matmul.getLhs().getType());
  auto result = cast<ShapedType>(matmul.getResult().getType());
  if (!lhs.hasStaticShape() || !result.hasStaticShape() || lhs.getRank() == 0)
    return std::nullopt;
  return result.getNumElements() * lhs.getShape().back();
}

/// What a float matmul's epilogue holds so far: a bias and a residual (C,
/// beta = 1) in either order, then one activation, as cuBLASLt computes
/// act(A B + C + bias).
struct LibraryEpilogue {
  bool bias = false, residual = false, activation = false;

  /// Whether `user` of the epilogue's current value `tail` extends it.
  bool accepts(Operation *user, Value tail) {
    if (activation)
      return false;
    auto tailType = cast<ShapedType>(tail.getType());
    if (auto add = dyn_cast<AddOp>(user)) {
      Value other = add.getLhs() == tail ? add.getRhs() : add.getLhs();
      auto otherType = cast<ShapedType>(other.getType());
      if (otherType.getElementType() != tailType.getElementType())
        return false;
      ArrayRef<int64_t> shape = otherType.getShape();
      if (shape == tailType.getShape() && !residual)
        return residual = true;
      bool rowVector =
          !shape.empty() && shape.back() == tailType.getShape().back() &&
          llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; });
      if (rowVector && !bias && !residual)
        return bias = true;
      return false;
    }
    if (isa<ReluOp>(user))
      return activation = true;
    if (auto gelu = dyn_cast<GeluOp>(user))
      return activation = gelu.getApproximate() == GeluApproximation::Tanh;
    return false;
  }
};

class FusionPlanner {
public:
  FusionPlanner(Block &body, const FusionPlanOptions &options)
      : body(body), options(options) {}

  std::vector<FusionGroup> run();

private:
  /// How a producer joins its reader groups.
  enum class Join {
    /// Every reader is in the one target group.
    Inside,
    /// Cloned into every target group.
    Recompute,
    /// Joins the one target group, which also writes it to memory.
    ExtraResult,
  };

  unsigned newGroup(FusionKind kind, StringRef anchor, Operation *op);
  bool inGroup(Operation *op, unsigned group) const;
  /// Whether `user` reads `value` (defined by a grouped op) from memory.
  bool readsFromMemory(Value value, Operation *user) const;
  llvm::SetVector<Value> externalInputs(unsigned group) const;
  SmallVector<Value> results(unsigned group) const;
  int64_t traffic(unsigned group) const;
  unsigned liveValues(unsigned group) const;
  bool withinLimits(unsigned group) const;
  /// The groups contracted to one vertex each; ops outside groups stay.
  Digraph quotient() const;

  void planAnchors();
  void planProducer(Operation *producer);
  /// Moves `producer` from its own group into `targets` if the limits, the
  /// cycle check and (unless `join` is Inside) the cost model allow;
  /// returns what it is worth or nothing (leaving everything as it was).
  /// With `commit` false it only measures.
  std::optional<FusionCost> tryJoin(Operation *producer, unsigned own,
                                    ArrayRef<unsigned> targets, Join join,
                                    bool commit);
  /// Adds an epilogue op to an anchor's group if the limits and the cycle
  /// check allow.
  bool tryExtend(unsigned group, Operation *op);

  Block &body;
  const FusionPlanOptions &options;
  /// The ops in program order (the dataflow graph's vertices) and in the
  /// graph's topological order.
  std::vector<Operation *> ops, topological;
  DenseMap<Operation *, Vertex> vertexOf;
  Digraph dataflow;
  /// Position of each op in the topological order.
  DenseMap<Operation *, unsigned> positionOf;
  std::vector<FusionGroup> groups;
  std::vector<bool> dead;
  /// The groups computing each op; the first writes its results to memory.
  DenseMap<Operation *, SmallVector<unsigned, 1>> groupsOf;
};

unsigned FusionPlanner::newGroup(FusionKind kind, StringRef anchor,
                                 Operation *op) {
  unsigned id = groups.size();
  FusionGroup group;
  group.kind = kind;
  group.anchor = anchor.str();
  group.members.push_back(op);
  groups.push_back(std::move(group));
  dead.push_back(false);
  groupsOf[op] = {id};
  return id;
}

bool FusionPlanner::inGroup(Operation *op, unsigned group) const {
  auto it = groupsOf.find(op);
  return it != groupsOf.end() && llvm::is_contained(it->second, group);
}

bool FusionPlanner::readsFromMemory(Value value, Operation *user) const {
  auto it = groupsOf.find(user);
  if (it == groupsOf.end())
    return true;
  Operation *def = value.getDefiningOp();
  return llvm::any_of(it->second,
                      [&](unsigned group) { return !inGroup(def, group); });
}

llvm::SetVector<Value> FusionPlanner::externalInputs(unsigned group) const {
  llvm::SetVector<Value> inputs;
  for (Operation *op : groups[group].members)
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if ((def && inGroup(def, group)) || isInlinedConstant(operand, op))
        continue;
      inputs.insert(operand);
    }
  return inputs;
}

SmallVector<Value> FusionPlanner::results(unsigned group) const {
  SmallVector<Value> values;
  for (Operation *op : groups[group].members) {
    if (groupsOf.lookup(op).front() != group)
      continue;
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return readsFromMemory(result, user);
          }))
        values.push_back(result);
  }
  return values;
}

int64_t FusionPlanner::traffic(unsigned group) const {
  int64_t bytes = 0;
  for (Value input : externalInputs(group))
    bytes += bytesOf(input);
  for (Value result : results(group))
    bytes += bytesOf(result);
  return bytes;
}

unsigned FusionPlanner::liveValues(unsigned group) const {
  SmallVector<Operation *> members = groups[group].members;
  llvm::sort(members, [&](Operation *a, Operation *b) {
    return positionOf.lookup(a) < positionOf.lookup(b);
  });
  // Each value is live from its definition (an input: its first use) up to
  // its last use in the body, or to the end if the kernel writes it.
  unsigned end = members.size();
  llvm::MapVector<Value, std::pair<unsigned, unsigned>> ranges;
  for (auto [index, op] : llvm::enumerate(members)) {
    for (Value operand : op->getOperands()) {
      if (isInlinedConstant(operand, op))
        continue;
      auto [it, inserted] = ranges.insert({operand, {index, index}});
      it->second.second = index;
    }
    for (Value result : op->getResults())
      ranges[result] = {index, index};
  }
  for (Value result : results(group))
    ranges[result].second = end;
  SmallVector<int> delta(end + 1, 0);
  for (auto &[value, range] : ranges) {
    delta[range.first] += 1;
    delta[range.second] -= 1;
  }
  int live = 0, most = 0;
  for (int change : delta) {
    live += change;
    most = std::max(most, live);
  }
  return most;
}

bool FusionPlanner::withinLimits(unsigned group) const {
  return externalInputs(group).size() <= options.maxInputs &&
         liveValues(group) <= options.maxLiveValues;
}

Digraph FusionPlanner::quotient() const {
  size_t numGroups = groups.size();
  Digraph graph(numGroups + ops.size());
  auto outsideVertex = [&](Operation *op) {
    return numGroups + vertexOf.lookup(op);
  };
  for (Vertex source : boost::make_iterator_range(boost::vertices(dataflow)))
    for (Vertex target : boost::make_iterator_range(
             boost::adjacent_vertices(source, dataflow))) {
      Operation *def = ops[source];
      Operation *user = ops[target];
      auto defGroups = groupsOf.find(def);
      size_t from = defGroups != groupsOf.end() ? defGroups->second.front()
                                                : outsideVertex(def);
      auto userGroups = groupsOf.find(user);
      if (userGroups == groupsOf.end()) {
        boost::add_edge(from, outsideVertex(user), graph);
        continue;
      }
      for (unsigned group : userGroups->second)
        if (!inGroup(def, group))
          boost::add_edge(from, group, graph);
    }
  return graph;
}

bool FusionPlanner::tryExtend(unsigned group, Operation *op) {
  groups[group].members.push_back(op);
  groupsOf[op] = {group};
  if (withinLimits(group) && dependencyOrder(quotient()))
    return true;
  groups[group].members.pop_back();
  groupsOf.erase(op);
  return false;
}

std::optional<FusionCost> FusionPlanner::tryJoin(Operation *producer,
                                                 unsigned own,
                                                 ArrayRef<unsigned> targets,
                                                 Join join, bool commit) {
  int64_t before = traffic(own);
  for (unsigned group : targets)
    before += traffic(group);

  groups[own].members.clear();
  groupsOf[producer] = SmallVector<unsigned, 1>(targets);
  for (unsigned group : targets)
    groups[group].members.push_back(producer);

  int64_t after = 0;
  for (unsigned group : targets)
    after += traffic(group);
  FusionCost cost;
  cost.bytesSaved = before - after;
  // A clone runs once per element of its kernel's result (a broadcast
  // producer more often than it has elements), instead of once per element
  // of its own.
  if (join == Join::Recompute) {
    int64_t evaluations = 0;
    for (unsigned group : targets)
      evaluations += elementsOf(groups[group].members.front()->getResult(0));
    cost.flopsAdded = flopsPerElement(producer) *
                      (evaluations - elementsOf(producer->getResult(0)));
  }
  bool accepted =
      llvm::all_of(targets,
                   [&](unsigned group) { return withinLimits(group); }) &&
      (join == Join::Inside ||
       (cost.bytesSaved > 0 && static_cast<double>(cost.flopsAdded) <=
                                   options.recomputeFlopsPerByte *
                                       static_cast<double>(cost.bytesSaved))) &&
      dependencyOrder(quotient()).has_value();

  if (accepted && commit) {
    dead[own] = true;
    if (join != Join::Inside)
      for (unsigned group : targets) {
        std::optional<FusionCost> &total = groups[group].cost;
        if (!total)
          total = FusionCost();
        total->bytesSaved += cost.bytesSaved;
        total->flopsAdded += cost.flopsAdded;
      }
    return cost;
  }
  for (unsigned group : targets)
    groups[group].members.pop_back();
  groupsOf[producer] = {own};
  groups[own].members.push_back(producer);
  if (!accepted)
    return std::nullopt;
  return cost;
}

void FusionPlanner::planAnchors() {
  for (Operation *op : topological) {
    auto kind = anchorKind(op);
    if (!kind)
      continue;
    unsigned id = newGroup(kind->first, kind->second, op);
    // A transpose writes a constant pad of its result (graph-pad-channels'
    // zero channels) as it goes: one pass over the image instead of two.
    if (auto transpose = dyn_cast<TransposeOp>(op);
        transpose && transpose->hasOneUse()) {
      auto pad = dyn_cast<PadOp>(*transpose->getUsers().begin());
      if (pad && pad.getInput() == transpose.getResult() &&
          pad.getMode() == PadMode::Constant && !groupsOf.count(pad))
        tryExtend(id, pad);
      continue;
    }
    // The data-movement emitter takes one op; graph.reduce an epilogue.
    if (kind->first == FusionKind::Data && !isa<ReduceOp>(op) &&
        !isImplicitGemmConv(op))
      continue;
    Value tail = op->getResult(0);
    auto shape = cast<ShapedType>(tail.getType()).getShape();
    // A small GEMM is launch-bound and a shallow one (ResNet's 1x1 convs,
    // K = 64..512) memory-bound: the generated kernel is about as fast as
    // the library, so it keeps the whole epilogue rather than pay one more
    // pass over the result.
    bool libraryOnly = false;
    if (auto matmul = dyn_cast<MatMulOp>(op);
        matmul && options.libraryEpilogues &&
        isa<FloatType>(getElementTypeOrSelf(tail.getType()))) {
      std::optional<int64_t> multiplyAdds = multiplyAddsOf(matmul);
      auto lhs = cast<ShapedType>(matmul.getLhs().getType());
      bool shallow = lhs.hasRank() && lhs.getRank() > 0 &&
                     !ShapedType::isDynamic(lhs.getShape().back()) &&
                     lhs.getShape().back() < options.libraryEpilogueMinDepth;
      libraryOnly =
          !shallow &&
          (!multiplyAdds || *multiplyAdds >= options.libraryEpilogueMinMacs);
    }
    LibraryEpilogue epilogue;
    while (tail.hasOneUse()) {
      Operation *user = *tail.getUsers().begin();
      if (!isElementwise(user) || groupsOf.count(user) ||
          cast<ShapedType>(user->getResult(0).getType()).getShape() != shape ||
          (libraryOnly && !LibraryEpilogue(epilogue).accepts(user, tail)) ||
          !tryExtend(id, user))
        break;
      if (libraryOnly)
        epilogue.accepts(user, tail);
      tail = user->getResult(0);
    }
  }
}

void FusionPlanner::planProducer(Operation *producer) {
  SmallVector<unsigned> targets;
  bool mustMaterialize = false;
  for (Operation *user : producer->getUsers()) {
    auto it = groupsOf.find(user);
    if (it == groupsOf.end()) {
      mustMaterialize = true;
      continue;
    }
    for (unsigned group : it->second) {
      if (groups[group].kind != FusionKind::Elementwise)
        mustMaterialize = true;
      else if (!llvm::is_contained(targets, group))
        targets.push_back(group);
    }
  }
  // Use lists run newest first: decide in program order of the readers.
  llvm::sort(targets, [&](unsigned a, unsigned b) {
    return positionOf.lookup(groups[a].members.front()) <
           positionOf.lookup(groups[b].members.front());
  });
  unsigned own = newGroup(FusionKind::Elementwise, "none", producer);
  if (targets.empty())
    return;
  if (!mustMaterialize &&
      tryJoin(producer, own, targets,
              targets.size() == 1 ? Join::Inside : Join::Recompute,
              /*commit=*/true))
    return;
  // Kept in memory: it may still join one reader group as an extra result.
  // An extra result must have the shape of the group's (elementwise
  // kernels write all results alike), and its readers there must not be
  // recomputed elsewhere (they would read it from memory there).
  auto shapeOf = [](Value value) {
    return cast<ShapedType>(value.getType()).getShape();
  };
  std::optional<unsigned> best;
  int64_t bestSaved = 0;
  for (unsigned group : targets) {
    Operation *root = groups[group].members.front();
    if (shapeOf(root->getResult(0)) != shapeOf(producer->getResult(0)) ||
        llvm::any_of(producer->getUsers(), [&](Operation *user) {
          return inGroup(user, group) && groupsOf.lookup(user).size() != 1;
        }))
      continue;
    std::optional<FusionCost> cost =
        tryJoin(producer, own, {group}, Join::ExtraResult, /*commit=*/false);
    if (cost && cost->bytesSaved > bestSaved) {
      best = group;
      bestSaved = cost->bytesSaved;
    }
  }
  if (best)
    tryJoin(producer, own, {*best}, Join::ExtraResult, /*commit=*/true);
}

std::vector<FusionGroup> FusionPlanner::run() {
  for (Operation &op : body) {
    vertexOf[&op] = ops.size();
    ops.push_back(&op);
  }
  for (size_t i = 0, e = ops.size(); i < e; ++i)
    boost::add_vertex(dataflow);
  for (Operation *op : ops)
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp(); def && vertexOf.count(def))
        boost::add_edge(vertexOf[def], vertexOf[op], dataflow);
  // SSA within one block is acyclic; program order is the fallback anyway.
  if (auto order = dependencyOrder(dataflow)) {
    topological.clear();
    for (Vertex vertex : *order)
      topological.push_back(ops[vertex]);
  } else {
    topological = ops;
  }
  for (auto [position, op] : llvm::enumerate(topological))
    positionOf[op] = position;

  planAnchors();
  // Every other computing op is a kernel of its own, so that codegen, not
  // lowering, says which ops it cannot generate yet.
  for (Operation *op : topological)
    if (!groupsOf.count(op) && !isElementwise(op) && !staysOutside(op))
      newGroup(FusionKind::Data, op->getName().stripDialect(), op);
  for (Operation *op : llvm::reverse(topological))
    if (isElementwise(op) && !groupsOf.count(op))
      planProducer(op);

  // Groups in dependency order, members in program order.
  std::vector<Vertex> groupOrder(groups.size() + ops.size());
  std::iota(groupOrder.begin(), groupOrder.end(), 0);
  if (auto sorted = dependencyOrder(quotient()))
    groupOrder = *sorted;
  std::vector<FusionGroup> planned;
  for (Vertex vertex : groupOrder) {
    if (vertex >= groups.size() || dead[vertex])
      continue;
    FusionGroup group = groups[vertex];
    llvm::sort(group.members, [&](Operation *a, Operation *b) {
      return positionOf.lookup(a) < positionOf.lookup(b);
    });
    group.results = results(vertex);
    group.recomputed = llvm::count_if(group.members, [&](Operation *op) {
      return groupsOf.lookup(op).size() > 1;
    });
    planned.push_back(std::move(group));
  }
  return planned;
}

} // namespace

std::vector<FusionGroup> planFusion(Block &body,
                                    const FusionPlanOptions &options) {
  return FusionPlanner(body, options).run();
}

} // namespace dsc::graph
