//===- FloatBits.h - half and bfloat16 conversions --------------*- C++ -*-===//
//
// Exact conversions between double and the 16-bit float formats, done in
// software so that results do not depend on the host's F16C support or on
// double rounding through float.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_REFERENCE_FLOATBITS_H
#define DSC_COMPILER_REFERENCE_FLOATBITS_H

#include <cstdint>

namespace dsc::reference {

/// A binary floating-point format with an implicit leading bit.
struct FloatFormat {
  int mantissaBits;
  int exponentBits;
  /// Exponent of the smallest normal number (2^minExponent).
  int minExponent() const { return 2 - (1 << (exponentBits - 1)); }
  int maxExponent() const { return (1 << (exponentBits - 1)) - 1; }
};

inline constexpr FloatFormat kHalfFormat{10, 5};
inline constexpr FloatFormat kBFloat16Format{7, 8};

/// Rounds `value` to the nearest number of `format` (ties to even), with
/// gradual underflow to subnormals and overflow to infinity; NaN stays NaN.
double roundToFloatFormat(double value, FloatFormat format);

uint16_t doubleToHalfBits(double value);
double halfBitsToDouble(uint16_t bits);
uint16_t doubleToBFloat16Bits(double value);
double bfloat16BitsToDouble(uint16_t bits);

} // namespace dsc::reference

#endif // DSC_COMPILER_REFERENCE_FLOATBITS_H
