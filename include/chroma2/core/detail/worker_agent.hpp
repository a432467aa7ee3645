// SPDX-License-Identifier: BSD-3-Clause
// The per-group loop of the persistent worker ("agent"), written once against the Group
// interface: a warp in the CUDA kernel, one std::jthread as a group of one lane (SoloGroup) on
// the host (a host thread playing 32 lanes gives the same photons, bit for bit, but pays the
// group's bookkeeping 32 times per step for nothing).
// Each lane holds one photon in registers and steps it once per iteration; a photon leaves its
// lane when it finishes, asks for a secondary or uses up its micro-step budget, and empty lanes
// are refilled in one claim (from active, then spawn, then the inbox) once enough are empty.
// Leaving photons gather in per-group lists that go to the rings a chunk at a time, so the hot
// counters see one claim per many photons. It only returns on a stop request, after the photons
// in its lanes have finished their visits.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/detail/backoff.hpp"
#include "chroma2/core/detail/worker_sync.hpp"
#include "chroma2/core/device_ring.hpp"
#include "chroma2/core/event_table.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_id.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/sampling.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if !defined(__CUDA_ARCH__)
#include <thread>
#endif

namespace chroma2 {

// Telemetry counters, in the order of WorkerTelemetry's fields.
enum class Tally : int {
  steps,
  active_pops,
  active_pushes,
  spawn_pops,
  spawn_pushes,
  finished_pops,
  finished_pushes,
  free_pops,
  free_pushes,
  intake,
  output,
  spawned,
  pending_retries,
  idle_backoffs,
  iterations,
  ticks_housekeeping,  // time per part of the loop (SM cycles on the device, ns on the host);
  ticks_refill,        // zero unless built with CHROMA2_WORKER_TIMING=1
  ticks_step,
  ticks_flush,
  ticks_idle,
  max_active_depth,  // maxima from here on
  max_spawn_depth,
  count_
};
inline constexpr int tally_count = static_cast<int>(Tally::count_);
inline constexpr int first_max_tally = static_cast<int>(Tally::max_active_depth);

namespace detail {

// One counter per 128-byte line.
struct alignas(128) WorkerLine {
  std::int64_t value;
  char pad[128 - sizeof(std::int64_t)];
};

// Device-side words of the worker (device memory on CUDA, host memory on the host backend).
struct WorkerCounters {
  WorkerLine inbox_claim;      // next inbox position to take (fetch_add after taking credits)
  WorkerLine out_claim;        // next output position to fill (fetch_add after taking credits)
  WorkerLine inbox_credits;    // published inbox entries not yet claimed
  WorkerLine out_credits;      // output entries free to claim (capacity + drained - claimed)
  WorkerLine primary_credits;  // slots that inbox photons may still take (keeps a reserve)
  WorkerLine stop;             // copy of the host's stop request, made by group 0
  WorkerLine published;        // copy of the host's inbox doorbell
  WorkerLine drained;          // copy of the host's output doorbell
  WorkerLine tally[tally_count];
};

// Words the host and the running worker share through mapped memory.
struct WorkerControl {
  alignas(128) std::uint32_t stop;          // host → worker
  alignas(128) std::uint64_t published;     // host → worker: inbox entries written
  alignas(128) std::uint64_t drained;       // host → worker: output entries consumed
  alignas(128) std::uint32_t event_limit;   // host → worker: event ids in use are below this
  alignas(128) std::uint64_t mirror_round;  // worker → host
  std::int64_t tally[tally_count];          // worker → host
};

// Everything a group needs, trivially copyable.
template <class Layout>
struct WorkerRef {
  PhotonPageRef<Layout> page;
  DeviceRingRef<std::uint32_t> active, spawn, finished, free;
  Photon* pending;              // per slot: the secondary a parent could not place yet
  std::uint32_t* pending_flag;  // per slot: 1 while pending[slot] holds a child
  Photon* inbox;                // host-fed records
  std::uint64_t* inbox_seq;     // mapped: position + capacity once the entry was taken
  std::uint64_t inbox_mask;
  Photon* out;             // mapped output records
  std::uint64_t* out_seq;  // mapped: position + 1 once published
  std::uint64_t out_mask;
  WorkerCounters* counters;
  WorkerControl* control;
  EventTableRef events;
  std::uint64_t seed;
  std::uint32_t micro_steps;
  std::uint32_t max_steps;
  std::uint32_t spawn_threshold;  // spawn before active while active holds fewer (0: never)
  std::uint32_t refill_lanes;     // refill once this many lanes are empty
  std::uint32_t spawn_period;     // every this many iterations a group moves spawn → active (0: never)
  std::uint32_t idle_threshold;
};

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

// Local telemetry of one group (every lane holds the same values).
struct Tallies {
  std::int64_t v[tally_count];
  CHROMA2_HD std::int64_t& operator[](Tally t) { return v[static_cast<int>(t)]; }
};

template <class G>
CHROMA2_HD CHROMA2_NOINLINE void flush_tallies(G g, const WorkerCounters* c, Tallies& t) {
  g.leader([&] {
    auto* counters = const_cast<WorkerCounters*>(c);
    for (int k = 0; k < first_max_tally; ++k)
      if (t.v[k])
        atomic_ref<std::int64_t>(counters->tally[k].value).fetch_add(t.v[k], memory_order::relaxed);
    for (int k = first_max_tally; k < tally_count; ++k)
      if (t.v[k]) atomic_raise(counters->tally[k].value, t.v[k]);
    return 0;
  });
  for (int k = 0; k < first_max_tally; ++k) t.v[k] = 0;
}

// Pushes all n items (the rings are sized for every slot, so this never waits in practice).
template <class G>
CHROMA2_HD void push_all(G g, const DeviceRingRef<std::uint32_t>& ring, const std::uint32_t* items,
                         std::uint32_t n) {
  Backoff b;
  while (n) {
    const std::uint32_t got = ring.push(g, items, n);
    items += got;
    n -= got;
    if (n) b.pause();
  }
}

// Group 0's duty: copy the host's doorbells into device words (so other groups never read host
// memory on their hot path) and mirror telemetry and events for the host.
template <class G, class Layout>
CHROMA2_HD CHROMA2_NOINLINE void poll_host(G g, const WorkerRef<Layout>& w, bool mirror) {
  g.leader([&] {
    WorkerCounters& c = *w.counters;
    // Only this group writes `published` and `drained`; what grew since the last poll becomes
    // credits that the other groups take with fetch_sub (no CAS loop on a hot word).
    const auto advance = [](WorkerLine& seen, WorkerLine& credits, std::uint64_t now) {
      atomic_ref<std::int64_t> s(seen.value);
      const std::int64_t before = s.load(memory_order::relaxed);
      const std::int64_t grown = static_cast<std::int64_t>(now) - before;
      if (grown <= 0) return;
      s.store(static_cast<std::int64_t>(now), memory_order::release);
      atomic_ref<std::int64_t>(credits.value).fetch_add(grown, memory_order::release);
    };
    advance(c.published, c.inbox_credits, system_load(w.control->published));
    advance(c.drained, c.out_credits, system_load(w.control->drained));
    atomic_ref<std::int64_t>(c.stop.value)
        .store(static_cast<std::int64_t>(system_load(w.control->stop)), memory_order::release);
    return 0;
  });
  if (!mirror) return;
  const std::uint32_t limit = g.leader([&] { return system_load(w.control->event_limit); });
  w.events.publish(g, limit);
  g.leader([&] {
    for (int k = 0; k < tally_count; ++k)
      system_atomic_ref<std::int64_t>(w.control->tally[k])
          .store(atomic_ref<std::int64_t>(w.counters->tally[k].value).load(memory_order::relaxed),
                 memory_order::relaxed);
    // one writer, and PCIe offers no atomic read-modify-write on host memory: load and store
    const std::uint64_t round = system_atomic_ref<std::uint64_t>(w.control->mirror_round)
                                    .load(memory_order::relaxed);
    system_store(w.control->mirror_round, round + 1);
    return 0;
  });
  g.sync();
}

// One lane's photon. While resident, its state and its random stream stay in registers; the page
// slot is written back only when the photon leaves the lane.
template <class Policy>
struct Lane {
  Photon p{};
  PhotonRng<Policy> rng{Policy{}, RngKey{}, 0};
  std::uint32_t slot = 0;
  std::uint32_t visit = 0;  // steps in this visit
  bool live = false;
};

// Where a photon goes when it leaves its lane.
enum : std::uint32_t { to_none = 0, to_active = 1, to_finished = 2, to_pending = 3 };

// Lengths of the group's lists (the same in every lane).
struct ListLengths {
  std::uint32_t act = 0, fin = 0, pend = 0, queued = 0;
  bool slots_short = false;  // a secondary found no free slot at the last try
};

// Appends slot(lane) of every lane whose dest is `which` to list[n, ...); returns the new length.
template <class G, class Slot>
CHROMA2_HD std::uint32_t append_lanes(G g, const typename G::template LaneArray<std::uint32_t>& dest,
                                      std::uint32_t which, Slot slot, std::uint32_t* list,
                                      std::uint32_t n) {
  typename G::template LaneArray<std::uint32_t> flag, off;
  g.for_lanes([&](int lane) { flag[lane] = dest[lane] == which ? 1u : 0u; });
  const std::uint32_t total = g.exclusive_scan(flag, off);
  if (total)
    g.for_lanes([&](int lane) {
      if (flag[lane]) list[n + off[lane]] = slot(lane);
    });
  return n + total;
}

// Cold paths (claims, output, inbox, doorbells) are not inlined into the group loop, so the
// registers of the resident photons are not spent on them.

// Sleep of an idle group: grows to about 16 µs on the device, so idle warps leave the hot counter
// lines to the busy ones; yields on the host.
CHROMA2_HD inline void idle_pause(std::uint32_t& state) {
#if defined(__CUDA_ARCH__)
  __nanosleep(32u << (state < 9 ? state : 9));
#else
  if (state > 8) std::this_thread::yield();
#endif
  ++state;
}

// Copies 16-byte record r (of five) of the photon in `slot` to `dst`. With the packed layout the
// page arrays hold the records as they are, so a warp's stores to the (mapped) output are whole
// contiguous lines.
template <class Layout>
CHROMA2_HD void copy_record(const WorkerRef<Layout>& w, std::uint32_t slot, int r, Photon* dst) {
  static_assert(sizeof(Photon) == 80);
  if constexpr (std::is_same_v<Layout, layout::Packed>) {
#if defined(__CUDA_ARCH__)
    reinterpret_cast<uint4*>(dst)[r] = static_cast<const uint4*>(w.page.storage.a[r])[slot];
#else
    std::memcpy(reinterpret_cast<char*>(dst) + 16 * r,
                static_cast<const char*>(w.page.storage.a[r]) + 16 * std::size_t{slot}, 16);
#endif
  } else {
    const Photon p = w.page.storage.load(slot);
    std::memcpy(reinterpret_cast<char*>(dst) + 16 * r, reinterpret_cast<const char*>(&p) + 16 * r,
                16);
  }
}

// Takes up to `want` credits from a counter: reads first and asks only for what it saw (a blind
// fetch_sub by thousands of warps keeps the counter below zero and starves them all), gives
// back an overshoot. Leader only.
CHROMA2_HD inline std::uint32_t take_credits(WorkerLine& line, std::uint32_t want) {
  atomic_ref<std::int64_t> cr(line.value);
  const std::int64_t seen = cr.load(memory_order::relaxed);
  if (seen <= 0 || want == 0) return 0;
  const std::int64_t k = seen < static_cast<std::int64_t>(want) ? seen : want;
  const std::int64_t old = cr.fetch_sub(k, memory_order::acquire);
  const std::int64_t granted = old <= 0 ? 0 : (old >= k ? k : old);
  if (granted < k) cr.fetch_add(k - granted, memory_order::relaxed);
  return static_cast<std::uint32_t>(granted);
}
CHROMA2_HD inline void give_credits(WorkerLine& line, std::uint32_t k) {
  if (k) atomic_ref<std::int64_t>(line.value).fetch_add(k, memory_order::relaxed);
}

// Finished photons slots[0, n) → output records, their slots → free; what the output has no
// room for goes to the finished ring. Returns how many were published.
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD CHROMA2_NOINLINE std::uint32_t output_finished(G g, const WorkerRef<Layout>& w, const std::uint32_t* slots,
                                         std::uint32_t n, Tallies& t) {
  const std::uint64_t claim = g.leader([&] {
    const std::uint32_t k = take_credits(w.counters->out_credits, n);
    if (k == 0) return pack_claim(0, 0);
    const std::int64_t pos =
        atomic_ref<std::int64_t>(w.counters->out_claim.value).fetch_add(k, memory_order::relaxed);
    // The credits guarantee these entries were drained, but maybe by a later poll than the one
    // whose credits this group took: synchronise with the poll that covers them.
    const std::int64_t need = pos + k - static_cast<std::int64_t>(w.out_mask + 1);
    while (atomic_ref<std::int64_t>(w.counters->drained.value).load(memory_order::acquire) < need) {
    }
    return pack_claim(static_cast<std::uint64_t>(pos), k);
  });
  const std::uint32_t k = claim_count(claim);
  const std::uint64_t base = claim_base(claim);
  if (k) {
    // 5 records per photon; consecutive lanes write consecutive records
    g.for_lanes([&](int lane) {
      for (std::uint32_t q = static_cast<std::uint32_t>(lane); q < 5 * k; q += G::lanes) {
        const std::uint32_t j = q / 5;
        copy_record(w, slots[j], static_cast<int>(q - 5 * j), &w.out[(base + j) & w.out_mask]);
      }
    });
    g.sync();  // every record of a photon is written before its sequence word
    typename G::template LaneArray<std::uint32_t> primaries;
    g.for_lanes([&](int lane) {
      primaries[lane] = 0;
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes) {
        const std::uint64_t pos = base + j;
        system_store(w.out_seq[pos & w.out_mask], pos + 1);
        const auto ref = w.page[slots[j]];
        w.events.count_finished(ref.event());
        primaries[lane] += ref.generation() == 0;
      }
    });
    const std::uint32_t done_primaries = g.sum(primaries);
    if (done_primaries)
      g.leader([&] {
        atomic_ref<std::int64_t>(w.counters->primary_credits.value)
            .fetch_add(done_primaries, memory_order::relaxed);
        return 0;
      });
    g.sync();
    push_all(g, w.free, slots, k);
    t[Tally::free_pushes] += k;
    t[Tally::output] += k;
  }
  if (k < n) {
    push_all(g, w.finished, slots + k, n - k);
    t[Tally::finished_pushes] += n - k;
  }
  return k;
}

// Finished photons parked in the finished ring (the output was full) → output.
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD bool recycle_finished(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s,
                                 Tallies& t) {
  const std::uint32_t n = w.finished.pop(g, s.slots, Chunk);
  if (n == 0) return false;
  t[Tally::finished_pops] += n;
  return output_finished<Chunk>(g, w, s.slots, n, t) != 0;
}

// Inbox records → free slots dst[0, returned) (at most `most`), stored in the page. Keeps
// `primary_credits` so that secondaries always find a slot eventually (the progress guarantee
// when the page is full).
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD CHROMA2_NOINLINE std::uint32_t take_inbox(G g, const WorkerRef<Layout>& w, std::uint32_t* dst,
                                    std::uint32_t most, Tallies& t) {
  // inbox entries first, then primary credits for them, then free slots; what is not used
  // goes back
  const std::uint32_t want = g.leader([&] {
    const std::uint32_t entries = take_credits(w.counters->inbox_credits, most);
    if (entries == 0) return 0u;
    const std::uint32_t k = take_credits(w.counters->primary_credits, entries);
    give_credits(w.counters->inbox_credits, entries - k);
    return k;
  });
  if (want == 0) return 0;
  const std::uint32_t got = w.free.pop(g, dst, want);
  t[Tally::free_pops] += got;
  const std::uint64_t claim = g.leader([&] {
    give_credits(w.counters->inbox_credits, want - got);
    give_credits(w.counters->primary_credits, want - got);
    if (got == 0) return pack_claim(0, 0);
    const std::int64_t pos =
        atomic_ref<std::int64_t>(w.counters->inbox_claim.value).fetch_add(got, memory_order::relaxed);
    // The credits guarantee these entries were published, but maybe by a later poll than the
    // one whose credits this group took: synchronise with the poll that covers them.
    while (atomic_ref<std::int64_t>(w.counters->published.value).load(memory_order::acquire) <
           pos + static_cast<std::int64_t>(got)) {
    }
    return pack_claim(static_cast<std::uint64_t>(pos), got);
  });
  g.sync();
  const std::uint32_t k = claim_count(claim);
  const std::uint64_t base = claim_base(claim);
  if (k < got) {
    push_all(g, w.free, dst + k, got - k);
    t[Tally::free_pushes] += got - k;
  }
  if (k == 0) return 0;
  g.for_lanes([&](int lane) {
    for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes) {
      const std::uint64_t pos = base + j;
      Photon p = load_host_fed(&w.inbox[pos & w.inbox_mask]);
      p.reason = TerminalReason::alive;
      const std::uint32_t slot = dst[j];
      w.page.storage.store(slot, p);
      w.pending_flag[slot] = 0;
      w.events.count_intake(p.event);
      system_store(w.inbox_seq[pos & w.inbox_mask], pos + w.inbox_mask + 1);
    }
  });
  g.sync();
  t[Tally::intake] += k;
  return k;
}

