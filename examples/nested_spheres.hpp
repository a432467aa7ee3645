// SPDX-License-Identifier: BSD-3-Clause
// A user-defined geometry with no triangles: two concentric spheres, described analytically. Any
// trivially copyable type with closest_hit(Ray) and material_at(point) models Geometry
// (core/concepts/geometry.hpp), and OpticalPhysics runs on it unchanged. run_spheres() sends
// photons from the centre through an absorbing core, an absorbing shell and out into the world.
#pragma once

#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/optical_physics.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace chroma2::examples {

// Spheres of radius inner < outer (mm) about the origin: material core inside the inner one,
// shell between them, world outside. Each sphere's outward normal points away from the centre.
struct NestedSpheres {
  float inner = 100.0f, outer = 300.0f;
  std::int32_t core = 0, shell = 1, world = 2;

  CHROMA2_HD Hit closest_hit(Ray r) const {
    Hit best{};
    best.distance = r.tmax;
    best.instance = best.primitive = invalid_index;
    best.surface = best.channel = -1;
    consider(r, inner, 0, core, shell, best);
    consider(r, outer, 1, shell, world, best);
    return best;
  }
  CHROMA2_HD std::int32_t material_at(Vec3 p) const {
    const float r2 = dot(p, p);
    return r2 < inner * inner ? core : (r2 < outer * outer ? shell : world);
  }

 private:
  // The nearer crossing of sphere `radius` within (tmin, best.distance), if any.
  CHROMA2_HD static void consider(const Ray& r, float radius, std::uint32_t id, std::int32_t in,
                                  std::int32_t out, Hit& best) {
    const float b = dot(r.origin, r.direction);
    const float c = dot(r.origin, r.origin) - radius * radius;
    const float disc = b * b - c;
    if (disc < 0.0f) return;
    const float s = std::sqrt(disc);
    // the two roots without cancellation
    const float q = b > 0.0f ? -b - s : -b + s;
    float t0 = c / q, t1 = q;
    if (q == 0.0f) t0 = t1 = 0.0f;
    if (t0 > t1) {
      const float x = t0;
      t0 = t1;
      t1 = x;
    }
    for (float t : {t0, t1})
      if (t > r.tmin && t < best.distance) {
        const Vec3 p = r.origin + t * r.direction;
        best.distance = t;
        best.instance = 0;
        best.primitive = id;
        best.normal = p / radius;
        best.inner_material = in;
        best.outer_material = out;
        break;
      }
  }
};
static_assert(Geometry<NestedSpheres>);

// The materials: core and shell absorb (lengths in mm), the world does not; one index
// everywhere, so no boundary reflects and the fractions are analytic.
inline std::vector<MaterialSpec> sphere_materials(double core_length, double shell_length) {
  auto make = [](const char* name, double length) {
    MaterialSpec m;
    m.name = name;
    m.refractive_index = {{200.0, 900.0}, {1.33, 1.33}};
    if (length > 0) m.absorption_length = {{200.0, 900.0}, {length, length}};
    return m;
  };
  return {make("core", core_length), make("shell", shell_length), make("world", 0)};
}

template <class Space>
std::vector<Photon> run_spheres(std::uint32_t photons, const NestedSpheres& spheres,
                                double core_length, double shell_length, unsigned threads = 0) {
  MaterialSet<Space> materials(sphere_materials(core_length, shell_length));
  SurfaceSet<Space> surfaces;
  using Physics = OpticalPhysics<NestedSpheres>;
  const Physics physics{spheres, materials.ref(), surfaces.ref()};
  WorkerOptions o;
  o.max_events = 1;
  o.threads = threads;
  o.seed = 7;
  o.output_capacity = 1u << 18;
  PersistentWorker<Physics, Space> worker(physics, o);
  std::vector<Photon> in(photons);
  for (std::uint32_t i = 0; i < photons; ++i) {
    in[i].wavelength = 450.0f;
    in[i].weight = 1.0f;
    in[i].id = i;
    in[i].history = history::isotropic_init;  // direction and polarisation drawn on the worker
  }
  return worker.run_event(in);
}

// Where the photons ended: absorbed in the core, absorbed in the shell, escaped.
struct SphereTally {
  std::uint64_t core = 0, shell = 0, escaped = 0, other = 0;
};
inline SphereTally tally(const std::vector<Photon>& out, const NestedSpheres& s) {
  SphereTally t;
  for (const Photon& p : out) {
    if (p.reason == TerminalReason::escaped)
      ++t.escaped;
    else if (p.reason != TerminalReason::bulk_absorbed)
      ++t.other;
    else if (norm(p.position) < s.inner)
      ++t.core;
    else
      ++t.shell;
  }
  return t;
}

// The analytic fractions: core 1 − e^(−r1/L1), shell e^(−r1/L1)(1 − e^(−(r2−r1)/L2)), the rest.
inline void expected_fractions(const NestedSpheres& s, double l1, double l2, double f[3]) {
  const double a = std::exp(-s.inner / l1), b = std::exp(-(s.outer - s.inner) / l2);
  f[0] = 1 - a;
  f[1] = a * (1 - b);
  f[2] = a * b;
}

}  // namespace chroma2::examples
