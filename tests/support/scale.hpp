// SPDX-License-Identifier: BSD-3-Clause
// Test sizes under instrumentation: CHROMA2_TEST_SCALE (default 1) shrinks the item counts of
// stress tests so they finish under compute-sanitizer, which slows every atomic by orders of
// magnitude. The invariants checked stay the same; only the counts shrink, never below a floor.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace chroma2::test {

inline double test_scale() {
  const char* s = std::getenv("CHROMA2_TEST_SCALE");
  const double v = s ? std::atof(s) : 1.0;
  return v > 0 && v <= 1 ? v : 1.0;
}

inline std::uint32_t scaled(std::uint32_t n, std::uint32_t floor) {
  const auto v = static_cast<std::uint32_t>(n * test_scale());
  return v < floor ? floor : v;
}

}  // namespace chroma2::test
