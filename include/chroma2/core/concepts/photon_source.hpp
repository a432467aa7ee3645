// SPDX-License-Identifier: BSD-3-Clause
// PhotonSource: a recipe for an event's primary photons (a point, a beam, a list), expanded photon
// by photon on the host or in a kernel with the same result. The concept, the stream rule that
// makes both expansions agree, and source_photon(), the one function that applies that rule.
//
// A type models PhotonSource when it is trivially copyable (kernels take it by value; it holds
// only plain values and pointers to tables or lists in the memory of the expanding side) and has
//   std::uint64_t count() const
//       how many primaries the source gives (0 is allowed: nothing to expand);
//   template <class Rng> Photon photon(std::uint64_t index, Rng& rng) const
//       the physical state of primary `index` in [0, count()): position (mm), time (ns),
//       direction and polarisation (unit, perpendicular), wavelength (nm), weight, material
//       (unknown_material lets the photon's first step ask the geometry). Mark both members
//       CHROMA2_HD so a kernel can expand the source. Rng is the photon's own stream
//       PhotonRng<Policy> (core/rng/sampling.hpp: uniform() on (0, 1], isotropic(),
//       perpendicular_to(n)); write photon() as a template on it, the archetype policy included.
//
// The stream rule (what source_photon does around photon()):
//   - primary `index` of an event gets id = index: a primary's id is its index within the event,
//     never its arrival order, the thread that expanded it or the slot it lands in;
//   - every random draw of its initial state comes from that photon's own stream, keyed
//     RngKey{seed, id, event} (the worker's run seed and the user's event number) and started at
//     counter 0; photon() never keeps random state elsewhere;
//   - the expanded photon's rng_counter is the stream's counter after those draws (the words
//     drawn), so the worker continues the same stream at the photon's first step;
//   - identity and bookkeeping are set by source_photon, not by photon(): id, event, rng_counter,
//     reason alive, steps 0, generation 0.
// Hence a source expanded on the host and on the device gives the same photons: ids, events and
// RNG counters identical, floats within a few ULPs (device sinf/cosf/logf and fused multiply-adds
// differ from glibc in the last bits; tests/physics/gpu_sources.cu states the tolerance).
//
// A source may also say that its photons are the same but for their ids, with a member
//   bool uniform() const
// true when photon(index, rng) draws nothing and gives the same state for every index (a request
// that the photon's first step fulfils, as a point source drawn at the first step). The worker can
// then make the photons itself from one record (PersistentWorker::post_run, which a Session uses
// for such events) instead of the host expanding and copying each; uniform_source() asks.
//
// The archetype and a near miss are checked in tests/physics/test_source_concepts.cpp; the
// library's sources are in physics/sources.hpp, the host and device expansions in
// physics/sources.hpp and physics/device_sources.hpp.
#pragma once

#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace chroma2 {

// photon() is checked against the default stream and against a stream of the archetype policy
// (core/concepts/physics.hpp), so a source written for one concrete policy fails here rather than
// inside a kernel built with another.
template <class S>
concept PhotonSource = std::is_trivially_copyable_v<S> &&
    requires(const S source, std::uint64_t index, PhotonRng<Philox4x32Policy>& rng,
             PhotonRng<ArchetypeRngPolicy>& archetype_rng) {
  { source.count() } -> std::same_as<std::uint64_t>;
  { source.photon(index, rng) } -> std::same_as<Photon>;
  { source.photon(index, archetype_rng) } -> std::same_as<Photon>;
};

// Whether the source's photons differ only in their ids (its uniform() member; false without one).
template <PhotonSource S>
constexpr bool uniform_source(const S& source) {
  if constexpr (requires {
                  { source.uniform() } -> std::convertible_to<bool>;
                })
    return static_cast<bool>(source.uniform());
  else
    return false;
}

// Primary `index` of event `event` under run seed `seed`, by the stream rule above. The same call
// on the host and in a kernel gives the same photon.
template <PhotonSource S, RngPolicy Policy = Philox4x32Policy>
CHROMA2_HD Photon source_photon(const S& source, std::uint64_t index, std::uint64_t seed,
                                std::uint64_t event, Policy policy = {}) {
  CHROMA2_EXPECT(index < source.count(), "a source photon's index is below the source's count");
  PhotonRng<Policy> rng(policy, RngKey{seed, index, event}, 0);
  Photon p = source.photon(index, rng);
  p.id = index;
  p.event = static_cast<std::uint32_t>(event);  // a worker sets its own slot here
  p.rng_counter = rng.counter();
  p.reason = TerminalReason::alive;
  p.steps = 0;
  p.generation = 0;
  return p;
}

}  // namespace chroma2
