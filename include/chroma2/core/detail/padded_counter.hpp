// SPDX-License-Identifier: BSD-3-Clause
// PaddedCounter: one 64-bit counter alone on a 128-byte line, the unit of every hot counter the
// queues and the worker share (positions, credits, doorbell copies, telemetry), so that two
// counters claimed by different parties never share a line.
#pragma once

#include <cstdint>

namespace chroma2::detail {

inline constexpr std::size_t counter_line_bytes = 128;

struct alignas(counter_line_bytes) PaddedCounter {
  std::int64_t value;
  char pad[counter_line_bytes - sizeof(std::int64_t)];
};
static_assert(sizeof(PaddedCounter) == counter_line_bytes);

}  // namespace chroma2::detail
