// SPDX-License-Identifier: BSD-3-Clause
// The per-channel summary of an event, as a detector's readout gives it: per channel, the number
// of detected photons (photoelectrons) and the time of the first one (ns). Filled on the device as
// photons are detected; far smaller than the hits for a large event, and its size does not grow
// with the event. Detections on a channel outside the summary (or on a surface without one) are
// counted apart, never dropped silently.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace chroma2 {

struct ChannelSummary {
  std::vector<std::uint32_t> photoelectrons;  // per channel
  std::vector<float> first_time;              // ns per channel; +inf where nothing was detected
  std::uint64_t outside = 0;                  // detections whose channel is not in [0, channels)
};

namespace detail {
// Times as unsigned keys that order as the floats do (negative times included), so the first hit
// is an atomic minimum on an integer.
CHROMA2_HD inline std::uint32_t time_key(float t) {
  std::uint32_t u;
  std::memcpy(&u, &t, 4);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
CHROMA2_HD inline float time_of_key(std::uint32_t k) {
  const std::uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
  float t;
  std::memcpy(&t, &u, 4);
  return t;
}
inline const std::uint32_t no_time_key = time_key(std::numeric_limits<float>::infinity());
}  // namespace detail

// The device side: per event a row of `channels` counts and first-time keys, and one counter of
// detections outside them.
struct ChannelSummaryRef {
  std::uint32_t* counts;       // [event * channels + channel]
  std::uint32_t* first;        // [event * channels + channel]: time_key of the first hit
  std::uint64_t* outside;      // [event]
  std::uint32_t channels = 0;  // channels per event (0: no summary)

  CHROMA2_HD void add(std::uint32_t event, std::int32_t channel, float time) const {
    if (channel < 0 || static_cast<std::uint32_t>(channel) >= channels) {
      atomic_ref<std::uint64_t>(outside[event]).fetch_add(1, memory_order::relaxed);
      return;
    }
    const std::uint64_t at = std::uint64_t{event} * channels + static_cast<std::uint32_t>(channel);
    atomic_ref<std::uint32_t>(counts[at]).fetch_add(1, memory_order::relaxed);
    detail::atomic_lower(first[at], detail::time_key(time));
  }
};

}  // namespace chroma2
