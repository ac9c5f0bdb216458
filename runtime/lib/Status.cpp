//===- Status.cpp - Status and dtype helpers -----------------------------===//

#include "dsc/runtime.h"

namespace dsc::rt {

const char *statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::kOk:
    return "ok";
  case StatusCode::kInvalidArgument:
    return "invalid argument";
  case StatusCode::kInvalidPlan:
    return "invalid plan";
  case StatusCode::kNotFound:
    return "not found";
  case StatusCode::kIoError:
    return "I/O error";
  case StatusCode::kUnavailable:
    return "unavailable";
  case StatusCode::kCudaError:
    return "CUDA error";
  case StatusCode::kCompileError:
    return "compile error";
  case StatusCode::kOutOfMemory:
    return "out of memory";
  case StatusCode::kInternal:
    return "internal error";
  }
  return "unknown error";
}

std::string Status::toString() const {
  if (isOk())
    return "ok";
  return std::string(statusCodeName(code_)) + ": " + message_;
}

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::kF64:
  case DType::kI64:
  case DType::kU64:
    return 8;
  case DType::kF32:
  case DType::kI32:
  case DType::kU32:
    return 4;
  case DType::kF16:
  case DType::kBF16:
  case DType::kI16:
  case DType::kU16:
    return 2;
  case DType::kI8:
  case DType::kU8:
  case DType::kBool:
    return 1;
  }
  return 0;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::kF32:
    return "f32";
  case DType::kF16:
    return "f16";
  case DType::kBF16:
    return "bf16";
  case DType::kF64:
    return "f64";
  case DType::kI64:
    return "i64";
  case DType::kI32:
    return "i32";
  case DType::kI8:
    return "i8";
  case DType::kU8:
    return "u8";
  case DType::kBool:
    return "bool";
  case DType::kI16:
    return "i16";
  case DType::kU16:
    return "u16";
  case DType::kU32:
    return "u32";
  case DType::kU64:
    return "u64";
  }
  return "?";
}

} // namespace dsc::rt
