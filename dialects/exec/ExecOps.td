//===- ExecOps.td - exec dialect ---------------------------*- tablegen -*-===//
//
// The executable form of a model: no tensors at program level, only typed
// buffers in one device arena (or the caller's inputs/outputs, or the
// weights), kernel definitions and the launches that run them.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_EXEC_OPS
#define DSC_EXEC_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Exec_Dialect : Dialect {
  let name = "exec";
  let cppNamespace = "::dsc::exec";
  let summary = "buffers, kernels and launches of a compiled model";
  let useDefaultTypePrinterParser = 1;
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

class Exec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exec_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Exec_BufferType : TypeDef<Exec_Dialect, "Buffer"> {
  let mnemonic = "buffer";
  let summary = "a dense row-major view of device memory with a shape and element type";
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape, "::mlir::Type":$elementType);
  let assemblyFormat = "`<` custom<Shape>($shape, $elementType) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bytes the view covers (booleans take one byte each).
    int64_t getSizeInBytes() const;
    int64_t getNumElements() const;
    int64_t getRank() const { return getShape().size(); }
    /// The tensor type a kernel sees this buffer as.
    ::mlir::RankedTensorType getTensorType() const;
  }];
}

/// Any buffer, printed with its dialect prefix in op formats.
def Exec_AnyBuffer : Type<CPred<"::llvm::isa<::dsc::exec::BufferType>($_self)">,
                          "buffer", "::mlir::Type">;

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

def Exec_KernelOp : Exec_Op<"kernel", [IsolatedFromAbove, FunctionOpInterface,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "a kernel: what one launch computes, written in graph ops";
  let description = [{
    The arguments are the launch's inputs viewed as tensors; the yielded
    values are written to the launch's outputs. `family` selects the CUDA
    emitter (elementwise, gemm, row_reduction, data). An argument or result
    with the `exec.per_sample` attribute is one sample of N (see
    exec.program): the kernel runs once per sample, offset to it.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       StrAttr:$family,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    ::mlir::Region *getCallableRegion() { return &getBody(); }
  }];
}

