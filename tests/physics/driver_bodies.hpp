// SPDX-License-Identifier: BSD-3-Clause
// Three ways to drive the same photons through the same physics, which must end them identically:
// the persistent worker (here with a micro-step budget of 1, so a photon leaves its lane after
// every step), a step-by-step driver that rebuilds each photon's stream from its counter at every
// step (the relaunch driver's rule), and one photon at a time to its end. A photon's stream
// resumes exactly at any word, so on one backend the three agree bit for bit; the GPU worker
// agrees with the host drivers within the stated tolerance (device logf/sinf and fused
// multiply-adds may flip a decision that lies within a rounding error). The instanced detector
// of instanced_detector_bodies.hpp, with scattering, PMTs and a wall, is the scene.
#pragma once

#include "chroma2/core/photon_drivers.hpp"
#include "instanced_detector_bodies.hpp"
#include "optical_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstring>
#include <vector>

namespace chroma2::test {

// The relaunch rule: every pass steps each live photon once, its stream rebuilt from its counter.
template <class P>
std::vector<Photon> step_by_step(const P& physics, std::vector<Photon> photons, std::uint64_t seed,
                                 std::uint32_t max_steps) {
  for (bool any = true; any;) {
    any = false;
    for (Photon& p : photons)
      if (p.reason == TerminalReason::alive) any = step_once(physics, p, seed, max_steps) || any;
  }
  return photons;
}

// One photon at a time, all its steps with one stream.
template <class P>
std::vector<Photon> one_by_one(const P& physics, std::vector<Photon> photons, std::uint64_t seed,
                               std::uint32_t max_steps) {
  for (Photon& p : photons) run_to_end(physics, p, seed, max_steps);
  return photons;
}

template <class Space>
void check_drivers_agree(std::uint32_t n) {
  const InstancedDetector d;
  const std::uint64_t seed = 21;
  const std::uint32_t max_steps = 1000;
  std::vector<Photon> photons;
  for (std::uint32_t i = 0; i < n; ++i)
    photons.push_back(
        make_photon(i, d.source, {0, 0, 1}, {1, 0, 0}, InstancedDetector::wavelength, true));
  BvhBuildOptions options;
  options.threads = 2;
  const TriangleGeometry<Host> built = build_geometry(d.scene(), options);
  MaterialSet<Host> host_materials(d.materials());
  SurfaceSet<Host> host_surfaces(d.surfaces());
  const OpticalPhysics<TriangleGeometryRef> host_physics{built.ref(), host_materials.ref(),
                                                         host_surfaces.ref()};
  const auto stepped = step_by_step(host_physics, photons, seed, max_steps);
  const auto whole = one_by_one(host_physics, photons, seed, max_steps);

  // the worker, in the body's space, photons leaving their lanes after every step
  MaterialSet<Space> materials(d.materials());
  SurfaceSet<Space> surfaces(d.surfaces());
  WorkerOptions o;
  o.output = OutputTier::photons;
  o.page_capacity = 1u << 14;
  o.max_events = 1;
  o.micro_steps = 1;
  o.max_steps = max_steps;
  o.seed = seed;
  if (test_scale() < 1) o.grid = 4;
  const auto run_worker = [&](const TriangleGeometryRef& g) {
    using Physics = OpticalPhysics<TriangleGeometryRef>;
    PersistentWorker<Physics, Space> w(Physics{g, materials.ref(), surfaces.ref()}, o);
    std::vector<Photon> out = w.run_event(photons);
    std::sort(out.begin(), out.end(), [](const Photon& a, const Photon& b) { return a.id < b.id; });
    return out;
  };
  std::vector<Photon> worker;
  if constexpr (std::is_same_v<Space, Host>) {
    worker = run_worker(built.ref());
  } else {
    const TriangleGeometry<Space> uploaded(built);
    worker = run_worker(uploaded.ref());
  }
  check_conservation(photons, worker);
  REQUIRE(stepped.size() == n);
  REQUIRE(whole.size() == n);

  std::size_t identical = 0, same_ending = 0, multi_step = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    identical += std::memcmp(&stepped[i], &whole[i], sizeof(Photon)) == 0;
    multi_step += whole[i].steps > 1;
  }
  INFO(n << " photons, " << multi_step << " of them with more than one step");
  CHECK(identical == n);  // the relaunch rule and one stream to the end: bit for bit
  CHECK(multi_step > n / 10);

  std::size_t worker_identical = 0;
  double worst_position = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Photon& a = worker[i];
    const Photon& b = whole[i];
    worker_identical += std::memcmp(&a, &b, sizeof(Photon)) == 0;
    if (a.reason == b.reason && a.steps == b.steps && a.rng_counter == b.rng_counter) {
      ++same_ending;
      const Vec3 dp = (a.position + a.position_low) - (b.position + b.position_low);
      worst_position = std::max(worst_position, double(std::sqrt(dot(dp, dp))));
    }
  }
  INFO("worker against one photon at a time: "
       << worker_identical << " identical, " << same_ending << " with the same ending, steps "
       << "and counter; worst position difference " << worst_position << " mm among those");
  if constexpr (std::is_same_v<Space, Host>) {
    CHECK(worker_identical == n);  // same backend: bit for bit
  } else {
    CHECK(same_ending >= n - n / 1000);  // the stated tolerance: 99.9 % identical endings
    CHECK(worst_position < 1e-2);        // mm, in a 1 m tank
  }
}

}  // namespace chroma2::test
