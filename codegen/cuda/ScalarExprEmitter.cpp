//===- ScalarExprEmitter.cpp - elementwise op chains as C -----------------===//

#include "codegen/cuda/ScalarExprEmitter.h"

#include "codegen/cuda/EmitterSupport.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace dsc::codegen {

ScalarExprEmitter::ScalarExprEmitter(exec::KernelOp kernel, StringRef what,
                                     llvm::raw_ostream &os, StringRef indent,
                                     LeafFn leaf)
    : kernel(kernel), what(what.str()), os(os), indent(indent.str()),
      leaf(std::move(leaf)) {}

bool ScalarExprEmitter::isScalarizable(Operation *op) {
  return isa<graph::ElementwiseOpInterface, graph::ConstantOp>(op);
}

FailureOr<std::string> ScalarExprEmitter::emit(Value value) {
  auto it = exprs.find(value);
  if (it != exprs.end())
    return it->second;
  Operation *def = value.getDefiningOp();
  FailureOr<std::string> expr =
      def && isScalarizable(def) ? emitOp(def) : leaf(value);
  if (failed(expr))
    return failure();
  exprs[value] = *expr;
  return *expr;
}

/// The math function of `name` for the compute type: `expf` for float,
/// `exp` for double.
static std::string mathFn(StringRef name, bool isDouble) {
  return isDouble ? name.str() : name.str() + "f";
}

/// `a op b` (op `/` or `%`) on integers of `type` without C's undefined
/// cases: a zero divisor gives 0 (as in the reference), and a divisor of -1
/// gives the wrapped negation (quotient) or 0 (remainder), INT_MIN included.
static std::string integerDivision(Type type, StringRef a, StringRef b,
                                   StringRef op) {
  std::string t = getElementInfo(type)->compute;
  std::string result = llvm::formatv("({0})({1} {2} {3})", t, a, op, b).str();
  if (!type.isUnsignedInteger())
    result = llvm::formatv("{0} == ({1})-1 ? {2} : {3}", b, t,
                           op == "/" ? llvm::formatv("({0})(0ULL - (unsigned "
                                                     "long long)({1}))",
                                                     t, a)
                                           .str()
                                     : "(" + t + ")0",
                           result)
                 .str();
  return llvm::formatv("({0} == 0 ? ({1})0 : {2})", b, t, result).str();
}

static StringRef comparisonSymbol(graph::ComparePredicate predicate) {
  switch (predicate) {
  case graph::ComparePredicate::Eq:
    return "==";
  case graph::ComparePredicate::Ne:
    return "!=";
  case graph::ComparePredicate::Lt:
    return "<";
  case graph::ComparePredicate::Le:
    return "<=";
  case graph::ComparePredicate::Gt:
    return ">";
  case graph::ComparePredicate::Ge:
    return ">=";
  }
  llvm_unreachable("unknown predicate");
}

FailureOr<std::string> ScalarExprEmitter::emitMath(graph::MathFn fn, Type type,
                                                   StringRef x) {
  bool isDouble = type.isF64();
  std::string t = getElementInfo(type)->compute;
  if (!getElementInfo(type)->isFloat) {
    // Integers: floor, ceil and round are the identity (the verifier allows
    // nothing else but sign).
    if (fn == graph::MathFn::Sign)
      return llvm::formatv("({0})(({1} > 0) - ({1} < 0))", t, x).str();
    if (fn == graph::MathFn::Floor || fn == graph::MathFn::Ceil ||
        fn == graph::MathFn::Round)
      return x.str();
    return kernel.emitOpError("unsupported '")
           << graph::stringifyMathFn(fn) << "' on " << type << " in " << what;
  }
  StringRef name;
  switch (fn) {
  case graph::MathFn::Sign:
    // -1, 1, or the value itself: keeps NaN and the sign of zero.
    return llvm::formatv("({1} > 0 ? ({0})1 : {1} < 0 ? ({0})-1 : {1})", t, x)
        .str();
  case graph::MathFn::Round:
    // rint rounds half to even in the default rounding mode, as ONNX Round.
    name = "rint";
    break;
  default:
    name = graph::stringifyMathFn(fn);
    break;
  }
  return llvm::formatv("{0}({1})", mathFn(name, isDouble), x).str();
}

FailureOr<std::string> ScalarExprEmitter::emitMod(Type type, bool fmod,
                                                  StringRef a, StringRef b) {
  bool isFloat = getElementInfo(type)->isFloat;
  std::string t = getElementInfo(type)->compute;
  std::string remainder =
      isFloat
          ? llvm::formatv("{0}({1}, {2})", mathFn("fmod", type.isF64()), a, b)
                .str()
          : integerDivision(type, a, b, "%");
  if (fmod || type.isUnsignedInteger())
    return remainder;
  // The sign of the divisor, as Python's %; a zero divisor gives 0.
  std::string r = "v" + std::to_string(nextId++);
  os << indent << "const " << t << " " << r << " = " << remainder << ";\n";
  return llvm::formatv("({0} == 0 ? ({1})0 : ({2} != 0 && (({2} < 0) != ({0} < "
                       "0))) ? ({1})({2} + {0}) : {2})",
                       b, t, r)
      .str();
}

