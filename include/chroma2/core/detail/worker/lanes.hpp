// SPDX-License-Identifier: BSD-3-Clause
// One lane's photon. While resident, its state and its random stream stay in registers and it is
// stepped once per loop iteration; the page slot is written back only when the photon leaves the
// lane: at its end, when it asks for a secondary, or when its micro-step budget is used up.
// Loading, stepping and leaving are per lane; LaneExit says where a leaving photon goes.
#pragma once

#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/detail/worker/device_data.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/sampling.hpp"

#include <cstdint>

namespace chroma2::detail {

// Where a photon goes when it leaves its lane (or, at load, instead of entering it).
enum LaneExit : std::uint32_t {
  stays = 0,    // resident (or the lane is empty)
  to_active,    // budget used up, alive: back to the active ring
  to_finished,  // ended: to the output
  to_pending,   // a parent whose secondary waits for a free slot
};

template <class Policy>
struct Lane {
  Photon p{};
  PhotonRng<Policy> rng{Policy{}, RngKey{}, 0};
  std::uint32_t slot = 0;
  std::uint32_t visit = 0;  // steps in this visit
  bool live = false;
  bool record = false;  // the photon's event keeps a step history

  // Takes the photon in `slot`. A parent whose secondary still waits for a slot and a photon
  // that already ended do not enter the lane: the returned exit says where they go.
  template <class Layout>
  CHROMA2_HD LaneExit load(const WorkerRef<Layout>& w, Policy policy, std::uint32_t from) {
    slot = from;
    CHROMA2_EXPECT(slot < w.page.capacity, "a claimed slot lies within the page");
    if (w.pending_flag[slot]) return to_pending;
    p = w.page.storage.load(slot);
    if (p.reason != TerminalReason::alive) return to_finished;
    rng = PhotonRng<Policy>(policy, RngKey{w.seed, p.id, w.event_number[p.event]}, p.rng_counter);
    apply_isotropic_init(p, rng);  // Physics contract, rule 1
    visit = 0;
    live = true;
    record = w.track_points != 0 && static_cast<OutputTier>(w.tier[p.event]) == OutputTier::history;
    if (record && p.steps == 0) note_point(w);  // point 0: where it starts
    return stays;
  }

  // One step (rules 2 and 3 of the Physics contract); a photon whose visit ends leaves the lane.
  template <class P, class Layout>
  CHROMA2_HD LaneExit step(const P& physics, const WorkerRef<Layout>& w) {
    StepContext<Policy> ctx{&rng};
    const StepResult r = take_step(physics, p, ctx, w.max_steps);
    ++visit;
    if (record && p.steps < w.track_points) note_point(w);
    LaneExit exit = stays;
    if (r.emit_secondary) {
      w.pending[slot] = make_secondary(physics, p, rng.counter());
      w.pending_flag[slot] = 1;
      exit = to_pending;  // a parent does not move on while its child waits for a slot
    } else if (p.reason != TerminalReason::alive) {
      exit = to_finished;
    } else if (visit >= w.micro_steps) {
      exit = to_active;
    }
    if (exit != stays) leave(w);
    return exit;
  }

 private:
  // Point p.steps of the step history: where the photon is now.
  template <class Layout>
  CHROMA2_HD void note_point(const WorkerRef<Layout>& w) const {
    w.track[std::uint64_t{slot} * w.track_points + p.steps] =
        StepPoint{p.position + p.position_low, p.time};
  }

  // Writes the photon and its stream position back to its slot and empties the lane.
  template <class Layout>
  CHROMA2_HD void leave(const WorkerRef<Layout>& w) {
    p.rng_counter = rng.counter();
    w.page.storage.store(slot, p);
    live = false;
  }
};

}  // namespace chroma2::detail
