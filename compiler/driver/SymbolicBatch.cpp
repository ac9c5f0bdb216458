//===- SymbolicBatch.cpp - one plan for every size of a batch dimension ---===//
//
// The graph is imported at several sizes n of the dimension. A value whose
// type is the same at every size is shared; one whose type differs must be
// sample-major: one axis of extent k * n, only ones before it, so that sample
// b's elements are the b-th of n equal runs of its bytes. Each op then must
// keep samples apart: its attributes the same at every size (bar the ones
// that only restate a shape), axis attributes away from the sample axis, and
// a value computed from the inputs is sample-major, not shared: a shared
// value that depends on the inputs has mixed the samples (a reduction over
// them, a matmul that contracts them) or counted them (graph.shape).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/SymbolicBatch.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dsc;

namespace {
/// How one value relates to the symbolic dimension.
struct Layout {
  /// The sample axis, or -1 when the value's type does not depend on it.
  int64_t axis = -1;
  /// Extent of the sample axis per sample (k of k * n).
  int64_t factor = 0;
  /// Computed from a sample-major input: it holds the samples' data.
  bool fromSamples = false;
  /// Sample-major but not from the inputs: the same for every sample (a
  /// splat, a broadcast), which is what the plan of one sample computes.
  bool replicated = false;

  bool isSampleMajor() const { return axis >= 0; }
};

class PerSampleChecker {
public:
  PerSampleChecker(ArrayRef<func::FuncOp> funcs, ArrayRef<int64_t> sizes,
                   StringRef name)
      : funcs(funcs.begin(), funcs.end()), sizes(sizes), name(name) {}

  FailureOr<driver::SampleLayout> run();

private:
  /// The layout of the value that `values[i]` is in probe i.
  FailureOr<Layout> classify(ArrayRef<Value> values);
  LogicalResult checkOp(ArrayRef<Operation *> ops);
  LogicalResult checkAttributes(ArrayRef<Operation *> ops);
  LogicalResult checkConstant(ArrayRef<Operation *> ops, const Layout &layout);
  /// Op-specific rules: axes that must stay off the sample axis.
  LogicalResult checkAxes(Operation *op, ArrayRef<Layout> operands,
                          ArrayRef<Layout> results);

  InFlightDiagnostic error(Operation *op) {
    return op->emitError() << "with symbolic dimension '" << name << "': ";
  }
  std::string sizeList() const {
    std::string text;
    for (auto [i, n] : llvm::enumerate(sizes))
      text += (i ? ", " : "") + std::to_string(n);
    return text;
  }

  SmallVector<func::FuncOp> funcs;
  ArrayRef<int64_t> sizes;
  StringRef name;
  /// Layouts of the first probe's values.
  DenseMap<Value, Layout> layouts;
};
} // namespace

static std::string shapeText(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  return ranked ? graph::formatShape(ranked.getShape()) : "unranked";
}

FailureOr<Layout> PerSampleChecker::classify(ArrayRef<Value> values) {
  auto first = dyn_cast<RankedTensorType>(values[0].getType());
  bool same = llvm::all_of(
      values, [&](Value v) { return v.getType() == values[0].getType(); });
  if (same)
    return Layout{};
  auto describe = [&] {
    std::string text;
    for (auto [i, v] : llvm::enumerate(values))
      text += (i ? ", " : "") + shapeText(v.getType()) + " at " + name.str() +
              "=" + std::to_string(sizes[i]);
    return text;
  };
  auto notSampleMajor = [&]() -> FailureOr<Layout> {
    emitError(values[0].getLoc())
        << "with symbolic dimension '" << name << "': a value has shape "
        << describe()
        << "; a dimension that depends on it must be the outermost one "
           "other than ones and a multiple of it";
    return failure();
  };
  SmallVector<RankedTensorType> types;
  for (Value v : values) {
    auto ranked = dyn_cast<RankedTensorType>(v.getType());
    if (!ranked || !ranked.hasStaticShape() || !first ||
        ranked.getRank() != first.getRank())
      return notSampleMajor();
    types.push_back(ranked);
  }
  int64_t axis = -1;
  for (int64_t d = 0; d < first.getRank(); ++d) {
    bool differs = llvm::any_of(types, [&](RankedTensorType t) {
      return t.getDimSize(d) != first.getDimSize(d);
    });
    if (differs) {
      if (axis >= 0)
        return notSampleMajor();
      axis = d;
    }
  }
  for (int64_t d = 0; d < axis; ++d)
    if (first.getDimSize(d) != 1)
      return notSampleMajor();
  int64_t extent = first.getDimSize(axis);
  if (extent % sizes[0] != 0)
    return notSampleMajor();
  int64_t factor = extent / sizes[0];
  for (auto [t, n] : llvm::zip(types, sizes))
    if (t.getDimSize(axis) != factor * n)
      return notSampleMajor();
  return Layout{axis, factor, false};
}

