// SPDX-License-Identifier: BSD-3-Clause
// A group's lists and the slot rings: photons that left their lanes wait in per-group lists
// (shared memory) and go to the rings a chunk at a time, so the hot ring counters see one claim
// per many photons; claims fill the group's queue from active, spawn and the inbox. Cold paths
// like the host link, whose traffic they extend.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/detail/worker/device_data.hpp"
#include "chroma2/core/detail/worker/host_link.hpp"

#include <cstdint>

namespace chroma2::detail {

template <class G, class Layout, std::uint32_t Chunk, class Sources, class Policy>
struct GroupQueues : HostLink<G, Layout, Chunk, Sources, Policy> {
  using Link = HostLink<G, Layout, Chunk, Sources, Policy>;
  using Link::g, Link::w, Link::s, Link::t;
  ListLengths& n;

  CHROMA2_HD GroupQueues(G group, const WorkerRef<Layout>& ref, WorkerScratch<Chunk>& scratch,
                         GroupTelemetry& telemetry, ListLengths& lists, Policy policy)
      : Link{group, ref, scratch, telemetry, policy}, n(lists) {}

  // act list → active.
  CHROMA2_HD void flush_active() const {
    if (n.act == 0) return;
    push_all(g, w.active, s.act, n.act);
    t[TelemetryCounter::active_pushes] += n.act;
    n.act = 0;
    note_active_depth();
  }

  // fin list → tallies, then output (or the finished ring while the output is full) or free.
  CHROMA2_HD void flush_finished() const {
    if (n.fin == 0) return;
    this->finish(s.fin, n.fin);
    n.fin = 0;
  }

  // Parents in the pending list: their secondaries take free slots and go to spawn; every parent
  // goes to active (one whose child found no slot keeps it pending and retries when popped again;
  // a finished one goes to the output from there).
  CHROMA2_HD CHROMA2_NOINLINE void place_pending() const {
    const std::uint32_t wanted = n.pend;
    if (wanted == 0) return;
    const std::uint32_t got = w.free.pop(g, s.spare, wanted);
    t[TelemetryCounter::free_pops] += got;
    t[TelemetryCounter::pending_retries] += wanted - got;
    n.slots_short = got < wanted;
    g.for_lanes([&](int lane) {
      for (std::uint32_t i = static_cast<std::uint32_t>(lane); i < got; i += G::lanes) {
        const std::uint32_t parent = s.pend[i];
        const std::uint32_t child = s.spare[i];
        const Photon c = w.pending[parent];
        w.page.storage.store(child, c);
        w.pending_flag[child] = 0;
        w.pending_flag[parent] = 0;
        w.events.count_spawned(c.event);
      }
    });
    g.sync();
    if (got) {
      push_all(g, w.spawn, s.spare, got);
      t[TelemetryCounter::spawn_pushes] += got;
      t[TelemetryCounter::spawned] += got;
      const std::int64_t depth = g.leader([&] { return w.spawn.available(); });
      if (depth > t[TelemetryCounter::max_spawn_depth])
        t[TelemetryCounter::max_spawn_depth] = depth;
    }
    push_all(g, w.active, s.pend, wanted);
    t[TelemetryCounter::active_pushes] += wanted;
    n.pend = 0;
  }

  // The time-based spawn cadence: a chunk of spawn → active, whatever active holds.
  CHROMA2_HD CHROMA2_NOINLINE void feed_spawn() const {
    const std::uint32_t k = w.spawn.pop(g, s.slots, Chunk);
    if (k == 0) return;
    t[TelemetryCounter::spawn_pops] += k;
    push_all(g, w.active, s.slots, k);
    t[TelemetryCounter::active_pushes] += k;
  }

  // Claims into the queue's free room: from active, then spawn, then the inbox, then the runs.
  // Spawn comes first while active holds fewer than spawn_threshold photons, and always after a
  // secondary found no free slot: only finishing photons free slots, and the parents waiting in
  // active must not keep the secondaries in spawn from running (the progress guarantee of a full
  // page). Secondaries come before new primaries because they already hold a slot. Returns how many
  // it claimed (the queue grew by that many).
  CHROMA2_HD CHROMA2_NOINLINE std::uint32_t claim() const {
    std::uint32_t* dst = s.queue + n.queued;
    const std::uint32_t want = Chunk - n.queued;
    std::uint32_t got = 0;
    bool spawn_first = n.slots_short;
    if (w.spawn_threshold && !spawn_first)
      spawn_first = note_active_depth() < static_cast<std::int64_t>(w.spawn_threshold);
    const auto from_spawn = [&] {
      const std::uint32_t k = w.spawn.pop(g, dst + got, want - got);
      t[TelemetryCounter::spawn_pops] += k;
      got += k;
    };
    if (spawn_first) from_spawn();
    if (got < want) {
      const std::uint32_t k = w.active.pop(g, dst + got, want - got);
      t[TelemetryCounter::active_pops] += k;
      got += k;
    }
    if (got < want && !spawn_first) from_spawn();
    if (got < want) got += this->take_inbox(dst + got, want - got);
    if (got < want) got += this->take_runs(dst + got, want - got, n.run_cursor);
    n.queued += got;
    return got;
  }

  // Claimed photons that never reached a lane (the worker is stopping) → active.
  CHROMA2_HD void return_queued() const {
    if (n.queued == 0) return;
    push_all(g, w.active, s.queue, n.queued);
    t[TelemetryCounter::active_pushes] += n.queued;
    n.queued = 0;
  }

 private:
  CHROMA2_HD std::int64_t note_active_depth() const {
    const std::int64_t depth = g.leader([&] { return w.active.available(); });
    if (depth > t[TelemetryCounter::max_active_depth])
      t[TelemetryCounter::max_active_depth] = depth;
    return depth;
  }
};

}  // namespace chroma2::detail
