// SPDX-License-Identifier: BSD-3-Clause
// The standard surface models, one small type each (SurfaceModelFor<M, SurfacesRef>), and
// SurfaceModels<...>: the run-time dispatch over a compile-time list of them, one comparison per
// model in the list (a switch in effect; no virtual call). A user adds a model by writing a type
// with its own id (from first_user_surface_model) and listing it. Every model sets the history
// bits of what it did (Chroma's names: surface_detect, surface_absorb, surface_reemit,
// reflect_diffuse, reflect_specular, surface_transmit).
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/optical_process.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/physics/fresnel.hpp"
#include "chroma2/physics/scattering.hpp"
#include "chroma2/physics/surface.hpp"
#include "chroma2/physics/surface_models.hpp"
#include "chroma2/physics/unified.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace chroma2 {

namespace detail {

// A plain dielectric boundary (no surface, or a surface's Fresnel remainder): reflected with the
// photon's polarisation's reflectance, else refracted. A reflection is specular.
template <class Rng>
CHROMA2_HD BoundaryFate plain_dielectric(const BoundaryInput& in, Photon& p, Rng& rng) {
  const DielectricOutcome o =
      interact_dielectric(p.direction, p.polarisation, in.normal, in.n1, in.n2, rng);
  p.direction = o.direction;
  p.polarisation = o.polarisation;
  if (o.reflected) {
    p.history |= history::reflect_specular;
    return BoundaryFate::back;
  }
  return BoundaryFate::across;
}

// What a SurfaceOutcome (surface_models.hpp) means for the photon.
CHROMA2_HD inline BoundaryFate apply(const SurfaceOutcome& o, Photon& p) {
  p.direction = o.direction;
  p.polarisation = o.polarisation;
  switch (o.fate) {
    case SurfaceFate::reflected_specular:
      p.history |= history::reflect_specular;
      return BoundaryFate::back;
    case SurfaceFate::reflected_diffuse:
      p.history |= history::reflect_diffuse;
      return BoundaryFate::back;
    case SurfaceFate::transmitted:
      p.history |= history::surface_transmit;
      return BoundaryFate::across;
    case SurfaceFate::detected:
      p.history |= history::surface_detect;
      return BoundaryFate::detected;
    default:
      p.history |= history::surface_absorb;
      return BoundaryFate::absorbed;
  }
}

// Absorbed and re-emitted by a surface: a new wavelength from the surface's spectrum (at least the
// absorbed one where the surface conserves energy), a Lambertian direction back into the medium
// the photon came from, the delay added to its time.
template <class Rng>
CHROMA2_HD BoundaryFate surface_reemission(const SurfacesRef& set, const SurfaceRef& s,
                                           const BoundaryInput& in, Photon& p, Rng& rng) {
  const Reemission r = set.reemit(s, p.wavelength, rng);
  const Beam b = sample_lambertian(p.direction, in.normal, rng);
  p.direction = b.direction;
  p.polarisation = b.polarisation;
  p.wavelength = r.wavelength_nm;
  p.time += r.delay_ns;
  p.history |= history::surface_reemit;
  return BoundaryFate::back;
}

inline constexpr std::uint32_t model_id(SurfaceModel m) { return static_cast<std::uint32_t>(m); }

// A table at the photon's wavelength; a wavelength outside the table marks the photon's history.
CHROMA2_HD inline float at_wavelength(const UniformTableRef& table, Photon& p) {
  bool out = false;
  const float v = table(p.wavelength, out);
  if (out) p.history |= history::out_of_table;
  return v;
}

}  // namespace detail

// Chroma's default: one uniform draw picks detect, absorb, reemit, reflect_diffuse,
// reflect_specular or transmit (straight through, unrefracted) with their probabilities at the
// photon's wavelength; with the remaining probability the boundary is a plain dielectric.
struct ChromaSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::chroma);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const float u = rng.uniform();
    float c = detail::at_wavelength(s.detect, p);
    BoundaryFate fate;
    if (u <= c) {
      p.history |= history::surface_detect;
      fate = BoundaryFate::detected;
    } else if (u <= (c += detail::at_wavelength(s.absorb, p))) {
      p.history |= history::surface_absorb;
      fate = BoundaryFate::absorbed;
    } else if (u <= (c += detail::at_wavelength(s.reemit, p))) {
      fate = detail::surface_reemission(set, s, in, p, rng);
    } else if (u <= (c += detail::at_wavelength(s.reflect_diffuse, p))) {
      const Beam b = sample_lambertian(p.direction, in.normal, rng);
      p.direction = b.direction;
      p.polarisation = b.polarisation;
      p.history |= history::reflect_diffuse;
      fate = BoundaryFate::back;
    } else if (u <= (c += detail::at_wavelength(s.reflect_specular, p))) {
      const Beam b = specular_reflection(p.direction, p.polarisation, in.normal);
      p.direction = b.direction;
      p.polarisation = b.polarisation;
      p.history |= history::reflect_specular;
      fate = BoundaryFate::back;
    } else if (u <= (c += detail::at_wavelength(s.transmit, p))) {
      p.history |= history::surface_transmit;
      fate = BoundaryFate::across;
    } else {
      fate = detail::plain_dielectric(in, p, rng);
    }
    return fate;
  }
};

// A mirror: direction and polarisation reflected (E′ = −E + 2(E·n)n).
struct SpecularSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::specular);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef&, const BoundaryInput& in, Photon& p,
                                   Rng&) const {
    const Beam b = specular_reflection(p.direction, p.polarisation, in.normal);
    return detail::apply({SurfaceFate::reflected_specular, b.direction, b.polarisation}, p);
  }
};

