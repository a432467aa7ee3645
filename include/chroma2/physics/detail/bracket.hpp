// SPDX-License-Identifier: BSD-3-Clause
// bracket(): the interval of a sorted node array that holds a key, by binary search; the one
// search the device-side table lookups and inverse CDFs share.
#pragma once

#include "chroma2/config/macros.hpp"

#include <cstdint>

namespace chroma2::detail {

// The a in [0, count − 2] with keys[a] <= k < keys[a + 1], clamped at both ends (count >= 2;
// keys strictly increasing). A NaN key gives 0.
CHROMA2_HD inline std::uint32_t bracket(const float* keys, std::uint32_t count, float k) {
  std::uint32_t a = 0, b = count - 1;
  while (b - a > 1) {
    const std::uint32_t m = (a + b) / 2;
    if (keys[m] <= k)
      a = m;
    else
      b = m;
  }
  return a;
}

}  // namespace chroma2::detail
