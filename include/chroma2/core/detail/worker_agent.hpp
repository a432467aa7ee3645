// SPDX-License-Identifier: BSD-3-Clause
// The per-group loop of the persistent worker ("agent"), written once against the Group
// interface: a warp in the CUDA kernel, one std::jthread playing 32 lanes on the host. One
// iteration recycles finished photons, takes new ones from the inbox, feeds spawn to active and
// steps one chunk of active photons; it only returns on a stop request.
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

#include <cstdint>

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
  WorkerLine inbox_claim;      // next inbox position to take
  WorkerLine out_claim;        // next output position to fill
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
  std::uint32_t spawn_threshold;
  std::uint32_t slot_pressure;  // fewer free slots than this: spawn → active regardless
  std::uint32_t idle_threshold;
};

// Per-group scratch for one chunk (shared memory on the device).
template <std::uint32_t Chunk>
struct WorkerScratch {
  std::uint32_t slots[Chunk];
  std::uint32_t flags[Chunk];
  std::uint32_t list[Chunk];
  std::uint32_t spare[Chunk];
  std::uint32_t out_a[Chunk];
  std::uint32_t out_b[Chunk];
};

inline constexpr std::uint32_t flag_finished = 1u;
inline constexpr std::uint32_t flag_pending = 2u;

// Local telemetry of one group (every lane holds the same values).
struct Tallies {
  std::int64_t v[tally_count];
  CHROMA2_HD std::int64_t& operator[](Tally t) { return v[static_cast<int>(t)]; }
};