// A diffuse reflector: cos θ about the normal, a random perpendicular polarisation.
struct LambertianSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::lambertian);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef&, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const Beam b = sample_lambertian(p.direction, in.normal, rng);
    return detail::apply({SurfaceFate::reflected_diffuse, b.direction, b.polarisation}, p);
  }
};

// Dielectric–dielectric, UNIFIED: facets of slope width sigma_alpha; Fresnel on the facet;
// reflections split into spike, lobe, backscatter and Lambertian.
struct UnifiedSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::unified);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const UnifiedOutcome o = interact_unified(p.direction, p.polarisation, in.normal, in.n1, in.n2,
                                              s.sigma_alpha, {s.spike, s.lobe, s.backscatter}, rng);
    if (o.absorbed) {
      p.history |= history::surface_absorb;
      return BoundaryFate::absorbed;
    }
    p.direction = o.direction;
    p.polarisation = o.polarisation;
    if (!o.reflected) return BoundaryFate::across;
    p.history |=
        o.type == ReflectionType::lambertian ? history::reflect_diffuse : history::reflect_specular;
    return BoundaryFate::back;
  }
};

// Front-painted: the photon never enters the next medium; reflected with the reflectivity
// (polished: specular, ground: Lambertian), else absorbed.
struct FrontPaintedSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::front_painted);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const float r = detail::at_wavelength(s.reflectivity, p);
    return detail::apply(front_painted(p.direction, p.polarisation, in.normal, r, s.finish, rng),
                         p);
  }
};

// Back-painted: a layer of the surface's own index between the media, the paint behind it.
struct BackPaintedSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::back_painted);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const float r = detail::at_wavelength(s.reflectivity, p);
    const float n_layer = detail::at_wavelength(s.layer_index, p);
    return detail::apply(
        back_painted(p.direction, p.polarisation, in.normal, in.n1, n_layer, r, s.finish, rng), p);
  }
};

// Dielectric–metal: reflectivity and efficiency tables, or a complex index n + ik.
struct MetalSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::metal);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const float efficiency = detail::at_wavelength(s.efficiency, p);
    SurfaceOutcome o;
    if (s.has_complex_index) {
      const float nr = detail::at_wavelength(s.index_real, p);
      const float ni = detail::at_wavelength(s.index_imag, p);
      o = dielectric_metal_complex(p.direction, p.polarisation, in.normal, in.n1, nr, ni,
                                   efficiency, rng);
    } else {
      o = dielectric_metal(p.direction, p.polarisation, in.normal,
                           detail::at_wavelength(s.reflectivity, p), efficiency, s.finish, rng);
    }
    return detail::apply(o, p);
  }
};

// Dichroic: R(θ, λ) and T(θ, λ), absorbed 1 − R − T; transmitted straight through.
struct DichroicSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::dichroic);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const float cos_i = std::fmin(std::fabs(dot(p.direction, in.normal)), 1.0f);
    float r = 0, t = 0;
    bool out = false;
    set.dichroic_rt(s, std::acos(cos_i), p.wavelength, r, t, out);
    if (out) p.history |= history::out_of_table;
    return detail::apply(dichroic(p.direction, p.polarisation, in.normal, r, t, rng), p);
  }
};

// Wavelength-shifting: absorbed with probability `reemit` and re-emitted from the surface's
// spectrum back into the medium the photon came from; else a plain dielectric.
struct WavelengthShiftingSurface {
  static constexpr std::uint32_t model = detail::model_id(SurfaceModel::wavelength_shifting);
  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const SurfaceRef& s = set[in.surface];
    const float q = detail::at_wavelength(s.reemit, p);
    if (rng.uniform() <= q) return detail::surface_reemission(set, s, in, p, rng);
    return detail::plain_dielectric(in, p, rng);
  }
};

// The run-time choice among a compile-time list of models. A surface whose model is not in the
// list meets the boundary as a plain dielectric (check_surface_models, below, rejects such a
// surface on the host before anything runs).
template <class... Models>
struct SurfaceModels {
  static_assert((SurfaceModelFor<Models, SurfacesRef> && ...),
                "every entry must model SurfaceModelFor<M, SurfacesRef> "
                "(core/concepts/optical_process.hpp)");

  static constexpr bool knows(std::uint32_t id) { return ((id == Models::model) || ...); }

  template <class Rng>
  CHROMA2_HD BoundaryFate interact(const SurfacesRef& set, const BoundaryInput& in, Photon& p,
                                   Rng& rng) const {
    const std::uint32_t id = set[in.surface].model;
    BoundaryFate fate = BoundaryFate::back;
    const bool found =
        ((id == Models::model ? (fate = Models{}.interact(set, in, p, rng), true) : false) || ...);
    if (!found) fate = detail::plain_dielectric(in, p, rng);
    return fate;
  }
};

// Checks on the host that every surface names a model in Models' list (a surface whose model is
// missing would silently meet its boundary as a plain dielectric).
template <class Models>
void check_surface_models(const std::vector<SurfaceSpec>& specs) {
  for (const SurfaceSpec& s : specs)
    if (!Models::knows(s.model))
      fail("surface '" + s.name + "' names model " + std::to_string(s.model),
           "this physics' surface model list has no model with that id",
           "add the model's type to the SurfaceModels list of OpticalPhysics");
}

using StandardSurfaceModels =
    SurfaceModels<ChromaSurface, SpecularSurface, LambertianSurface, UnifiedSurface,
                  FrontPaintedSurface, BackPaintedSurface, MetalSurface, DichroicSurface,
                  WavelengthShiftingSurface>;

}  // namespace chroma2
