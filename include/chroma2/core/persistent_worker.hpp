// SPDX-License-Identifier: BSD-3-Clause
// PersistentWorker<Physics>: the persistent propagation loop over device-resident queues. One
// cooperative grid on the GPU (Space = Device) or std::jthread workers on the host (Space = Host)
// run the same agent (detail/worker_agent.hpp); the host feeds and drains it while it runs.
#pragma once

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/detail/worker_agent.hpp"
#include "chroma2/core/detail/worker_sync.hpp"
#include "chroma2/core/device_ring.hpp"
#include "chroma2/core/event_table.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/philox.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace chroma2 {

// Sizes and policies. Zero means "choose for me" where noted.
struct WorkerOptions {
  std::uint32_t page_capacity = 1u << 16;    // photon slots
  std::uint32_t inbox_capacity = 1u << 14;   // host-fed records (rounded up to a power of two)
  std::uint32_t output_capacity = 1u << 20;  // finished records (rounded up to a power of two)
  std::uint32_t max_events = 64;             // event ids are [0, max_events)
  std::uint32_t micro_steps = 256;           // physics steps per photon per visit (a photon
                                             // that uses them up goes back to active)
  std::uint32_t max_steps = 65535;           // a photon still alive after this many steps ends
                                             // with TerminalReason::max_steps
  std::uint32_t refill_lanes = 8;            // a warp claims new photons once this many of its
                                             // 32 lanes are empty (1..32; a host thread is a
                                             // group of one lane and refills when empty)
  std::uint32_t spawn_threshold = 0;         // spawn feeds lanes before active while active
                                             // holds fewer photons than this (0: only when active
                                             // cannot fill the empty lanes)
  std::uint32_t spawn_period = 0;            // time-based cadence instead: every this many
                                             // iterations (a multiple of 64) each group moves
                                             // a chunk of spawn → active (0: off)
  std::uint32_t spawn_reserve = 0;           // slots inbox photons may never take (kept for
                                             // secondaries); 0: page / 8, at least 1
  std::uint32_t idle_threshold = 64;         // idle iterations before a group backs off
  std::uint64_t seed = 0;                    // run seed of the RNG streams
  unsigned threads = 0;                      // host backend: 0 = hardware threads
  unsigned grid = 0;                         // CUDA backend: blocks; 0 = occupancy × SMs
};

// Telemetry, readable while the worker runs (a mirror refreshed by the worker) and exact once
// it stopped.
struct WorkerTelemetry {
  std::int64_t steps, active_pops, active_pushes, spawn_pops, spawn_pushes, finished_pops,
      finished_pushes, free_pops, free_pushes, intake, output, spawned, pending_retries,
      idle_backoffs, iterations,
      // where the groups' time went (SM cycles on the device, ns on the host), summed over
      // groups; zero unless built with CHROMA2_WORKER_TIMING=1
      ticks_housekeeping, ticks_refill, ticks_step, ticks_flush, ticks_idle,
      max_active_depth, max_spawn_depth;
};
static_assert(sizeof(WorkerTelemetry) == tally_count * sizeof(std::int64_t));