template <class G>
CHROMA2_HD void flush_tallies(G g, const WorkerCounters* c, Tallies& t) {
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

// Writes val(j) for every j < n with pred(j) to out[0, returned), in index order.
template <class G, class Pred, class Val>
CHROMA2_HD std::uint32_t compact(G g, std::uint32_t n, Pred pred, Val val, std::uint32_t* out) {
  std::uint32_t count = 0;
  for (std::uint32_t r = 0; r < n; r += G::lanes) {
    typename G::template LaneArray<std::uint32_t> flag, off;
    g.for_lanes([&](int lane) {
      const std::uint32_t j = r + static_cast<std::uint32_t>(lane);
      flag[lane] = j < n && pred(j) ? 1u : 0u;
    });
    const std::uint32_t total = g.exclusive_scan(flag, off);
    g.for_lanes([&](int lane) {
      if (flag[lane]) out[count + off[lane]] = val(r + static_cast<std::uint32_t>(lane));
    });
    count += total;
  }
  g.sync();
  return count;
}

// Group 0's duty: copy the host's doorbells into device words (so other groups never read host
// memory on their hot path) and mirror telemetry and events for the host.
template <class G, class Layout>
CHROMA2_HD void poll_host(G g, const WorkerRef<Layout>& w, bool mirror) {
  g.leader([&] {
    WorkerCounters& c = *w.counters;
    atomic_ref<std::int64_t>(c.published.value)
        .store(static_cast<std::int64_t>(system_load(w.control->published)), memory_order::release);
    atomic_ref<std::int64_t>(c.drained.value)
        .store(static_cast<std::int64_t>(system_load(w.control->drained)), memory_order::release);
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
    system_atomic_ref<std::uint64_t>(w.control->mirror_round).fetch_add(1, memory_order::release);
    return 0;
  });
  g.sync();
}

// Finished photons → output records; their slots → free. Returns whether anything moved.
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD bool recycle_finished(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s,
                                 Tallies& t) {
  const std::uint32_t n = w.finished.pop(g, s.slots, Chunk);
  if (n == 0) return false;
  t[Tally::finished_pops] += n;
  const std::uint64_t claim = g.leader([&] {
    atomic_ref<std::int64_t> a(w.counters->out_claim.value);
    std::int64_t pos = a.load(memory_order::relaxed);
    for (;;) {
      const std::int64_t drained =
          atomic_ref<std::int64_t>(w.counters->drained.value).load(memory_order::acquire);
      const std::int64_t room = drained + static_cast<std::int64_t>(w.out_mask + 1) - pos;
      const std::int64_t k = room < static_cast<std::int64_t>(n) ? room : n;
      if (k <= 0) return pack_claim(0, 0);
      if (a.compare_exchange_weak(pos, pos + k, memory_order::relaxed))
        return pack_claim(static_cast<std::uint64_t>(pos), static_cast<std::uint32_t>(k));
    }
  });
  const std::uint32_t k = claim_count(claim);
  const std::uint64_t base = claim_base(claim);
  typename G::template LaneArray<std::uint32_t> primaries;
  g.for_lanes([&](int lane) {
    primaries[lane] = 0;
    for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes) {
      const Photon p = w.page.storage.load(s.slots[j]);
      const std::uint64_t pos = base + j;
      w.out[pos & w.out_mask] = p;
      system_store(w.out_seq[pos & w.out_mask], pos + 1);
      w.events.count_finished(p.event);
      primaries[lane] += p.generation == 0;
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
  if (k) {
    push_all(g, w.free, s.slots, k);
    t[Tally::free_pushes] += k;
    t[Tally::output] += k;
  }
  if (k < n) {
    push_all(g, w.finished, s.slots + k, n - k);
    t[Tally::finished_pushes] += n - k;
  }
  return k != 0;
}

// Inbox records → free slots → active. Keeps `primary_credits` so that secondaries always find
// a slot eventually (the progress guarantee when the page is full).
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD bool take_inbox(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s, Tallies& t) {
  const std::uint32_t want = g.leader([&] {
    const std::int64_t published =
        atomic_ref<std::int64_t>(w.counters->published.value).load(memory_order::acquire);
    const std::int64_t claim =
        atomic_ref<std::int64_t>(w.counters->inbox_claim.value).load(memory_order::relaxed);
    const std::int64_t d = published - claim;
    if (d <= 0) return 0u;
    // Take primary credits: read first and ask only for what was seen (a blind fetch_sub by
    // thousands of warps keeps the counter below zero and starves them all).
    atomic_ref<std::int64_t> cr(w.counters->primary_credits.value);
    const std::int64_t seen = cr.load(memory_order::relaxed);
    if (seen <= 0) return 0u;
    std::int64_t k = d < static_cast<std::int64_t>(Chunk) ? d : Chunk;
    k = k < seen ? k : seen;
    const std::int64_t old = cr.fetch_sub(k, memory_order::relaxed);
    const std::int64_t granted = old <= 0 ? 0 : (old >= k ? k : old);
    if (granted < k) cr.fetch_add(k - granted, memory_order::relaxed);
    return static_cast<std::uint32_t>(granted);
  });
  if (want == 0) return false;
  const std::uint32_t got = w.free.pop(g, s.slots, want);
  t[Tally::free_pops] += got;
  const std::uint64_t claim = g.leader([&] {
    atomic_ref<std::int64_t> a(w.counters->inbox_claim.value);
    std::int64_t pos = a.load(memory_order::relaxed);
    std::uint64_t result = pack_claim(0, 0);
    while (got) {
      const std::int64_t published =
          atomic_ref<std::int64_t>(w.counters->published.value).load(memory_order::acquire);
      const std::int64_t avail = published - pos;
      const std::int64_t k = avail < static_cast<std::int64_t>(got) ? avail : got;
      if (k <= 0) break;
      if (a.compare_exchange_weak(pos, pos + k, memory_order::acquire)) {
        result = pack_claim(static_cast<std::uint64_t>(pos), static_cast<std::uint32_t>(k));
        break;
      }
    }
    // unused credits go back
    const std::uint32_t used = claim_count(result);
    if (want > used)
      atomic_ref<std::int64_t>(w.counters->primary_credits.value)
          .fetch_add(want - used, memory_order::relaxed);
    return result;
  });
  g.sync();
  const std::uint32_t k = claim_count(claim);
  const std::uint64_t base = claim_base(claim);
  if (k < got) {
    push_all(g, w.free, s.slots + k, got - k);
    t[Tally::free_pushes] += got - k;
  }
  if (k == 0) return false;
  g.for_lanes([&](int lane) {
    for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes) {
      const std::uint64_t pos = base + j;
      Photon p = load_host_fed(&w.inbox[pos & w.inbox_mask]);
      p.reason = TerminalReason::alive;
      const std::uint32_t slot = s.slots[j];
      w.page.storage.store(slot, p);
      w.pending_flag[slot] = 0;
      w.events.count_intake(p.event);
      system_store(w.inbox_seq[pos & w.inbox_mask], pos + w.inbox_mask + 1);
    }
  });
  g.sync();
  push_all(g, w.active, s.slots, k);
  t[Tally::intake] += k;
  t[Tally::active_pushes] += k;
  return true;
}

// spawn → active while active occupancy is below the threshold, and whenever free slots run
// short: then only finishing secondaries free slots for the parents that wait on them.
template <std::uint32_t Chunk, class G, class Layout>
CHROMA2_HD bool feed_spawn(G g, const WorkerRef<Layout>& w, WorkerScratch<Chunk>& s, Tallies& t) {
  const std::int64_t depth = g.leader([&] { return w.active.available(); });
  if (depth > t[Tally::max_active_depth]) t[Tally::max_active_depth] = depth;
  if (depth >= static_cast<std::int64_t>(w.spawn_threshold)) {
    const std::int64_t free = g.leader([&] { return w.free.available(); });
    if (free >= static_cast<std::int64_t>(w.slot_pressure)) return false;
  }
  const std::uint32_t n = w.spawn.pop(g, s.slots, Chunk);
  if (n == 0) return false;
  t[Tally::spawn_pops] += n;
  push_all(g, w.active, s.slots, n);
  t[Tally::active_pushes] += n;
  return true;
}

// Up to the micro-step budget of one photon; returns its flags.
template <class P, class Policy, class Layout>
CHROMA2_HD std::uint32_t step_photon(const WorkerRef<Layout>& w, const P& physics, Policy policy,
                                     std::uint32_t slot, std::uint32_t& steps) {
  if (w.pending_flag[slot]) {
    const bool done = w.page[slot].reason() != TerminalReason::alive;
    return flag_pending | (done ? flag_finished : 0u);
  }
  Photon p = w.page.storage.load(slot);
  if (p.reason != TerminalReason::alive) return flag_finished;
  PhotonRng<Policy> rng(policy, RngKey{w.seed, p.id, p.event}, p.rng_counter);
  apply_isotropic_init(p, rng);
  StepContext<Policy> ctx{&rng};
  std::uint32_t f = 0;
  for (std::uint32_t b = 0; b < w.micro_steps; ++b) {
    const StepResult r = physics.step(p, ctx);
    ++p.steps;
    ++steps;
    if (r.emit_secondary) {
      Photon c = physics.secondary(p);
      // identity: (parent id, parent's counter after this step, child index = step number)
      c.id = secondary_photon_id(p.id, rng.counter(), p.steps);
      c.event = p.event;
      c.generation = static_cast<std::uint8_t>(p.generation + 1);
      c.rng_counter = 0;
      c.steps = 0;
      c.reason = TerminalReason::alive;
      w.pending[slot] = c;
      w.pending_flag[slot] = 1;
      f |= flag_pending;
    }
    if (r.reason != TerminalReason::alive) {
      p.reason = r.reason;
      f |= flag_finished;
      break;
    }
    if (p.steps >= w.max_steps) {
      p.reason = TerminalReason::max_steps;
      f |= flag_finished;
      break;
    }
    if (f & flag_pending) break;  // a parent does not move on while its child waits for a slot
  }
  p.rng_counter = rng.counter();
  w.page.storage.store(slot, p);
  return f;
}

// Pops one chunk of active photons, steps them, places pending secondaries, routes the rest.
template <std::uint32_t Chunk, class P, class Policy, class G, class Layout>
CHROMA2_HD bool step_chunk(G g, const WorkerRef<Layout>& w, const P& physics, Policy policy,
                           WorkerScratch<Chunk>& s, Tallies& t) {
  const std::uint32_t n = w.active.pop(g, s.slots, Chunk);
  if (n == 0) return false;
  t[Tally::active_pops] += n;
  typename G::template LaneArray<std::uint32_t> lane_steps;
  g.for_lanes([&](int lane) {
    std::uint32_t steps = 0;
    for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < n; j += G::lanes)
      s.flags[j] = step_photon(w, physics, policy, s.slots[j], steps);
    lane_steps[lane] = steps;
  });
  t[Tally::steps] += g.sum(lane_steps);
  g.sync();

  // Pending secondaries take free slots; what does not fit stays pending with its parent.
  const std::uint32_t wanted = compact(
      g, n, [&](std::uint32_t j) { return (s.flags[j] & flag_pending) != 0; },
      [](std::uint32_t j) { return j; }, s.list);
  if (wanted) {
    const std::uint32_t got = w.free.pop(g, s.spare, wanted);
    t[Tally::free_pops] += got;
    t[Tally::pending_retries] += wanted - got;
    g.for_lanes([&](int lane) {
      for (std::uint32_t i = static_cast<std::uint32_t>(lane); i < got; i += G::lanes) {
        const std::uint32_t j = s.list[i];
        const std::uint32_t parent = s.slots[j];
        const std::uint32_t child = s.spare[i];
        const Photon c = w.pending[parent];
        w.page.storage.store(child, c);
        w.pending_flag[child] = 0;
        w.pending_flag[parent] = 0;
        w.events.count_spawned(c.event);
        s.flags[j] &= ~flag_pending;
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
  }

  // Finished without a pending child → finished; everyone else → active.
  const std::uint32_t nf = compact(
      g, n, [&](std::uint32_t j) { return s.flags[j] == flag_finished; },
      [&](std::uint32_t j) { return s.slots[j]; }, s.out_a);
  const std::uint32_t na = compact(
      g, n, [&](std::uint32_t j) { return s.flags[j] != flag_finished; },
      [&](std::uint32_t j) { return s.slots[j]; }, s.out_b);
  if (nf) push_all(g, w.finished, s.out_a, nf);
  if (na) push_all(g, w.active, s.out_b, na);
  t[Tally::finished_pushes] += nf;
  t[Tally::active_pushes] += na;
  return true;
}

// The loop of one group. Returns only on a stop request.
template <std::uint32_t Chunk, class P, class Policy, class G, class Layout>
CHROMA2_HD void worker_agent(G g, const WorkerRef<Layout>& w, const P& physics, Policy policy,
                             WorkerScratch<Chunk>& s, std::uint32_t group_index) {
  Tallies t{};
  std::uint32_t idle = 0;
  Backoff backoff;
  const bool poller = group_index == 0;
  for (std::uint64_t iter = 0;; ++iter) {
    if (poller) poll_host(g, w, (iter & 15) == 0 || idle != 0);
    const std::int64_t stop = g.leader([&] {
      return atomic_ref<std::int64_t>(w.counters->stop.value).load(memory_order::acquire);
    });
    if (stop) break;
    bool worked = recycle_finished(g, w, s, t);
    worked = take_inbox(g, w, s, t) || worked;
    worked = feed_spawn(g, w, s, t) || worked;
    worked = step_chunk(g, w, physics, policy, s, t) || worked;
    ++t[Tally::iterations];
    if (worked) {
      idle = 0;
      backoff = Backoff{};
    } else if (++idle > w.idle_threshold) {
      backoff.pause();
      ++t[Tally::idle_backoffs];
    }
    if ((iter & 15) == 0 || !worked) flush_tallies(g, w.counters, t);
  }
  flush_tallies(g, w.counters, t);
}

}  // namespace detail
}  // namespace chroma2
