// SPDX-License-Identifier: BSD-3-Clause
// PersistentWorker<Physics>: the persistent propagation loop over device-resident queues. One
// cooperative grid on the GPU (Space = Device) or std::jthread workers on the host (Space = Host)
// run the same group loop (detail/worker/agent.hpp); the host feeds and drains it while it runs.
// This facade validates options, holds the state (detail/worker/state.hpp) and keeps start/stop,
// submit/close/drain/wait, event status and telemetry; docs/persistent_worker.md tells the rest.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/channel_summary.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/copy_telemetry.hpp"
#include "chroma2/core/detail/worker/copy_marks.hpp"
#include "chroma2/core/detail/worker/dispatch.hpp"
#include "chroma2/core/detail/worker/state.hpp"
#include "chroma2/core/event_table.hpp"
#include "chroma2/core/event_tally.hpp"
#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/inbox_record.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/run_sources.hpp"
#include "chroma2/core/worker_options.hpp"
#include "chroma2/core/worker_telemetry.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace chroma2 {

namespace detail {
// True on the owner that must stop on destruction; false once moved from.
struct RunningFlag {
  bool value = false;
  RunningFlag() = default;
  RunningFlag(RunningFlag&& o) noexcept : value(std::exchange(o.value, false)) {}
  RunningFlag& operator=(RunningFlag&& o) noexcept {
    std::swap(value, o.value);
    return *this;
  }
};
}  // namespace detail

template <class PhysicsType, class Space = Host, class Layout = layout::Packed,
          RngPolicy Policy = Philox4x32Policy, class Tuning = WorkerTuning>
class PersistentWorker {
  static_assert(check_physics<PhysicsType, Policy>());
  static_assert(valid_worker_tuning<Tuning>(),
                "invalid WorkerTuning: block_threads a multiple of 32 up to 1024, chunk a multiple "
                "of 32 from 64 to 1024, periods multiples of the housekeeping period");

 public:
  using Mapped = typename detail::MappedSpaceOf<Space>::type;
  using ref_type = detail::WorkerRef<Layout>;
  using tuning = Tuning;

  explicit PersistentWorker(PhysicsType physics, WorkerOptions options = {}, Policy policy = {})
      : physics_(physics),
        policy_(policy),
        options_(options),
        sizes_(validate_worker_options(options, Tuning::housekeeping_period)),
        groups_(Dispatch::groups(options)),
        state_(options, sizes_, streams_.copy()),
        submitted_(options.max_events, 0),
        closed_(options.max_events, false),
        generation_(options.max_events, 0),
        ready_(options.max_events, true),
        run_posted_(options.max_events, false) {}

  ~PersistentWorker() {
    if (running_.value) {
      try {
        stop();
      } catch (...) {
      }
    }
  }
  PersistentWorker(PersistentWorker&&) noexcept = default;
  PersistentWorker& operator=(PersistentWorker&&) = delete;
  PersistentWorker(const PersistentWorker&) = delete;
  PersistentWorker& operator=(const PersistentWorker&) = delete;

  // Launches the worker. It runs until stop(); start() again resumes where it stopped.
  void start() {
    if (running_.value) return;
    dispatch_.launch(state_.ref(), physics_, policy_, groups_, streams_.worker());
    running_.value = true;
  }

  // Asks every group to stop after its current iteration and waits for them. Photons in flight
  // stay in the page and the queues; start() carries on with them.
  void stop() {
    if (!running_.value) return;
    detail::system_store(state_.control().stop, 1u);
    dispatch_.join(streams_.worker());
    running_.value = false;
    detail::system_store(state_.control().stop, 0u);
    const std::int64_t zero = 0;
    Space::copy_from_host(&state_.counters()->stop.value, &zero, sizeof zero, copy_stream());
    Space::synchronize(copy_stream());
  }

  bool running() const { return running_.value; }

  // Throws chroma2::Error if the worker was started and its kernel has failed (a device fault:
  // the CUDA error is named) or ended unasked. Callable from any host thread.
  void check_running() const {
    if (running_.value) dispatch_.check(streams_.worker());
  }
  unsigned groups() const { return groups_; }
  std::uint32_t page_capacity() const { return options_.page_capacity; }