namespace detail {
template <class Space>
struct MappedSpaceOf {
  using type = Host;
};
#if CHROMA2_HAS_CUDA_RUNTIME
template <>
struct MappedSpaceOf<Device> {
  using type = Pinned;
};

inline constexpr int worker_block = 256;
// Blocks of the worker kernel that must fit on one SM: bounds its registers (2: at most 128).
#ifndef CHROMA2_WORKER_MIN_BLOCKS
#define CHROMA2_WORKER_MIN_BLOCKS 2
#endif

template <std::uint32_t Chunk, class P, class Policy, class Layout>
__global__ void __launch_bounds__(worker_block, CHROMA2_WORKER_MIN_BLOCKS)
    persistent_worker_kernel(__grid_constant__ const WorkerRef<Layout> w, P physics, Policy policy) {
  __shared__ WorkerScratch<Chunk> scratch[worker_block / 32];
  const unsigned warp = threadIdx.x / 32;
  worker_agent<Chunk>(WarpGroup{}, w, physics, policy, scratch[warp],
                      blockIdx.x * (worker_block / 32) + warp);
}
#endif

inline std::uint64_t round_up_pow2(std::uint64_t v) {
  std::uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

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
          RngPolicy Policy = Philox4x32Policy, std::uint32_t Chunk = 128>
class PersistentWorker {
  static_assert(check_physics<PhysicsType>());
  static_assert(Chunk % group_lanes == 0 && Chunk >= 2 * group_lanes && Chunk <= 1024,
                "the chunk size must be a multiple of 32 between 64 and 1024");

 public:
  using Mapped = typename detail::MappedSpaceOf<Space>::type;
  using ref_type = detail::WorkerRef<Layout>;
  static constexpr std::uint32_t chunk_size = Chunk;

  explicit PersistentWorker(PhysicsType physics, WorkerOptions options = {}, Policy policy = {})
      : physics_(physics), policy_(policy), options_(options) {
    const std::uint32_t cap = options.page_capacity;
    if (cap < 2)
      fail("worker page capacity " + std::to_string(cap) + " is too small",
           "a page needs room for a photon and its secondary", "ask for at least 2 slots");
    if (options.max_events == 0)
      fail("max_events 0 is invalid", "every photon belongs to an event", "ask for at least 1");
    if (options.micro_steps == 0)
      fail("micro-step budget 0 is invalid", "a visit must step a photon at least once",
           "ask for at least 1");
    if (options.refill_lanes == 0 || options.refill_lanes > group_lanes)
      fail("refill_lanes " + std::to_string(options.refill_lanes) + " is invalid",
           "a group of " + std::to_string(group_lanes) + " lanes refills once that many are empty",
           "ask for 1 to " + std::to_string(group_lanes) + " (default 8)");
    reserve_ = options.spawn_reserve ? options.spawn_reserve : std::max<std::uint32_t>(1, cap / 8);
    if (reserve_ >= cap)
      fail("spawn_reserve " + std::to_string(reserve_) + " is not below the page capacity " +
               std::to_string(cap),
           "inbox photons need at least one slot", "lower spawn_reserve or grow the page");
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!std::is_same_v<Space, Host>) {
      worker_stream_.emplace();
      copy_stream_.emplace();
    }
#endif
    groups_ = choose_groups();
    const std::uint64_t ring_cap = detail::round_up_pow2(cap);
    const std::uint64_t inbox_cap = detail::round_up_pow2(std::max(1u, options.inbox_capacity));
    const std::uint64_t out_cap = detail::round_up_pow2(std::max(1u, options.output_capacity));
    const Stream s = copy_stream();

    page_ = PhotonPage<Layout, Space>(cap, s);
    active_ = DeviceRing<std::uint32_t, Space>(ring_cap, {}, s);
    spawn_ = DeviceRing<std::uint32_t, Space>(ring_cap, {}, s);
    finished_ = DeviceRing<std::uint32_t, Space>(ring_cap, {}, s);
    free_ = DeviceRing<std::uint32_t, Space>(ring_cap, {}, s);
    pending_ = Buffer<Photon, Space>(cap, s);
    pending_flag_ = Buffer<std::uint32_t, Space>(cap, s);
    inbox_ = Buffer<Photon, Space>(inbox_cap, s);
    counters_ = Buffer<detail::WorkerCounters, Space>(1, s);
    intake_ = Buffer<std::uint64_t, Space>(options.max_events, s);
    spawned_ = Buffer<std::uint64_t, Space>(options.max_events, s);
    finished_count_ = Buffer<std::uint64_t, Space>(options.max_events, s);
    control_ = Buffer<detail::WorkerControl, Mapped>(1, s);
    inbox_seq_ = Buffer<std::uint64_t, Mapped>(inbox_cap, s);
    out_ = Buffer<Photon, Mapped>(out_cap, s);
    out_seq_ = Buffer<std::uint64_t, Mapped>(out_cap, s);
    expected_ = Buffer<std::uint64_t, Mapped>(options.max_events, s);
    mirror_ = Buffer<detail::EventMirror, Mapped>(options.max_events, s);

    // Everything starts here, before any launch.
    Space::fill(pending_flag_.data(), 0, pending_flag_.bytes(), s);
    Space::fill(intake_.data(), 0, intake_.bytes(), s);
    Space::fill(spawned_.data(), 0, spawned_.bytes(), s);
    Space::fill(finished_count_.data(), 0, finished_count_.bytes(), s);
    detail::WorkerCounters init{};
    init.primary_credits.value = static_cast<std::int64_t>(cap - reserve_);
    init.out_credits.value = static_cast<std::int64_t>(out_cap);
    Space::copy_from_host(counters_.data(), &init, sizeof init, s);
    Space::synchronize(s);
    std::memset(static_cast<void*>(control_.data()), 0, sizeof(detail::WorkerControl));
    for (std::uint64_t i = 0; i < inbox_cap; ++i) inbox_seq_.data()[i] = i;
    std::memset(static_cast<void*>(out_seq_.data()), 0, out_seq_.bytes());
    std::memset(static_cast<void*>(expected_.data()), 0, expected_.bytes());
    std::memset(static_cast<void*>(mirror_.data()), 0, mirror_.bytes());
    std::vector<std::uint32_t> slots(cap);
    for (std::uint32_t i = 0; i < cap; ++i) slots[i] = i;
    free_.push(slots, s);
    submitted_.assign(options.max_events, 0);
    closed_.assign(options.max_events, false);

    ref_.page = page_.ref();
    ref_.active = active_.ref();
    ref_.spawn = spawn_.ref();
    ref_.finished = finished_.ref();
    ref_.free = free_.ref();
    ref_.pending = pending_.data();
    ref_.pending_flag = pending_flag_.data();
    ref_.inbox = inbox_.data();
    ref_.inbox_seq = inbox_seq_.data();
    ref_.inbox_mask = inbox_cap - 1;
    ref_.out = out_.data();
    ref_.out_seq = out_seq_.data();
    ref_.out_mask = out_cap - 1;
    ref_.counters = counters_.data();
    ref_.control = control_.data();
    ref_.events = EventTableRef{intake_.data(),   spawned_.data(), finished_count_.data(),
                                expected_.data(), mirror_.data(),  options.max_events};
    ref_.seed = options.seed;
    ref_.micro_steps = options.micro_steps;
    ref_.max_steps = options.max_steps;
    ref_.spawn_threshold = options.spawn_threshold;
    ref_.refill_lanes = options.refill_lanes;
    ref_.spawn_period = options.spawn_period;
    ref_.idle_threshold = options.idle_threshold;
  }

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
    if constexpr (std::is_same_v<Space, Host>) {
      threads_.clear();
      scratch_.resize(groups_);
      for (unsigned g = 0; g < groups_; ++g) {
        if (!scratch_[g]) scratch_[g] = std::make_unique<detail::WorkerScratch<Chunk>>();
        threads_.emplace_back(
            [ref = ref_, physics = physics_, policy = policy_, scratch = scratch_[g].get(), g] {
              detail::worker_agent<Chunk>(SoloGroup{}, ref, physics, policy, *scratch, g);
            });
      }
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      void* args[] = {&ref_, &physics_, &policy_};
      const auto kernel = &detail::persistent_worker_kernel<Chunk, PhysicsType, Policy, Layout>;
      CHROMA2_CUDA_TRY(cudaLaunchCooperativeKernel(
          reinterpret_cast<const void*>(kernel), dim3(groups_ / (detail::worker_block / 32)),
          dim3(detail::worker_block), args, 0, worker_stream_->get().cuda()));
#endif
    }
    running_.value = true;
  }

