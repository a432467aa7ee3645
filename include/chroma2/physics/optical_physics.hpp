// SPDX-License-Identifier: BSD-3-Clause
// OpticalPhysics<Geometry, Scattering, Surfaces>: the optical photon physics, a Physics for the
// persistent worker over any Geometry. One step: sample the distances to absorption and to
// scattering in the photon's material; cast the ray bounded by the nearer (so a photon absorbed
// mid-volume never walks the far side of the BVH); then the bulk interaction (absorption, with
// re-emission; scattering) or the boundary (a surface model, or Fresnel). Time advances with the
// group velocity. Units: mm, ns, nm. docs/physics.md states each model and its validation.
#pragma once

#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/geometry.hpp"
#include "chroma2/core/concepts/optical_process.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/geometry/relaunch.hpp"
#include "chroma2/physics/material.hpp"
#include "chroma2/physics/scattering.hpp"
#include "chroma2/physics/surface.hpp"
#include "chroma2/physics/surface_library.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace chroma2 {

// Rayleigh scattering as a polarised dipole, with the material's tabulated scattering length.
struct RayleighScattering {
  static constexpr std::uint32_t history_bit = history::rayleigh_scatter;
  CHROMA2_HD float mean_free_path(float table_length_mm, float) const { return table_length_mm; }
  template <class Rng>
  CHROMA2_HD Beam scatter(Vec3 d, Vec3 E, Rng& rng) const {
    return sample_rayleigh(d, E, rng);
  }
};
static_assert(ScatteringProcess<RayleighScattering>);

namespace detail {

// The position is the float pair hi + lo; adds delta to it with the rounding error kept in lo
// (Knuth's two-sum, exact in float arithmetic whatever the magnitudes), so steps of micrometres
// far from the origin are not lost.
CHROMA2_HD inline void add_to_position(Vec3& hi, Vec3& lo, Vec3 delta) {
  const auto two_sum = [](float& h, float& l, float d) {
    const float b = d + l;  // the new part with the old remainder
    const float s = h + b;
    const float bb = s - h;
    const float err = (h - (s - bb)) + (b - bb);
    h = s;
    l = err;
  };
  two_sum(hi.x, lo.x, delta.x);
  two_sum(hi.y, lo.y, delta.y);
  two_sum(hi.z, lo.z, delta.z);
}

CHROMA2_HD inline bool finite(Vec3 v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

// A distance with mean `length` (mm); +inf where the length is (no such process). Always draws
// one uniform, so the stream advances the same way whatever the material.
template <class Rng>
CHROMA2_HD float free_path(float length, Rng& rng) {
  const float u = rng.uniform();
  if (!(length < std::numeric_limits<float>::infinity())) return length;
  return exponential_from(u, length);
}

}  // namespace detail

template <Geometry G, ScatteringProcess Scattering = RayleighScattering,
          class Surfaces = StandardSurfaceModels>
struct OpticalPhysics {
  G geometry;
  MaterialsRef materials;
  SurfacesRef surfaces;
  Scattering scattering{};
  Surfaces surface_models{};
  // Cast the ray only as far as the nearer bulk interaction (true), or to infinity and apply the
  // interaction distances after the cast, as Chroma does (false: the benchmark's baseline). Both
  // give the same photons; the bounded cast skips the far side of the BVH.
  bool bounded_cast = true;

  template <class Context>
  CHROMA2_HD StepResult step(Photon& p, Context& ctx) const {
    auto& rng = ctx.rng();
    if (!finite_state(p)) {
      p.history |= history::nan_abort;
      return StepResult::finish(TerminalReason::nan_abort);
    }
    if (p.material < 0) p.material = geometry.material_at(p.position);  // at birth only
    if (p.material < 0 || p.material >= materials.count) {
      // not a material of this physics: an error of the setup, caught on the host; never
      // propagated with made-up properties
      p.history |= history::nan_abort;
      return StepResult::finish(TerminalReason::nan_abort);
    }
    const MaterialProperties m = materials.properties(p.material, p.wavelength);
    if (m.out_of_table) p.history |= history::out_of_table;
    const float to_absorb = detail::free_path(m.absorption_length, rng);
    const float to_scatter =
        detail::free_path(scattering.mean_free_path(m.scattering_length, p.wavelength), rng);
    const float bulk = std::fmin(to_absorb, to_scatter);
    // The ray starts at the position's high part; the true start is off it by the low part (up
    // to half a float spacing), so the cast reaches a little further both ways — a surface just
    // behind the high part may be just ahead of the true start — and a hit counts only if it is
    // ahead of the true start and nearer than the bulk interaction (hit_distance). The margin
    // covers every ray but those within 1/64 of parallel to the surface.
    const Vec3 lo = p.position_low;
    const float margin = 64.0f * (std::fabs(lo.x) + std::fabs(lo.y) + std::fabs(lo.z));
    const float reach = bounded_cast ? bulk + margin : std::numeric_limits<float>::infinity();
    const Ray ray{p.position, -margin, p.direction, reach};
    Hit h = geometry.closest_hit(ray);
    if (h.hit() && hit_distance(p, h) < 0.0f) {
      // behind the true start (the high part had passed it): look again beyond it
      Ray beyond = ray;
      beyond.tmin = std::nextafter(h.distance, std::numeric_limits<float>::infinity());
      h = geometry.closest_hit(beyond);
    }
    if (h.hit()) {
      const float distance = hit_distance(p, h);
      if (distance >= 0.0f && distance <= bulk) return boundary(p, ray, h, distance, m, rng);
    }
    if (!(bulk < std::numeric_limits<float>::infinity())) {
      p.history |= history::no_hit;
      return StepResult::finish(TerminalReason::escaped);
    }
    advance(p, bulk, m.group_velocity);
    if (to_absorb <= to_scatter) return absorb(p, m, rng);
    const Beam b = scattering.scatter(p.direction, p.polarisation, rng);
    p.direction = b.direction;
    p.polarisation = b.polarisation;
    p.history |= Scattering::history_bit;
    return StepResult::alive();
  }