  // Copies as many photons as the inbox has room for (a prefix) and rings the doorbell; returns
  // how many. Never blocks on the worker (it waits for its own copy). One host thread submits.
  std::size_t submit(std::span<const Photon> photons) {
    for (std::size_t i = 0; i < photons.size(); ++i) {
      check_open(photons[i].event);
      if (!at_start(photons[i]))
        fail("photon " + std::to_string(i) + " of event slot " + std::to_string(photons[i].event) +
                 " is not at its start (" + std::to_string(photons[i].steps) +
                 " steps, generation " + std::to_string(photons[i].generation) + ")",
             "the inbox takes photons that have not moved: no steps, a primary, no position_low, "
             "alive",
             "submit photons as a source makes them");
    }
    const std::size_t k = room(photons.size());
    if (k == 0) return 0;
    for (std::size_t j = 0; j < k; ++j) account(photons[j].event, 1);
    fill_staging(k, [&](std::size_t offset, std::span<InboxRecord> dst) {
      for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = to_inbox(photons[offset + i]);
    });
    flush(true);
    return k;
  }

  // Up to n photons of event slot `event` written straight into the inbox's pinned staging:
  // fill(offset, dst) writes photons [offset, offset + dst.size()) of this call into dst as
  // InboxRecords (to_inbox(photon), every one with event = `event`; photons at their start),
  // called for at most two contiguous pieces (the ring may wrap). Takes as many as the inbox has
  // room for and returns how many (0: full). They reach the worker at the next flush(): stage
  // events after one another and flush once, and the copy engine moves them while the host stages
  // the next ones. One host thread submits.
  template <class Fill>
  std::size_t stage(std::uint32_t event, std::size_t n, Fill&& fill) {
    check_open(event);
    const std::size_t k = room(n);
    if (k == 0) return 0;
    fill_staging(k, std::forward<Fill>(fill));
    account(event, k);
    return k;
  }

  // A run of `count` photons of event slot `event`, every one `request` but for its id (first_id,
  // first_id + 1, ...): the worker makes them itself as it takes them in, so the host writes one
  // 160-byte record whatever the count and nothing crosses the bus per photon. For a source
  // whose photons differ only in their ids (uniform_source(): a point source drawn at the first
  // step); the photons are those that stage() would have fed from source_photon(source, id, ...).
  // Counted as submitted photons of the event, like stage()'s. At most one run per event slot
  // and opening (the slot's run row is rewritten only when it is opened again). Needs no flush;
  // a stopped worker takes the run in when it starts. One host thread submits.
  void post_run(std::uint32_t event, const Photon& request, std::uint64_t first_id,
                std::uint64_t count) {
    const std::string who = "photon run of event slot " + std::to_string(event);
    check_open(event);
    if (!at_start(request))
      fail(who + ": the request is not at its start", "a run's photons enter the worker as new",
           "post a request as a source makes it (no steps, a primary, alive)");
    InboxRecord r = to_inbox(request);
    r.event = event;
    post_run_record(event, 0, &r, sizeof r, first_id, count, who);
  }

  // A run of photons first_id to first_id + count - 1 of `source`, one of the tuning's run
  // sources (core/run_sources.hpp): the worker draws each, source_photon(source, id, seed, the
  // slot's event number), as it takes it in: the photons that stage() would have fed, made where
  // they are used (on the GPU, by the device's arithmetic: floats within a few ULPs of a host
  // expansion's). The source's tables must be readable by the worker (device memory on the GPU)
  // and outlive the event; check the source first (validate()) — the worker does not. Otherwise
  // as the request's run above.
  template <PhotonSource S>
  requires(run_sources_of<Tuning>::template contains<S>) void post_run(std::uint32_t event,
                                                                       const S& source,
                                                                       std::uint64_t first_id,
                                                                       std::uint64_t count) {
    const std::string who = "photon run of event slot " + std::to_string(event);
    check_open(event);
    const std::uint64_t n = source.count();
    if (first_id > n || count > n - first_id)
      fail(who + " asks for " + std::to_string(count) + " photons from id " +
               std::to_string(first_id) + " of a source of " + std::to_string(n),
           "a run's photons are the source's own", "ask for ids below the source's count");
    post_run_record(event, run_sources_of<Tuning>::template kind_of<S>(), &source, sizeof source,
                    first_id, count, who);
  }