// Parents in the pending list: their secondaries take free slots and go to spawn; every parent
// goes to active (one whose child found no slot keeps it pending and retries when popped again;
// a finished one goes to the output from there).
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD CHROMA2_NOINLINE void place_pending(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s,
                              ListLengths& n, Tallies& t) {
  const std::uint32_t wanted = n.pend;
  if (wanted == 0) return;
  const std::uint32_t got = w.free.pop(g, s.spare, wanted);
  t[Tally::free_pops] += got;
  t[Tally::pending_retries] += wanted - got;
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
    t[Tally::spawn_pushes] += got;
    t[Tally::spawned] += got;
    const std::int64_t depth = g.leader([&] { return w.spawn.available(); });
    if (depth > t[Tally::max_spawn_depth]) t[Tally::max_spawn_depth] = depth;
  }
  push_all(g, w.active, s.pend, wanted);
  t[Tally::active_pushes] += wanted;
  n.pend = 0;
}

template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD void flush_active(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s,
                             ListLengths& n, Tallies& t) {
  if (n.act == 0) return;
  push_all(g, w.active, s.act, n.act);
  t[Tally::active_pushes] += n.act;
  n.act = 0;
  const std::int64_t depth = g.leader([&] { return w.active.available(); });
  if (depth > t[Tally::max_active_depth]) t[Tally::max_active_depth] = depth;
}

