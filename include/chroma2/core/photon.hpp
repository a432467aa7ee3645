// SPDX-License-Identifier: BSD-3-Clause
// The plain host photon (what users submit and read back), its history flags and terminal reasons.
// Units: positions in mm, time in ns, wavelength in nm. 96 bytes, the same as its page slot.
#pragma once

#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/vec.hpp"

#include <cstdint>

namespace chroma2 {

// Why a photon stopped. Every photon ends in exactly one of these (alive means "not yet"); each
// reason other than alive and finished has the history bit of the same name.
enum class TerminalReason : std::uint8_t {
  alive = 0,
  bulk_absorbed,     // absorbed in a material (history::bulk_absorb)
  surface_absorbed,  // absorbed on a surface (history::surface_absorb)
  detected,          // absorbed on a sensitive surface: a hit (history::surface_detect)
  escaped,           // left the geometry, no surface ahead (history::no_hit)
  max_steps,         // step budget exhausted (history::max_steps)
  nan_abort,         // non-finite state, ended instead of propagated (history::nan_abort)
  finished,          // ended by a synthetic physics (physics/synthetic.hpp: the worker's tests and
                     // benchmarks); optical physics never uses it
  count_             // number of reasons (not a reason)
};

// History bits: what happened to a photon along its way (OR-ed together). Bits 0-9 and 31 have
// the names and values of Chroma's history flags, so analysis code written for Chroma carries
// over; the others are chroma2's own.
namespace history {
inline constexpr std::uint32_t no_hit = 1u << 0;  // left the geometry
inline constexpr std::uint32_t bulk_absorb = 1u << 1;
inline constexpr std::uint32_t surface_detect = 1u << 2;
inline constexpr std::uint32_t surface_absorb = 1u << 3;
inline constexpr std::uint32_t rayleigh_scatter = 1u << 4;
inline constexpr std::uint32_t reflect_diffuse = 1u << 5;
inline constexpr std::uint32_t reflect_specular = 1u << 6;
inline constexpr std::uint32_t surface_reemit = 1u << 7;
inline constexpr std::uint32_t surface_transmit = 1u << 8;
inline constexpr std::uint32_t bulk_reemit = 1u << 9;
inline constexpr std::uint32_t max_steps = 1u << 10;     // ended by the step budget
inline constexpr std::uint32_t out_of_table = 1u << 11;  // a property was read outside its table
                                                         // (clamped to the table's end)
inline constexpr std::uint32_t nan_abort = 1u << 31;
// Not histories: requests that direction and polarisation (isotropic_init), and with them the
// wavelength (wavelength_init), be drawn at the photon's first step (core/isotropic_init.hpp).
// Cleared before that step, so they never appear in results.
inline constexpr std::uint32_t isotropic_init = 1u << 30;
inline constexpr std::uint32_t wavelength_init = 1u << 29;
}  // namespace history

// The history bit that goes with an ending (0 for alive and for synthetic endings).
CHROMA2_HD constexpr std::uint32_t history_of(TerminalReason r) {
  switch (r) {
    case TerminalReason::bulk_absorbed:
      return history::bulk_absorb;
    case TerminalReason::surface_absorbed:
      return history::surface_absorb;
    case TerminalReason::detected:
      return history::surface_detect;
    case TerminalReason::escaped:
      return history::no_hit;
    case TerminalReason::max_steps:
      return history::max_steps;
    case TerminalReason::nan_abort:
      return history::nan_abort;
    default:
      return 0;
  }
}

// Material index meaning "not known yet": the photon's first step asks the geometry.
inline constexpr std::int32_t unknown_material = -1;

// Units: mm, ns, nm. Six 16-byte records (see docs/photon_state.md).
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
  std::int32_t channel = -1;  // detector channel of the last surface hit (-1: none): a detected
                              // photon's hit channel
  std::uint32_t last_primitive = invalid_index;  // primitive of the last surface hit
  std::uint32_t history = 0;
  std::uint16_t steps = 0;
  TerminalReason reason = TerminalReason::alive;
  std::uint8_t generation = 0;               // 0 for a primary, parent's + 1 for a secondary
  std::int32_t material = unknown_material;  // material the photon is in
  Vec3 position_low{0.0f, 0.0f, 0.0f};       // mm: the position is position + position_low (a
                                             // float pair), so micrometre steps 30 m from the
                                             // origin are not rounded away
};

inline constexpr int photon_records = 6;  // 16-byte records per photon
static_assert(sizeof(Photon) == 16 * photon_records, "Photon is six 16-byte records");

}  // namespace chroma2
