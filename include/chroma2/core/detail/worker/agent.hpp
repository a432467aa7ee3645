// SPDX-License-Identifier: BSD-3-Clause
// WorkerAgent: the loop of one group of the persistent worker, written once against the Group
// interface (a warp in the CUDA kernel; one std::jthread as a group of one lane on the host). Each
// lane holds one photon in registers and steps it once per iteration; empty lanes are refilled in
// one claim once enough are empty; leaving photons gather in the group's lists. The loop reads as
// its phases: housekeeping, refill, step, flush, and idle or drain on stop. It returns only on a
// stop request, after the photons in its lanes have finished their visits.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/detail/backoff.hpp"
#include "chroma2/core/detail/worker/device_data.hpp"
#include "chroma2/core/detail/worker/group_queues.hpp"
#include "chroma2/core/detail/worker/host_link.hpp"
#include "chroma2/core/detail/worker/lanes.hpp"
#include "chroma2/core/run_sources.hpp"
#include "chroma2/core/worker_options.hpp"

#include <chrono>
#include <cstdint>

// Optional loop timing (CHROMA2_WORKER_TIMING=1): where a group's time goes, for tuning
// (telemetry ticks_*: SM cycles on the device, ns on the host).
#ifndef CHROMA2_WORKER_TIMING
#define CHROMA2_WORKER_TIMING 0
#endif

namespace chroma2::detail {

CHROMA2_HD inline std::uint64_t worker_ticks() {
#if CHROMA2_WORKER_TIMING && defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(clock64());
#elif CHROMA2_WORKER_TIMING
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#else
  return 0;
#endif
}

// The agent's state lives in registers: every method is inlined into run(). The cold paths and
// the state whose address they take (lists, telemetry) live apart, in GroupQueues.
template <class Tuning, class P, class Policy, class G, class Layout>
struct WorkerAgent {
  static constexpr std::uint32_t lanes_per_group = G::lanes;
  static_assert(Tuning::chunk >= 2 * lanes_per_group,
                "a list must hold two groups' worth of photons (the claim queue)");
  using Queues = GroupQueues<G, Layout, Tuning::chunk, run_sources_of<Tuning>, Policy>;

  const Queues& q;  // cold paths (their own object: its address is taken)
  // The same state as the cold paths', held here directly so the hot loop reads it without going
  // through q (which lives in local memory on the device).
  G g;
  const WorkerRef<Layout>& w;
  WorkerScratch<Tuning::chunk>& s;
  ListLengths& n;
  GroupTelemetry& t;
  const P& physics;
  Policy policy;
  bool poller;  // this group polls the host
  typename G::template LaneArray<Lane<Policy>> lanes{};
  std::uint32_t resident = 0;  // live lanes
  std::uint32_t idle = 0;      // idle iterations in a row
  std::uint32_t refill_wait = 0, refill_delay = 0;
  bool stopping = false;
  std::uint64_t steps = 0, iterations = 0;  // hot counters stay in registers until a flush
  Backoff idle_backoff{Tuning::idle_sleep_max_ns, 32};
  std::uint64_t mark = worker_ticks();

  CHROMA2_HD void run() {
    if (poller && dedicated_poller()) {
      poll_loop();
      return;
    }
    for (std::uint64_t iter = 0;; ++iter) {
      ++iterations;
      housekeeping(iter);
      lap(TelemetryCounter::ticks_housekeeping);
      const bool worked = refill();
      lap(TelemetryCounter::ticks_refill);
      if (resident == 0) {
        if (stopping) {
          drain_on_stop();
          break;
        }
        idle_turn(worked);
        lap(TelemetryCounter::ticks_idle);
        continue;
      }
      step();  // times itself: ticks_step, ticks_exits
      flush_near_full();
      lap(TelemetryCounter::ticks_flush);
    }
    add_hot_counters();
    q.flush_telemetry();
  }