  // Copies everything staged since the last flush into the inbox (one or two copies on the
  // copy-in stream, not waited for) and publishes to the worker every staged photon whose copy has
  // landed. With `wait`, waits for the copies and publishes all. Returns whether every staged
  // photon is published.
  bool flush(bool wait = false) {
    if (copied_ < staged_) {
      const std::uint64_t cap = ref().inbox_mask + 1;
      const std::uint64_t n = staged_ - copied_, first = copied_ & ref().inbox_mask;
      const std::uint64_t head = std::min(n, cap - first);
      InboxRecord* staged = state_.inbox_staging();
      const int mark = in_marks_.begin(copy_stream());
      Space::copy_from_host(state_.inbox() + first, staged + first, head * sizeof(InboxRecord),
                            copy_stream());
      if (head < n)
        Space::copy_from_host(state_.inbox(), staged, (n - head) * sizeof(InboxRecord),
                              copy_stream());
      in_marks_.end(mark, copy_stream());
      in_flight_.push_back({staged_, mark, n * sizeof(InboxRecord)});
      copied_ = staged_;
    }
    const std::uint64_t before = published_;
    std::size_t landed = 0;
    for (; landed < in_flight_.size(); ++landed) {
      const InboxCopy& c = in_flight_[landed];
      if (wait)
        in_marks_.wait(c.mark);
      else if (!in_marks_.done(c.mark))
        break;
      copies_.add_in(c.bytes, in_marks_.finish(c.mark));
      published_ = c.end;
    }
    in_flight_.erase(in_flight_.begin(), in_flight_.begin() + static_cast<std::ptrdiff_t>(landed));
    if (published_ != before) detail::system_store(state_.control().published, published_);
    return published_ == staged_;
  }

  // Submits every photon, waiting for inbox room (draining finished photons into `out` while it
  // waits, so a full output cannot stall it). Needs a running worker once the inbox is full.
  template <class Out>
  void submit_all(std::span<const Photon> photons, Out& out) {
    std::size_t done = 0;
    while (done < photons.size()) {
      const std::size_t k = submit(photons.subspan(done));
      done += k;
      if (k == 0) {
        if (!running_.value)
          fail("the worker inbox is full and the worker is not running",
               "nobody takes photons from the inbox", "start() the worker before submitting more");
        drain(out);
        std::this_thread::yield();
      }
    }
  }

  // One batch start to end: sets the event's tier (unless photons of it were submitted before),
  // submits every photon (their event ids must be `event`), closes the event, waits for it and
  // returns what was drained meanwhile (the event's records, and any other event's that finished
  // then). Starts the worker for the call if it was not running, and stops it again. Throws
  // chroma2::Error if the event does not complete within the timeout.
  OutputRecords run(std::span<const Photon> photons, std::uint32_t event, OutputTier tier,
                    std::chrono::milliseconds timeout = std::chrono::minutes(5)) {
    check_open(event);
    if (submitted_[event] == 0) set_output(event, tier);
    const bool was_running = running_.value;
    if (!was_running) start();
    OutputRecords out;
    if (tier == OutputTier::photons) out.photons.reserve(photons.size());
    submit_all(photons, out);
    close_event(event);
    const std::uint32_t events[] = {event};
    const bool done = wait_events(events, out, timeout);
    if (!was_running) stop();
    if (!done)
      fail("event " + std::to_string(event) + " did not complete within " +
               std::to_string(timeout.count()) + " ms",
           "photons of it are still in flight", "allow a longer timeout or fewer photons");
    return out;
  }

  // run() with the photons tier: every final photon of the event.
  std::vector<Photon> run_event(std::span<const Photon> photons, std::uint32_t event = 0,
                                std::chrono::milliseconds timeout = std::chrono::minutes(5)) {
    return std::move(run(photons, event, OutputTier::photons, timeout).photons);
  }

  // What the event returns (core/hit_record.hpp); before any photon of it is submitted. Every event
  // is tallied whatever its tier (tally()).
  void set_output(std::uint32_t event, OutputTier tier) {
    check_open(event);
    check_tier(tier, "event " + std::to_string(event));
    if (submitted_[event] != 0)
      fail("the output tier of event " + std::to_string(event) + " changes after " +
               std::to_string(submitted_[event]) + " of its photons were submitted",
           "photons already ending would be written in the old tier",
           "set the tier before submitting the event's photons");
    const std::uint32_t v = static_cast<std::uint32_t>(tier);
    Space::copy_from_host(state_.tiers() + event, &v, sizeof v, copy_stream());
    Space::synchronize(copy_stream());  // before any photon of the event can reach the worker
  }

  // Throws chroma2::Error unless this worker can write `tier` (`who` names the asker).
  void check_tier(OutputTier tier, const std::string& who) const {
    if (static_cast<std::uint8_t>(tier) >= static_cast<std::uint8_t>(OutputTier::count_))
      fail(who + ": output tier " + std::to_string(static_cast<int>(tier)) + " is invalid",
           "the tiers are hits, compact_hits, photons, channels and history", "pick one of them");
    if (tier == OutputTier::channels && state_.channels() == 0)
      fail(who + " asks for the per-channel summary",
           "this worker was built with WorkerOptions::channels = 0",
           "set WorkerOptions::channels to the detector's channel count");
    if (tier == OutputTier::history && options_.history_points == 0)
      fail(who + " asks for a step history",
           "this worker was built with WorkerOptions::history_points = 0",
           "set WorkerOptions::history_points to the points to keep per photon");
  }

