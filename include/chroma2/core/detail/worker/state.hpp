// SPDX-License-Identifier: BSD-3-Clause
// WorkerState<Space, Layout>: every buffer the persistent worker needs, allocated and initialised
// in one place before any launch (nothing is allocated while the worker runs), and the trivially
// copyable WorkerRef that hands them to the groups. Host-only owner; move-only.
#pragma once

#include "chroma2/config/arena.hpp"
#include "chroma2/config/atomic.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/detail/worker/device_data.hpp"
#include "chroma2/core/device_ring.hpp"
#include "chroma2/core/event_table.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/worker_options.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace chroma2::detail {

// Where the words shared with the host live: mapped pinned memory for a device worker, plain
// memory for the host backend.
template <class Space>
struct MappedSpaceOf {
  using type = Host;
};
#if CHROMA2_HAS_CUDA_RUNTIME
template <>
struct MappedSpaceOf<Device> {
  using type = Pinned;
};
#endif

// Output entries the host copies out per drain at most (the pinned staging buffer's size).
inline constexpr std::uint64_t staging_entries = 1u << 14;

template <class Space, class Layout>
class WorkerState {
 public:
  using Mapped = typename MappedSpaceOf<Space>::type;

  // The arenas' pieces, in the order the members below take them.
  static std::uint64_t channel_rows(const WorkerOptions& o) {
    return std::max<std::uint64_t>(1, std::uint64_t{o.channels} * o.max_events);
  }
  static std::uint64_t staged_records(const WorkerOptions& o, const WorkerSizes& z) {
    return std::min<std::uint64_t>(z.output_capacity, staging_entries) *
           (photon_records + o.history_points);
  }
  static std::uint64_t zero_words(const WorkerOptions& o) {
    return std::max<std::uint64_t>({tally_words * 2, o.channels, 4});
  }
  static ArenaPlan table_plan(const WorkerOptions& o) {
    ArenaPlan p;
    p.add<std::uint64_t>(o.max_events)
        .add<std::uint64_t>(o.max_events)
        .add<std::uint64_t>(o.max_events)
        .add<std::uint32_t>(o.max_events)
        .add<std::uint64_t>(o.max_events)
        .add<std::uint64_t>(std::uint64_t{o.max_events} * tally_words)
        .add<std::uint32_t>(channel_rows(o))
        .add<std::uint32_t>(channel_rows(o))
        .add<std::uint64_t>(o.max_events)
        .add<PhotonRun>(o.max_events)
        .add<std::uint64_t>(o.max_events);
    return p;
  }
  static ArenaPlan staging_plan(const WorkerOptions& o, const WorkerSizes& z) {
    ArenaPlan p;
    p.add<OutputRecord>(staged_records(o, z))
        .add<InboxRecord>(z.inbox_capacity)
        .add<std::uint64_t>(zero_words(o))
        .add<std::uint32_t>(std::max<std::uint32_t>(1, o.channels));
    return p;
  }

