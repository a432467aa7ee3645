// SPDX-License-Identifier: BSD-3-Clause
// RngPolicy: a stateless, counter-based generator. A draw is a pure function of (key, counter):
// the key holds the run seed, the counter holds (photon id, event number, per-photon counter), so any
// photon's stream can be replayed on any backend without stored generator state.
#pragma once

#include "chroma2/config/macros.hpp"

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace chroma2 {

// Four 32-bit words: one block of random bits.
struct RngBlock {
  std::uint32_t w[4];
};

// What a draw depends on, besides the per-photon counter. `event` is the user's 64-bit event
// number (never the worker's event-table slot, which is recycled), so an event replays the same
// whatever slot, thread or launch it ran in.
struct RngKey {
  std::uint64_t seed;       // run seed
  std::uint64_t photon_id;  // 64-bit photon identity
  std::uint64_t event;      // the user's event number
};

template <class R>
concept RngPolicy = std::is_trivially_copyable_v<R> &&
    requires(const R r, RngKey key, std::uint32_t counter) {
  { r.draw(key, counter) } -> std::same_as<RngBlock>;
};

}  // namespace chroma2
