// SPDX-License-Identifier: BSD-3-Clause
// Synthetic physics for the persistent worker's tests and benchmarks. QueueHarness reproduces the
// queue harness (touch counts, payload, periodic secondaries) with exact float sums;
// SyntheticSteps touches the whole photon state with four RNG draws per step and a mixture of
// geometric step counts, as the worker benchmark prescribes.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/photon.hpp"

#include <cstdint>

namespace chroma2 {

// N primaries, each touched `touches` times (weight gains `payload_increment` per touch) and
// then finished; every `spawn_interval`-th touch of a primary emits one secondary (0: never); a
// secondary is touched once and never spawns. So spawned = N·⌊touches / spawn_interval⌋. The
// touch count is the photon's step count; touches = 0 behaves as 1.
struct QueueHarness {
  std::uint32_t touches = 4;
  std::uint32_t spawn_interval = 0;
  float payload_increment = 1.0f;

  template <class Context>
  CHROMA2_HD StepResult step(Photon& p, Context&) const {
    p.weight += payload_increment;
    if (p.generation != 0) return StepResult::finish(TerminalReason::finished);
    const std::uint32_t touched = p.steps + 1u;
    const bool emit = spawn_interval != 0 && touched % spawn_interval == 0;
    if (touched >= touches) return StepResult::finish(TerminalReason::finished, emit);
    return StepResult::alive(emit);
  }
  CHROMA2_HD Photon secondary(const Photon& parent) const {
    Photon c = parent;
    c.weight = 0.0f;
    c.history = 0;
    return c;
  }
  // Secondaries spawned by n primaries.
  constexpr std::uint64_t expected_spawned(std::uint64_t n) const {
    const std::uint32_t t = touches ? touches : 1;
    return spawn_interval ? n * (t / spawn_interval) : 0;
  }
};

// Benchmark physics: each step reads and writes every field of the state and draws 4 uniforms.
// Step counts: 99% of photons geometric with mean 10, 1% with mean 1000 (chosen by photon id);
// the cap (10^4) is the worker's max_steps. A primary emits a secondary with probability
// spawn_probability per step; secondaries never spawn.
struct SyntheticSteps {
  float spawn_probability = 0.0f;

  CHROMA2_HD static bool long_lived(std::uint64_t id) {
    const std::uint64_t h = (id ^ (id >> 29)) * 0xbf58476d1ce4e5b9ull;
    return (h >> 40) % 100 == 0;
  }
  template <class Context>
  CHROMA2_HD StepResult step(Photon& p, Context& ctx) const {
    const float u0 = ctx.uniform(), u1 = ctx.uniform(), u2 = ctx.uniform(), u3 = ctx.uniform();
    const float d = 0.5f + u2;  // mm
    p.position = {p.position.x + d * p.direction.x, p.position.y + d * p.direction.y,
                  p.position.z + d * p.direction.z};
    p.time += d * 0.0045f;  // ns in water
    // rotate direction and polarisation by a cyclic permutation (keeps them unit and orthogonal)
    p.direction = {p.direction.y, p.direction.z, p.direction.x};
    p.polarisation = {p.polarisation.y, p.polarisation.z, p.polarisation.x};
    p.wavelength = p.wavelength * (1.0f - 1e-7f * u3) + 1e-7f * u3 * 400.0f;
    p.weight *= 0.9999f;
    p.history |= u3 < 0.5f ? history::rayleigh_scatter : history::reflect_specular;
    p.channel = static_cast<std::int32_t>(p.steps);
    p.last_primitive = static_cast<std::uint32_t>(u2 * 1000.0f);
    const bool emit = p.generation == 0 && u1 < spawn_probability;
    const float end = long_lived(p.id) ? 1.0f / 1000.0f : 1.0f / 10.0f;
    if (u0 <= end) return StepResult::finish(TerminalReason::bulk_absorbed, emit);
    return StepResult::alive(emit);
  }
  CHROMA2_HD Photon secondary(const Photon& parent) const {
    Photon c = parent;
    c.history = history::isotropic_init;
    c.weight = 1.0f;
    return c;
  }
};

static_assert(Physics<QueueHarness>);
static_assert(Physics<SyntheticSteps>);

}  // namespace chroma2