template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD void flush_finished(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s,
                               ListLengths& n, Tallies& t) {
  if (n.fin == 0) return;
  output_finished<Chunk>(g, w, s.fin, n.fin, t);
  n.fin = 0;
}

// The time-based spawn cadence: a chunk of spawn → active, whatever active holds.
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD CHROMA2_NOINLINE void feed_spawn(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s,
                                            Tallies& t) {
  const std::uint32_t k = w.spawn.pop(g, s.slots, Chunk);
  if (k == 0) return;
  t[Tally::spawn_pops] += k;
  push_all(g, w.active, s.slots, k);
  t[Tally::active_pushes] += k;
}

// Claims up to `want` photons into dst: from active, then spawn, then the inbox. Spawn comes
// first while active holds fewer than spawn_threshold photons, and always after a secondary
// found no free slot: only finishing photons free slots, and the parents waiting in active
// must not keep the secondaries in spawn from running (the progress guarantee of a full page).
// Secondaries come before new primaries because they already hold a slot.
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD CHROMA2_NOINLINE std::uint32_t claim_work(G g, const WorkerRef<Layout>& w,
                                                     std::uint32_t* dst, std::uint32_t want,
                                                     const ListLengths& n, Tallies& t) {
  std::uint32_t got = 0;
  bool spawn_first = n.slots_short;
  if (w.spawn_threshold && !spawn_first) {
    const std::int64_t depth = g.leader([&] { return w.active.available(); });
    if (depth > t[Tally::max_active_depth]) t[Tally::max_active_depth] = depth;
    spawn_first = depth < static_cast<std::int64_t>(w.spawn_threshold);
  }
  const auto from_spawn = [&] {
    const std::uint32_t k = w.spawn.pop(g, dst + got, want - got);
    t[Tally::spawn_pops] += k;
    got += k;
  };
  if (spawn_first) from_spawn();
  if (got < want) {
    const std::uint32_t k = w.active.pop(g, dst + got, want - got);
    t[Tally::active_pops] += k;
    got += k;
  }
  if (got < want && !spawn_first) from_spawn();
  if (got < want) got += take_inbox<Chunk>(g, w, dst + got, want - got, t);
  return got;
}

