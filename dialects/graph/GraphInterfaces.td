//===- GraphInterfaces.td - graph dialect interfaces -------*- tablegen -*-===//

#ifndef DSC_GRAPH_INTERFACES
#define DSC_GRAPH_INTERFACES

include "mlir/IR/OpBase.td"

def Graph_ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let description = [{
    Refines the result types of an op from the types of its operands. The
    importer leaves results unranked where the model does not state them;
    `graph-infer-shapes` calls this in topological order.
  }];
  let cppNamespace = "::dsc::graph";
  let methods = [
    InterfaceMethod<[{
        Infers the result shapes from the operand shapes. Emits an error naming
        the mismatch and fails when the operands are inconsistent. Results stay
        unranked when an operand is still unranked.
      }],
      "::mlir::LogicalResult", "inferShapes">
  ];
}

/// Ops whose result is an elementwise function of their (broadcast) operands:
/// the fusion pass chains them into one kernel and the emitter turns each into
/// one scalar expression.
def Graph_ElementwiseOpInterface : OpInterface<"ElementwiseOpInterface"> {
  let cppNamespace = "::dsc::graph";
  let methods = [];
}

#endif // DSC_GRAPH_INTERFACES
