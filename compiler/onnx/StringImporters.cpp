//===- StringImporters.cpp - ops on STRING tensors ------------------------===//
//
// A STRING tensor is imported as u8 with one extra last dimension, a slot of
// UTF-8 bytes per string, NUL-padded (ImportState::strings): every backend
// runs string ops as ordinary byte arithmetic, and the plan's signature marks
// the tensor so that tools and callers see strings. Ops that would misread
// the slot dimension refuse STRING inputs (OpImporter::takesStrings).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ExprBuilder.h"
#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

namespace {
enum class CaseChange { None, Lower, Upper };
} // namespace

/// Case changes and case-insensitive matching cover the ASCII letters: bytes
/// of other UTF-8 characters pass unchanged, in the kernels too.
static std::string changeCase(StringRef s, CaseChange change) {
  switch (change) {
  case CaseChange::None:
    return s.str();
  case CaseChange::Lower:
    return s.lower();
  case CaseChange::Upper:
    return s.upper();
  }
  return s.str();
}

static bool isAscii(StringRef s) {
  return llvm::all_of(s, [](char c) { return (c & 0x80) == 0; });
}

/// The case change of every string slot of `x` as byte arithmetic: ASCII
/// letters of the other case move by 32, every other byte (NUL padding,
/// UTF-8 continuation bytes) stays.
static Value changeCaseOfSlots(NodeImporter &node, Value x, CaseChange change) {
  Expr m{node, NodeImporter::elementTypeOf(x)};
  bool lower = change == CaseChange::Lower;
  Value first = m.c(lower ? 'A' : 'a'), last = m.c(lower ? 'Z' : 'z');
  Value moved = lower ? m.add(x, m.c(32)) : m.sub(x, m.c(32));
  Value inRange =
      m.select(m.compare(graph::ComparePredicate::Le, x, last), moved, x);
  return m.select(m.compare(graph::ComparePredicate::Ge, x, first), inRange, x);
}

/// StringNormalizer: drops the stopwords from a [C] or [1, C] tensor, then
/// changes the case of what remains. How many strings remain depends on
/// their values, so with stopwords X must be known at import (the result
/// is folded, as for NonZero); without, the case change is a kernel.
static LogicalResult importStringNormalizer(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  if (!node.isStringInput(0))
    return node.invalid("input 0 (X) must be a STRING tensor");
  FailureOr<std::string> action = node.stringAttr("case_change_action", "NONE");
  FailureOr<int64_t> caseSensitive = node.intAttr("is_case_sensitive", 0);
  FailureOr<std::string> locale = node.stringAttr("locale", "");
  if (failed(action) || failed(caseSensitive) || failed(locale))
    return failure();
  std::optional<CaseChange> change =
      llvm::StringSwitch<std::optional<CaseChange>>(*action)
          .Case("NONE", CaseChange::None)
          .Case("LOWER", CaseChange::Lower)
          .Case("UPPER", CaseChange::Upper)
          .Default(std::nullopt);
  if (!change)
    return node.invalid("case_change_action '" + *action +
                        "' is none of NONE, LOWER, UPPER");
  // Turkish and Azeri map i and I to dotted and dotless letters: not the
  // ASCII mapping the kernels apply.
  StringRef language = StringRef(*locale).take_until(
      [](char c) { return c == '_' || c == '-' || c == '.'; });
  if (language == "tr" || language == "az")
    return node.unsupported("locale '" + *locale +
                            "' has its own case mapping of i and I, which "
                            "dsc does not implement");
  std::vector<std::string> stopwords;
  if (const ::onnx::AttributeProto *attr = node.attribute("stopwords"))
    stopwords.assign(attr->strings().begin(), attr->strings().end());

  FailureOr<RankedTensorType> type = node.rankedType(node.input(0), "X");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank() - 1;
  if (rank != 1 && !(rank == 2 && type->getDimSize(0) == 1))
    return node.invalid("X must have shape [C] or [1, C], not " +
                        graph::formatShape(type->getShape().drop_back()));

  if (stopwords.empty()) {
    node.setStringOutput(0,
                         *change == CaseChange::None
                             ? node.input(0)
                             : changeCaseOfSlots(node, node.input(0), *change));
    return success();
  }

  FailureOr<reference::Tensor> x = node.constantTensor(
      0, "X, whose values decide how many strings the stopwords leave");
  if (failed(x))
    return failure();
  auto matchKey = [&](StringRef s) {
    return *caseSensitive ? s.str() : s.upper();
  };
  llvm::StringSet<> dropped;
  for (const std::string &word : stopwords)
    dropped.insert(matchKey(word));
  std::vector<std::string> kept;
  for (const std::string &s : reference::stringsOf(*x)) {
    // The kernels' byte-wise case mapping would differ from a locale's for
    // non-ASCII letters: refuse rather than fold a different answer.
    if ((*change != CaseChange::None || !*caseSensitive) && !isAscii(s))
      return node.unsupported("the string '" + s +
                              "' holds non-ASCII characters, whose case dsc "
                              "does not change or ignore");
    if (!dropped.contains(matchKey(s)))
      kept.push_back(changeCase(s, *change));
  }
  // ONNX keeps one empty string when every string is a stopword.
  if (kept.empty())
    kept.push_back("");
  SmallVector<int64_t> shape;
  if (rank == 2)
    shape.push_back(1);
  shape.push_back(kept.size());
  reference::Tensor result =
      reference::stringTensor(shape, kept, x->shape.back());
  node.setStringOutput(
      0, node.builder().create<graph::ConstantOp>(
             node.location(),
             reference::toAttr(result, node.context(), "normalized")));
  return success();
}

llvm::StringMap<OpImporter> importer::stringOpImporters() {
  return {
      {"StringNormalizer",
       {10, importStringNormalizer, /*takesSequences=*/false,
        /*takesAbsent=*/false, /*takesStrings=*/true}},
  };
}
