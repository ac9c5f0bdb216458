//===- RecurrentImporters.cpp - RNN, GRU and LSTM -------------------------===//
//
// The recurrent ops are unrolled at import over their (static) sequence
// length into matmuls and elementwise cell formulas: every backend then runs
// them with no recurrent kernel, and the input projection of all time steps
// is one matmul. sequence_lens, when given, masks steps per batch row at run
// time (Y is 0 and the state holds past a row's length), as ONNX defines.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ExprBuilder.h"
#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

namespace {

enum class Cell { Rnn, Gru, Lstm };

/// Time steps beyond this would unroll into an unreasonably large graph.
constexpr int64_t kMaxUnrolledSteps = 4096;

/// f for RNN; f, g for GRU; f, g, h for LSTM.
size_t functionsPerDirection(Cell cell) {
  return cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 2 : 3;
}

/// One activation function of a cell, with its alpha and beta.
struct Activation {
  std::string name;
  double alpha = 0, beta = 0;
};

/// Builds the ops of one recurrent node.
class RecurrentBuilder {
public:
  RecurrentBuilder(NodeImporter &node, Type type) : node(node), e{node, type} {}

  Value slice(Value input, int64_t axis, int64_t begin, int64_t end) {
    return build<graph::SliceOp>(node, e.type, input, ArrayRef<int64_t>{begin},
                                 ArrayRef<int64_t>{end},
                                 ArrayRef<int64_t>{axis}, ArrayRef<int64_t>{1});
  }
  /// input[index] along axis 0, without that axis.
  Value take(Value input, int64_t index) {
    return build<graph::SqueezeOp>(
        node, e.type, slice(input, 0, index, index + 1), ArrayRef<int64_t>{0});
  }
  Value transpose(Value input, ArrayRef<int64_t> perm) {
    return build<graph::TransposeOp>(node, e.type, input, perm);
  }
  Value unsqueeze(Value input, int64_t axis, Type type = {}) {
    return build<graph::UnsqueezeOp>(node, type ? type : e.type, input,
                                     ArrayRef<int64_t>{axis});
  }
  Value concat(ValueRange inputs, int64_t axis) {
    if (inputs.size() == 1)
      return inputs.front();
    return build<graph::ConcatOp>(node, e.type, inputs, axis);
  }
  Value matmul(Value lhs, Value rhs) {
    return build<graph::MatMulOp>(node, e.type, lhs, rhs);
  }

  /// Applies `f` (an ONNX recurrent activation name), after clipping.
  FailureOr<Value> activate(const Activation &f, Value x,
                            std::optional<double> clip) {
    if (clip)
      x = e.max(e.c(-*clip), e.min(e.c(*clip), x));
    double a = f.alpha, b = f.beta;
    StringRef name = f.name;
    if (name == "Sigmoid")
      return e.un<graph::SigmoidOp>(x);
    if (name == "Tanh")
      return e.un<graph::TanhOp>(x);
    if (name == "Relu")
      return e.un<graph::ReluOp>(x);
    if (name == "Affine")
      return e.add(e.mul(e.c(a), x), e.c(b));
    if (name == "LeakyRelu")
      return e.leaky(x, e.c(a));
    if (name == "ThresholdedRelu")
      return e.select(e.compare(graph::ComparePredicate::Gt, x, e.c(a)), x,
                      e.c(0));
    if (name == "ScaledTanh")
      return e.mul(e.c(a), e.un<graph::TanhOp>(e.mul(e.c(b), x)));
    if (name == "HardSigmoid")
      return e.hardSigmoid(x, a, b);
    if (name == "Elu")
      return e.add(e.un<graph::ReluOp>(x), e.mul(e.c(a), e.expm1Negative(x)));
    if (name == "Softsign")
      return e.div(x, e.add(e.c(1), e.un<graph::AbsOp>(x)));
    if (name == "Softplus")
      return e.softplus(x);
    (void)node.unsupported("activation '" + name + "' is not supported");
    return failure();
  }