FailureOr<std::string> ScalarExprEmitter::emitBitwise(graph::BitwiseKind kind,
                                                      Type type, StringRef a,
                                                      StringRef b) {
  std::string t = getElementInfo(type)->compute;
  if (type.isInteger(1)) {
    switch (kind) {
    case graph::BitwiseKind::And:
      return llvm::formatv("({0} && {1})", a, b).str();
    case graph::BitwiseKind::Or:
      return llvm::formatv("({0} || {1})", a, b).str();
    case graph::BitwiseKind::Xor:
      return llvm::formatv("({0} != {1})", a, b).str();
    default:
      return kernel.emitOpError("cannot shift booleans in ") << what;
    }
  }
  unsigned bits = type.getIntOrFloatBitWidth();
  switch (kind) {
  case graph::BitwiseKind::And:
    return llvm::formatv("({0})({1} & {2})", t, a, b).str();
  case graph::BitwiseKind::Or:
    return llvm::formatv("({0})({1} | {2})", t, a, b).str();
  case graph::BitwiseKind::Xor:
    return llvm::formatv("({0})({1} ^ {2})", t, a, b).str();
  case graph::BitwiseKind::ShiftLeft:
  case graph::BitwiseKind::ShiftRight: {
    // Logical shifts of the type's bits; a shift by the width or more (or by
    // a negative amount, seen as huge) gives 0.
    std::string mask =
        "0x" +
        llvm::utohexstr(bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1) +
        "ULL";
    bool left = kind == graph::BitwiseKind::ShiftLeft;
    return llvm::formatv(
               "((unsigned long long)(long long)({2}) >= {3} ? "
               "({0})0 : ({0})((((unsigned long long)(long long)({1}) "
               "& {4}) {5} (unsigned)({2})) & {4}))",
               t, a, b, bits, mask, left ? "<<" : ">>")
        .str();
  }
  }
  llvm_unreachable("unknown bitwise kind");
}

