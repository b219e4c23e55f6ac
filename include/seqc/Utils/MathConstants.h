//===- MathConstants.h - Numeric constants shared by seqc ------*- C++ -*-===//
//
// One spelling of the constants the lowerings and the cost model use.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_UTILS_MATHCONSTANTS_H
#define SEQC_UTILS_MATHCONSTANTS_H

#include <numbers>

namespace seqc {

/// pi in double precision (twiddles, DFT bases, windows).
inline constexpr double kPi = std::numbers::pi;

} // namespace seqc

#endif // SEQC_UTILS_MATHCONSTANTS_H