  NodeImporter &node;
  Expr e;
};

/// The activations of a cell: the attribute's, or the defaults, with their
/// alpha/beta consumed in order by the functions that take them (as ONNX
/// Runtime does), else the defaults of the corresponding ONNX ops.
FailureOr<SmallVector<Activation>>
readActivations(NodeImporter &node, Cell cell, int64_t directions) {
  SmallVector<std::string> names;
  if (const auto *attr = node.attribute("activations")) {
    for (const std::string &name : attr->strings()) {
      // Names are case-insensitive in practice (ONNX Runtime lowers them).
      std::string canonical =
          llvm::StringSwitch<std::string>(StringRef(name).lower())
              .Case("sigmoid", "Sigmoid")
              .Case("tanh", "Tanh")
              .Case("relu", "Relu")
              .Case("affine", "Affine")
              .Case("leakyrelu", "LeakyRelu")
              .Case("thresholdedrelu", "ThresholdedRelu")
              .Case("scaledtanh", "ScaledTanh")
              .Case("hardsigmoid", "HardSigmoid")
              .Case("elu", "Elu")
              .Case("softsign", "Softsign")
              .Case("softplus", "Softplus")
              .Default(name);
      names.push_back(canonical);
    }
  } else {
    SmallVector<std::string> one =
        cell == Cell::Rnn ? SmallVector<std::string>{"Tanh"}
        : cell == Cell::Gru
            ? SmallVector<std::string>{"Sigmoid", "Tanh"}
            : SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"};
    for (int64_t d = 0; d < directions; ++d)
      names.append(one.begin(), one.end());
  }
  size_t perDirection = functionsPerDirection(cell);
  if (names.size() != perDirection * directions)
    return node.invalid("activations must list " +
                        Twine(perDirection * directions) + " functions, not " +
                        Twine(names.size()));
  SmallVector<float> alphas, betas;
  if (const auto *attr = node.attribute("activation_alpha"))
    alphas.assign(attr->floats().begin(), attr->floats().end());
  if (const auto *attr = node.attribute("activation_beta"))
    betas.assign(attr->floats().begin(), attr->floats().end());
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> activations;
  for (const std::string &name : names) {
    Activation f{name};
    auto defaults = llvm::StringSwitch<std::pair<double, double>>(name)
                        .Case("Affine", {1.0, 0.0})
                        .Case("LeakyRelu", {0.01, 0.0})
                        .Case("ThresholdedRelu", {1.0, 0.0})
                        .Case("ScaledTanh", {1.0, 1.0})
                        .Case("HardSigmoid", {0.2, 0.5})
                        .Case("Elu", {1.0, 0.0})
                        .Default({0.0, 0.0});
    bool takesAlpha =
        llvm::is_contained({"Affine", "LeakyRelu", "ThresholdedRelu",
                            "ScaledTanh", "HardSigmoid", "Elu"},
                           name);
    bool takesBeta =
        llvm::is_contained({"Affine", "ScaledTanh", "HardSigmoid"}, name);
    f.alpha = takesAlpha && nextAlpha < alphas.size() ? alphas[nextAlpha++]
                                                      : defaults.first;
    f.beta = takesBeta && nextBeta < betas.size() ? betas[nextBeta++]
                                                  : defaults.second;
    activations.push_back(f);
  }
  return activations;
}

template <Cell cell> LogicalResult importRecurrent(NodeImporter &node) {
  if (failed(node.requireInputs(3)))
    return failure();
  Value x = node.input(0), w = node.input(1), r = node.input(2);
  if (failed(requireFloat(node, x)))
    return failure();
  Type type = node.elementTypeOf(x);
  if (node.elementTypeOf(w) != type || node.elementTypeOf(r) != type)
    return node.invalid("X, W and R must have one element type");

  FailureOr<std::string> direction = node.stringAttr("direction", "forward");
  FailureOr<int64_t> layout = node.intAttr("layout", 0);
  FailureOr<int64_t> hidden = node.intAttr("hidden_size", -1);
  FailureOr<int64_t> linearBeforeReset = node.intAttr("linear_before_reset", 0);
  FailureOr<int64_t> inputForget = node.intAttr("input_forget", 0);
  if (failed(direction) || failed(layout) || failed(hidden) ||
      failed(linearBeforeReset) || failed(inputForget))
    return failure();
  if (*direction != "forward" && *direction != "reverse" &&
      *direction != "bidirectional")
    return node.invalid("direction must be forward, reverse or "
                        "bidirectional, not '" +
                        *direction + "'");
  if (*layout != 0 && *layout != 1)
    return node.invalid("layout must be 0 or 1");
  std::optional<double> clip;
  if (node.attribute("clip")) {
    FailureOr<float> value = node.floatAttr("clip", 0);
    if (failed(value))
      return failure();
    clip = *value;
  }
  int64_t directions = *direction == "bidirectional" ? 2 : 1;
  int64_t gates = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4;

  FailureOr<RankedTensorType> xType = node.rankedType(x, "X");
  FailureOr<RankedTensorType> rType = node.rankedType(r, "R");
  if (failed(xType) || failed(rType))
    return failure();
  if (xType->getRank() != 3 || !xType->hasStaticShape())
    return node.unsupported("X must have a static 3-D shape (the sequence "
                            "is unrolled at import)");
  if (rType->getRank() != 3 || rType->isDynamicDim(2))
    return node.invalid("R must be 3-D with a static hidden size");
  int64_t h = rType->getDimSize(2);
  if (*hidden >= 0 && *hidden != h)
    return node.invalid("hidden_size is " + Twine(*hidden) + " but R holds " +
                        Twine(h));
  if (!rType->isDynamicDim(1) && rType->getDimSize(1) != gates * h)
    return node.invalid("R must hold " + Twine(gates) + " gates of " +
                        Twine(h));
  FailureOr<SmallVector<Activation>> activations =
      readActivations(node, cell, directions);
  if (failed(activations))
    return failure();

  RecurrentBuilder b(node, type);
  Expr &e = b.e;
  // Layout 1 is batch-major: work in layout 0.
  if (*layout == 1)
    x = b.transpose(x, {1, 0, 2});
  int64_t steps = xType->getDimSize(*layout == 1 ? 1 : 0);
  int64_t batch = xType->getDimSize(*layout == 1 ? 0 : 1);
  if (steps > kMaxUnrolledSteps)
    return node.unsupported("a sequence of " + Twine(steps) +
                            " steps is too long to unroll (at most " +
                            Twine(kMaxUnrolledSteps) + ")");
  auto stateInput = [&](unsigned index) -> Value {
    Value state = node.input(index);
    if (state && *layout == 1)
      state = b.transpose(state, {1, 0, 2});
    return state;
  };
  Value initialH = stateInput(5);
  Value initialC = cell == Cell::Lstm ? stateInput(6) : Value();
  Value bias = node.input(3);
  Value peepholes = cell == Cell::Lstm ? node.input(7) : Value();

  // The step mask [steps][batch, 1] from sequence_lens, when given.
  Value lengths = node.input(4);
  auto stepMask = [&](int64_t t) -> Value {
    if (!lengths)
      return {};
    Type lengthType = node.elementTypeOf(lengths);
    Value step = node.scalarConstant(lengthType, static_cast<double>(t));
    Value valid = e.compare(graph::ComparePredicate::Lt, step, lengths);
    return b.unsqueeze(valid, 1, node.builder().getI1Type());
  };

  SmallVector<Value> ys, finalH, finalC;
  for (int64_t d = 0; d < directions; ++d) {
    bool reverse = *direction == "reverse" || d == 1;
    ArrayRef<Activation> fns = ArrayRef<Activation>(*activations)
                                   .slice(d * functionsPerDirection(cell),
                                          functionsPerDirection(cell));
    // Input projection of every step at once: [steps, batch, gates * h].
    Value wT = b.transpose(b.take(w, d), {1, 0});
    Value rT = b.transpose(b.take(r, d), {1, 0});
    Value projected = b.matmul(x, wT);
    Value recurrentBias;
    if (bias) {
      Value biases = b.take(bias, d);
      projected = e.add(projected, b.slice(biases, 0, 0, gates * h));
      recurrentBias = b.slice(biases, 0, gates * h, 2 * gates * h);
    }
    Value hState = initialH ? b.take(initialH, d)
                            : splatConstant(node, {batch, h}, type, 0);
    Value cState = initialC ? b.take(initialC, d)
                            : splatConstant(node, {batch, h}, type, 0);
    Value p = peepholes ? b.take(peepholes, d) : Value();

    SmallVector<Value> outputs(steps);
    for (int64_t i = 0; i < steps; ++i) {
      int64_t t = reverse ? steps - 1 - i : i;
      Value xt = b.take(projected, t);
      auto xGate = [&](int64_t g) {
        return b.slice(xt, 1, g * h, (g + 1) * h);
      };
      auto rGate = [&](Value hidden, int64_t g) {
        Value v = b.matmul(hidden, b.slice(rT, 1, g * h, (g + 1) * h));
        return recurrentBias
                   ? e.add(v, b.slice(recurrentBias, 0, g * h, (g + 1) * h))
                   : v;
      };
      Value newH, newC;
      if (cell == Cell::Rnn) {
        FailureOr<Value> v =
            b.activate(fns[0], e.add(xGate(0), rGate(hState, 0)), clip);
        if (failed(v))
          return failure();
        newH = *v;
      } else if (cell == Cell::Gru) {
        // Gates z, r, h.
        FailureOr<Value> z =
            b.activate(fns[0], e.add(xGate(0), rGate(hState, 0)), clip);
        FailureOr<Value> reset =
            b.activate(fns[0], e.add(xGate(1), rGate(hState, 1)), clip);
        if (failed(z) || failed(reset))
          return failure();
        Value candidateInput = *linearBeforeReset
                                   ? e.mul(*reset, rGate(hState, 2))
                                   : rGate(e.mul(*reset, hState), 2);
        FailureOr<Value> candidate =
            b.activate(fns[1], e.add(xGate(2), candidateInput), clip);
        if (failed(candidate))
          return failure();
        newH = e.add(e.mul(e.sub(e.c(1), *z), *candidate), e.mul(*z, hState));
      } else {
        // Gates i, o, f, c; peepholes i, o, f.
        auto peephole = [&](int64_t k, Value state) -> Value {
          return p ? e.mul(b.slice(p, 0, k * h, (k + 1) * h), state) : Value();
        };
        auto preActivation = [&](int64_t g, int64_t k, Value state) {
          Value v = e.add(xGate(g), rGate(hState, g));
          if (Value extra = peephole(k, state))
            v = e.add(v, extra);
          return v;
        };
        FailureOr<Value> in =
            b.activate(fns[0], preActivation(0, 0, cState), clip);
        if (failed(in))
          return failure();
        FailureOr<Value> forget =
            *inputForget
                ? FailureOr<Value>(e.sub(e.c(1), *in))
                : b.activate(fns[0], preActivation(2, 2, cState), clip);
        FailureOr<Value> candidate =
            b.activate(fns[1], e.add(xGate(3), rGate(hState, 3)), clip);
        if (failed(forget) || failed(candidate))
          return failure();
        newC = e.add(e.mul(*forget, cState), e.mul(*in, *candidate));
        FailureOr<Value> out =
            b.activate(fns[0], preActivation(1, 1, newC), clip);
        FailureOr<Value> squashed = b.activate(fns[2], newC, std::nullopt);
        if (failed(out) || failed(squashed))
          return failure();
        newH = e.mul(*out, *squashed);
      }
      Value output = newH;
      if (Value mask = stepMask(t)) {
        output = e.select(mask, newH, e.c(0));
        newH = e.select(mask, newH, hState);
        if (newC)
          newC = e.select(mask, newC, cState);
      }
      hState = newH;
      if (newC)
        cState = newC;
      outputs[t] = b.unsqueeze(b.unsqueeze(output, 0), 0);
    }
    ys.push_back(b.concat(outputs, 0));
    finalH.push_back(b.unsqueeze(hState, 0));
    finalC.push_back(b.unsqueeze(cState, 0));
  }
  // Y [steps, directions, batch, h]; Y_h and Y_c [directions, batch, h].
  Value y = b.concat(ys, 1);
  Value yh = b.concat(finalH, 0);
  Value yc = b.concat(finalC, 0);
  if (*layout == 1) {
    y = b.transpose(y, {2, 0, 1, 3});
    yh = b.transpose(yh, {1, 0, 2});
    yc = b.transpose(yc, {1, 0, 2});
  }
  node.setOutput(0, y);
  node.setOutput(1, yh);
  if (cell == Cell::Lstm)
    node.setOutput(2, yc);
  return success();
}

} // namespace

llvm::StringMap<OpImporter> importer::recurrentOpImporters() {
  return {
      {"RNN", {1, importRecurrent<Cell::Rnn>}},
      {"GRU", {1, importRecurrent<Cell::Gru>}},
      {"LSTM", {1, importRecurrent<Cell::Lstm>}},
  };
}
