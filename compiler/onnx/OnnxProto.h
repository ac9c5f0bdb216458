//===- OnnxProto.h - the ONNX protobuf classes ------------------*- C++ -*-===//
//
// Debian's libonnx-dev provides them as a shared library; the self-contained
// build (for the GPU machine, which has neither libonnx nor libprotobuf)
// generates them from the same onnx.proto and links protobuf statically.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_ONNX_ONNXPROTO_H
#define DSC_COMPILER_ONNX_ONNXPROTO_H

#ifdef DSC_ONNX_PROTO_GENERATED
#include "onnx.pb.h"
#else
#include <onnx/onnx_pb.h>
#endif

#endif // DSC_COMPILER_ONNX_ONNXPROTO_H
