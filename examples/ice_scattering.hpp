// SPDX-License-Identifier: BSD-3-Clause
// Customising one process: glacial ice scatters forward (Henyey–Greenstein, mean cosine g = 0.9)
// instead of Rayleigh's dipole. IceScattering is the whole change: a trivially copyable type that
// models ScatteringProcess (core/concepts/optical_process.hpp), given to OpticalPhysics as its
// second argument; the worker and every other process stay as they are. run_ice() runs it on
// either backend (Host, or Device in a .cu unit) and is what the example's main and a test call.
#pragma once

#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/optical_physics.hpp"

#include <cstdint>
#include <vector>

namespace chroma2::examples {

struct IceScattering {
  float g = 0.9f;  // mean cosine of the scattering angle
  static constexpr std::uint32_t history_bit = history::rayleigh_scatter;  // "scattered"
  // Ice's effective scattering length is a table of the material, as Rayleigh's would be.
  CHROMA2_HD float mean_free_path(float table_length_mm, float) const { return table_length_mm; }
  template <class Rng>
  CHROMA2_HD Beam scatter(Vec3 d, Vec3 E, Rng& rng) const {
    return sample_henyey_greenstein(d, E, g, rng);
  }
};
static_assert(ScatteringProcess<IceScattering>);

// An endless block of ice with no absorption.
struct IceBlock {
  CHROMA2_HD Hit closest_hit(Ray r) const {
    Hit h{};
    h.distance = r.tmax;
    h.instance = h.primitive = invalid_index;
    h.surface = h.channel = -1;
    return h;
  }
  CHROMA2_HD std::int32_t material_at(Vec3) const { return 0; }
};

inline MaterialSpec ice_material() {
  MaterialSpec ice;
  ice.name = "ice";
  ice.refractive_index = {{200.0, 900.0}, {1.31, 1.31}};
  ice.scattering_length = {{200.0, 900.0}, {25000.0, 25000.0}};  // mm (effective, 25 m)
  return ice;
}

// Photons along +z, each scattered once (stopped after one step): their final directions' z
// components are the cosines of their scattering angles.
template <class Space>
std::vector<Photon> run_ice(std::uint32_t photons, float g, unsigned threads = 0) {
  MaterialSet<Space> materials({ice_material()});
  SurfaceSet<Space> surfaces;
  using Physics = OpticalPhysics<IceBlock, IceScattering>;
  const Physics physics{IceBlock{}, materials.ref(), surfaces.ref(), IceScattering{g}};
  WorkerOptions o;
  o.max_events = 1;
  o.max_steps = 1;
  o.threads = threads;
  o.seed = 2026;
  o.output_capacity = 1u << 18;
  PersistentWorker<Physics, Space> worker(physics, o);
  std::vector<Photon> in(photons);
  for (std::uint32_t i = 0; i < photons; ++i) {
    in[i].direction = {0, 0, 1};
    in[i].polarisation = {1, 0, 0};
    in[i].wavelength = 400.0f;
    in[i].weight = 1.0f;
    in[i].id = i;
  }
  return worker.run_event(in);
}

}  // namespace chroma2::examples