  WorkerState(const WorkerOptions& o, const WorkerSizes& z, Stream s)
      : page_(z.page_capacity, s),
        active_(z.ring_capacity, {}, s),
        spawn_(z.ring_capacity, {}, s),
        finished_(z.ring_capacity, {}, s),
        free_(z.ring_capacity, {}, s),
        pending_(z.page_capacity, s),
        pending_flag_(z.page_capacity, s),
        inbox_(z.inbox_capacity, s),
        counters_(1, s),
        tables_(table_plan(o), "worker event-slot tables", s),
        staging_(staging_plan(o, z), "worker staging", s),
        intake_(tables_.template take<std::uint64_t>(o.max_events)),
        spawned_(tables_.template take<std::uint64_t>(o.max_events)),
        finished_count_(tables_.template take<std::uint64_t>(o.max_events)),
        control_(1, s),
        inbox_seq_(z.inbox_capacity, s),
        inbox_len_(z.inbox_capacity, s),
        out_(z.output_capacity * (photon_records + o.history_points), s),
        out_staging_(staging_.template take<OutputRecord>(staged_records(o, z))),
        in_staging_(staging_.template take<InboxRecord>(z.inbox_capacity)),
        out_seq_(z.output_capacity, s),
        expected_(o.max_events, s),
        mirror_(o.max_events, s),
        tier_(tables_.template take<std::uint32_t>(o.max_events)),
        event_number_(tables_.template take<std::uint64_t>(o.max_events)),
        resets_(round_up_pow2(o.max_events), s),
        slot_ack_(o.max_events, s),
        tally_(tables_.template take<std::uint64_t>(std::uint64_t{o.max_events} * tally_words)),
        channel_counts_(tables_.template take<std::uint32_t>(channel_rows(o))),
        channel_first_(tables_.template take<std::uint32_t>(channel_rows(o))),
        channel_outside_(tables_.template take<std::uint64_t>(o.max_events)),
        runs_(tables_.template take<PhotonRun>(o.max_events)),
        run_list_(tables_.template take<std::uint64_t>(o.max_events)),
        run_posts_(round_up_pow2(o.max_events), s),
        track_(std::max<std::uint64_t>(1, std::uint64_t{z.page_capacity} * o.history_points), s),
        zeros_(staging_.template take<std::uint64_t>(zero_words(o))),
        no_time_(staging_.template take<std::uint32_t>(std::max<std::uint32_t>(1, o.channels))),
        channels_(o.channels),
        out_stride_(photon_records + o.history_points) {
    Space::fill(pending_flag_.data(), 0, pending_flag_.bytes(), s);
    Space::fill(intake_.data(), 0, intake_.size_bytes(), s);
    Space::fill(spawned_.data(), 0, spawned_.size_bytes(), s);
    Space::fill(finished_count_.data(), 0, finished_count_.size_bytes(), s);
    Space::fill(tally_.data(), 0, tally_.size_bytes(), s);
    Space::fill(channel_counts_.data(), 0, channel_counts_.size_bytes(), s);
    Space::fill(channel_outside_.data(), 0, channel_outside_.size_bytes(), s);
    Space::fill(runs_.data(), 0, runs_.size_bytes(), s);
    Space::fill(run_list_.data(), 0, run_list_.size_bytes(), s);
    {
      const std::vector<std::uint32_t> tiers(o.max_events, static_cast<std::uint32_t>(o.output));
      Space::copy_from_host(tier_.data(), tiers.data(), tier_.size_bytes(), s);
      std::vector<std::uint64_t> numbers(o.max_events);  // until a slot is given a number: its own
      for (std::uint32_t e = 0; e < o.max_events; ++e) numbers[e] = e;
      Space::copy_from_host(event_number_.data(), numbers.data(), event_number_.size_bytes(), s);
      const std::vector<std::uint32_t> first(channel_first_.size(), no_time_key);
      Space::copy_from_host(channel_first_.data(), first.data(), channel_first_.size_bytes(), s);
      Space::synchronize(s);
    }
    WorkerCounters init{};
    init.primary_credits.value = static_cast<std::int64_t>(z.page_capacity - z.spawn_reserve);
    init.out_credits.value = static_cast<std::int64_t>(z.output_capacity);
    Space::copy_from_host(counters_.data(), &init, sizeof init, s);
    Space::synchronize(s);
    std::memset(static_cast<void*>(control_.data()), 0, sizeof(WorkerControl));
    for (std::uint64_t i = 0; i < z.inbox_capacity; ++i) {  // the first lap: each position free
      inbox_seq_.data()[i] = i;
      inbox_len_.data()[i] = 1;
    }
    std::memset(static_cast<void*>(out_seq_.data()), 0, out_seq_.bytes());
    std::memset(static_cast<void*>(expected_.data()), 0, expected_.bytes());
    std::memset(static_cast<void*>(mirror_.data()), 0, mirror_.bytes());
    std::memset(static_cast<void*>(zeros_.data()), 0, zeros_.size_bytes());
    std::memset(static_cast<void*>(resets_.data()), 0, resets_.bytes());
    std::memset(static_cast<void*>(slot_ack_.data()), 0, slot_ack_.bytes());
    std::memset(static_cast<void*>(run_posts_.data()), 0, run_posts_.bytes());
    std::fill(no_time_.data(), no_time_.data() + no_time_.size(), no_time_key);
    std::vector<std::uint32_t> slots(z.page_capacity);
    for (std::uint32_t i = 0; i < z.page_capacity; ++i) slots[i] = i;
    free_.push(slots, s);

    ref_.page = page_.ref();
    ref_.active = active_.ref();
    ref_.spawn = spawn_.ref();
    ref_.finished = finished_.ref();
    ref_.free = free_.ref();
    ref_.pending = pending_.data();
    ref_.pending_flag = pending_flag_.data();
    ref_.inbox = inbox_.data();
    ref_.inbox_seq = inbox_seq_.data();
    ref_.inbox_len = inbox_len_.data();
    ref_.inbox_mask = z.inbox_capacity - 1;
    ref_.out = out_.data();
    ref_.out_seq = out_seq_.data();
    ref_.out_mask = z.output_capacity - 1;
    ref_.out_stride = out_stride_;
    ref_.track = track_.data();
    ref_.track_points = o.history_points;
    ref_.counters = counters_.data();
    ref_.control = control_.data();
    ref_.events = EventTableRef{intake_.data(),   spawned_.data(), finished_count_.data(),
                                expected_.data(), mirror_.data(),  o.max_events};
    ref_.tier = tier_.data();
    ref_.event_number = event_number_.data();
    ref_.resets = resets_.data();
    ref_.resets_mask = resets_.size() - 1;
    ref_.slot_ack = slot_ack_.data();
    ref_.run_posts = run_posts_.data();
    ref_.run_posts_mask = run_posts_.size() - 1;
    ref_.runs = runs_.data();
    ref_.run_list = run_list_.data();
    ref_.tally = EventTallyRef{tally_.data()};
    ref_.summary = ChannelSummaryRef{channel_counts_.data(), channel_first_.data(),
                                     channel_outside_.data(), o.channels};
    ref_.seed = o.seed;
    ref_.micro_steps = o.micro_steps;
    ref_.max_steps = o.max_steps;
    ref_.spawn_threshold = o.spawn_threshold;
    ref_.refill_lanes = o.refill_lanes;
    ref_.spawn_period = o.spawn_period;
    ref_.idle_threshold = o.idle_threshold;
  }

