// SPDX-License-Identifier: BSD-3-Clause
// The event table of the persistent worker: per event, photons taken in, secondaries spawned and
// photons finished (published to the output), counted on the device, and a mirror in mapped
// memory the host reads while the worker runs. Completion comes from these counts only.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"

#include <cstdint>

#if defined(__CUDACC__)
#include <cooperative_groups.h>
#endif

namespace chroma2 {

enum class EventState : std::uint32_t {
  unknown = 0,   // nothing of this event reached the worker yet
  running = 1,   // photons taken in, not all finished (or the event is not closed)
  complete = 2,  // closed, every submitted photon taken in, finished = submitted + spawned
};

struct EventStatus {
  std::uint64_t submitted = 0;  // photons the host submitted (host bookkeeping)
  std::uint64_t intake = 0;     // photons the worker took from its inbox
  std::uint64_t spawned = 0;    // secondaries created
  std::uint64_t finished = 0;   // photons published to the output
  bool closed = false;
  EventState state = EventState::unknown;

  std::uint64_t in_flight() const { return intake + spawned - finished; }
  bool complete() const { return state == EventState::complete; }
};

// The word the host writes when it (re)opens and closes an event slot: the slot's generation
// (how many events it has held) in the top 24 bits, and in the low 40 bits 0 while the event is
// open or submitted + 1 once it is closed. The generation tells the host whether a count it reads
// is its event's or a previous holder's of the recycled slot.
inline constexpr std::uint64_t expected_count_mask = (std::uint64_t{1} << 40) - 1;
inline constexpr std::uint64_t max_event_photons = expected_count_mask - 1;
CHROMA2_HD constexpr std::uint64_t expected_word(std::uint32_t generation, std::uint64_t count) {
  return (std::uint64_t{generation & 0xffffffu} << 40) | (count & expected_count_mask);
}
CHROMA2_HD constexpr std::uint32_t expected_generation(std::uint64_t word) {
  return static_cast<std::uint32_t>(word >> 40);
}

// The completion rule. `expected` is 0 while the event is open and submitted + 1 once closed
// (the count bits of the expected word). Sound when `finished` was read before `spawned` and
// `intake`: all three only grow, and a photon's intake or spawn is counted before it can be
// counted finished, so equality at the later reads means nothing was in flight at the first one.
CHROMA2_HD constexpr EventState event_state(std::uint64_t expected, std::uint64_t intake,
                                            std::uint64_t spawned, std::uint64_t finished) {
  expected &= expected_count_mask;
  if (expected != 0 && intake == expected - 1 && finished == intake + spawned)
    return EventState::complete;
  return intake == 0 && spawned == 0 ? EventState::unknown : EventState::running;
}

namespace detail {
struct EventMirror {
  std::uint64_t intake;
  std::uint64_t spawned;
  std::uint64_t finished;
  std::uint64_t status;  // the state (low word) and the generation of the expected word it was
                         // read under (high word), in one word so the host never pairs a
                         // state with another round's generation
};
CHROMA2_HD constexpr std::uint64_t mirror_status(EventState state, std::uint32_t generation) {
  return static_cast<std::uint64_t>(state) | (std::uint64_t{generation} << 32);
}
CHROMA2_HD constexpr EventState status_state(std::uint64_t status) {
  return static_cast<EventState>(static_cast<std::uint32_t>(status));
}
CHROMA2_HD constexpr std::uint32_t status_generation(std::uint64_t status) {
  return static_cast<std::uint32_t>(status >> 32);
}
}  // namespace detail

// What the worker sees: trivially copyable.
struct EventTableRef {
  std::uint64_t* intake;        // device counters, one per event
  std::uint64_t* spawned;       //
  std::uint64_t* finished;      //
  std::uint64_t* expected;      // mapped, written by the host when it closes an event
  detail::EventMirror* mirror;  // mapped, written by the worker for the host
  std::uint32_t capacity;       // event ids are [0, capacity)

  CHROMA2_HD void count_intake(std::uint32_t event) const { bump(intake, event); }
  CHROMA2_HD void count_spawned(std::uint32_t event) const { bump(spawned, event); }
  CHROMA2_HD void count_finished(std::uint32_t event) const { bump(finished, event); }

  // Reads one event's counters in the order the completion rule needs, after the expected word:
  // the host rewrites that word only after the slot's counters were reset (and the copies that
  // reset them completed), so counts read after a word of generation g are generation g's.
  CHROMA2_HD detail::EventMirror snapshot(std::uint32_t event) const {
    detail::EventMirror m{};
    const std::uint64_t exp = detail::system_load(expected[event]);
    m.finished = atomic_ref<std::uint64_t>(finished[event]).load(memory_order::acquire);
    m.spawned = atomic_ref<std::uint64_t>(spawned[event]).load(memory_order::acquire);
    m.intake = atomic_ref<std::uint64_t>(intake[event]).load(memory_order::acquire);
    m.status = detail::mirror_status(event_state(exp, m.intake, m.spawned, m.finished),
                                     expected_generation(exp));
    return m;
  }

  // Copies events [0, limit) to the mapped mirror, lanes of the group sharing the work.
  template <class G>
  CHROMA2_HD void publish(G g, std::uint32_t limit) const {
    if (limit > capacity) limit = capacity;
    g.for_lanes([&](int lane) {
      for (std::uint32_t e = static_cast<std::uint32_t>(lane); e < limit; e += G::lanes) {
        const EventMirror m = snapshot(e);
        detail::system_atomic_ref<std::uint64_t>(mirror[e].intake)
            .store(m.intake, memory_order::relaxed);
        detail::system_atomic_ref<std::uint64_t>(mirror[e].spawned)
            .store(m.spawned, memory_order::relaxed);
        detail::system_atomic_ref<std::uint64_t>(mirror[e].finished)
            .store(m.finished, memory_order::relaxed);
        detail::system_store(mirror[e].status, m.status);
      }
    });
  }

 private:
  using EventMirror = detail::EventMirror;
  // One atomic per event per converged set of lanes (on the device): lanes counting the same
  // event elect one that adds for all, after a sync that orders their earlier writes before it.
  CHROMA2_HD static void bump(std::uint64_t* counts, std::uint32_t event) {
#if defined(__CUDA_ARCH__)
    namespace cg = cooperative_groups;
    const cg::coalesced_group active = cg::coalesced_threads();
    const cg::coalesced_group peers = cg::labeled_partition(active, event);
    peers.sync();
    if (peers.thread_rank() == 0)
      atomic_ref<std::uint64_t>(counts[event]).fetch_add(peers.size(), memory_order::acq_rel);
#else
    atomic_ref<std::uint64_t>(counts[event]).fetch_add(1, memory_order::acq_rel);
#endif
  }
};

}  // namespace chroma2
