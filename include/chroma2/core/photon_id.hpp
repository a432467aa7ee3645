// SPDX-License-Identifier: BSD-3-Clause
// Photon identity. A secondary's 64-bit id is a pure function of (parent id, parent's RNG counter
// at the emission, child index): replay never depends on which slot or thread produced it.
// The mix is Philox4x32-10 under a fixed key reserved for identities, so ids are well spread and
// unrelated to the physics streams keyed by the run seed.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/rng/philox.hpp"

#include <cstdint>

namespace chroma2 {

CHROMA2_HD inline std::uint64_t secondary_photon_id(std::uint64_t parent_id,
                                                    std::uint32_t parent_counter,
                                                    std::uint32_t child_index) {
  const std::uint32_t ctr[4] = {static_cast<std::uint32_t>(parent_id),
                                static_cast<std::uint32_t>(parent_id >> 32), parent_counter,
                                child_index};
  const std::uint32_t key[2] = {0x6c8e9cf5u, 0x1bd11bdau};  // reserved for identities
  const RngBlock b = philox4x32_10(ctr, key);
  return (static_cast<std::uint64_t>(b.w[1]) << 32) | b.w[0];
}

}  // namespace chroma2