// Loads claimed photons src[0, got) into the empty lanes. A parent whose secondary still
// waits goes straight back to the pending list; a photon that already ended to finished.
template <std::uint32_t Chunk, class Policy, class G, class Layout>
CHROMA2_HD void load_lanes(G g, const WorkerRef<Layout>& w, Policy policy, WorkerScratch<Chunk>& s,
                           typename G::template LaneArray<Lane<Policy>>& lanes,
                           const std::uint32_t* src, std::uint32_t got, ListLengths& n) {
  typename G::template LaneArray<std::uint32_t> empty, rank, dest;
  g.for_lanes([&](int lane) { empty[lane] = lanes[lane].live ? 0u : 1u; });
  g.exclusive_scan(empty, rank);
  g.for_lanes([&](int lane) {
    dest[lane] = to_none;
    if (!empty[lane] || rank[lane] >= got) return;
    Lane<Policy>& L = lanes[lane];
    L.slot = src[rank[lane]];
    if (w.pending_flag[L.slot]) {
      dest[lane] = to_pending;
      return;
    }
    L.p = w.page.storage.load(L.slot);
    if (L.p.reason != TerminalReason::alive) {
      dest[lane] = to_finished;
      return;
    }
    L.rng = PhotonRng<Policy>(policy, RngKey{w.seed, L.p.id, L.p.event}, L.p.rng_counter);
    apply_isotropic_init(L.p, L.rng);
    L.visit = 0;
    L.live = true;
  });
  const auto slot = [&](int lane) { return lanes[lane].slot; };
  n.fin = append_lanes(g, dest, to_finished, slot, s.fin, n.fin);
  n.pend = append_lanes(g, dest, to_pending, slot, s.pend, n.pend);
  g.sync();
}

