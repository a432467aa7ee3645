// SPDX-License-Identifier: BSD-3-Clause
// The persistent worker's data as its groups see it: the device-side counters, the words shared
// with the host through mapped memory, the trivially copyable ref that is all a group is given,
// a group's lists in shared memory and its local telemetry. Layouts only; the code that uses them
// is in host_link.hpp, group_queues.hpp, lanes.hpp and agent.hpp beside this file.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/channel_summary.hpp"
#include "chroma2/core/detail/padded_counter.hpp"
#include "chroma2/core/device_ring.hpp"
#include "chroma2/core/event_table.hpp"
#include "chroma2/core/event_tally.hpp"
#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/inbox_record.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/run_sources.hpp"
#include "chroma2/core/worker_telemetry.hpp"

#include <cstdint>

namespace chroma2::detail {

// Device-side words of the worker (device memory on CUDA, host memory on the host backend).
struct WorkerCounters {
  PaddedCounter inbox_claim;      // next inbox position to take (fetch_add after taking credits)
  PaddedCounter out_claim;        // next output position to fill (fetch_add after taking credits)
  PaddedCounter inbox_credits;    // published inbox entries not yet claimed
  PaddedCounter out_credits;      // output entries free to claim (capacity + drained - claimed)
  PaddedCounter primary_credits;  // slots that inbox photons may still take (keeps a reserve)
  PaddedCounter stop;             // copy of the host's stop request, made by the polling group
  PaddedCounter published;        // copy of the host's inbox doorbell
  PaddedCounter drained;          // copy of the host's output doorbell
  PaddedCounter resets_done;      // slot resets the polling group carried out
  PaddedCounter runs_done;        // photon runs the polling group took in
  PaddedCounter runs_listed;      // entries of run_list in use (runs that may have photons left)
  PaddedCounter telemetry[telemetry_count];
};

// Words the host and the running worker share through mapped memory.
struct WorkerControl {
  alignas(128) std::uint32_t stop;          // host → worker
  alignas(128) std::uint64_t published;     // host → worker: inbox entries written
  alignas(128) std::uint64_t drained;       // host → worker: output entries consumed
  alignas(128) std::uint32_t event_limit;   // host → worker: event ids in use are below this
  alignas(128) std::uint64_t resets;        // host → worker: slot resets posted
  alignas(128) std::uint64_t runs;          // host → worker: photon runs posted
  alignas(128) std::uint64_t mirror_round;  // worker → host
  std::int64_t telemetry[telemetry_count];  // worker → host
};

// A request the host posts while the worker runs: give event slot `slot` to a new event. The
// polling group zeroes the slot's counts, tally and summary rows on the device, sets its event
// number and tier, and acknowledges by writing `generation` into the slot's mapped ack word.
struct SlotReset {
  std::uint64_t number;
  std::uint32_t slot;
  std::uint32_t tier;
  std::uint32_t generation;
  std::uint32_t pad;
};

// A photon run the host posts (PersistentWorker::post_run): `count` photons of event slot `slot`,
// ids first_id to first_id + count - 1, made from `source`: the request photon itself (kind 0:
// every photon equal to it but for its id) or a source of the worker's run sources (kind k > 0,
// core/run_sources.hpp), evaluated per photon. The polling group copies it into the slot's
// PhotonRun and lists it; groups then take its photons as they take the inbox's, so a source costs
// one 160-byte record however many photons it has.
struct RunPost {
  alignas(16) unsigned char source[run_source_bytes];
  std::uint64_t first_id;
  std::uint64_t count;
  std::uint32_t slot;
  std::uint32_t generation;  // the slot's generation when the run was posted
  std::uint32_t kind;        // 0: source holds an InboxRecord request; k: run source k
  std::uint32_t pad;
};

// An event slot's run on the device. `left` packs the slot generation the run belongs to (top
// 24 bits) with the photons not yet taken (low 40): a group takes k photons with one
// compare-and-swap that checks both, so a group holding a stale list entry (the slot since given
// to another event) takes nothing. The rest is written before `left` (release) and read after a
// successful swap (acquire), and only rewritten once every photon of the run has finished.
struct PhotonRun {
  alignas(16) unsigned char source[run_source_bytes];
  std::uint64_t first_id;
  std::uint64_t count;
  std::uint64_t left;
  std::uint32_t kind;
  std::uint32_t pad;
};
static_assert(sizeof(RunPost) == 160 && sizeof(PhotonRun) == 160);
static_assert(sizeof(InboxRecord) <= run_source_bytes);
// The `left` word has the expected word's layout (core/event_table.hpp): a 24-bit generation
// over a 40-bit photon count (slot generations count modulo 2^24).
CHROMA2_HD constexpr std::uint64_t run_left_word(std::uint32_t generation, std::uint64_t left) {
  return expected_word(generation, left);
}
CHROMA2_HD constexpr std::uint32_t run_generation(std::uint64_t word) {
  return expected_generation(word);
}
CHROMA2_HD constexpr std::uint64_t run_left(std::uint64_t word) {
  return word & expected_count_mask;
}
// A run_list entry: the slot and the (24-bit) generation its run belongs to.
CHROMA2_HD constexpr std::uint64_t run_entry(std::uint32_t slot, std::uint32_t generation) {
  return (std::uint64_t{generation & 0xffffffu} << 32) | slot;
}
CHROMA2_HD constexpr std::uint32_t run_entry_generation(std::uint64_t entry) {
  return static_cast<std::uint32_t>(entry >> 32);
}

// One 16-byte record of an output entry.
struct alignas(16) OutputRecord {
  unsigned char bytes[16];
};

// Everything a group needs, trivially copyable.
template <class Layout>
struct WorkerRef {
  PhotonPageRef<Layout> page;
  DeviceRingRef<std::uint32_t> active, spawn, finished, free;
  Photon* pending;              // per slot: the secondary a parent could not place yet
  std::uint32_t* pending_flag;  // per slot: 1 while pending[slot] holds a child
  InboxRecord* inbox;           // host-fed records (80 B: photons at their start)
  std::uint64_t* inbox_seq;     // mapped, at each claim's first position: that position +
                                // capacity once the claim's entries were all taken
  std::uint32_t* inbox_len;     // mapped, beside it: the claim's length
  std::uint64_t inbox_mask;
  OutputRecord* out;       // output entries of out_stride records (device memory: the host
                           // copies published ranges with a copy engine): a Photon (and its
                           // points), a HitRecord or a CompactHit at the start
  std::uint64_t* out_seq;  // mapped: out_sequence(position, tier) once published
  std::uint64_t out_mask;
  std::uint32_t out_stride;    // records per output entry
  StepPoint* track;            // per slot: track_points points of the step history
  std::uint32_t track_points;  // 0: no step history
  WorkerCounters* counters;
  WorkerControl* control;
  EventTableRef events;
  std::uint32_t* tier;          // per event slot: its OutputTier
  std::uint64_t* event_number;  // per event slot: the user's event number (RNG key, hits)
  SlotReset* resets;            // mapped ring of slot resets the host posted
  std::uint64_t resets_mask;
  std::uint32_t* slot_ack;  // mapped, per event slot: the generation of the last reset done
  RunPost* run_posts;       // mapped ring of photon runs the host posted
  std::uint64_t run_posts_mask;
  PhotonRun* runs;          // per event slot: its run (device memory)
  std::uint64_t* run_list;  // run_entry()s of the runs that may have photons left
  EventTallyRef tally;
  ChannelSummaryRef summary;
  std::uint64_t seed;
  std::uint32_t micro_steps;
  std::uint32_t max_steps;
  std::uint32_t spawn_threshold;  // spawn before active while active holds fewer (0: never)
  std::uint32_t refill_lanes;     // refill once this many lanes are empty
  std::uint32_t spawn_period;  // every this many iterations a group moves spawn → active (0: never)
  std::uint32_t idle_threshold;
};

// The rows a new event in slot `slot` starts from: four counts (intake, spawned, finished,
// detections outside the channels), the tally and the per-channel summary (photoelectrons, and
// first-hit times reset to "never"). The one list of them, for the running worker's polling
// group (reset_slots) and the stopped worker's host-side reset (WorkerState::reset_event_rows).
struct SlotRows {
  std::uint64_t* counts[4];
  std::uint64_t* tally;  // tally_words
  std::uint32_t* photoelectrons;
  std::uint32_t* first;  // time keys
  std::uint32_t channels;
};
template <class Layout>
CHROMA2_HD SlotRows slot_rows(const WorkerRef<Layout>& w, std::uint32_t slot) {
  const std::uint64_t row = std::uint64_t{slot} * w.summary.channels;
  return SlotRows{{w.events.intake + slot, w.events.spawned + slot, w.events.finished + slot,
                   w.summary.outside + slot},
                  w.tally.words + std::uint64_t{slot} * tally_words,
                  w.summary.counts + row,
                  w.summary.first + row,
                  w.summary.channels};
}

// Per-group lists of slot indices (shared memory on the device): photons that left their lanes
// and wait to go to a ring, and room for one claim.
template <std::uint32_t Chunk>
struct WorkerScratch {
  std::uint32_t slots[Chunk];  // a finished pop
  std::uint32_t queue[Chunk];  // claimed photons waiting for a lane
  std::uint32_t act[Chunk];    // → active (budget used up; parents whose child found a slot)
  std::uint32_t fin[Chunk];    // → finished
  std::uint32_t pend[Chunk];   // parents whose secondary waits for a slot
  std::uint32_t spare[Chunk];  // free slots for secondaries
};

// Lengths of a group's lists (the same in every lane).
struct ListLengths {
  std::uint32_t act = 0, fin = 0, pend = 0, queued = 0;
  std::uint32_t run_cursor = 0;  // the run_list entry this group tries first (spreads the groups)
  bool slots_short = false;      // a secondary found no free slot at the last try
};

// A group's own telemetry, added to the shared counters every telemetry period (every lane holds
// the same values).
struct GroupTelemetry {
  std::int64_t v[telemetry_count];
  CHROMA2_HD std::int64_t& operator[](TelemetryCounter c) { return v[static_cast<int>(c)]; }
};

// An output entry's sequence word: position + 1 modulo 2^40 in the low 40 bits (the ring is far
// smaller, so an entry of the previous lap never matches), the event slot in the next 20 bits and
// the tier that wrote it in the top 4 (so the host knows whose entry it is and whether a Photon,
// a HitRecord or a CompactHit is there without reading it).
inline constexpr std::uint64_t out_position_mask = (std::uint64_t{1} << 40) - 1;
inline constexpr std::uint32_t max_event_slots = 1u << 20;
CHROMA2_HD constexpr std::uint64_t out_sequence(std::uint64_t position, std::uint32_t slot,
                                                OutputTier tier) {
  return ((position + 1) & out_position_mask) | (std::uint64_t{slot} << 40) |
         (std::uint64_t{static_cast<std::uint8_t>(tier)} << 60);
}
CHROMA2_HD constexpr bool out_published(std::uint64_t seq, std::uint64_t position) {
  return (seq & out_position_mask) == ((position + 1) & out_position_mask);
}
CHROMA2_HD constexpr std::uint32_t out_slot(std::uint64_t seq) {
  return static_cast<std::uint32_t>(seq >> 40) & (max_event_slots - 1);
}
CHROMA2_HD constexpr OutputTier out_tier(std::uint64_t seq) {
  return static_cast<OutputTier>(seq >> 60);
}

// A claim of `count` (< 2^16) positions starting at `base` (< 2^48), packed into one word so a
// group leader can hand it to every lane in one broadcast.
CHROMA2_HD constexpr std::uint64_t pack_claim(std::uint64_t base, std::uint32_t count) {
  return (base << 16) | count;
}
CHROMA2_HD constexpr std::uint64_t claim_base(std::uint64_t packed) { return packed >> 16; }
CHROMA2_HD constexpr std::uint32_t claim_count(std::uint64_t packed) {
  return static_cast<std::uint32_t>(packed & 0xffffu);
}

}  // namespace chroma2::detail