  const WorkerOptions& options() const { return options_; }

  // Gives event slot `event` to a new event: the user's event number `number` (its RNG streams
  // and its hits' event field) and its tier. The slot must be unused or hold a complete event
  // whose output was drained. Its counts, tally and summary are reset (by the worker's polling
  // group while it runs; by copies while it is stopped) and its generation grows, so that status
  // read for the previous holder is never taken for the new one's. Returns the slot's new
  // generation once the slot is ready for photons.
  std::uint32_t open_event(std::uint32_t event, std::uint64_t number, OutputTier tier) {
    const std::uint32_t gen = post_open_event(event, number, tier);
    while (!open_ready(event)) std::this_thread::yield();
    return gen;
  }

  // open_event() without waiting: while the worker runs, the reset is a request its polling group
  // carries out (no copy and no synchronisation here); open_ready(event) tells when the slot
  // takes photons. Returns the slot's new generation.
  std::uint32_t post_open_event(std::uint32_t event, std::uint64_t number, OutputTier tier) {
    check_event(event);
    check_tier(tier, "event slot " + std::to_string(event));
    if (!ready_[event])
      fail("event slot " + std::to_string(event) + " is opened again before its reset was done",
           "the worker has not yet reset it for the previous open",
           "wait for open_ready() before reopening");
    if (submitted_[event] != 0 || closed_[event]) {
      if (!closed_[event] || !event_status(event).complete())
        fail("event slot " + std::to_string(event) + " is reopened before its event completed",
             "photons of the previous event are still counted in it",
             "wait for the event to complete (event_status) before reusing its slot");
    }
    const std::uint32_t gen = (generation_[event] + 1) & 0xffffffu;
    // closed to nobody while the rows are reset: the old generation, open
    detail::system_store(state_.expected()[event], expected_word(generation_[event], 0));
    generation_[event] = gen;
    submitted_[event] = 0;
    closed_[event] = false;
    ready_[event] = false;
    run_posted_[event] = false;
    if (running_.value) {
      detail::SlotReset& r = state_.resets()[resets_posted_ & (state_.resets_capacity() - 1)];
      detail::system_atomic_ref<std::uint64_t>(r.number).store(number, memory_order::relaxed);
      detail::system_atomic_ref<std::uint32_t>(r.slot).store(event, memory_order::relaxed);
      detail::system_atomic_ref<std::uint32_t>(r.tier).store(static_cast<std::uint32_t>(tier),
                                                             memory_order::relaxed);
      detail::system_atomic_ref<std::uint32_t>(r.generation).store(gen, memory_order::relaxed);
      detail::system_store(state_.control().resets, ++resets_posted_);
    } else {
      const std::uint32_t v = static_cast<std::uint32_t>(tier);
      state_.reset_event_rows(event, copy_stream());
      Space::copy_from_host(state_.event_numbers() + event, &number, sizeof number, copy_stream());
      Space::copy_from_host(state_.tiers() + event, &v, sizeof v, copy_stream());
      Space::synchronize(copy_stream());
      detail::system_store(state_.slot_ack()[event], gen);
    }
    if (event + 1 > event_limit_) {
      event_limit_ = event + 1;
      detail::system_store(state_.control().event_limit, event_limit_);
    }
    return gen;
  }

  // Whether the slot opened last by post_open_event() takes photons now (the reset is done).
  bool open_ready(std::uint32_t event) {
    check_event(event);
    if (ready_[event]) return true;
    if (detail::system_load(state_.slot_ack()[event]) != generation_[event]) return false;
    // only now: counts read under this generation are the new event's
    detail::system_store(state_.expected()[event], expected_word(generation_[event], 0));
    ready_[event] = true;
    return true;
  }

  // The slot's generation (0 until open_event gives it an event).
  std::uint32_t generation(std::uint32_t event) const {
    check_event(event);
    return generation_[event];
  }

  // Whether event slot `event` of generation `gen` is complete, from the mirror alone: safe to
  // call from a thread other than the one that submits (a running worker only).
  bool complete(std::uint32_t event, std::uint32_t gen) const {
    const std::uint64_t st = detail::system_load(state_.mirror()[event].status);
    return detail::status_state(st) == EventState::complete && detail::status_generation(st) == gen;
  }

