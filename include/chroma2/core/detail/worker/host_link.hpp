// SPDX-License-Identifier: BSD-3-Clause
// A group's traffic with the host while the worker runs: the polling group copies the host's
// doorbells into device words and mirrors telemetry and event counts back; any group takes
// photons from the host-fed inbox into free slots, and publishes finished photons to the mapped
// output (parking them in the finished ring while the output is full). These are the loop's cold
// paths: they are not inlined, so the registers of the resident photons are not spent on them.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/core/detail/backoff.hpp"
#include "chroma2/core/detail/credits.hpp"
#include "chroma2/core/detail/worker/device_data.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/run_sources.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace chroma2::detail {

// Copies Bytes (a multiple of 16, both ends 16-byte aligned) that another agent wrote while the
// kernel ran — a copy engine (inbox records) or the polling group on another multiprocessor (a
// run's row) — past L1, which may still hold the bytes of an earlier lap.
template <std::size_t Bytes>
CHROMA2_HD void load_past_l1(const void* src, void* dst) {
  static_assert(Bytes % 16 == 0);
#if defined(__CUDA_ARCH__)
  const uint4* s = static_cast<const uint4*>(src);
  uint4* d = static_cast<uint4*>(dst);
#pragma unroll
  for (std::size_t k = 0; k < Bytes / sizeof(uint4); ++k) d[k] = __ldcg(s + k);
#else
  std::memcpy(dst, src, Bytes);
#endif
}

// An inbox record as the copy engine wrote it.
CHROMA2_HD inline Photon load_host_fed(const InboxRecord* src) {
  alignas(16) InboxRecord r;
  load_past_l1<sizeof(InboxRecord)>(src, &r);
  return from_inbox(r);
}

// A run row's word, written by the polling group on another multiprocessor.
CHROMA2_HD inline std::uint32_t load_run_word(const std::uint32_t* src) {
#if defined(__CUDA_ARCH__)
  return __ldcg(src);
#else
  return *src;
#endif
}