  // Asks every group to stop after its current iteration and waits for them. Photons in flight
  // stay in the page and the queues; start() carries on with them.
  void stop() {
    if (!running_.value) return;
    detail::system_store(control_.data()->stop, 1u);
    if constexpr (std::is_same_v<Space, Host>) {
      threads_.clear();  // joins
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      worker_stream_->get().synchronize();
#endif
    }
    running_.value = false;
    detail::system_store(control_.data()->stop, 0u);
    const std::int64_t zero = 0;
    Space::copy_from_host(&counters_.data()->stop.value, &zero, sizeof zero, copy_stream());
    Space::synchronize(copy_stream());
  }

  bool running() const { return running_.value; }
  unsigned groups() const { return groups_; }
  std::uint32_t page_capacity() const { return options_.page_capacity; }

  // Copies as many photons as the inbox has room for (a prefix) and rings the doorbell; returns
  // how many. Never blocks on the worker. One host thread submits.
  std::size_t submit(std::span<const Photon> photons) {
    for (const Photon& p : photons) check_open(p.event);
    const std::uint64_t cap = ref_.inbox_mask + 1;
    std::size_t k = 0;
    while (k < photons.size() && k < cap &&
           detail::system_load(inbox_seq_.data()[(published_ + k) & ref_.inbox_mask]) ==
               published_ + k)
      ++k;
    if (k == 0) return 0;
    std::uint32_t limit = 0;
    for (std::size_t j = 0; j < k; ++j) {
      ++submitted_[photons[j].event];
      limit = std::max(limit, photons[j].event + 1);
    }
    if (limit > event_limit_) {
      event_limit_ = limit;
      detail::system_store(control_.data()->event_limit, event_limit_);
    }
    // the ring of records may wrap: at most two copies
    const std::uint64_t first = published_ & ref_.inbox_mask;
    const std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(k, cap - first));
    Space::copy_from_host(inbox_.data() + first, photons.data(), head * sizeof(Photon),
                          copy_stream());
    if (head < k)
      Space::copy_from_host(inbox_.data(), photons.data() + head, (k - head) * sizeof(Photon),
                            copy_stream());
    Space::synchronize(copy_stream());  // the copy stream only: the worker keeps running
    published_ += k;
    detail::system_store(control_.data()->published, published_);
    return k;
  }

  // Submits every photon, waiting for inbox room (draining finished photons into `out` while it
  // waits, so a full output cannot stall it). Needs a running worker once the inbox is full.
  void submit_all(std::span<const Photon> photons, std::vector<Photon>& out) {
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

  // No more photons for this event: it completes once every photon of it finished.
  void close_event(std::uint32_t event) {
    check_open(event);
    closed_[event] = true;
    detail::system_store(expected_.data()[event], submitted_[event] + 1);
    if (event + 1 > event_limit_) {
      event_limit_ = event + 1;
      detail::system_store(control_.data()->event_limit, event_limit_);
    }
  }

  // Appends every published finished photon to `out` and frees its output entry; returns how
  // many. One host thread drains.
  std::size_t drain(std::vector<Photon>& out) {
    const std::uint64_t mask = ref_.out_mask;
    std::uint64_t pos = drained_;
    for (;;) {
      // the run of published entries from pos up to the end of the buffer, copied in one go
      const std::uint64_t lap_end = (pos | mask) + 1;
      std::uint64_t end = pos;
      while (end < lap_end && detail::system_load(out_seq_.data()[end & mask]) == end + 1) ++end;
      if (end == pos) break;
      const Photon* first = out_.data() + (pos & mask);
      out.insert(out.end(), first, first + (end - pos));
      pos = end;
      if (end < lap_end) break;
    }
    const std::size_t n = static_cast<std::size_t>(pos - drained_);
    if (n) {
      drained_ = pos;
      detail::system_store(control_.data()->drained, drained_);
    }
    return n;
  }

  EventStatus event_status(std::uint32_t event) const {
    check_event(event);
    EventStatus st;
    st.submitted = submitted_[event];
    st.closed = closed_[event];
    if (running_.value) {
      detail::EventMirror& m = mirror_.data()[event];
      st.state = static_cast<EventState>(detail::system_load(m.state));
      st.finished = detail::system_load(m.finished);
      st.spawned = detail::system_load(m.spawned);
      st.intake = detail::system_load(m.intake);
    } else {
      Space::copy_to_host(&st.finished, finished_count_.data() + event, 8, copy_stream());
      Space::copy_to_host(&st.spawned, spawned_.data() + event, 8, copy_stream());
      Space::copy_to_host(&st.intake, intake_.data() + event, 8, copy_stream());
      Space::synchronize(copy_stream());
      st.state = event_state(expected_.data()[event], st.intake, st.spawned, st.finished);
    }
    return st;
  }

  // Drains into `out` until every listed event is complete or the timeout passes; returns
  // whether they all completed. Host-side waiting only: the worker never waits on this.
  bool wait_events(std::span<const std::uint32_t> events, std::vector<Photon>& out,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
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
  bool drain_until_complete(std::span<const std::uint32_t> events, std::vector<Photon>& out,
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

  WorkerTelemetry telemetry() const {
    std::int64_t v[tally_count];
    if (running_.value) {
      for (int k = 0; k < tally_count; ++k) v[k] = detail::system_load(control_.data()->tally[k]);
    } else {
      detail::WorkerCounters c;
      Space::copy_to_host(&c, counters_.data(), sizeof c, copy_stream());
      Space::synchronize(copy_stream());
      for (int k = 0; k < tally_count; ++k) v[k] = c.tally[k].value;
    }
    WorkerTelemetry t;
    std::memcpy(&t, v, sizeof t);
    return t;
  }

  // Slot census of a stopped worker: photons in active, spawn and finished, and free slots.
  struct Census {
    std::uint64_t active, spawn, finished, free, pending;
  };
  Census census() const {
    if (running_.value)
      fail("census of a running worker", "the queues move while it runs", "stop() it first");
    Census c{active_.size(copy_stream()), spawn_.size(copy_stream()), finished_.size(copy_stream()),
             free_.size(copy_stream()), 0};
    std::vector<std::uint32_t> flags(options_.page_capacity);
    Space::copy_to_host(flags.data(), pending_flag_.data(), pending_flag_.bytes(), copy_stream());
    Space::synchronize(copy_stream());
    for (std::uint32_t f : flags) c.pending += f != 0;
    return c;
  }

  ref_type ref() const { return ref_; }

 private:
  bool all_complete(std::span<const std::uint32_t> events) const {
    for (std::uint32_t e : events)
      if (!event_status(e).complete()) return false;
    return true;
  }

  Stream copy_stream() const {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!std::is_same_v<Space, Host>) return copy_stream_->get();
#endif
    return Stream{};
  }

  void check_event(std::uint32_t event) const {
    if (event >= options_.max_events)
      fail("event id " + std::to_string(event) + " is out of range",
           "this worker was built for event ids below " + std::to_string(options_.max_events),
           "raise WorkerOptions::max_events or renumber the events");
  }
  void check_open(std::uint32_t event) const {
    check_event(event);
    if (closed_[event])
      fail("event " + std::to_string(event) + " is already closed",
           "photons of a closed event would never be counted",
           "submit all photons of an event before close_event()");
  }

  unsigned choose_groups() {
    if constexpr (std::is_same_v<Space, Host>) {
      unsigned n = options_.threads ? options_.threads : std::thread::hardware_concurrency();
      return std::max(1u, n);
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      int dev = 0, sms = 0, coop = 0, per_sm = 0;
      CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
      CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
      CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, dev));
      if (!coop)
        fail("device " + std::to_string(dev) + " cannot launch cooperative kernels",
             "the persistent worker needs all its blocks resident at once",
             "use a GPU that supports cooperative launch or the host backend");
      const auto kernel = &detail::persistent_worker_kernel<Chunk, PhysicsType, Policy, Layout>;
      CHROMA2_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
          &per_sm, reinterpret_cast<const void*>(kernel), detail::worker_block, 0));
      const unsigned most = static_cast<unsigned>(per_sm * sms);
      if (most == 0)
        fail("the worker kernel cannot run a single block", "its resources exceed one SM",
             "lower the chunk size or the physics' register use");
      if (options_.grid > most)
        fail("grid of " + std::to_string(options_.grid) + " blocks is too large",
             "only " + std::to_string(most) + " blocks can be resident at once",
             "ask for at most " + std::to_string(most) + " blocks or 0 for the maximum");
      const unsigned blocks = options_.grid ? options_.grid : most;
      return blocks * (detail::worker_block / 32);