  // The tallies of several event slots in one copy (of the rows from the lowest slot to the
  // highest): out[i] is slots[i]'s. Callable from the draining thread.
  void tallies(std::span<const std::uint32_t> slots, std::span<EventTally> out) const {
    if (slots.empty()) return;
    for (std::uint32_t e : slots) check_event(e);
    if constexpr (std::is_same_v<Space, Host>) {
      // the host backend reads only the rows asked for: the worker's threads are adding to the
      // other events' rows meanwhile
      std::uint64_t row[detail::tally_words];
      for (std::size_t i = 0; i < slots.size(); ++i) {
        read_words(row, state_.tally_row(slots[i]), detail::tally_words);
        out[i] = unpack_tally(row);
      }
      return;
    }
    const auto [lo, hi] = std::minmax_element(slots.begin(), slots.end());
    const std::size_t rows = *hi - *lo + 1;
    tally_rows_.resize(rows * detail::tally_words);
    read_words(tally_rows_.data(), state_.tally_row(*lo), tally_rows_.size());
    for (std::size_t i = 0; i < slots.size(); ++i)
      out[i] = unpack_tally(tally_rows_.data() + std::size_t{slots[i] - *lo} * detail::tally_words);
  }

  // The event's tally (core/event_tally.hpp): whole once the event is complete, partial before.
  EventTally tally(std::uint32_t event) const {
    check_event(event);
    std::uint64_t row[detail::tally_words];
    read_words(row, state_.tally_row(event), detail::tally_words);
    return unpack_tally(row);
  }

  // The event's per-channel summary (its tier must be OutputTier::channels); whole once the event
  // is complete.
  ChannelSummary channel_summary(std::uint32_t event) const {
    check_event(event);
    const std::uint32_t c = state_.channels();
    ChannelSummary out;
    out.photoelectrons.resize(c);
    std::vector<std::uint32_t> keys(c);
    read_words(out.photoelectrons.data(), state_.channel_counts(event), c, false);
    read_words(keys.data(), state_.channel_first(event), c, false);
    read_words(&out.outside, state_.channel_outside(event), 1);
    out.first_time.resize(c);
    for (std::uint32_t k = 0; k < c; ++k) out.first_time[k] = detail::time_of_key(keys[k]);
    return out;
  }

  // No more photons for this event: it completes once every photon of it finished.
  void close_event(std::uint32_t event) {
    check_open(event);
    if (submitted_[event] > max_event_photons)
      fail("event slot " + std::to_string(event) + " holds " + std::to_string(submitted_[event]) +
               " photons",
           "an event counts at most 2^40 - 2 photons", "split it into several events");
    closed_[event] = true;
    detail::system_store(state_.expected()[event],
                         expected_word(generation_[event], submitted_[event] + 1));
    if (event + 1 > event_limit_) {
      event_limit_ = event + 1;
      detail::system_store(state_.control().event_limit, event_limit_);
    }
  }

  // Hands every published output entry to visit(slot, tier, entry) in order and frees it; returns
  // how many. `entry` points at the entry's records in pinned staging memory, valid during the
  // call: the published ranges are copied there from the worker's output by a copy engine on the
  // copy-out stream, while the worker keeps running. One host thread drains. At most
  // `most_copies` rounds of copies (a caller with other duties between drains, such as
  // completing events, passes 1, so a steady stream of one event's records cannot hold it here).
  template <class Visit>
  std::size_t drain_entries(Visit&& visit,
                            std::size_t most_copies = std::numeric_limits<std::size_t>::max()) {
    const std::uint64_t mask = ref().out_mask;
    const std::uint64_t cap = mask + 1;
    const std::uint64_t stride = state_.out_stride();
    const std::uint64_t most = state_.output_staging_entries();
    std::size_t total = 0;
    for (std::size_t round = 0; round < most_copies; ++round) {
      const std::uint64_t pos = drained_;
      std::uint64_t end = pos;
      while (end - pos < most &&
             detail::out_published(detail::system_load(state_.output_seq()[end & mask]), end))
        ++end;
      if (end == pos) break;
      const std::uint64_t n = end - pos, first = pos & mask;
      const std::uint64_t head = std::min(n, cap - first);
      detail::OutputRecord* staged = state_.output_staging();
      const std::size_t entry_bytes = stride * sizeof(detail::OutputRecord);
      const int mark = out_marks_.begin(copy_out_stream());
      Space::copy_to_host(staged, state_.output() + first * stride, head * entry_bytes,
                          copy_out_stream());
      if (head < n)
        Space::copy_to_host(staged + head * stride, state_.output(), (n - head) * entry_bytes,
                            copy_out_stream());
      out_marks_.end(mark, copy_out_stream());
      out_marks_.wait(mark);
      copies_.add_out(n * entry_bytes, out_marks_.finish(mark));
      for (std::uint64_t j = 0; j < n; ++j) {
        const std::uint64_t seq = detail::system_load(state_.output_seq()[(pos + j) & mask]);
        visit(detail::out_slot(seq), detail::out_tier(seq),
              static_cast<const detail::OutputRecord*>(staged + j * stride));
      }
      drained_ = end;
      detail::system_store(state_.control().drained, drained_);
      total += static_cast<std::size_t>(n);
    }
    return total;
  }