LogicalResult PerSampleChecker::checkAttributes(ArrayRef<Operation *> ops) {
  Operation *op = ops[0];
  for (NamedAttribute attr : op->getAttrs()) {
    bool same = llvm::all_of(ops, [&](Operation *other) {
      return other->getAttr(attr.getName()) == attr.getValue();
    });
    if (same)
      continue;
    StringRef attrName = attr.getName().getValue();
    // Restatements of a shape, checked by the result types and checkAxes.
    bool shapeLike =
        (isa<graph::ExpandOp, graph::ReshapeOp>(op) && attrName == "shape") ||
        (isa<graph::ResizeOp>(op) && (attrName == "sizes")) ||
        (isa<graph::SliceOp>(op) &&
         (attrName == "starts" || attrName == "ends")) ||
        (isa<graph::ConstantOp>(op) && attrName == "value");
    if (!shapeLike)
      return error(op) << "attribute '" << attrName << "' of '" << op->getName()
                       << "' depends on the size of the dimension (it differs "
                          "between sizes "
                       << sizeList() << ")";
  }
  return success();
}

/// Whether two constants hold the same elements: each import names its
/// resource blobs anew, so those compare by bytes.
static bool sameValue(ElementsAttr a, ElementsAttr b) {
  if (a == b)
    return true;
  auto resourceA = dyn_cast<DenseResourceElementsAttr>(a);
  auto resourceB = dyn_cast<DenseResourceElementsAttr>(b);
  if (!resourceA || !resourceB || a.getType() != b.getType())
    return false;
  AsmResourceBlob *blobA = resourceA.getRawHandle().getBlob();
  AsmResourceBlob *blobB = resourceB.getRawHandle().getBlob();
  return blobA && blobB && blobA->getData() == blobB->getData();
}

LogicalResult PerSampleChecker::checkConstant(ArrayRef<Operation *> ops,
                                              const Layout &layout) {
  SmallVector<ElementsAttr> values;
  for (Operation *op : ops)
    values.push_back(cast<graph::ConstantOp>(op).getValue());
  if (layout.isSampleMajor()) {
    // The same value for every sample: a splat (ConstantOfShape, Expand).
    for (ElementsAttr value : values) {
      auto dense = dyn_cast<DenseElementsAttr>(value);
      if (!dense || !dense.isSplat() ||
          dense.getSplatValue<Attribute>() !=
              cast<DenseElementsAttr>(values[0]).getSplatValue<Attribute>())
        return error(ops[0])
               << "a constant of shape " << shapeText(value.getType())
               << " holds different values along the dimension (a Range "
                  "or an index over the samples)";
    }
    return success();
  }
  if (!llvm::all_of(values,
                    [&](ElementsAttr v) { return sameValue(v, values[0]); }))
    return error(ops[0]) << "a constant's value depends on the size of the "
                            "dimension (it differs between sizes "
                         << sizeList() << "): only shapes may depend on it";
  return success();
}