// One step of every resident photon; photons whose visit ends are written back and listed.
// Returns how many left their lanes.
template <std::uint32_t Chunk, class P, class Policy, class G, class Layout>
CHROMA2_HD std::uint32_t step_lanes(G g, const WorkerRef<Layout>& w, const P& physics,
                                    WorkerScratch<Chunk>& s,
                                    typename G::template LaneArray<Lane<Policy>>& lanes,
                                    ListLengths& n) {
  typename G::template LaneArray<std::uint32_t> dest, left;
  g.for_lanes([&](int lane) {
    Lane<Policy>& L = lanes[lane];
    dest[lane] = to_none;
    left[lane] = 0;
    if (!L.live) return;
    StepContext<Policy> ctx{&L.rng};
    const StepResult r = physics.step(L.p, ctx);
    ++L.p.steps;
    ++L.visit;
    std::uint32_t d = to_none;
    if (r.emit_secondary) {
      Photon c = physics.secondary(L.p);
      // identity: (parent id, parent's counter after this step, child index = step number)
      c.id = secondary_photon_id(L.p.id, L.rng.counter(), L.p.steps);
      c.event = L.p.event;
      c.generation = static_cast<std::uint8_t>(L.p.generation + 1);
      c.rng_counter = 0;
      c.steps = 0;
      c.reason = TerminalReason::alive;
      w.pending[L.slot] = c;
      w.pending_flag[L.slot] = 1;
      d = to_pending;  // a parent does not move on while its child waits for a slot
    }
    if (r.reason != TerminalReason::alive) {
      L.p.reason = r.reason;
      if (d == to_none) d = to_finished;
    } else if (L.p.steps >= w.max_steps) {
      L.p.reason = TerminalReason::max_steps;
      if (d == to_none) d = to_finished;
    } else if (d == to_none && L.visit >= w.micro_steps) {
      d = to_active;
    }
    if (d != to_none) {
      L.p.rng_counter = L.rng.counter();
      w.page.storage.store(L.slot, L.p);
      L.live = false;
      left[lane] = 1;
    }
    dest[lane] = d;
  });
  const std::uint32_t gone = g.count_nonzero(left);
  if (gone) {
    const auto slot = [&](int lane) { return lanes[lane].slot; };
    n.fin = append_lanes(g, dest, to_finished, slot, s.fin, n.fin);
    n.act = append_lanes(g, dest, to_active, slot, s.act, n.act);
    n.pend = append_lanes(g, dest, to_pending, slot, s.pend, n.pend);
    g.sync();
  }
  return gone;
}