  // Decodes one output entry of tier `tier` into `out`.
  void decode(OutputTier tier, const detail::OutputRecord* entry, OutputRecords& out) const {
    switch (tier) {
      case OutputTier::photons: {
        Photon p;
        std::memcpy(static_cast<void*>(&p), entry, sizeof p);
        out.photons.push_back(p);
        break;
      }
      case OutputTier::history: {
        PhotonTrack t;
        std::memcpy(static_cast<void*>(&t.photon), entry, sizeof t.photon);
        const std::size_t points =
            std::min<std::size_t>(std::size_t{t.photon.steps} + 1, options_.history_points);
        t.points.resize(points);
        std::memcpy(static_cast<void*>(t.points.data()), entry + photon_records,
                    points * sizeof(StepPoint));
        out.tracks.push_back(std::move(t));
        break;
      }
      case OutputTier::hits: {
        HitRecord h;
        std::memcpy(static_cast<void*>(&h), entry, sizeof h);
        out.hits.push_back(h);
        break;
      }
      default: {
        CompactHit h;
        std::memcpy(static_cast<void*>(&h), entry, sizeof h);
        out.compact_hits.push_back(h);
        break;
      }
    }
  }

  // Appends every published output entry to `out` (by kind) and frees it; returns how many.
  // One host thread drains.
  std::size_t drain(OutputRecords& out) {
    out.append(std::move(stash_));
    return drain_entries([&](std::uint32_t, OutputTier tier, const detail::OutputRecord* entry) {
      decode(tier, entry, out);
    });
  }

  // The same for events of the photons tier: appends the final photons to `out`; hit records
  // met on the way are kept for the next drain into OutputRecords.
  std::size_t drain(std::vector<Photon>& out) {
    OutputRecords got;
    const std::size_t n = drain(got);
    out.insert(out.end(), got.photons.begin(), got.photons.end());
    got.photons.clear();
    stash_.append(std::move(got));
    return n;
  }

  EventStatus event_status(std::uint32_t event) const {
    check_event(event);
    EventStatus st;
    st.submitted = submitted_[event];
    st.closed = closed_[event];
    if (running_.value) {
      detail::EventMirror& m = state_.mirror()[event];
      const std::uint64_t status = detail::system_load(m.status);
      st.finished = detail::system_load(m.finished);
      st.spawned = detail::system_load(m.spawned);
      st.intake = detail::system_load(m.intake);
      if (detail::status_generation(status) == generation_[event]) {
        st.state = detail::status_state(status);
      } else {  // the mirror still shows the slot's previous holder
        st.state = EventState::unknown;
        st.finished = st.spawned = st.intake = 0;
      }
    } else {
      Space::copy_to_host(&st.finished, state_.finished_counts() + event, 8, copy_out_stream());
      Space::copy_to_host(&st.spawned, state_.spawned_counts() + event, 8, copy_out_stream());
      Space::copy_to_host(&st.intake, state_.intake_counts() + event, 8, copy_out_stream());
      Space::synchronize(copy_out_stream());
      st.state = event_state(detail::system_load(state_.expected()[event]), st.intake, st.spawned,
                             st.finished);
    }
    return st;
  }

