// SPDX-License-Identifier: BSD-3-Clause
// The default RNG policy: Philox4x32-10 (Salmon et al., SC'11) from Random123. The 64-bit run
// seed is the key; the 128-bit counter is (per-photon counter, event number low word, photon id
// low, high). The event number's high word is folded into the key's high word, so every 64-bit
// event number has its own streams under a given seed (event numbers below 2^32 leave the key
// as the seed itself).
// Random123 is header-only and compiles under nvcc and plain C++ alike.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"

// Philox4x32 needs no SIMD type: keep Random123 from bringing <x86intrin.h> to every user of
// chroma2 (a user who configured Random123 before including chroma2 keeps that setting).
#ifndef R123_USE_SSE
#define R123_USE_SSE 0
#endif
#include <Random123/philox.h>

#include <cstdint>

namespace chroma2 {

struct Philox4x32Policy {
  CHROMA2_HD RngBlock draw(RngKey key, std::uint32_t counter) const {
    r123::Philox4x32_R<10> gen;
    r123::Philox4x32_R<10>::ctr_type c = {{counter, static_cast<std::uint32_t>(key.event),
                                           static_cast<std::uint32_t>(key.photon_id),
                                           static_cast<std::uint32_t>(key.photon_id >> 32)}};
    r123::Philox4x32_R<10>::key_type k = {
        {static_cast<std::uint32_t>(key.seed),
         static_cast<std::uint32_t>(key.seed >> 32) ^ static_cast<std::uint32_t>(key.event >> 32)}};
    const auto r = gen(c, k);
    return RngBlock{{r.v[0], r.v[1], r.v[2], r.v[3]}};
  }
};

// Raw Philox4x32-10 on explicit words: used by the known-answer tests and the identity function.
CHROMA2_HD inline RngBlock philox4x32_10(const std::uint32_t (&ctr)[4],
                                         const std::uint32_t (&key)[2]) {
  r123::Philox4x32_R<10> gen;
  r123::Philox4x32_R<10>::ctr_type c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto r = gen(c, k);
  return RngBlock{{r.v[0], r.v[1], r.v[2], r.v[3]}};
}

static_assert(RngPolicy<Philox4x32Policy>);

}  // namespace chroma2
