// SPDX-License-Identifier: BSD-3-Clause
// EventTally: what happened to an event's photons, counted on the device as each photon ends,
// whatever the output tier writes out: photons per terminal reason, photons per history bit, and
// steps. The terminal reasons sum to the photons submitted plus those spawned, and
// detected = the event's hits. Distinct from the worker's telemetry (core/worker_telemetry.hpp),
// which counts the worker's own operations across all events.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"

#include <cstdint>

namespace chroma2 {

inline constexpr int terminal_reason_count = static_cast<int>(TerminalReason::count_);

struct EventTally {
  std::uint64_t reasons[terminal_reason_count] = {};  // photons ended per TerminalReason
  std::uint64_t history_bits[32] = {};  // photons ended with each history bit set (bit k at [k])
  std::uint64_t steps = 0;              // steps of all ended photons

  std::uint64_t operator[](TerminalReason r) const { return reasons[static_cast<int>(r)]; }
  // Photons ended: the sum over reasons.
  std::uint64_t photons() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : reasons) n += c;
    return n;
  }
  // Photons ended with history bit `bit` (a value of chroma2::history) set.
  std::uint64_t with_history(std::uint32_t bit) const {
    for (int k = 0; k < 32; ++k)
      if (bit == (1u << k)) return history_bits[k];
    return 0;
  }
};

namespace detail {
// Words per event in the device array: reasons, history bits, steps.
inline constexpr std::uint32_t tally_words = terminal_reason_count + 32 + 1;
inline constexpr std::uint32_t tally_steps_word = terminal_reason_count + 32;
}  // namespace detail

// The device side: one row of tally_words counters per event.
struct EventTallyRef {
  std::uint64_t* words;  // [event * tally_words + k]

  // Counts one ended photon. On the device, lanes counting the same event add their counts in
  // one atomic per counter (the common case: a warp's photons share an event).
  CHROMA2_HD void add(std::uint32_t event, TerminalReason reason, std::uint32_t history,
                      std::uint32_t steps) const {
    std::uint64_t* row = words + std::uint64_t{event} * detail::tally_words;
    const std::uint32_t r = static_cast<std::uint32_t>(reason);
#if defined(__CUDA_ARCH__)
    const unsigned peers = __match_any_sync(__activemask(), event);
    const bool lead = (threadIdx.x & 31u) == static_cast<unsigned>(__ffs(peers) - 1);
    // every peer walks the same reasons and bits (the OR over the peers), so the ballots match
    unsigned reasons = __reduce_or_sync(peers, 1u << r);
    while (reasons) {
      const int k = __ffs(reasons) - 1;
      reasons &= reasons - 1;
      const unsigned n = __popc(__ballot_sync(peers, static_cast<int>(r) == k));
      if (lead) atomicAdd(reinterpret_cast<unsigned long long*>(row + k), n);
    }
    unsigned bits = __reduce_or_sync(peers, history);
    while (bits) {
      const int k = __ffs(bits) - 1;
      bits &= bits - 1;
      const unsigned n = __popc(__ballot_sync(peers, (history >> k) & 1u));
      if (lead)
        atomicAdd(reinterpret_cast<unsigned long long*>(row + terminal_reason_count + k), n);
    }
    const unsigned s = __reduce_add_sync(peers, steps);
    if (lead)
      atomicAdd(reinterpret_cast<unsigned long long*>(row + detail::tally_steps_word),
                static_cast<unsigned long long>(s));
#else
    atomic_ref<std::uint64_t>(row[r]).fetch_add(1, memory_order::relaxed);
    for (std::uint32_t bits = history; bits; bits &= bits - 1)
      atomic_ref<std::uint64_t>(row[terminal_reason_count + __builtin_ctz(bits)])
          .fetch_add(1, memory_order::relaxed);
    atomic_ref<std::uint64_t>(row[detail::tally_steps_word])
        .fetch_add(steps, memory_order::relaxed);
#endif
  }
};

// Unpacks one event's row, copied to the host.
inline EventTally unpack_tally(const std::uint64_t* row) {
  EventTally t;
  for (int k = 0; k < terminal_reason_count; ++k) t.reasons[k] = row[k];
  for (int k = 0; k < 32; ++k) t.history_bits[k] = row[terminal_reason_count + k];
  t.steps = row[detail::tally_steps_word];
  return t;
}

}  // namespace chroma2
