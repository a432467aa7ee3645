// SPDX-License-Identifier: BSD-3-Clause
// The plain host photon (what users submit and read back), its history flags and terminal reasons.
// Units: positions in mm, time in ns, wavelength in nm. 80 bytes, the same as its page slot.
#pragma once

#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/vec.hpp"

#include <cstdint>

namespace chroma2 {

// Why a photon stopped. Every photon ends in exactly one of these (alive means "not yet").
enum class TerminalReason : std::uint8_t {
  alive = 0,
  bulk_absorbed,     // absorbed in a material
  surface_absorbed,  // absorbed on a surface
  detected,          // absorbed on a sensitive surface (a hit)
  escaped,           // left the geometry (no surface ahead)
  max_steps,         // step budget exhausted
  invalid,           // non-finite state, rejected instead of propagated
  finished,          // ended by a synthetic physics (physics/synthetic.hpp: the worker's tests and
                     // benchmarks); optical physics never uses it
  count_             // number of reasons (not a reason)
};

// History bits: what happened to a photon along its way (OR-ed together).
namespace history {
inline constexpr std::uint32_t bulk_absorb = 1u << 0;
inline constexpr std::uint32_t surface_detect = 1u << 1;
inline constexpr std::uint32_t surface_absorb = 1u << 2;
inline constexpr std::uint32_t rayleigh_scatter = 1u << 3;
inline constexpr std::uint32_t reflect_diffuse = 1u << 4;
inline constexpr std::uint32_t reflect_specular = 1u << 5;
inline constexpr std::uint32_t surface_reemit = 1u << 6;
inline constexpr std::uint32_t surface_transmit = 1u << 7;
inline constexpr std::uint32_t bulk_reemit = 1u << 8;
inline constexpr std::uint32_t no_hit = 1u << 9;
inline constexpr std::uint32_t invalid_state = 1u << 10;
// Direction and polarisation are not yet set: drawn on the device at the photon's first step.
inline constexpr std::uint32_t isotropic_init = 1u << 31;
}  // namespace history

struct Photon {
  Vec3 position;      // mm
  float time;         // ns
  Vec3 direction;     // unit vector
  float wavelength;   // nm
  Vec3 polarisation;  // unit vector perpendicular to direction
  float weight;
  std::uint64_t id;           // 64-bit identity (see photon_id.hpp)
  std::uint32_t event;        // event id
  std::uint32_t rng_counter;  // next RNG block of this photon's stream
  std::uint32_t last_instance = invalid_index;
  std::uint32_t last_primitive = invalid_index;
  std::uint32_t history = 0;
  std::uint16_t steps = 0;
  TerminalReason reason = TerminalReason::alive;
  std::uint8_t generation = 0;  // 0 for a primary, parent's + 1 for a secondary
};

static_assert(sizeof(Photon) == 80, "Photon is five 16-byte records");

}  // namespace chroma2
