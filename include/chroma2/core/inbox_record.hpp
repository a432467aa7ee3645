// SPDX-License-Identifier: BSD-3-Clause
// InboxRecord: a photon at its start as the host stages it for the worker's inbox, 80 bytes
// instead of the page's 96. A photon that has not moved yet has no step count, no secondary
// generation and no low-order position part, so those travel as nothing; everything else does.
// Units: mm, ns, nm.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/vec.hpp"

#include <cstdint>

namespace chroma2 {

struct InboxRecord {
  Vec3 position;  // mm
  float time;     // ns
  Vec3 direction;
  float wavelength;  // nm
  Vec3 polarisation;
  float weight;
  std::uint64_t id;
  std::uint32_t event;  // the worker's event slot
  std::uint32_t rng_counter;
  std::uint32_t history;
  std::int32_t material;
  std::int32_t channel;
  std::uint32_t last_primitive;
};
static_assert(sizeof(InboxRecord) == 80, "an inbox record is five 16-byte records");
inline constexpr int inbox_records = 5;

// Whether the photon is at its start (what an inbox record can carry): no step taken, a primary
// (generation 0), no low-order position part, alive.
CHROMA2_HD constexpr bool at_start(const Photon& p) {
  return p.steps == 0 && p.generation == 0 && p.position_low.x == 0 && p.position_low.y == 0 &&
         p.position_low.z == 0 && p.reason == TerminalReason::alive;
}

CHROMA2_HD inline InboxRecord to_inbox(const Photon& p) {
  return InboxRecord{p.position, p.time,    p.direction,     p.wavelength,  p.polarisation,
                     p.weight,   p.id,      p.event,         p.rng_counter, p.history,
                     p.material, p.channel, p.last_primitive};
}

CHROMA2_HD inline Photon from_inbox(const InboxRecord& r) {
  Photon p{};
  p.position = r.position;
  p.time = r.time;
  p.direction = r.direction;
  p.wavelength = r.wavelength;
  p.polarisation = r.polarisation;
  p.weight = r.weight;
  p.id = r.id;
  p.event = r.event;
  p.rng_counter = r.rng_counter;
  p.history = r.history;
  p.material = r.material;
  p.channel = r.channel;
  p.last_primitive = r.last_primitive;
  return p;
}

}  // namespace chroma2
