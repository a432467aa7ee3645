// SPDX-License-Identifier: BSD-3-Clause
// What a Session takes and gives per event. An EventDescriptor names the event (the user's 64-bit
// number: its random streams and every hit carry it), its primaries (any PhotonSource, or an
// explicit photon list the session keeps until the event is done), the output tier, and an
// optional callback that receives the records as they stream back. An EventResult is what the
// event's future resolves with: its records, its tally and, for the channels tier, its summary.
#pragma once

#include "chroma2/core/channel_summary.hpp"
#include "chroma2/core/event_tally.hpp"
#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/physics/sources.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace chroma2 {

// Records of one event that just came back (only the spans of the event's tier are non-empty).
struct RecordBatch {
  std::uint64_t event = 0;  // the user's event number
  std::span<const HitRecord> hits;
  std::span<const CompactHit> compact_hits;
  std::span<const Photon> photons;  // final photons (photons and history tiers)
};

// Called on the session's collecting thread, between drains: keep it short, copy what you keep.
// An exception thrown here is reported on the event's future; the session carries on.
using RecordCallback = std::function<void(const RecordBatch&)>;

template <class Source>
struct EventDescriptor {
  std::uint64_t number = 0;            // the user's event number
  Source source{};                     // the primaries; tables it points to must outlive the event
  OutputTier tier = OutputTier::hits;  // what comes back
  RecordCallback on_records{};         // optional: records as they stream back
  bool keep_records = true;            // false: records go to the callback only, not the result
};

// An event given as an explicit list of photons (checked by validate_photons; ids are their
// indices; each starts its random stream at counter 0).
struct PhotonListEvent {
  std::uint64_t number = 0;
  std::vector<Photon> photons;
  OutputTier tier = OutputTier::hits;
  RecordCallback on_records{};
  bool keep_records = true;
};

struct EventResult {
  std::uint64_t number = 0;  // the user's event number
  OutputTier tier = OutputTier::hits;
  std::uint64_t primaries = 0;  // photons submitted
  EventTally tally;             // every ended photon: reasons sum to primaries + spawned
  // The records of the tier (unless keep_records was false). Final photons carry the low 32
  // bits of the event number in Photon::event, as compact hits do; hit records carry all 64.
  std::vector<HitRecord> hits;
  std::vector<CompactHit> compact_hits;
  std::vector<Photon> photons;
  std::vector<PhotonTrack> tracks;
  ChannelSummary channels;    // the channels tier
  double latency_ms = 0;      // submit() to the result
  double propagation_ms = 0;  // first photon fed to completion
};

}  // namespace chroma2
