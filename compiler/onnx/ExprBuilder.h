//===- ExprBuilder.h - elementwise expressions for decompositions -*- C++
//-*-===//
//
// Internal to the importer: ONNX ops that are formulas over elementwise ops
// (activations, recurrent cells, losses) are built with this.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_ONNX_EXPRBUILDER_H
#define DSC_COMPILER_ONNX_EXPRBUILDER_H

#include "compiler/onnx/NodeImporter.h"
#include "dialects/graph/GraphOps.h"

namespace dsc::onnx::importer {

/// Builds elementwise expressions of one element type for an activation.
struct Expr {
  NodeImporter &node;
  mlir::Type type;
  mlir::Value c(double v) { return node.scalarConstant(type, v); }
  template <typename OpTy> mlir::Value un(mlir::Value x) {
    return build<OpTy>(node, type, x);
  }
  template <typename OpTy> mlir::Value bin(mlir::Value x, mlir::Value y) {
    return build<OpTy>(node, type, x, y);
  }
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return bin<graph::AddOp>(x, y);
  }
  mlir::Value sub(mlir::Value x, mlir::Value y) {
    return bin<graph::SubOp>(x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return bin<graph::MulOp>(x, y);
  }
  mlir::Value div(mlir::Value x, mlir::Value y) {
    return bin<graph::DivOp>(x, y);
  }
  mlir::Value max(mlir::Value x, mlir::Value y) {
    return bin<graph::MaxOp>(x, y);
  }
  mlir::Value min(mlir::Value x, mlir::Value y) {
    return bin<graph::MinOp>(x, y);
  }
  mlir::Value compare(graph::ComparePredicate p, mlir::Value x, mlir::Value y) {
    return node.builder().create<graph::CompareOp>(
        node.location(), node.unranked(node.builder().getI1Type()), p, x, y);
  }
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y) {
    return build<graph::SelectOp>(node, type, cond, x, y);
  }
  /// relu(x) + slope * min(x, 0): x where x >= 0, slope * x elsewhere,
  /// without a select (exact: one of the terms is 0).
  mlir::Value leaky(mlir::Value x, mlir::Value slope) {
    return add(un<graph::ReluOp>(x), mul(slope, min(x, c(0))));
  }
  /// e^min(x, 0) - 1: the negative branch of ELU, 0 for x >= 0.
  mlir::Value expm1Negative(mlir::Value x) {
    return sub(un<graph::ExpOp>(min(x, c(0))), c(1));
  }
  /// log(e^x + 1).
  mlir::Value softplus(mlir::Value x) {
    return un<graph::LogOp>(add(un<graph::ExpOp>(x), c(1)));
  }
  /// max(0, min(1, alpha * x + beta)).
  mlir::Value hardSigmoid(mlir::Value x, double alpha, double beta) {
    return max(c(0), min(c(1), add(mul(c(alpha), x), c(beta))));
  }
};

} // namespace dsc::onnx::importer

#endif // DSC_COMPILER_ONNX_EXPRBUILDER_H