 private:
  CHROMA2_HD static bool near_full(std::uint32_t length) {
    return length + lanes_per_group > Tuning::chunk;
  }
  CHROMA2_HD static bool every(std::uint64_t iter, std::uint32_t period) {
    return iter % period == 0;
  }
  // Whether the polling group does nothing else (Tuning::dedicated_poller; device only: on the
  // host a group is a whole thread).
  CHROMA2_HD static constexpr bool dedicated_poller() {
#if defined(__CUDA_ARCH__)
    return Tuning::dedicated_poller;
#else
    return false;
#endif
  }

  // The dedicated polling group's loop: the host's doorbells, slot resets and runs taken within
  // about poll_sleep_ns, the mirror of event counts refreshed every mirror_polls polls, whatever
  // the photon-carrying groups are doing; until a stop request.
  CHROMA2_HD void poll_loop() {
    Backoff pause{Tuning::poll_sleep_ns, Tuning::poll_sleep_ns};
    for (std::uint64_t k = 0; !q.stop_requested(); ++k) {
      ++iterations;
      q.poll(k % Tuning::mirror_polls == 0);
      pause.pause();
    }
    q.poll(true);  // the last counts for the host
    add_hot_counters();
    q.flush_telemetry();
  }

  // Polls the host, notices a stop request, and now and then flushes finished photons, recycles
  // parked ones, feeds spawn (time cadence) and publishes telemetry.
  CHROMA2_HD void housekeeping(std::uint64_t iter) {
    const bool due = every(iter, Tuning::housekeeping_period);
    if (due || resident == 0) {
      if (poller) q.poll(every(iter, Tuning::mirror_period) || resident == 0);
      if (!stopping) stopping = q.stop_requested();
    }
    if (!due) return;
    if (n.fin >= lanes_per_group || every(iter, Tuning::output_period)) q.flush_finished();
    q.recycle_finished();
    if (w.spawn_period && every(iter, w.spawn_period)) q.feed_spawn();
    if (every(iter, Tuning::telemetry_period)) {
      add_hot_counters();
      q.flush_telemetry();
    }
  }

  // Fills empty lanes from the group's queue, claiming a chunk when the queue cannot fill them
  // (the photons the lanes do not take wait there, so the next refills need no atomic). Returns
  // whether it loaded any photon.
  CHROMA2_HD bool refill() {
    bool loaded = false;
    if (!stopping && (resident == 0 || resident + w.refill_lanes <= lanes_per_group)) {
      const std::uint32_t empty = lanes_per_group - resident;
      if (n.queued < empty && (resident == 0 || refill_wait == 0)) {
        q.flush_active();
        q.place_pending();
        if (q.claim()) {
          refill_delay = 0;
        } else {
          refill_delay = refill_delay < Tuning::refill_delay_max / 2 ? 2 * refill_delay + 1
                                                                     : Tuning::refill_delay_max;
          refill_wait = refill_delay;
        }
      }
      if (n.queued) {
        const std::uint32_t k = n.queued < empty ? n.queued : empty;
        n.queued -= k;
        load_lanes(s.queue + n.queued, k);
        if (near_full(n.fin)) q.flush_finished();
        if (near_full(n.pend)) q.place_pending();
        typename G::template LaneArray<std::uint32_t> live;
        g.for_lanes([&](int lane) { live[lane] = lanes[lane].live ? 1u : 0u; });
        resident = g.count_nonzero(live);
        loaded = true;
      }
    }
    if (refill_wait) --refill_wait;
    return loaded;
  }

  // Claimed photons src[0, got) → the empty lanes, in lane order.
  CHROMA2_HD void load_lanes(const std::uint32_t* src, std::uint32_t got) {
    typename G::template LaneArray<std::uint32_t> empty, rank, exit;
    g.for_lanes([&](int lane) { empty[lane] = lanes[lane].live ? 0u : 1u; });
    g.exclusive_scan(empty, rank);
    g.for_lanes([&](int lane) {
      exit[lane] = stays;
      if (empty[lane] && rank[lane] < got)
        exit[lane] = lanes[lane].load(w, policy, src[rank[lane]]);
    });
    list_exits(exit, false);  // a photon that is loaded never goes straight back to active
  }