FailureOr<std::string> ScalarExprEmitter::emitOp(Operation *op) {
  Type type = elementTypeOf(op->getResult(0));
  auto info = getElementInfo(type);
  if (failed(info))
    return kernel.emitOpError("unsupported element type ")
           << type << " in " << what;

  // Splat constants become literals; anything else would need a buffer.
  if (auto constant = dyn_cast<graph::ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat())
      return kernel.emitOpError("non-splat constant in ")
             << what << " (only splat constants can be inlined)";
    if (info->isFloat)
      return floatLiteral(type, dense.getSplatValue<APFloat>());
    return intLiteral(type, dense.getSplatValue<APInt>());
  }

  SmallVector<std::string, 2> operands;
  for (Value operand : op->getOperands()) {
    FailureOr<std::string> expr = emit(operand);
    if (failed(expr))
      return failure();
    operands.push_back(*expr);
  }
  for (Value operand : op->getOperands())
    if (!broadcastsTo(shapeOf(operand), shapeOf(op->getResult(0))))
      return kernel.emitOpError("operand of '")
             << op->getName() << "' does not broadcast to its result in "
             << what;

  bool isFloat = info->isFloat;
  bool isDouble = type.isF64();
  bool isBool = type.isInteger(1);
  const std::string &t = info->compute;
  std::string zero = isFloat ? (isDouble ? "0.0" : "0.0f") : "0";
  std::string one = isFloat ? (isDouble ? "1.0" : "1.0f") : "1";
  auto a = [&]() -> const std::string & { return operands[0]; };
  auto b = [&]() -> const std::string & { return operands[1]; };
  auto binary = [&](StringRef symbol) {
    return llvm::formatv("{0} {1} {2}", a(), symbol, b()).str();
  };
  auto floatOnly = [&](StringRef fn) -> FailureOr<std::string> {
    if (!isFloat)
      return kernel.emitOpError("unsupported '")
             << op->getName() << "' on " << type << " in " << what;
    return llvm::formatv("{0}({1})", mathFn(fn, isDouble), a()).str();
  };
  // Arithmetic on booleans is not an ONNX operation; logic, comparisons,
  // selects and casts are.
  if (isBool && !isa<graph::CastOp, graph::CompareOp, graph::BitwiseOp,
                     graph::NotOp, graph::SelectOp>(op))
    return kernel.emitOpError("unsupported '")
           << op->getName() << "' on booleans in " << what;
  // The reference propagates NaN through max/min; fmaxf/fminf drop it.
  auto nanPropagating = [&](StringRef fn) {
    return llvm::formatv("(({0} != {0} || {1} != {1}) ? {0} + {1} : {2}({0}, "
                         "{1}))",
                         a(), b(), mathFn(fn, isDouble))
        .str();
  };

  FailureOr<std::string> expr =
      llvm::TypeSwitch<Operation *, FailureOr<std::string>>(op)
          .Case([&](graph::AddOp) { return binary("+"); })
          .Case([&](graph::SubOp) { return binary("-"); })
          .Case([&](graph::MulOp) { return binary("*"); })
          .Case([&](graph::DivOp) -> FailureOr<std::string> {
            if (isFloat)
              return binary("/");
            // Integer division by zero (and INT_MIN / -1) is undefined in C;
            // the reference gives 0.
            return integerDivision(type, a(), b(), "/");
          })
          .Case([&](graph::PowOp pow) -> FailureOr<std::string> {
            // x^2 is one correctly rounded multiply; powf does more work for
            // the same result.
            if (auto exponent =
                    pow.getRhs().getDefiningOp<graph::ConstantOp>()) {
              auto dense = dyn_cast<DenseElementsAttr>(exponent.getValue());
              if (isFloat && dense && dense.isSplat() &&
                  dense.getSplatValue<APFloat>().isExactlyValue(2.0))
                return llvm::formatv("{0} * {0}", a()).str();
            }
            if (isFloat)
              return llvm::formatv("{0}({1}, {2})", mathFn("pow", isDouble),
                                   a(), b())
                  .str();
            return llvm::formatv("({0})pow((double)({1}), (double)({2}))", t,
                                 a(), b())
                .str();
          })
          .Case([&](graph::MaxOp) {
            if (isFloat)
              return nanPropagating("fmax");
            return llvm::formatv("({0} > {1} ? {0} : {1})", a(), b()).str();
          })
          .Case([&](graph::MinOp) {
            if (isFloat)
              return nanPropagating("fmin");
            return llvm::formatv("({0} < {1} ? {0} : {1})", a(), b()).str();
          })
          .Case([&](graph::ReluOp) {
            if (isFloat)
              return llvm::formatv("{0}({1}, {2})", mathFn("fmax", isDouble),
                                   a(), zero)
                  .str();
            return llvm::formatv("({0} > 0 ? {0} : ({1})0)", a(), t).str();
          })
          .Case(
              [&](graph::NegOp) { return llvm::formatv("-({0})", a()).str(); })
          .Case([&](graph::AbsOp) {
            if (isFloat)
              return llvm::formatv("{0}({1})", mathFn("fabs", isDouble), a())
                  .str();
            return llvm::formatv("({0} < 0 ? -{0} : {0})", a()).str();
          })
          .Case([&](graph::ReciprocalOp) -> FailureOr<std::string> {
            if (!isFloat)
              return kernel.emitOpError("unsupported '")
                     << op->getName() << "' on " << type << " in " << what;
            return llvm::formatv("{0} / {1}", one, a()).str();
          })
          .Case([&](graph::TanhOp) { return floatOnly("tanh"); })
          .Case([&](graph::ErfOp) { return floatOnly("erf"); })
          .Case([&](graph::SqrtOp) { return floatOnly("sqrt"); })
          .Case([&](graph::ExpOp) { return floatOnly("exp"); })
          .Case([&](graph::LogOp) { return floatOnly("log"); })
          .Case([&](graph::SigmoidOp) -> FailureOr<std::string> {
            if (!isFloat)
              return floatOnly("sigmoid");
            // 1 / (1 + e^-x): e^-x overflows to inf for very negative x and
            // the quotient is then exactly 0, never NaN.
            return llvm::formatv("{0} / ({0} + {1}(-({2})))", one,
                                 mathFn("exp", isDouble), a())
                .str();
          })
          .Case([&](graph::GeluOp gelu) -> FailureOr<std::string> {
            if (!isFloat)
              return floatOnly("gelu");
            std::string half = isDouble ? "0.5" : "0.5f";
            if (gelu.getApproximate() == graph::GeluApproximation::Tanh) {
              std::string c0 =
                  isDouble ? "0.79788456080286536" : "0.797884561f";
              std::string c1 = isDouble ? "0.044715" : "0.044715f";
              return llvm::formatv(
                         "{0} * {1} * ({2} + {3}({4} * ({1} + {5} * {1} * {1} "
                         "* {1})))",
                         half, a(), one, mathFn("tanh", isDouble), c0, c1)
                  .str();
            }
            std::string rsqrt2 =
                isDouble ? "0.70710678118654752" : "0.707106781f";
            return llvm::formatv("{0} * {1} * ({2} + {3}({1} * {4}))", half,
                                 a(), one, mathFn("erf", isDouble), rsqrt2)
                .str();
          })
          .Case([&](graph::MathOp math) -> FailureOr<std::string> {
            return emitMath(math.getFn(), type, a());
          })
          .Case([&](graph::ModOp mod) -> FailureOr<std::string> {
            return emitMod(type, mod.getFmod(), a(), b());
          })
          .Case([&](graph::CompareOp compare) -> FailureOr<std::string> {
            return llvm::formatv("({0} {1} {2})", a(),
                                 comparisonSymbol(compare.getPredicate()), b())
                .str();
          })
          .Case([&](graph::BitwiseOp bitwise) -> FailureOr<std::string> {
            return emitBitwise(bitwise.getKind(), type, a(), b());
          })
          .Case([&](graph::NotOp) -> FailureOr<std::string> {
            if (isBool)
              return llvm::formatv("!({0})", a()).str();
            return llvm::formatv("({0})(~({1}))", t, a()).str();
          })
          .Case([&](graph::SelectOp) -> FailureOr<std::string> {
            return llvm::formatv("({0} ? {1} : {2})", operands[0], operands[1],
                                 operands[2])
                .str();
          })
          .Case([&](graph::CastOp cast) -> FailureOr<std::string> {
            Type from = elementTypeOf(cast.getInput());
            if (failed(getElementInfo(from)))
              return kernel.emitOpError("unsupported element type ")
                     << from << " in " << what;
            return convertCompute(from, type, a());
          })
          .Default([&](Operation *other) -> FailureOr<std::string> {
            return kernel.emitOpError("unsupported op '")
                   << other->getName() << "' in " << what;
          });
  if (failed(expr))
    return failure();
  std::string name = "v" + std::to_string(nextId++);
  os << indent << "const " << t << " " << name << " = " << *expr << ";\n";
  return name;
}