// Optional loop timing (CHROMA2_WORKER_TIMING=1): where a group's time goes, for tuning.
#ifndef CHROMA2_WORKER_TIMING
#define CHROMA2_WORKER_TIMING 0
#endif
CHROMA2_HD inline std::uint64_t worker_ticks() {
#if CHROMA2_WORKER_TIMING && defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(clock64());
#elif CHROMA2_WORKER_TIMING
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#else
  return 0;
#endif
}

// The loop of one group. Returns only on a stop request.
template <std::uint32_t Chunk, class P, class Policy, class G, class Layout>
CHROMA2_HD void worker_agent(G g, const WorkerRef<Layout>& w, const P& physics, Policy policy,
                             WorkerScratch<Chunk>& s, std::uint32_t group_index) {
  constexpr std::uint32_t lanes_per_group = G::lanes;
  constexpr std::uint64_t tick = 64;            // iterations between stop checks and flushes
  constexpr std::uint64_t tally_period = 1024;  // iterations between telemetry flushes
  static_assert(Chunk >= 2 * lanes_per_group,
                "a list must hold two groups' worth of photons (the claim queue)");
  Tallies t{};
  typename G::template LaneArray<Lane<Policy>> lanes;
  ListLengths n;
  std::uint32_t resident = 0, idle = 0, idle_state = 0, refill_wait = 0, refill_delay = 0;
  bool stopping = false;
  const bool poller = group_index == 0;
  const auto near_full = [](std::uint32_t len) { return len + lanes_per_group > Chunk; };
  std::uint64_t steps = 0, iterations = 0;  // hot counters stay in registers until a flush
  std::uint64_t mark = worker_ticks();
  const auto lap = [&](Tally part) {
    if constexpr (CHROMA2_WORKER_TIMING) {
      const std::uint64_t now = worker_ticks();
      t[part] += static_cast<std::int64_t>(now - mark);
      mark = now;
    }
  };
  for (std::uint64_t iter = 0;; ++iter) {
    ++iterations;
    const bool housekeeping = iter % tick == 0;
    if (housekeeping || resident == 0) {
      if (poller) poll_host(g, w, iter % (16 * tick) == 0 || resident == 0);
      if (!stopping)
        stopping = g.leader([&] {
          return atomic_ref<std::int64_t>(w.counters->stop.value).load(memory_order::acquire);
        }) != 0;
    }
    if (housekeeping) {
      // finished photons reach the host within 512 iterations, in batches of a group or more
      if (n.fin >= lanes_per_group || iter % 512 == 0) flush_finished<Chunk>(g, w, s, n, t);
      recycle_finished<Chunk>(g, w, s, t);   // photons parked while the output was full
      if (w.spawn_period && iter % w.spawn_period == 0) feed_spawn<Chunk>(g, w, s, t);
      if (iter % tally_period == 0) {
        t[Tally::steps] += static_cast<std::int64_t>(steps);
        t[Tally::iterations] += static_cast<std::int64_t>(iterations);
        steps = iterations = 0;
        flush_tallies(g, w.counters, t);
      }
    }
    lap(Tally::ticks_housekeeping);
    bool worked = false;
    if (!stopping && (resident == 0 || resident + w.refill_lanes <= lanes_per_group)) {
      const std::uint32_t empty = lanes_per_group - resident;
      // Claim a chunk: the photons the empty lanes do not take wait in the queue, so the next
      // refills need no atomic (at most a chunk per group is held back this way).
      if (n.queued < empty && (resident == 0 || refill_wait == 0)) {
        flush_active<Chunk>(g, w, s, n, t);
        place_pending<Chunk>(g, w, s, n, t);
        const std::uint32_t got =
            claim_work<Chunk>(g, w, s.queue + n.queued, Chunk - n.queued, n, t);
        n.queued += got;
        if (got) {
          refill_delay = 0;
        } else {
          // nothing to claim: look again after a growing number of steps
          refill_delay = refill_delay < 32 ? 2 * refill_delay + 1 : 64;
          refill_wait = refill_delay;
        }
      }
      if (n.queued) {
        const std::uint32_t k = n.queued < empty ? n.queued : empty;
        n.queued -= k;
        load_lanes<Chunk>(g, w, policy, s, lanes, s.queue + n.queued, k, n);
        if (near_full(n.fin)) flush_finished<Chunk>(g, w, s, n, t);
        if (near_full(n.pend)) place_pending<Chunk>(g, w, s, n, t);
        typename G::template LaneArray<std::uint32_t> live;
        g.for_lanes([&](int lane) { live[lane] = lanes[lane].live ? 1u : 0u; });
        resident = g.count_nonzero(live);
        worked = true;
      }
    }
    if (refill_wait) --refill_wait;
    lap(Tally::ticks_refill);
    if (resident == 0) {
      if (stopping && n.queued) {  // claimed but never loaded: back to active
        push_all(g, w.active, s.queue, n.queued);
        t[Tally::active_pushes] += n.queued;
        n.queued = 0;
      }
      flush_active<Chunk>(g, w, s, n, t);
      place_pending<Chunk>(g, w, s, n, t);
      flush_finished<Chunk>(g, w, s, n, t);
      if (stopping) break;
      worked = recycle_finished<Chunk>(g, w, s, t) || worked;
      if (worked) {
        idle = 0;
        idle_state = 0;
      } else if (++idle > w.idle_threshold) {
        idle_pause(idle_state);
        ++t[Tally::idle_backoffs];
      }
      lap(Tally::ticks_idle);
      continue;
    }
    idle = 0;
    idle_state = 0;
    steps += resident;
    resident -= step_lanes<Chunk, P, Policy>(g, w, physics, s, lanes, n);
    lap(Tally::ticks_step);
    if (near_full(n.fin)) flush_finished<Chunk>(g, w, s, n, t);
    if (near_full(n.act)) flush_active<Chunk>(g, w, s, n, t);
    if (near_full(n.pend)) place_pending<Chunk>(g, w, s, n, t);
    lap(Tally::ticks_flush);
  }
  t[Tally::steps] += static_cast<std::int64_t>(steps);
  t[Tally::iterations] += static_cast<std::int64_t>(iterations);
  flush_tallies(g, w.counters, t);
}

}  // namespace detail
}  // namespace chroma2