  // Optical photons have no secondaries here: re-emission continues the same photon.
  CHROMA2_HD Photon secondary(const Photon& parent) const { return parent; }

 private:
  CHROMA2_HD static bool finite_state(const Photon& p) {
    return detail::finite(p.position) && detail::finite(p.position_low) &&
           detail::finite(p.direction) && detail::finite(p.polarisation) && std::isfinite(p.time) &&
           std::isfinite(p.wavelength) && p.wavelength > 0.0f;
  }

  // Moves the photon `distance` mm along its direction; time at the group velocity (mm/ns).
  CHROMA2_HD static void advance(Photon& p, float distance, float group_velocity) {
    detail::add_to_position(p.position, p.position_low, distance * p.direction);
    p.time += distance / group_velocity;
  }

  // Absorbed in the bulk: re-emitted with the material's probability (same photon, a new
  // wavelength from the material's spectrum, isotropic, delayed), else ended.
  template <class Rng>
  CHROMA2_HD StepResult absorb(Photon& p, const MaterialProperties& m, Rng& rng) const {
    if (rng.uniform() <= m.reemission_probability) {
      const Reemission r = materials.reemit(p.material, p.wavelength, rng);
      p.wavelength = r.wavelength_nm;
      p.time += r.delay_ns;
      p.direction = rng.isotropic();
      p.polarisation = rng.perpendicular_to(p.direction);
      p.history |= history::bulk_reemit;
      return StepResult::alive();
    }
    p.history |= history::bulk_absorb;
    return StepResult::finish(TerminalReason::bulk_absorbed);
  }

  CHROMA2_HD float index_of(std::int32_t material, Photon& p) const {
    return detail::at_wavelength(materials.materials[material].refractive_index, p);
  }

  // At a surface: the surface's model (or Fresnel), then the material of the side the photon
  // goes to, and the geometry's relaunch rule to leave the surface.
  // The distance to hit h from the true position (high + low part): the low part moves the hit
  // along the ray by its component along the surface normal over the ray's.
  CHROMA2_HD static float hit_distance(const Photon& p, const Hit& h) {
    const float dn = dot(p.direction, h.normal);
    float distance = h.distance;
    if (std::fabs(dn) > 1.0f / 64.0f) distance -= dot(p.position_low, h.normal) / dn;
    return distance;
  }

  template <class Rng>
  CHROMA2_HD StepResult boundary(Photon& p, const Ray& ray, const Hit& h, float distance,
                                 const MaterialProperties& m, Rng& rng) const {
    advance(p, distance, m.group_velocity);
    const bool from_outer = dot(p.direction, h.normal) < 0.0f;  // against the outward normal
    const std::int32_t from = from_outer ? h.outer_material : h.inner_material;
    const std::int32_t to = from_outer ? h.inner_material : h.outer_material;
    p.channel = h.channel;
    p.last_primitive = h.primitive;
    if (from < 0 || from >= materials.count || to < 0 || to >= materials.count) {
      p.history |= history::nan_abort;
      return StepResult::finish(TerminalReason::nan_abort);
    }
    BoundaryInput in;
    in.normal = from_outer ? h.normal : -h.normal;
    in.n1 = index_of(from, p);
    in.n2 = index_of(to, p);
    in.surface = h.surface;
    in.channel = h.channel;
    const bool surface_acts = h.surface >= 0 && h.surface < surfaces.count &&
                              !(surfaces[h.surface].one_sided && !from_outer);
    const BoundaryFate fate = surface_acts ? surface_models.interact(surfaces, in, p, rng)
                                           : detail::plain_dielectric(in, p, rng);
    switch (fate) {
      case BoundaryFate::detected:
        return StepResult::finish(TerminalReason::detected);
      case BoundaryFate::absorbed:
        return StepResult::finish(TerminalReason::surface_absorbed);
      case BoundaryFate::across:
        p.material = to;
        break;
      case BoundaryFate::back:
        p.material = from;
        break;
    }
    // Leave the surface on the side the new direction goes (geometry/relaunch.hpp).
    const float eps = relaunch_epsilon(ray, h);
    const float side = dot(p.direction, h.normal) >= 0.0f ? 1.0f : -1.0f;
    detail::add_to_position(p.position, p.position_low, (side * eps) * h.normal);
    return StepResult::alive();
  }
};

}  // namespace chroma2