/// `axis` in [0, rank) for an ONNX-style possibly negative axis.
static int64_t normalize(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

LogicalResult PerSampleChecker::checkAxes(Operation *op,
                                          ArrayRef<Layout> operands,
                                          ArrayRef<Layout> results) {
  int64_t in = operands.empty() ? -1 : operands[0].axis;
  int64_t out = results.empty() ? -1 : results[0].axis;
  auto rankOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getRank();
  };
  auto alongSamples = [&](StringRef what) {
    return error(op) << "'" << op->getName() << "' " << what
                     << " the dimension: samples would mix";
  };
  auto axisAttr = [&](int64_t axis, StringRef what) -> LogicalResult {
    if (in >= 0 && normalize(axis, rankOf(op->getOperand(0))) == in)
      return alongSamples(what);
    return success();
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case<graph::SoftmaxOp, graph::LogSoftmaxOp, graph::HardmaxOp,
            graph::CumSumOp, graph::TopKOp, graph::ArgReduceOp>(
          [&](auto typed) { return axisAttr(typed.getAxis(), "works along"); })
      .Case<graph::GatherOp, graph::GatherElementsOp, graph::ScatterElementsOp>(
          [&](auto typed) { return axisAttr(typed.getAxis(), "indexes"); })
      .Case([&](graph::LayerNormOp norm) -> LogicalResult {
        if (in >= 0 && normalize(norm.getAxis(), rankOf(norm.getInput())) <= in)
          return alongSamples("normalizes along");
        return success();
      })
      .Case<graph::ReduceOp, graph::ReduceMeanOp>(
          [&](auto typed) -> LogicalResult {
            int64_t rank = rankOf(typed.getInput());
            for (int64_t axis : typed.getAxes())
              if (in >= 0 && normalize(axis, rank) == in)
                return alongSamples("reduces along");
            return success();
          })
      .Case([&](graph::ConcatOp concat) -> LogicalResult {
        if (out >= 0 && normalize(concat.getAxis(), rankOf(concat)) == out)
          return alongSamples("concatenates along");
        return success();
      })
      .Case([&](graph::TransposeOp transpose) -> LogicalResult {
        if (out >= 0 && transpose.getPerm()[out] != in)
          return alongSamples("moves");
        return success();
      })
      .Case([&](graph::TileOp tile) -> LogicalResult {
        if (in >= 0 && tile.getRepeats()[in] != 1)
          return alongSamples("repeats");
        return success();
      })
      .Case([&](graph::TriluOp trilu) -> LogicalResult {
        if (in >= 0 && in >= rankOf(trilu.getInput()) - 2)
          return alongSamples("masks along");
        return success();
      })
      .Case([&](graph::SliceOp slice) -> LogicalResult {
        if (in < 0)
          return success();
        for (auto [i, axis] : llvm::enumerate(slice.getAxes())) {
          if (normalize(axis, rankOf(slice.getInput())) != in)
            continue;
          // Only the whole extent, in order, keeps each sample in place.
          int64_t extent =
              cast<RankedTensorType>(slice.getInput().getType()).getDimSize(in);
          int64_t start = slice.getStarts()[i], end = slice.getEnds()[i];
          if (start < 0)
            start += extent;
          if (end < 0)
            end += extent;
          if (slice.getSteps()[i] != 1 || start > 0 || end < extent)
            return alongSamples("slices along");
        }
        return success();
      })
      .Case([&](graph::GatherNDOp gather) -> LogicalResult {
        if (in >= 0 && gather.getBatchDims() <= in)
          return alongSamples("indexes");
        return success();
      })
      .Case([&](graph::ScatterNDOp) -> LogicalResult {
        if (in >= 0)
          return alongSamples("indexes");
        return success();
      })
      .Case([&](graph::ResizeOp) -> LogicalResult {
        if (in >= 0 && (out != in || operands[0].factor != results[0].factor))
          return alongSamples("resizes");
        return success();
      })
      .Case<graph::ConvOp, graph::ConvTransposeOp, graph::PoolOp,
            graph::MaxPoolIndicesOp>([&](auto) -> LogicalResult {
        if (in > 0)
          return alongSamples("slides a window along");
        return success();
      })
      .Case<graph::MatMulOp, graph::ReshapeOp, graph::SqueezeOp,
            graph::UnsqueezeOp, graph::ExpandOp, graph::PadOp, graph::ShapeOp,
            graph::SizeOp, graph::ConstantOp>([&](auto) { return success(); })
      .Default([&](Operation *other) -> LogicalResult {
        if (isa<graph::ElementwiseOpInterface>(other))
          return success();
        if (llvm::any_of(operands,
                         [](const Layout &l) { return l.isSampleMajor(); }))
          return error(other) << "'" << other->getName()
                              << "' is not known to keep samples apart";
        return success();
      });
}

LogicalResult PerSampleChecker::checkOp(ArrayRef<Operation *> ops) {
  Operation *op = ops[0];
  if (failed(checkAttributes(ops)))
    return failure();
  SmallVector<Layout> operands, results;
  bool fromSamples = false;
  for (Value operand : op->getOperands()) {
    operands.push_back(layouts.lookup(operand));
    fromSamples |= operands.back().fromSamples;
  }
  for (unsigned r = 0; r < op->getNumResults(); ++r) {
    SmallVector<Value> values;
    for (Operation *probe : ops)
      values.push_back(probe->getResult(r));
    FailureOr<Layout> layout = classify(values);
    if (failed(layout))
      return failure();
    layout->fromSamples = fromSamples;
    // Data from the samples in a value of fixed shape: they were reduced,
    // contracted or counted.
    if (fromSamples && !layout->isSampleMajor())
      return error(op) << "'" << op->getName() << "' of shape "
                       << shapeText(values[0].getType())
                       << " combines the samples (or counts them); each "
                          "sample must be computed on its own";
    // A sample-major value made from shared ones must hold the same for
    // every sample: broadcasts, and ops on such values elementwise or by
    // layout. A Slice up to the number of samples would give each sample a
    // different part, which the one-sample plan cannot.
    if (layout->isSampleMajor() && !fromSamples) {
      bool fromReplicated = llvm::all_of(operands, [](const Layout &l) {
        return !l.isSampleMajor() || l.replicated;
      });
      bool keepsReplicas = isa<graph::ExpandOp>(op) ||
                           (fromReplicated &&
                            (isa<graph::ElementwiseOpInterface>(op) ||
                             isa<graph::ReshapeOp, graph::SqueezeOp,
                                 graph::UnsqueezeOp, graph::TransposeOp>(op)) &&
                            llvm::any_of(operands, [](const Layout &l) {
                              return l.isSampleMajor();
                            }));
      if (!keepsReplicas && !isa<graph::ConstantOp>(op))
        return error(op) << "'" << op->getName() << "' makes a value of shape "
                         << shapeText(values[0].getType())
                         << " that differs between samples without reading "
                            "them (e.g. a Slice or Range up to the number of "
                            "samples)";
      layout->replicated = true;
    }
    layouts[op->getResult(r)] = *layout;
    results.push_back(*layout);
  }
  if (isa<graph::ConstantOp>(op))
    return checkConstant(ops, results[0]);
  return checkAxes(op, operands, results);
}

FailureOr<driver::SampleLayout> PerSampleChecker::run() {
  SmallVector<SmallVector<Operation *>> bodies;
  for (func::FuncOp func : funcs) {
    bodies.emplace_back();
    for (Operation &op : func.getBody().front())
      bodies.back().push_back(&op);
  }
  for (auto [i, body] : llvm::enumerate(bodies))
    if (body.size() != bodies[0].size() ||
        funcs[i].getNumArguments() != funcs[0].getNumArguments())
      return funcs[i].emitError()
                 << "with symbolic dimension '" << name
                 << "': the graph imports to different ops at " << name << "="
                 << sizes[0] << " and " << name << "=" << sizes[i]
                 << " (a size decides which ops run)",
             failure();

  driver::SampleLayout result;
  for (unsigned a = 0; a < funcs[0].getNumArguments(); ++a) {
    SmallVector<Value> values;
    for (func::FuncOp func : funcs)
      values.push_back(func.getArgument(a));
    FailureOr<Layout> layout = classify(values);
    if (failed(layout))
      return failure();
    layout->fromSamples = layout->isSampleMajor();
    layouts[funcs[0].getArgument(a)] = *layout;
    result.inputAxes.push_back(layout->axis);
  }

  // Only what reaches an output matters: the importer leaves the constants
  // it folded shape computations into behind, unused.
  llvm::SmallPtrSet<Operation *, 32> live;
  for (Operation *op : llvm::reverse(bodies[0])) {
    bool used = op->hasTrait<OpTrait::IsTerminator>() ||
                llvm::any_of(op->getUsers(),
                             [&](Operation *user) { return live.count(user); });
    if (used)
      live.insert(op);
  }
  for (size_t i = 0; i < bodies[0].size(); ++i) {
    SmallVector<Operation *> ops;
    for (auto &body : bodies)
      ops.push_back(body[i]);
    Operation *op = ops[0];
    if (llvm::any_of(ops, [&](Operation *other) {
          return other->getName() != op->getName() ||
                 other->getNumOperands() != op->getNumOperands();
        }))
      return op->emitError()
                 << "with symbolic dimension '" << name
                 << "': the graph imports to different ops at different sizes "
                    "(a size decides which ops run)",
             failure();
    if (op->hasTrait<OpTrait::IsTerminator>()) {
      for (Value v : op->getOperands())
        result.outputAxes.push_back(layouts.lookup(v).axis);
      continue;
    }
    if (!live.count(op))
      continue;
    if (failed(checkOp(ops)))
      return failure();
  }
  return result;
}

FailureOr<driver::SampleLayout>
driver::checkPerSample(ArrayRef<ModuleOp> probes, ArrayRef<int64_t> sizes,
                       StringRef name) {
  assert(probes.size() == sizes.size() && probes.size() >= 2);
  SmallVector<func::FuncOp> funcs;
  for (ModuleOp probe : probes) {
    auto func = probe.lookupSymbol<func::FuncOp>("main");
    if (!func)
      return probe.emitError("expected a function @main"), failure();
    funcs.push_back(func);
  }
  return PerSampleChecker(funcs, sizes, name).run();
}