  // Drains into `out` until every listed event is complete or the timeout passes; returns
  // whether they all completed. Host-side waiting only: the worker never waits on this.
  template <class Out>
  bool wait_events(std::span<const std::uint32_t> events, Out& out,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      flush();  // photons staged by this (submitting) thread reach the worker as their copies land
      drain(out);
      if (all_complete(events)) {
        drain(out);
        return true;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  // For a draining thread beside a submitting one: drains into `out` until `submission_done` is
  // set and every listed event is complete, or the timeout passes; returns whether they all
  // completed. Event status is read only after submission is done (the submitting thread
  // writes what it reads).
  template <class Out>
  bool drain_until_complete(std::span<const std::uint32_t> events, Out& out,
                            const std::atomic<bool>& submission_done,
                            std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const bool submitted = submission_done.load(std::memory_order_acquire);
      const std::size_t k = drain(out);
      if (submitted && all_complete(events)) {
        drain(out);
        return true;
      }
      if (k == 0) std::this_thread::yield();
    }
    return false;
  }

  // Bytes and host time of the copies in and out so far (callable from any thread).
  CopyTelemetry copy_telemetry() const { return copies_.read(); }

  WorkerTelemetry telemetry() const {
    WorkerTelemetry t;
    if (running_.value) {
      for (int k = 0; k < telemetry_count; ++k)
        t[TelemetryCounter(k)] = detail::system_load(state_.control().telemetry[k]);
    } else {
      detail::WorkerCounters c;
      Space::copy_to_host(&c, state_.counters(), sizeof c, copy_stream());
      Space::synchronize(copy_stream());
      for (int k = 0; k < telemetry_count; ++k) t[TelemetryCounter(k)] = c.telemetry[k].value;
    }
    return t;
  }

  // Slot census of a stopped worker: photons in active, spawn and finished, and free slots.
  struct Census {
    std::uint64_t active, spawn, finished, free, pending;
  };
  Census census() const {
    if (running_.value)
      fail("census of a running worker", "the queues move while it runs", "stop() it first");
    const Stream s = copy_stream();
    Census c{state_.active_size(s), state_.spawn_size(s), state_.finished_size(s),
             state_.free_size(s), 0};
    std::vector<std::uint32_t> flags(options_.page_capacity);
    Space::copy_to_host(flags.data(), state_.pending_flags(), flags.size() * sizeof(std::uint32_t),
                        s);
    Space::synchronize(s);
    for (std::uint32_t f : flags) c.pending += f != 0;
    return c;
  }

  const ref_type& ref() const { return state_.ref(); }

 private:
  using Dispatch = detail::WorkerDispatch<Tuning, PhysicsType, Policy, Layout, Space>;

  bool all_complete(std::span<const std::uint32_t> events) const {
    for (std::uint32_t e : events)
      if (!event_status(e).complete()) return false;
    return true;
  }

  // Inbox positions free from staged_ on, up to n. The worker takes the inbox in claims of
  // consecutive positions and, once a claim's entries are all read, writes at the claim's first
  // position its position + capacity (and the claim's length beside it): position p is free, and
  // so are the claim's others, once the word at p reads p. Every position the host visits here is
  // the first of a claim of the lap before (the first lap: every position, length 1), so it reads
  // one word per claim; positions found free are remembered (free_until_).
  std::size_t room(std::size_t n) {
    const std::uint64_t mask = ref().inbox_mask;
    const std::uint64_t end = staged_ + std::min<std::uint64_t>(n, mask + 1);
    while (free_until_ < end) {
      const std::uint64_t at = free_until_ & mask;
      if (detail::system_load(state_.inbox_seq()[at]) != free_until_) break;
      free_until_ += std::max<std::uint32_t>(1, detail::system_load(state_.inbox_len()[at]));
    }
    return static_cast<std::size_t>(std::min<std::uint64_t>(n, free_until_ - staged_));
  }

  // Photons [staged_, staged_ + k) of the ring written by fill into pinned staging.
  template <class Fill>
  void fill_staging(std::size_t k, Fill&& fill) {
    const std::uint64_t cap = ref().inbox_mask + 1;
    const std::uint64_t first = staged_ & ref().inbox_mask;
    const std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(k, cap - first));
    InboxRecord* staged = state_.inbox_staging();
    fill(std::size_t{0}, std::span<InboxRecord>(staged + first, head));
    if (head < k) fill(head, std::span<InboxRecord>(staged, k - head));
    staged_ += k;
  }