// Copies 16-byte record r (of photon_records) of the photon in `slot` to `dst`. With the packed
// layout the page arrays hold the records as they are, so a warp's stores to the (mapped) output
// are whole contiguous lines.
template <class Layout>
CHROMA2_HD void copy_record(const WorkerRef<Layout>& w, std::uint32_t slot, int r,
                            OutputRecord* dst) {
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

// Pushes all n items (the slot rings are sized for every slot, so this never waits in practice).
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

// A claim of new photons (inbox or run) takes at most 1/claim_share of those waiting, and at
// least a group's width: photons are shared out when few are left (take_share).
inline constexpr std::uint32_t claim_share = 64;

// One group's link to the host. Holds references only; built once per group by the agent.
// Sources: the worker's run sources (core/run_sources.hpp); Policy: its RNG policy, with which
// a run's source draws its photons.
template <class G, class Layout, std::uint32_t Chunk, class Sources, class Policy>
struct HostLink {
  G g;
  const WorkerRef<Layout>& w;
  WorkerScratch<Chunk>& s;
  GroupTelemetry& t;
  Policy policy;

  // The polling group's duty: copy the host's doorbells into device words (so other groups
  // never read host memory on their hot path) and, if `mirror`, publish telemetry and event
  // counts for the host.
  CHROMA2_HD CHROMA2_NOINLINE void poll(bool mirror) const {
    reset_slots();
    list_runs();
    g.leader([&] {
      WorkerCounters& c = *w.counters;
      // Only this group writes `published` and `drained`; what grew since the last poll becomes
      // credits that the other groups take (no CAS loop on a hot word).
      const auto advance = [](PaddedCounter& seen, PaddedCounter& credits, std::uint64_t now) {
        atomic_ref<std::int64_t> a(seen.value);
        const std::int64_t before = a.load(memory_order::relaxed);
        const std::int64_t grown = static_cast<std::int64_t>(now) - before;
        if (grown <= 0) return;
        a.store(static_cast<std::int64_t>(now), memory_order::release);
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
      for (int k = 0; k < telemetry_count; ++k)
        system_atomic_ref<std::int64_t>(w.control->telemetry[k])
            .store(atomic_ref<std::int64_t>(w.counters->telemetry[k].value)
                       .load(memory_order::relaxed),
                   memory_order::relaxed);
      // one writer, and PCIe offers no atomic read-modify-write on host memory: load and store
      const std::uint64_t round =
          system_atomic_ref<std::uint64_t>(w.control->mirror_round).load(memory_order::relaxed);
      system_store(w.control->mirror_round, round + 1);
      return 0;
    });
    g.sync();
  }

  // Slot resets the host posted since the last poll, in order: the group zeroes each slot's rows
  // (counts, tally, channel summary), sets its event number and tier, and acknowledges with the
  // request's generation. Photons of the slot's new event reach the worker only after the host
  // saw the ack, and their credits come from this group's later polls, so every group sees the
  // reset rows before any of those photons.
  CHROMA2_HD void reset_slots() const {
    const std::uint64_t posted = g.leader([&] { return system_load(w.control->resets); });
    std::uint64_t done = g.leader([&] {
      return static_cast<std::uint64_t>(
          atomic_ref<std::int64_t>(w.counters->resets_done.value).load(memory_order::relaxed));
    });
    if (posted == done) return;
    g.sync();  // every lane reads the requests after the leader's acquire of `resets`
    for (; done < posted; ++done) {
      SlotReset& r = w.resets[done & w.resets_mask];
      const std::uint32_t slot = system_load(r.slot);
      const SlotRows rows = slot_rows(w, slot);
      const std::uint32_t c = rows.channels;
      const std::uint32_t words = 4 + tally_words + 2 * c;
      const std::uint32_t never = time_key(std::numeric_limits<float>::infinity());
      g.for_lanes([&](int lane) {
        for (std::uint32_t k = static_cast<std::uint32_t>(lane); k < words; k += G::lanes) {
          if (k < 4)
            atomic_ref<std::uint64_t>(*rows.counts[k]).store(0, memory_order::relaxed);
          else if (k < 4 + tally_words)
            atomic_ref<std::uint64_t>(rows.tally[k - 4]).store(0, memory_order::relaxed);
          else if (k < 4 + tally_words + c)
            atomic_ref<std::uint32_t>(rows.photoelectrons[k - 4 - tally_words])
                .store(0, memory_order::relaxed);
          else
            atomic_ref<std::uint32_t>(rows.first[k - 4 - tally_words - c])
                .store(never, memory_order::relaxed);
        }
      });
      g.leader([&] {
        atomic_ref<std::uint64_t>(w.event_number[slot])
            .store(system_load(r.number), memory_order::relaxed);
        atomic_ref<std::uint32_t>(w.tier[slot]).store(system_load(r.tier), memory_order::relaxed);
        return 0;
      });
      g.sync();  // every lane's stores before the ack (the ack's release covers them)
      g.leader([&] {
        system_store(w.slot_ack[slot], system_load(r.generation));
        return 0;
      });
    }
    g.leader([&] {
      atomic_ref<std::int64_t>(w.counters->resets_done.value)
          .store(static_cast<std::int64_t>(posted), memory_order::relaxed);
      return 0;
    });
    g.sync();
  }

  // The run list brought up to date by its one writer, the polling group's leader: runs with no
  // photon left are dropped, then the runs the host posted since the last poll are copied into
  // their slots' PhotonRun and listed. A slot's run is posted only after the slot's reset (an
  // earlier post, or an earlier poll), and rewritten only after its previous run's event
  // completed, so no group still reads the row it replaces.
  CHROMA2_HD void list_runs() const {
    g.leader([&] {
      WorkerCounters& c = *w.counters;
      const std::uint64_t posted = system_load(w.control->runs);
      std::uint64_t done = static_cast<std::uint64_t>(
          atomic_ref<std::int64_t>(c.runs_done.value).load(memory_order::relaxed));
      const std::uint64_t listed = static_cast<std::uint64_t>(
          atomic_ref<std::int64_t>(c.runs_listed.value).load(memory_order::relaxed));
      std::uint64_t kept = 0;
      for (std::uint64_t i = 0; i < listed; ++i) {
        const std::uint64_t e =
            atomic_ref<std::uint64_t>(w.run_list[i]).load(memory_order::relaxed);
        const std::uint64_t word =
            atomic_ref<std::uint64_t>(w.runs[static_cast<std::uint32_t>(e)].left)
                .load(memory_order::relaxed);
        if (run_left(word) != 0 && run_generation(word) == run_entry_generation(e))
          atomic_ref<std::uint64_t>(w.run_list[kept++]).store(e, memory_order::relaxed);
      }
      for (; done < posted; ++done) {
        RunPost& post = w.run_posts[done & w.run_posts_mask];
        const std::uint32_t slot = system_load(post.slot);
        const std::uint32_t gen = system_load(post.generation);
        PhotonRun& run = w.runs[slot];
        // the source word by word from mapped memory (acquire loads: never a stale cached line)
        std::uint32_t* to = reinterpret_cast<std::uint32_t*>(run.source);
        std::uint32_t* from = reinterpret_cast<std::uint32_t*>(post.source);
        for (std::size_t k = 0; k < run_source_bytes / 4; ++k) to[k] = system_load(from[k]);
        run.kind = system_load(post.kind);
        run.first_id = system_load(post.first_id);
        run.count = system_load(post.count);
        atomic_ref<std::uint64_t>(run.left).store(run_left_word(gen, run.count),
                                                  memory_order::release);
        atomic_ref<std::uint64_t>(w.run_list[kept++])
            .store(run_entry(slot, gen), memory_order::relaxed);
      }
      atomic_ref<std::int64_t>(c.runs_done.value)
          .store(static_cast<std::int64_t>(done), memory_order::relaxed);
      // release: a group that reads the count reads the entries below it
      atomic_ref<std::int64_t>(c.runs_listed.value)
          .store(static_cast<std::int64_t>(kept), memory_order::release);
      return 0;
    });
  }

  // Whether the host asked the worker to stop (the polling group's copy).
  CHROMA2_HD bool stop_requested() const {
    return g.leader([&] {
      return atomic_ref<std::int64_t>(w.counters->stop.value).load(memory_order::acquire);
    }) != 0;
  }

  // Inbox records → free slots dst[0, returned) (at most `most`, and its claim_share part when
  // few are waiting), stored in the page. Keeps
  // `primary_credits` so that secondaries always find a slot eventually (the progress guarantee
  // when the page is full).
  CHROMA2_HD CHROMA2_NOINLINE std::uint32_t take_inbox(std::uint32_t* dst,
                                                       std::uint32_t most) const {
    // inbox entries first, then primary credits for them, then free slots; what is not used
    // goes back
    const std::uint32_t want = g.leader([&] {
      const std::uint32_t entries =
          take_share(w.counters->inbox_credits, most, claim_share, G::lanes);
      if (entries == 0) return 0u;
      const std::uint32_t k = take_credits(w.counters->primary_credits, entries);
      give_credits(w.counters->inbox_credits, entries - k);
      return k;
    });
    if (want == 0) return 0;
    const std::uint32_t got = w.free.pop(g, dst, want);
    t[TelemetryCounter::free_pops] += got;
    const std::uint64_t claim = g.leader([&] {
      give_credits(w.counters->inbox_credits, want - got);
      give_credits(w.counters->primary_credits, want - got);
      if (got == 0) return pack_claim(0, 0);
      const std::int64_t pos = atomic_ref<std::int64_t>(w.counters->inbox_claim.value)
                                   .fetch_add(got, memory_order::relaxed);
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
      t[TelemetryCounter::free_pushes] += got - k;
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
      }
    });
    g.sync();
    // Every entry of the claim is read: one word (and the claim's length beside it) gives all of
    // them back to the host for its next lap. The host walks the claims from one first position
    // to the next (PersistentWorker::room), so it reads a word per claim, and the worker writes
    // a word per claim across the bus, not one per photon.
    g.leader([&] {
      system_store(w.inbox_len[base & w.inbox_mask], k);
      system_store(w.inbox_seq[base & w.inbox_mask], base + w.inbox_mask + 1);
      return 0;
    });
    t[TelemetryCounter::intake] += k;
    return k;
  }

  // Photons of the listed runs → free slots dst[0, returned) (at most `most`), made from their
  // run's request with their own ids, or drawn from its source by the stream rule
  // (source_photon: the same photons as a host expansion), and stored in the page. The leader looks
  // for a run with photons left, trying the list from `cursor` on (each group starts elsewhere, so
  // groups share out the runs of several events and rarely contend for one word), and asks for its
  // share of them (share_of: its claim_share part when few are left); then primary credits and free
  // slots for that many, as for the inbox; then it takes the photons with one compare-and-swap on
  // the run's `left` word. Only a run emptied by another group meanwhile sends slots back.
  CHROMA2_HD CHROMA2_NOINLINE std::uint32_t take_runs(std::uint32_t* dst, std::uint32_t most,
                                                      std::uint32_t& cursor) const {
    const std::uint32_t listed = g.leader([&] {
      return static_cast<std::uint32_t>(
          atomic_ref<std::int64_t>(w.counters->runs_listed.value).load(memory_order::acquire));
    });
    if (listed == 0) return 0;
    // the run: its list entry (slot and generation) and the share asked for
    std::uint64_t entry = 0;
    const std::uint32_t want = g.leader([&] {
      for (std::uint32_t tries = 0; tries < listed; ++tries) {
        const std::uint32_t i = (cursor + tries) % listed;
        const std::uint64_t e =
            atomic_ref<std::uint64_t>(w.run_list[i]).load(memory_order::relaxed);
        const std::uint64_t word =
            atomic_ref<std::uint64_t>(w.runs[static_cast<std::uint32_t>(e)].left)
                .load(memory_order::relaxed);
        if (run_generation(word) != run_entry_generation(e) || !run_left(word)) continue;
        entry = e;
        cursor = i + 1;
        const auto part =
            static_cast<std::uint32_t>(share_of(run_left(word), claim_share, G::lanes, most));
        return take_credits(w.counters->primary_credits, part);
      }
      cursor = 0;
      return 0u;
    });
    cursor = g.leader([&] { return cursor; });
    if (want == 0) return 0;
    const std::uint32_t got = w.free.pop(g, dst, want);
    t[TelemetryCounter::free_pops] += got;
    std::uint32_t k = 0;
    std::uint64_t first = 0;  // the id of the first photon taken
    g.leader([&] {
      give_credits(w.counters->primary_credits, want - got);
      PhotonRun& run = w.runs[static_cast<std::uint32_t>(entry)];
      atomic_ref<std::uint64_t> left(run.left);
      std::uint64_t word = left.load(memory_order::relaxed);
      while (got && run_generation(word) == run_entry_generation(entry) && run_left(word)) {
        const auto n =
            static_cast<std::uint32_t>(share_of(run_left(word), claim_share, G::lanes, got));
        if (left.compare_exchange_weak(word, word - n, memory_order::acquire,
                                       memory_order::relaxed)) {
          k = n;
          first = run.first_id + (run.count - run_left(word));
          break;
        }
      }
      return 0;
    });
    k = g.leader([&] { return k; });
    if (k < got) {
      push_all(g, w.free, dst + k, got - k);
      t[TelemetryCounter::free_pushes] += got - k;
      g.leader([&] {
        give_credits(w.counters->primary_credits, got - k);
        return 0;
      });
    }
    if (k == 0) return 0;
    const auto slot = static_cast<std::uint32_t>(g.leader([&] { return entry; }));
    first = g.leader([&] { return first; });
    // every lane reads the run after the leader's acquire
    const PhotonRun& run = w.runs[slot];
    const std::uint32_t kind = load_run_word(&run.kind);
    alignas(16) unsigned char source[run_source_bytes];
    load_past_l1<run_source_bytes>(run.source, source);
    const auto store = [&](std::uint32_t j, Photon p) {
      p.event = slot;
      p.reason = TerminalReason::alive;
      w.page.storage.store(dst[j], p);
      w.pending_flag[dst[j]] = 0;
      w.events.count_intake(slot);
    };
    if (kind == 0) {  // every photon is the request but for its id
      InboxRecord r;
      std::memcpy(static_cast<void*>(&r), source, sizeof r);
      const Photon request = from_inbox(r);
      g.for_lanes([&](int lane) {
        for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes) {
          Photon p = request;
          p.id = first + j;
          store(j, p);
        }
      });
    } else {  // photon by photon from the source, by the stream rule
      const std::uint64_t number = g.leader([&] {
        return atomic_ref<std::uint64_t>(w.event_number[slot]).load(memory_order::relaxed);
      });
      // (the host posts only kinds of this list: post_run is constrained to the same tuning's)
      [[maybe_unused]] const bool known = Sources::visit(kind, source, [&](const auto& src) {
        g.for_lanes([&](int lane) {
          for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes)
            store(j, source_photon(src, first + j, w.seed, number, policy));
        });
      });
      CHROMA2_EXPECT(known, "a run's source kind is one of the worker's run sources");
    }
    g.sync();
    t[TelemetryCounter::run_intake] += k;
    return k;
  }

  // Photons that ended, slots[0, n) (the list is reordered). Each is tallied for its event and,
  // if detected in an event that asks for the per-channel summary, counted there; then it is
  // published if its event's tier writes it, else its slot is freed at once. Tallies come before
  // any of these photons is counted finished, so an event's tally is whole once it completes.
  CHROMA2_HD CHROMA2_NOINLINE void finish(std::uint32_t* slots, std::uint32_t n) const {
    // a group's worth at a time: tally each photon, then split the chunk — photons to write stay
    // in slots[0, kept), the others go to s.spare[0, dropped)
    std::uint32_t kept = 0, dropped = 0;
    for (std::uint32_t base = 0; base < n; base += G::lanes) {
      const std::uint32_t chunk = n - base < G::lanes ? n - base : G::lanes;
      typename G::template LaneArray<std::uint32_t> slot, keep, keep_at;
      g.for_lanes([&](int lane) {
        const std::uint32_t j = base + static_cast<std::uint32_t>(lane);
        slot[lane] = j < n ? slots[j] : 0u;
        keep[lane] = 0;
        if (j < n) {
          const auto ref = w.page[slot[lane]];
          const std::uint32_t event = ref.event();
          const TerminalReason reason = ref.reason();
          const OutputTier tier = tier_of(event);
          w.tally.add(event, reason, ref.history(), ref.steps());
          if (reason == TerminalReason::detected && tier == OutputTier::channels)
            w.summary.add(event, ref.channel(), ref.time());
          keep[lane] = tier_writes(tier, reason) ? 1u : 0u;
        }
      });
      const std::uint32_t k = g.exclusive_scan(keep, keep_at);
      g.sync();  // every lane read its slot (and tallied it) before any slot is overwritten
      g.for_lanes([&](int lane) {
        const std::uint32_t at = static_cast<std::uint32_t>(lane);
        if (at >= chunk) return;
        if (keep[lane])
          slots[kept + keep_at[lane]] = slot[lane];
        else  // the chunk's lanes before this one that drop: its rank among the dropped
          s.spare[dropped + at - keep_at[lane]] = slot[lane];
      });
      g.sync();
      kept += k;
      dropped += chunk - k;
    }
    if (dropped) release(s.spare, dropped);
    if (kept) publish(slots, kept);
  }

  // Ended photons slots[0, n) that their tier writes → output entries, their slots → free; what
  // the output has no room for goes to the finished ring. Returns how many were published.
  CHROMA2_HD CHROMA2_NOINLINE std::uint32_t publish(const std::uint32_t* slots,
                                                    std::uint32_t n) const {
    const std::uint64_t claim = g.leader([&] {
      const std::uint32_t k = take_credits(w.counters->out_credits, n);
      if (k == 0) return pack_claim(0, 0);
      const std::int64_t pos =
          atomic_ref<std::int64_t>(w.counters->out_claim.value).fetch_add(k, memory_order::relaxed);
      // The credits guarantee these entries were drained, but maybe by a later poll than the one
      // whose credits this group took: synchronise with the poll that covers them.
      const std::int64_t need = pos + k - static_cast<std::int64_t>(w.out_mask + 1);
      while (atomic_ref<std::int64_t>(w.counters->drained.value).load(memory_order::acquire) <
             need) {
      }
      return pack_claim(static_cast<std::uint64_t>(pos), k);
    });
    const std::uint32_t k = claim_count(claim);
    const std::uint64_t base = claim_base(claim);
    if (k) {
      // up to out_stride records per entry; consecutive lanes write consecutive records
      const std::uint32_t r = w.out_stride;
      g.for_lanes([&](int lane) {
        for (std::uint32_t q = static_cast<std::uint32_t>(lane); q < r * k; q += G::lanes) {
          const std::uint32_t j = q / r;
          write_record(slots[j], static_cast<int>(q - r * j),
                       w.out + ((base + j) & w.out_mask) * r);
        }
      });
      g.sync();  // every record of an entry is written before its sequence word
      g.for_lanes([&](int lane) {
        for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes) {
          const std::uint64_t pos = base + j;
          const std::uint32_t event = w.page[slots[j]].event();
          system_store(w.out_seq[pos & w.out_mask], out_sequence(pos, event, tier_of(event)));
        }
      });
      g.sync();
      release(slots, k);
      t[TelemetryCounter::output] += k;
    }
    if (k < n) {
      push_all(g, w.finished, slots + k, n - k);
      t[TelemetryCounter::finished_pushes] += n - k;
    }
    return k;
  }

  // Finished photons parked in the finished ring (the output was full) → output. Returns whether
  // any was published.
  CHROMA2_HD bool recycle_finished() const {
    const std::uint32_t n = w.finished.pop(g, s.slots, Chunk);
    if (n == 0) return false;
    t[TelemetryCounter::finished_pops] += n;
    return publish(s.slots, n) != 0;
  }

  // Ended photons slots[0, n) are done with: counted finished for their events, their slots
  // freed, and the primaries' slots given back to the inbox.
  CHROMA2_HD void release(const std::uint32_t* slots, std::uint32_t n) const {
    typename G::template LaneArray<std::uint32_t> primaries;
    g.for_lanes([&](int lane) {
      primaries[lane] = 0;
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < n; j += G::lanes) {
        const auto ref = w.page[slots[j]];
        w.events.count_finished(ref.event());
        primaries[lane] += ref.generation() == 0;
      }
    });
    const std::uint32_t done_primaries = g.sum(primaries);
    if (done_primaries)
      g.leader([&] {
        give_credits(w.counters->primary_credits, done_primaries);
        return 0;
      });
    g.sync();
    push_all(g, w.free, slots, n);
    t[TelemetryCounter::free_pushes] += n;
  }

  CHROMA2_HD OutputTier tier_of(std::uint32_t event) const {
    return static_cast<OutputTier>(w.tier[event]);
  }

  // Record r of the output entry for the photon in `slot`: its own records for the photons tier
  // (then its path's points for the history tier), those of its HitRecord or CompactHit for the
  // others. Records past the tier's are not written, so only the tier's bytes cross the bus.
  CHROMA2_HD void write_record(std::uint32_t slot, int r, OutputRecord* entry) const {
    const auto ref = w.page[slot];
    const OutputTier tier = tier_of(ref.event());
    if (tier == OutputTier::photons || tier == OutputTier::history) {
      if (r < photon_records) {
        copy_record(w, slot, r, entry);
      } else if (tier == OutputTier::history) {
        const std::uint32_t k = static_cast<std::uint32_t>(r - photon_records);
        if (k <= ref.steps() && k < w.track_points)
          store_record(entry, r, &w.track[std::uint64_t{slot} * w.track_points + k]);
      }
      return;
    }
    const int records = tier == OutputTier::hits ? static_cast<int>(sizeof(HitRecord) / 16)
                                                 : static_cast<int>(sizeof(CompactHit) / 16);
    if (r >= records) return;
    const Photon p = w.page.storage.load(slot);
    const std::uint64_t number = w.event_number[p.event];
    alignas(16) unsigned char bytes[sizeof(HitRecord)];
    if (tier == OutputTier::hits) {
      const HitRecord h = make_hit(p, number);
      std::memcpy(bytes, &h, sizeof h);
    } else {
      const CompactHit h = make_compact_hit(p, number);
      std::memcpy(bytes, &h, sizeof h);
    }
    store_record(entry, r, bytes + 16 * r);
  }

  // 16 bytes from src to record r of entry (one vector store on the device).
  CHROMA2_HD static void store_record(OutputRecord* entry, int r, const void* src) {
#if defined(__CUDA_ARCH__)
    reinterpret_cast<uint4*>(entry)[r] = *static_cast<const uint4*>(src);
#else
    std::memcpy(entry + r, src, 16);
#endif
  }

  // Adds the group's telemetry to the shared counters and clears the sums.
  CHROMA2_HD CHROMA2_NOINLINE void flush_telemetry() const {
    g.leader([&] {
      for (int k = 0; k < telemetry_count; ++k) {
        if (!t.v[k]) continue;
        if (telemetry_kind(k) == TelemetryKind::sum)
          atomic_ref<std::int64_t>(w.counters->telemetry[k].value)
              .fetch_add(t.v[k], memory_order::relaxed);
        else
          atomic_raise(w.counters->telemetry[k].value, t.v[k]);
      }
      return 0;
    });
    for (int k = 0; k < telemetry_count; ++k)
      if (telemetry_kind(k) == TelemetryKind::sum) t.v[k] = 0;
  }
};

}  // namespace chroma2::detail