  // One step of every resident photon.
  CHROMA2_HD void step() {
    typename G::template LaneArray<std::uint32_t> exit;
    idle = 0;
    idle_backoff.reset();
    steps += resident;
    g.for_lanes(
        [&](int lane) { exit[lane] = lanes[lane].live ? lanes[lane].step(physics, w) : stays; });
    lap(TelemetryCounter::ticks_step);
    const std::uint32_t gone = g.count_nonzero(exit);
    if (gone) {
      resident -= gone;
      list_exits(exit);
    }
    lap(TelemetryCounter::ticks_exits);
  }

  // Appends the slots of the lanes that exit to the group's lists.
  CHROMA2_HD void list_exits(const typename G::template LaneArray<std::uint32_t>& exit,
                             bool to_active_too = true) {
    n.fin = append(exit, to_finished, s.fin, n.fin);
    if (to_active_too) n.act = append(exit, to_active, s.act, n.act);
    n.pend = append(exit, to_pending, s.pend, n.pend);
    g.sync();
  }

  // Appends slot(lane) of every lane whose exit is `which` to list[n, ...); returns the new length.
  CHROMA2_HD std::uint32_t append(const typename G::template LaneArray<std::uint32_t>& exit,
                                  std::uint32_t which, std::uint32_t* list, std::uint32_t n) {
    typename G::template LaneArray<std::uint32_t> flag, off;
    g.for_lanes([&](int lane) { flag[lane] = exit[lane] == which ? 1u : 0u; });
    const std::uint32_t total = g.exclusive_scan(flag, off);
    if (total)
      g.for_lanes([&](int lane) {
        if (flag[lane]) list[n + off[lane]] = lanes[lane].slot;
      });
    return n + total;
  }

  // Lists about to overflow go to the rings.
  CHROMA2_HD void flush_near_full() {
    if (near_full(n.fin)) q.flush_finished();
    if (near_full(n.act)) q.flush_active();
    if (near_full(n.pend)) q.place_pending();
  }

  // Every list to the rings.
  CHROMA2_HD void flush_lists() {
    q.flush_active();
    q.place_pending();
    q.flush_finished();
  }

  // No photon resident and the worker is stopping: claimed photons go back to active and every
  // list to the rings, so that start() carries on with them.
  CHROMA2_HD void drain_on_stop() {
    q.return_queued();
    flush_lists();
  }

  // No photon resident: the lists go to the rings, parked photons are recycled, and a group that
  // found nothing to do for a while backs off.
  CHROMA2_HD void idle_turn(bool worked) {
    flush_lists();
    worked = q.recycle_finished() || worked;
    if (worked) {
      idle = 0;
      idle_backoff.reset();
    } else if (++idle > w.idle_threshold) {
      idle_backoff.pause();
      ++t[TelemetryCounter::idle_backoffs];
    }
  }

  CHROMA2_HD void add_hot_counters() {
    t[TelemetryCounter::steps] += static_cast<std::int64_t>(steps);
    t[TelemetryCounter::iterations] += static_cast<std::int64_t>(iterations);
    steps = iterations = 0;
  }

  CHROMA2_HD void lap(TelemetryCounter part) {
    if constexpr (CHROMA2_WORKER_TIMING) {
      const std::uint64_t now = worker_ticks();
      t[part] += static_cast<std::int64_t>(now - mark);
      mark = now;
    }
  }
};

// The loop of one group. The lists and the telemetry live beside the agent (the cold paths take
// their addresses), so that the agent itself, and the photons in its lanes, stay in registers.
template <class Tuning, class P, class Policy, class G, class Layout>
CHROMA2_HD void run_worker_group(G g, const WorkerRef<Layout>& w, const P& physics, Policy policy,
                                 WorkerScratch<Tuning::chunk>& s, std::uint32_t group_index) {
  GroupTelemetry t{};
  ListLengths n;
  const GroupQueues<G, Layout, Tuning::chunk, run_sources_of<Tuning>, Policy> queues(g, w, s, t, n,
                                                                                     policy);
  WorkerAgent<Tuning, P, Policy, G, Layout> agent{queues,          g, w, s, n, t, physics, policy,
                                                  group_index == 0};
  agent.run();
}

}  // namespace chroma2::detail
