// SPDX-License-Identifier: BSD-3-Clause
// RngPolicy: a stateless, counter-based generator. A draw is a pure function of (key, counter):
// the key holds the run seed, the counter holds (photon id, event id, per-photon counter), so any
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

// What a draw depends on, besides the per-photon counter.
struct RngKey {
  std::uint64_t seed;       // run seed
  std::uint64_t photon_id;  // 64-bit photon identity
  std::uint32_t event_id;
};

template <class R>
concept RngPolicy = std::is_trivially_copyable_v<R> &&
    requires(const R r, RngKey key, std::uint32_t counter) {
  { r.draw(key, counter) } -> std::same_as<RngBlock>;
};

}  // namespace chroma2