LogicalResult emitEpilogueFunction(exec::KernelOp kernel, Value anchor,
                                   StringRef acc, StringRef what,
                                   llvm::raw_ostream &os, bool withValue) {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  Value result = yield.getValues().front();
  ArrayRef<int64_t> resultShape = shapeOf(result);
  std::string storage = getElementInfo(elementTypeOf(result))->storage;
  if (withValue)
    os << "static __device__ __forceinline__ " << storage
       << " dsc_epilogue_value(" << kernelParameters(kernel) << ", index_t o, "
       << acc << " y) {\n";
  else
    os << "static __device__ __forceinline__ void dsc_epilogue("
       << kernelParameters(kernel) << ", index_t o, " << acc << " y) {\n";
  ScalarExprEmitter scalar(
      kernel, what, os, "  ", [&](Value value) -> FailureOr<std::string> {
        auto arg = dyn_cast<BlockArgument>(value);
        if (!arg)
          return kernel.emitOpError("unsupported op '")
                 << value.getDefiningOp()->getName() << "' in " << what;
        if (!broadcastsTo(shapeOf(arg), resultShape))
          return kernel.emitOpError("argument #")
                 << arg.getArgNumber() << " of type " << arg.getType()
                 << " does not broadcast to the result of " << what;
        Type type = elementTypeOf(arg);
        std::string name = llvm::formatv("x{0}", arg.getArgNumber());
        os << "  const " << getElementInfo(type)->compute << " " << name
           << " = "
           << loadAsCompute(type,
                            llvm::formatv("arg{0}[{1}]", arg.getArgNumber(),
                                          broadcastIndexFromLinear(
                                              shapeOf(arg), resultShape, "o"))
                                .str())
           << ";\n";
        return name;
      });
  std::string compute = getElementInfo(elementTypeOf(anchor))->compute;
  scalar.bind(anchor, compute == acc ? "y" : "((" + compute + ")y)");
  FailureOr<std::string> expr = scalar.emit(result);
  if (failed(expr))
    return failure();
  if (!withValue) {
    os << "  out0[o] = " << storeFromCompute(elementTypeOf(result), *expr)
       << ";\n}\n\n";
    return success();
  }
  os << "  return " << storeFromCompute(elementTypeOf(result), *expr)
     << ";\n}\n";
  os << "static __device__ __forceinline__ void dsc_epilogue("
     << kernelParameters(kernel) << ", index_t o, " << acc << " y) {\n"
     << "  out0[o] = dsc_epilogue_value(" << kernelArgumentNames(kernel)
     << ", o, y);\n}\n\n";
  return success();
}

std::string kernelArgumentNames(exec::KernelOp kernel) {
  std::string names;
  for (size_t i = 0; i < kernel.getNumArguments(); ++i)
    names += "arg" + std::to_string(i) + ", ";
  return names + "out0";
}

} // namespace dsc::codegen
