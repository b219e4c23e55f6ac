//===- MathConstants.h - Numeric constants shared by seqc ------*- C++ -*-===//
//
// One spelling of the constants the lowerings and the cost model use.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_UTILS_MATHCONSTANTS_H
#define SEQC_UTILS_MATHCONSTANTS_H

namespace seqc {

/// pi in double precision (twiddles, DFT bases, windows). Spelled out: the
/// project builds as C++17, which has no <numbers>.
inline constexpr double kPi = 3.141592653589793238462643383279502884;

} // namespace seqc

#endif // SEQC_UTILS_MATHCONSTANTS_H