def Exec_YieldOp : Exec_Op<"yield", [Pure, Terminator, HasParent<"KernelOp">]> {
  let summary = "the values a kernel writes to its outputs";
  let arguments = (ins Variadic<AnyTensor>:$values);
  let builders = [OpBuilder<(ins), [{ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Program
//===----------------------------------------------------------------------===//

def Exec_ProgramOp : Exec_Op<"program", [Symbol, SingleBlock, NoTerminator,
    IsolatedFromAbove]> {
  let summary = "the schedule: buffers and the launches that fill them, in order";
  let description = [{
    With `symbolic_dim`, the program is one sample's: the runtime runs it for
    N samples at once, N in `symbolic_range` (inclusive), by launching every
    kernel that touches a per-sample buffer once per sample and placing
    sample b of each arena buffer at b times its size from N times its
    offset. Inputs and outputs with a `sample_axis` hold N samples.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<I64Attr>:$arena_size,
                       OptionalAttr<I64Attr>:$arena_lower_bound,
                       OptionalAttr<StrAttr>:$symbolic_dim,
                       OptionalAttr<DenseI64ArrayAttr>:$symbolic_range);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
}

def Exec_InputOp : Exec_Op<"input", [Pure, HasParent<"ProgramOp">]> {
  let summary = "the caller's input buffer at position `index` of the signature";
  /// `sample_axis`: in a program with a symbolic dimension, the axis of
  /// the caller's tensor that holds the samples (the buffer is one sample).
  /// `string`: the tensor holds strings, a slot of UTF-8 bytes per string
  /// along the last dimension (u8).
  let arguments = (ins StrAttr:$name, I64Attr:$index,
                       OptionalAttr<I64Attr>:$sample_axis,
                       UnitAttr:$string);
  let results = (outs Exec_AnyBuffer:$buffer);
  let assemblyFormat = "$name `index` `(` $index `)` attr-dict `:` type($buffer)";
}

def Exec_OutputOp : Exec_Op<"output", [HasParent<"ProgramOp">]> {
  let summary = "the caller's output buffer at position `index` of the signature";
  /// `sample_axis`: in a program with a symbolic dimension, the axis of
  /// the caller's tensor that holds the samples (the buffer is one sample).
  /// `string`: the tensor holds strings, a slot of UTF-8 bytes per string
  /// along the last dimension (u8).
  let arguments = (ins StrAttr:$name, I64Attr:$index,
                       OptionalAttr<I64Attr>:$sample_axis,
                       UnitAttr:$string);
  let results = (outs Exec_AnyBuffer:$buffer);
  let assemblyFormat = "$name `index` `(` $index `)` attr-dict `:` type($buffer)";
}

def Exec_WeightOp : Exec_Op<"weight", [Pure, HasParent<"ProgramOp">]> {
  let summary = "a weight: its value until the plan is written, then its offset in the weights blob";
  let arguments = (ins StrAttr:$name, OptionalAttr<ElementsAttr>:$value,
                       OptionalAttr<I64Attr>:$offset);
  let results = (outs Exec_AnyBuffer:$buffer);
  let assemblyFormat = "$name attr-dict `:` type($buffer)";
  let hasVerifier = 1;
}

def Exec_AllocOp : Exec_Op<"alloc", [HasParent<"ProgramOp">]> {
  let summary = "an intermediate buffer; memory planning gives it an arena offset";
  let arguments = (ins OptionalAttr<I64Attr>:$offset);
  let results = (outs Exec_AnyBuffer:$buffer);
  let assemblyFormat = "attr-dict `:` type($buffer)";
}

def Exec_ViewOp : Exec_Op<"view", [Pure]> {
  let summary = "the same bytes seen with another shape (a reshape costs nothing)";
  let arguments = (ins Exec_AnyBuffer:$source);
  let results = (outs Exec_AnyBuffer:$result);
  let assemblyFormat = "$source attr-dict `:` type($source) `to` type($result)";
  let hasVerifier = 1;
}

def Exec_LaunchOp : Exec_Op<"launch", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>, AttrSizedOperandSegments]> {
  let summary = "runs a kernel: reads `ins`, writes `outs`";
  let arguments = (ins FlatSymbolRefAttr:$kernel,
                       Variadic<Exec_AnyBuffer>:$ins,
                       Variadic<Exec_AnyBuffer>:$outs,
                       OptionalAttr<DenseI32ArrayAttr>:$grid,
                       OptionalAttr<DenseI32ArrayAttr>:$block,
                       OptionalAttr<I32Attr>:$shared_memory);
  let assemblyFormat = [{
    $kernel (`ins` `(` $ins^ `:` type($ins) `)`)? `outs` `(` $outs `:` type($outs) `)`
    attr-dict
  }];
  let hasVerifier = 1;
}

def Exec_CopyOp : Exec_Op<"copy"> {
  let summary = "copies one buffer's bytes into another of the same size";
  let arguments = (ins Exec_AnyBuffer:$source, Exec_AnyBuffer:$target);
  let assemblyFormat = "$source `to` $target attr-dict `:` type($source) `to` type($target)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tactics
//===----------------------------------------------------------------------===//

def Exec_TacticsOp : Exec_Op<"tactics", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "alternative tiles of a gemm or conv kernel that the runtime times";
  let description = [{
    Each candidate is a tensor-core tile of the gemm kernel `kernel`, or of
    a data kernel whose first op is an implicit-GEMM convolution (bk = 32
    there): `{bm, bn, bk, warps_m, warps_n, stages, split_k}` (GemmTiles.h;
    split_k > 1 sums K in grid z slices through the kernel scratch). The
    emitter generates one entry per candidate in the kernel's source; the
    plan runs the first (the compile-time heuristic's pick) unless the
    runtime's tuner timed the others and found a faster one. At most one
    exec.tactics per kernel.

    ```mlir
    exec.tactics @gemm_0 [{bm = 64 : i64, bn = 64 : i64, bk = 64 : i64,
                           warps_m = 2 : i64, warps_n = 2 : i64,
                           stages = 4 : i64, split_k = 1 : i64}, ...]
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$kernel,
                       TypedArrayAttrBase<DictionaryAttr,
                                          "candidate tiles">:$candidates);
  let assemblyFormat = "$kernel $candidates attr-dict";
  let hasVerifier = 1;
}

#endif // DSC_EXEC_OPS
