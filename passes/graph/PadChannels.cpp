//===- PadChannels.cpp - graph-pad-channels -------------------------------===//
//
// A 16-bit channels-last conv whose input channels are not a multiple of 4
// (a network's first conv reads an image's 3 colours) reads each tap as
// element gathers: 2-byte loads, 3 per tap. Padding the channels with zeros
// to a multiple of 4 (the input through a constant graph.pad, which fuses
// into the NCHW-to-NHWC transpose that produces it; the filter's extra
// channels zeros too, folded) makes each tap one 8-byte copy. The zeros add
// nothing to any output: results are unchanged. Inputs that no transpose
// of their own produces are left alone (the pad would be one more kernel).
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/Builders.h"

namespace dsc::graph {
#define GEN_PASS_DEF_PADCHANNELS
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

/// `value` (N x ... x C, channels last) with zeros appended to its last
/// dimension up to `channels`.
Value padLastDimension(OpBuilder &builder, Location loc, Value value,
                       int64_t channels) {
  auto type = cast<RankedTensorType>(value.getType());
  auto elementType = cast<FloatType>(type.getElementType());
  auto scalar = RankedTensorType::get({}, elementType);
  Value zero = builder.create<ConstantOp>(
      loc, DenseElementsAttr::get(
               scalar, APFloat::getZero(elementType.getFloatSemantics())));
  int64_t rank = type.getRank();
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[2 * rank - 1] = channels - type.getShape().back();
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = channels;
  return builder.create<PadOp>(loc, RankedTensorType::get(shape, elementType),
                               value, zero, builder.getDenseI64ArrayAttr(pads),
                               PadMode::Constant);
}

struct PadChannelsPass : dsc::graph::impl::PadChannelsBase<PadChannelsPass> {
  using PadChannelsBase::PadChannelsBase;

  void runOnOperation() override {
    getOperation().walk([&](ConvOp conv) {
      auto input = dyn_cast<RankedTensorType>(conv.getInput().getType());
      auto filter = dyn_cast<RankedTensorType>(conv.getFilter().getType());
      if (!isChannelsLast(conv) || conv.getGroup() != 1 || !input || !filter ||
          input.getRank() != 4 || !input.hasStaticShape() ||
          !filter.hasStaticShape() ||
          !(input.getElementType().isF16() ||
            input.getElementType().isBF16()) ||
          filter.getElementType() != input.getElementType())
        return;
      int64_t channels = input.getShape().back();
      // Only where the pad fuses into the transpose that produces the
      // input (graph-fuse): a pad kernel of its own costs a launch and a
      // pass over the input, more than the gathers it saves on small convs.
      auto transpose = conv.getInput().getDefiningOp<TransposeOp>();
      if (channels % 4 == 0 || !transpose || !transpose->hasOneUse())
        return;
      int64_t padded = llvm::alignTo(channels, 4);
      OpBuilder builder(conv);
      Location loc = conv.getLoc();
      conv.getInputMutable().assign(
          padLastDimension(builder, loc, conv.getInput(), padded));
      conv.getFilterMutable().assign(
          padLastDimension(builder, loc, conv.getFilter(), padded));
    });
  }
};

} // namespace