  // Writes a run record (source bytes of `kind`) into the mapped ring and rings its doorbell.
  void post_run_record(std::uint32_t event, std::uint32_t kind, const void* source,
                       std::size_t bytes, std::uint64_t first_id, std::uint64_t count,
                       const std::string& who) {
    if (count == 0) return;
    if (run_posted_[event])
      fail(who + " is the slot's second", "a slot holds one run per event",
           "post one run with every photon of the event, or stage the others");
    // (overflow-safe: staged photons are checked against the most only when the event closes)
    if (count > max_event_photons - std::min(submitted_[event], max_event_photons))
      fail(who + " has " + std::to_string(count) + " photons",
           "an event counts at most 2^40 - 2 photons", "split it into several events");
    run_posted_[event] = true;
    detail::RunPost& post = state_.run_posts()[runs_posted_ & (state_.run_posts_capacity() - 1)];
    alignas(16) unsigned char padded[run_source_bytes] = {};
    std::memcpy(padded, source, bytes);
    std::memcpy(post.source, padded, sizeof padded);
    detail::system_atomic_ref<std::uint32_t>(post.kind).store(kind, memory_order::relaxed);
    detail::system_atomic_ref<std::uint64_t>(post.first_id).store(first_id, memory_order::relaxed);
    detail::system_atomic_ref<std::uint64_t>(post.count).store(count, memory_order::relaxed);
    detail::system_atomic_ref<std::uint32_t>(post.slot).store(event, memory_order::relaxed);
    detail::system_atomic_ref<std::uint32_t>(post.generation)
        .store(generation_[event], memory_order::relaxed);
    detail::system_store(state_.control().runs, ++runs_posted_);
    account(event, count);
  }

  void account(std::uint32_t event, std::uint64_t k) {
    submitted_[event] += k;
    if (event + 1 > event_limit_) {
      event_limit_ = event + 1;
      detail::system_store(state_.control().event_limit, event_limit_);
    }
  }

  Stream copy_stream() const { return streams_.copy(); }
  Stream copy_out_stream() const { return streams_.copy_out(); }

  // Copies n words of a table the worker may be adding to (tallies, summaries) to the host, and
  // waits for them (unless !wait: the next read_words or synchronize waits). On the host
  // backend word by word with relaxed atomic loads, the worker's threads writing beside; on the
  // device by the copy-out stream.
  template <class Word>
  void read_words(Word* dst, const Word* src, std::size_t n, bool wait = true) const {
    if constexpr (std::is_same_v<Space, Host>) {
      for (std::size_t k = 0; k < n; ++k)
        dst[k] = atomic_ref<Word>(const_cast<Word&>(src[k])).load(memory_order::relaxed);
    } else {
      if (n) Space::copy_to_host(dst, src, n * sizeof(Word), copy_out_stream());
      if (wait) Space::synchronize(copy_out_stream());
    }
  }

  void check_event(std::uint32_t event) const {
    if (event >= options_.max_events)
      fail("event id " + std::to_string(event) + " is out of range",
           "this worker was built for event ids below " + std::to_string(options_.max_events),
           "raise WorkerOptions::max_events or renumber the events");
  }
  void check_open(std::uint32_t event) const {
    check_event(event);
    if (!ready_[event])
      fail("event slot " + std::to_string(event) + " takes photons before its reset was done",
           "the worker has not yet reset the slot for its new event",
           "wait for open_ready() (or use open_event(), which waits)");
    if (closed_[event])
      fail("event " + std::to_string(event) + " is already closed",
           "photons of a closed event would never be counted",
           "submit all photons of an event before close_event()");
  }

  PhysicsType physics_;
  Policy policy_;
  WorkerOptions options_;
  WorkerSizes sizes_;
  detail::WorkerStreams<Space> streams_;
  unsigned groups_ = 1;
  detail::WorkerState<Space, Layout> state_;
  Dispatch dispatch_;
  std::vector<std::uint64_t> submitted_;  // host side: photons submitted per event
  std::vector<bool> closed_;
  std::vector<std::uint32_t> generation_;  // per slot: events it has held (24 bits)
  std::vector<bool> ready_;                // per slot: its last reset was done
  std::vector<bool> run_posted_;           // per slot: a run was posted since it was opened
  std::uint64_t resets_posted_ = 0;        // slot resets posted to the running worker
  std::uint64_t runs_posted_ = 0;          // photon runs posted
  std::uint64_t published_ = 0;            // inbox entries the worker may take
  std::uint64_t staged_ = 0;               // inbox entries written to pinned staging
  std::uint64_t free_until_ = 0;           // inbox positions below this are known free
  std::uint64_t copied_ = 0;               // inbox entries whose copy was issued
  struct InboxCopy {
    std::uint64_t end;  // published up to here once the copy landed
    int mark;
    std::uint64_t bytes;
  };
  std::vector<InboxCopy> in_flight_;
  detail::CopyMarks<Space> in_marks_, out_marks_;
  mutable std::vector<std::uint64_t> tally_rows_;  // the draining thread's
  std::uint64_t drained_ = 0;                      // output entries consumed
  OutputRecords stash_;  // hits drained into a photon list, kept for the next drain
  detail::CopyClock copies_;
  std::uint32_t event_limit_ = 0;
  detail::RunningFlag running_;
};

}  // namespace chroma2
