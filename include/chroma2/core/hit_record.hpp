// SPDX-License-Identifier: BSD-3-Clause
// What comes back from an event, by tier: hit records (the default), compact 16-byte hits, every
// final photon, only a per-channel summary, or every final photon with its path (step history);
// every tier also gets the event's tally (core/event_tally.hpp). A hit is a detected photon as a
// detector sees it: where, when, at which wavelength, on which channel, and the photon id that maps
// it back to its source entry (the Monte-Carlo truth). Units: mm, ns, nm.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/vec.hpp"

#include <cstdint>
#include <vector>

namespace chroma2 {

enum class OutputTier : std::uint8_t {
  hits = 0,      // a HitRecord per detected photon (the default)
  compact_hits,  // a CompactHit per detected photon
  photons,       // every final photon, whatever its ending
  channels,      // per channel: photoelectron count and first-hit time; nothing per photon
  history,       // every final photon with the first points of its path (a step history)
  count_         // number of tiers (not a tier)
};

CHROMA2_HD constexpr const char* tier_name(OutputTier t) {
  switch (t) {
    case OutputTier::hits:
      return "hits";
    case OutputTier::compact_hits:
      return "compact_hits";
    case OutputTier::photons:
      return "photons";
    case OutputTier::channels:
      return "channels";
    case OutputTier::history:
      return "history";
    default:
      return "?";
  }
}

// A detected photon. 80 bytes: five 16-byte records.
struct HitRecord {
  Vec3 position;              // mm, on the detecting surface
  float time;                 // ns
  Vec3 direction;             // unit vector, at detection
  float wavelength;           // nm
  Vec3 polarisation;          // unit vector
  std::int32_t channel;       // detector channel of the placement hit (-1: the surface has none)
  std::uint64_t id;           // photon id: a primary's index within its event, or a secondary's id
  std::uint64_t event;        // the user's event number
  std::uint32_t history;      // history bits (core/photon.hpp)
  std::uint32_t primitive;    // triangle hit, within its mesh
  float weight;               //
  std::uint16_t steps;        // steps the photon took
  std::uint8_t generation;    // 0 for a primary
  std::uint8_t reserved = 0;  //
};
static_assert(sizeof(HitRecord) == 80, "HitRecord is five 16-byte records");

// A detected photon reduced to what a readout records. 16 bytes; `event` holds the low 32 bits
// of the event number (a session's EventResult carries the whole number).
struct CompactHit {
  std::int32_t channel;
  float time;             // ns
  std::uint32_t history;  // history bits
  std::uint32_t event;
};
static_assert(sizeof(CompactHit) == 16, "CompactHit is one 16-byte record");

// The hit of a detected photon of event `event` (the user's number: a worker keeps its event
// slot in Photon::event and passes the number here).
CHROMA2_HD inline HitRecord make_hit(const Photon& p, std::uint64_t event) {
  return HitRecord{p.position + p.position_low,
                   p.time,
                   p.direction,
                   p.wavelength,
                   p.polarisation,
                   p.channel,
                   p.id,
                   event,
                   p.history,
                   p.last_primitive,
                   p.weight,
                   p.steps,
                   p.generation};
}
// ... where the photon's event field is the event number itself (the stateless drivers).
CHROMA2_HD inline HitRecord make_hit(const Photon& p) { return make_hit(p, p.event); }

CHROMA2_HD inline CompactHit make_compact_hit(const Photon& p, std::uint64_t event) {
  return CompactHit{p.channel, p.time, p.history, static_cast<std::uint32_t>(event)};
}
CHROMA2_HD inline CompactHit make_compact_hit(const Photon& p) {
  return make_compact_hit(p, p.event);
}

// One point of a photon's path: where it was after a step (point 0: where it started). 16 bytes.
struct StepPoint {
  Vec3 position;  // mm
  float time;     // ns
};
static_assert(sizeof(StepPoint) == 16, "StepPoint is one 16-byte record");

// A final photon and the first points of its path: points[k] after k steps (k = 0: its start),
// min(steps + 1, history_points) of them; the photon itself is the path's end.
struct PhotonTrack {
  Photon photon;
  std::vector<StepPoint> points;
};

// The records a tier writes for one final photon: 0 (not written) or 1.
CHROMA2_HD constexpr bool tier_writes(OutputTier t, TerminalReason r) {
  switch (t) {
    case OutputTier::photons:
    case OutputTier::history:
      return true;
    case OutputTier::hits:
    case OutputTier::compact_hits:
      return r == TerminalReason::detected;
    default:
      return false;
  }
}

// Records drained from a worker's output, by kind (events of different tiers may share a drain).
struct OutputRecords {
  std::vector<Photon> photons;           // OutputTier::photons
  std::vector<HitRecord> hits;           // OutputTier::hits
  std::vector<CompactHit> compact_hits;  // OutputTier::compact_hits
  std::vector<PhotonTrack> tracks;       // OutputTier::history

  std::size_t size() const {
    return photons.size() + hits.size() + compact_hits.size() + tracks.size();
  }
  void append(OutputRecords&& o) {
    photons.insert(photons.end(), o.photons.begin(), o.photons.end());
    hits.insert(hits.end(), o.hits.begin(), o.hits.end());
    compact_hits.insert(compact_hits.end(), o.compact_hits.begin(), o.compact_hits.end());
    for (PhotonTrack& t : o.tracks) tracks.push_back(std::move(t));
    o = OutputRecords{};
  }
};

}  // namespace chroma2
