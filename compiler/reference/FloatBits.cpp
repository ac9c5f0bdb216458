//===- FloatBits.cpp - half and bfloat16 conversions ----------------------===//

#include "compiler/reference/FloatBits.h"

#include <cmath>

using namespace dsc::reference;

double dsc::reference::roundToFloatFormat(double value, FloatFormat format) {
  if (!std::isfinite(value) || value == 0)
    return value;
  int exponent = std::ilogb(value);
  // Below the normal range the spacing stays that of the smallest binade.
  if (exponent < format.minExponent())
    exponent = format.minExponent();
  // Scaling by powers of two is exact, so the only rounding is nearbyint's,
  // which rounds ties to even in the default floating-point environment.
  int quantumExponent = exponent - format.mantissaBits;
  double rounded = std::ldexp(
      std::nearbyint(std::ldexp(value, -quantumExponent)), quantumExponent);
  double largest = std::ldexp(2.0 - std::ldexp(1.0, -format.mantissaBits),
                              format.maxExponent());
  if (std::fabs(rounded) > largest)
    return std::copysign(INFINITY, value);
  return rounded;
}

/// Encodes `value` (rounded to `format` first) as sign|exponent|mantissa.
static uint32_t encode(double value, FloatFormat format) {
  uint32_t exponentMask = (1u << format.exponentBits) - 1;
  uint32_t sign = std::signbit(value) ? 1u : 0u;
  uint32_t signBit = sign << (format.exponentBits + format.mantissaBits);
  if (std::isnan(value))
    // A quiet NaN: all exponent bits and the top mantissa bit.
    return signBit | (exponentMask << format.mantissaBits) |
           (1u << (format.mantissaBits - 1));
  value = roundToFloatFormat(std::fabs(value), format);
  if (std::isinf(value))
    return signBit | (exponentMask << format.mantissaBits);
  if (value == 0)
    return signBit;
  int exponent = std::ilogb(value);
  if (exponent < format.minExponent()) {
    // Subnormal: the mantissa counts multiples of the smallest subnormal.
    auto mantissa = static_cast<uint32_t>(
        std::ldexp(value, format.mantissaBits - format.minExponent()));
    return signBit | mantissa;
  }
  uint32_t biased = exponent + format.maxExponent();
  auto mantissa =
      static_cast<uint32_t>(std::ldexp(value, format.mantissaBits - exponent) -
                            std::ldexp(1.0, format.mantissaBits));
  return signBit | (biased << format.mantissaBits) | mantissa;
}

static double decode(uint32_t bits, FloatFormat format) {
  uint32_t exponentMask = (1u << format.exponentBits) - 1;
  uint32_t mantissaMask = (1u << format.mantissaBits) - 1;
  bool negative = (bits >> (format.exponentBits + format.mantissaBits)) & 1;
  uint32_t biased = (bits >> format.mantissaBits) & exponentMask;
  uint32_t mantissa = bits & mantissaMask;
  double magnitude;
  if (biased == exponentMask)
    magnitude = mantissa ? NAN : INFINITY;
  else if (biased == 0)
    magnitude = std::ldexp(static_cast<double>(mantissa),
                           format.minExponent() - format.mantissaBits);
  else
    magnitude = std::ldexp(
        1.0 + std::ldexp(static_cast<double>(mantissa), -format.mantissaBits),
        static_cast<int>(biased) - format.maxExponent());
  return negative ? -magnitude : magnitude;
}

uint16_t dsc::reference::doubleToHalfBits(double value) {
  return static_cast<uint16_t>(encode(value, kHalfFormat));
}
double dsc::reference::halfBitsToDouble(uint16_t bits) {
  return decode(bits, kHalfFormat);
}
uint16_t dsc::reference::doubleToBFloat16Bits(double value) {
  return static_cast<uint16_t>(encode(value, kBFloat16Format));
}
double dsc::reference::bfloat16BitsToDouble(uint16_t bits) {
  return decode(bits, kBFloat16Format);
}