#else
      return 1;
#endif
    }
  }

  PhysicsType physics_;
  Policy policy_;
  WorkerOptions options_;
  std::uint32_t reserve_ = 0;
  unsigned groups_ = 1;
#if CHROMA2_HAS_CUDA_RUNTIME
  std::optional<OwnedStream> worker_stream_, copy_stream_;
#endif
  PhotonPage<Layout, Space> page_{1};
  DeviceRing<std::uint32_t, Space> active_{1}, spawn_{1}, finished_{1}, free_{1};
  Buffer<Photon, Space> pending_;
  Buffer<std::uint32_t, Space> pending_flag_;
  Buffer<Photon, Space> inbox_;
  Buffer<detail::WorkerCounters, Space> counters_;
  Buffer<std::uint64_t, Space> intake_, spawned_, finished_count_;
  Buffer<detail::WorkerControl, Mapped> control_;
  Buffer<std::uint64_t, Mapped> inbox_seq_;
  Buffer<Photon, Mapped> out_;
  Buffer<std::uint64_t, Mapped> out_seq_;
  Buffer<std::uint64_t, Mapped> expected_;
  Buffer<detail::EventMirror, Mapped> mirror_;
  ref_type ref_{};
  std::vector<std::uint64_t> submitted_;
  std::vector<bool> closed_;
  std::uint64_t published_ = 0;
  std::uint64_t drained_ = 0;
  std::uint32_t event_limit_ = 0;
  std::vector<std::unique_ptr<detail::WorkerScratch<Chunk>>> scratch_;
  std::vector<std::jthread> threads_;
  detail::RunningFlag running_;
};

}  // namespace chroma2