  const WorkerRef<Layout>& ref() const { return ref_; }

  // Host views of the mapped words (valid while the worker runs).
  WorkerControl& control() const { return *control_.data(); }
  std::uint64_t* inbox_seq() const { return inbox_seq_.data(); }
  std::uint32_t* inbox_len() const { return inbox_len_.data(); }
  const OutputRecord* output() const { return out_.data(); }  // Space memory
  OutputRecord* output_staging() const { return out_staging_.data(); }
  std::uint64_t output_staging_entries() const { return out_staging_.size() / out_stride_; }
  InboxRecord* inbox_staging() const { return in_staging_.data(); }
  std::uint32_t out_stride() const { return out_stride_; }
  std::uint64_t* output_seq() const { return out_seq_.data(); }
  std::uint64_t* expected() const { return expected_.data(); }
  EventMirror* mirror() const { return mirror_.data(); }

  // Space-side buffers, for copies on a stream.
  InboxRecord* inbox() const { return inbox_.data(); }
  WorkerCounters* counters() const { return counters_.data(); }
  const std::uint64_t* intake_counts() const { return intake_.data(); }
  const std::uint64_t* spawned_counts() const { return spawned_.data(); }
  const std::uint64_t* finished_counts() const { return finished_count_.data(); }
  const std::uint32_t* pending_flags() const { return pending_flag_.data(); }
  std::uint32_t* tiers() const { return tier_.data(); }
  std::uint64_t* event_numbers() const { return event_number_.data(); }
  SlotReset* resets() const { return resets_.data(); }
  std::uint64_t resets_capacity() const { return resets_.size(); }
  std::uint32_t* slot_ack() const { return slot_ack_.data(); }
  RunPost* run_posts() const { return run_posts_.data(); }
  std::uint64_t run_posts_capacity() const { return run_posts_.size(); }
  const std::uint64_t* tallies() const { return tally_.data(); }

