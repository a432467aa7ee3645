// SPDX-License-Identifier: BSD-3-Clause
// invalid_index: the one "no such index" value of 32-bit indices (no instance or primitive hit,
// no last hit of a photon, an empty BVH child slot, the top level of a traversal). One name, so
// that a reader never wonders whether two sentinels might differ.
#pragma once

#include <cstdint>

namespace chroma2 {

inline constexpr std::uint32_t invalid_index = 0xffffffffu;

}  // namespace chroma2
