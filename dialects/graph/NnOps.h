//===- NnOps.h - window geometry of convolutions and pooling ----*- C++ -*-===//
//
// Shared by the verifiers, the reference evaluator and the CUDA emitters so
// that they agree on the result sizes of graph.conv, graph.conv_transpose and
// graph.pool.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_DIALECTS_GRAPH_NNOPS_H
#define DSC_DIALECTS_GRAPH_NNOPS_H

#include "dialects/graph/GraphOps.h"

namespace dsc::graph {

/// The sliding windows along one spatial dimension.
struct WindowDim {
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t padBegin = 0;
  int64_t padEnd = 0;

  /// The extent of one window: (kernel - 1) * dilation + 1.
  int64_t extent() const { return (kernel - 1) * dilation + 1; }
};

/// The windows of each spatial dimension; `pads` holds the begin amounts,
/// then the end amounts.
llvm::SmallVector<WindowDim> windowDims(llvm::ArrayRef<int64_t> kernel,
                                        llvm::ArrayRef<int64_t> strides,
                                        llvm::ArrayRef<int64_t> dilations,
                                        llvm::ArrayRef<int64_t> pads);

/// The number of windows over an input dimension of `size` (graph.conv,
/// graph.pool); below 1 when the window does not fit in the padded input.
/// With `ceilMode` the count rounds up, but the last window must start
/// inside the input or its leading padding.
int64_t windowCount(int64_t size, const WindowDim &dim, bool ceilMode = false);

/// The result size of graph.conv_transpose along an input dimension of
/// `size`.
int64_t transposedSize(int64_t size, const WindowDim &dim,
                       int64_t outputPadding);

/// The windows of the spatial dimensions of a graph.conv, graph.pool or
/// graph.max_pool_indices; kernel sizes of a convolution come from its
/// filter, which must be ranked.
llvm::SmallVector<WindowDim> windowDimsOf(mlir::Operation *op);

/// Whether a graph.conv or graph.pool has its channels last (N x D... x C).
bool isChannelsLast(mlir::Operation *op);

/// Whether `conv` runs as an implicit GEMM on the GPU (and so anchors a
/// fused epilogue): channels-last, 2-D, group 1, static shapes, f16, bf16
/// or f32.
bool isImplicitGemmConv(mlir::Operation *conv);

/// The channel axis of a windowed op's input and result (1, or the last).
int64_t channelAxis(mlir::Operation *op, int64_t rank);

/// The permutation from N x C x D... to N x D... x C of `rank` dimensions,
/// and its inverse.
llvm::SmallVector<int64_t> toChannelsLast(int64_t rank);
llvm::SmallVector<int64_t> toChannelsFirst(int64_t rank);

/// Where graph.attention finds its planes: shared by the verifier, the
/// reference evaluator and the CUDA emitter. Operand 0..2 are the query, key
/// and value, 3 the result.
struct AttentionGeometry {
  int64_t batch = 0, heads = 0, rows = 0, keys = 0, depth = 0, valueDepth = 0;
  bool seqMajor = false;
  /// Heads each tensor holds, and the first one the op reads.
  int64_t tensorHeads[4] = {0, 0, 0, 0};
  int64_t headOffset[4] = {0, 0, 0, 0};

  int64_t positions(int operand) const {
    return operand == 1 || operand == 2 ? keys : rows;
  }
  int64_t width(int operand) const { return operand >= 2 ? valueDepth : depth; }
  /// Elements from one position of a plane to the next.
  int64_t rowStride(int operand) const {
    return (seqMajor ? tensorHeads[operand] : 1) * width(operand);
  }
  /// The element offset of position 0 of plane (b, h) of `operand`.
  int64_t planeOffset(int operand, int64_t b, int64_t h) const {
    int64_t n = positions(operand), t = tensorHeads[operand];
    int64_t head = headOffset[operand] + h;
    return seqMajor ? (b * n * t + head) * width(operand)
                    : (b * t + head) * n * width(operand);
  }
};

/// The geometry of an attention op with static shapes; failure (with a
/// diagnostic) when the shapes do not fit the attributes.
mlir::FailureOr<AttentionGeometry> getAttentionGeometry(AttentionOp op);

} // namespace dsc::graph

#endif // DSC_DIALECTS_GRAPH_NNOPS_H