  // Resets event slot `event`'s device rows (counts, tally, channel summary) without waiting:
  // on the device by copies on `s` from pinned constants (no kernel: the worker may be running),
  // on the host by atomic stores (the worker's threads read these words meanwhile).
  void reset_event_rows(std::uint32_t event, Stream s) const {
    const SlotRows rows = slot_rows(ref_, event);
    const std::uint64_t c = rows.channels;
    if constexpr (std::is_same_v<Space, Host>) {
      for (std::uint64_t* w : rows.counts)
        atomic_ref<std::uint64_t>(*w).store(0, memory_order::relaxed);
      for (std::uint32_t k = 0; k < tally_words; ++k)
        atomic_ref<std::uint64_t>(rows.tally[k]).store(0, memory_order::relaxed);
      for (std::uint64_t k = 0; k < c; ++k) {
        atomic_ref<std::uint32_t>(rows.photoelectrons[k]).store(0, memory_order::relaxed);
        atomic_ref<std::uint32_t>(rows.first[k]).store(no_time_key, memory_order::relaxed);
      }
    } else {
      for (std::uint64_t* w : rows.counts) Space::copy_from_host(w, zeros_.data(), 8, s);
      Space::copy_from_host(rows.tally, zeros_.data(), tally_words * 8, s);
      if (c) {
        Space::copy_from_host(rows.photoelectrons, zeros_.data(), 4 * c, s);
        Space::copy_from_host(rows.first, no_time_.data(), 4 * c, s);
      }
    }
  }

  const std::uint64_t* tally_row(std::uint32_t event) const {
    return tally_.data() + std::uint64_t{event} * tally_words;
  }
  std::uint32_t channels() const { return channels_; }
  const std::uint32_t* channel_counts(std::uint32_t event) const {
    return channel_counts_.data() + std::uint64_t{event} * channels_;
  }
  const std::uint32_t* channel_first(std::uint32_t event) const {
    return channel_first_.data() + std::uint64_t{event} * channels_;
  }
  const std::uint64_t* channel_outside(std::uint32_t event) const {
    return channel_outside_.data() + event;
  }

  // Photons in each slot ring (the worker must be stopped).
  std::uint64_t active_size(Stream s) const { return active_.size(s); }
  std::uint64_t spawn_size(Stream s) const { return spawn_.size(s); }
  std::uint64_t finished_size(Stream s) const { return finished_.size(s); }
  std::uint64_t free_size(Stream s) const { return free_.size(s); }

 private:
  PhotonPage<Layout, Space> page_;
  DeviceRing<std::uint32_t, Space> active_, spawn_, finished_, free_;
  Buffer<Photon, Space> pending_;
  Buffer<std::uint32_t, Space> pending_flag_;
  Buffer<InboxRecord, Space> inbox_;
  Buffer<WorkerCounters, Space> counters_;
  Arena<Space> tables_;    // device memory: the per-event-slot tables below (DeviceArena)
  Arena<Mapped> staging_;  // pinned: data in transit and constants (StagingArena)
  std::span<std::uint64_t> intake_, spawned_, finished_count_;
  Buffer<WorkerControl, Mapped> control_;
  Buffer<std::uint64_t, Mapped> inbox_seq_;
  Buffer<std::uint32_t, Mapped> inbox_len_;
  Buffer<OutputRecord, Space> out_;      // written by the worker
  std::span<OutputRecord> out_staging_;  // pinned: published ranges are copied here
  std::span<InboxRecord> in_staging_;    // pinned: photons on their way to the inbox
  Buffer<std::uint64_t, Mapped> out_seq_;
  Buffer<std::uint64_t, Mapped> expected_;
  Buffer<EventMirror, Mapped> mirror_;
  std::span<std::uint32_t> tier_;           // per event slot: OutputTier
  std::span<std::uint64_t> event_number_;   // per event slot: the user's event number
  Buffer<SlotReset, Mapped> resets_;        // ring of slot resets (one per slot at most)
  Buffer<std::uint32_t, Mapped> slot_ack_;  // per slot: generation of the last reset done
  std::span<std::uint64_t> tally_;
  std::span<std::uint32_t> channel_counts_, channel_first_;
  std::span<std::uint64_t> channel_outside_;
  std::span<PhotonRun> runs_;          // per event slot: its photon run
  std::span<std::uint64_t> run_list_;  // runs that may have photons left
  Buffer<RunPost, Mapped> run_posts_;  // ring of runs posted (one per slot at most)
  Buffer<StepPoint, Space> track_;
  std::span<std::uint64_t> zeros_;  // pinned constants that reset an event slot's rows
  std::span<std::uint32_t> no_time_;
  std::uint32_t channels_ = 0;
  std::uint32_t out_stride_ = photon_records;
  WorkerRef<Layout> ref_{};
};

}  // namespace chroma2::detail
