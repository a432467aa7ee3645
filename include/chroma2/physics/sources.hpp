// SPDX-License-Identifier: BSD-3-Clause
// The library's photon sources (models of PhotonSource, core/concepts/photon_source.hpp): an
// isotropic point, a pencil or disc beam, and an explicit list; their host checks (validate) and
// the host expansion of any source into photons. Units: mm, ns, nm; directions are unit vectors.
// The device expansion is in physics/device_sources.hpp (nvcc only).
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/physics/spectral_table.hpp"
#include "chroma2/physics/wavelength_spec.hpp"

#include <cmath>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace chroma2 {

// photon_count photons from one point at one time, isotropic, each polarised at a uniformly random
// azimuth perpendicular to its direction. The photons share a position, so their material is
// looked up once on the host (resolve_material) or left unknown for the first step to find.
// Draws per photon, in order: direction (2 uniforms), polarisation (1), wavelength (0 or 1).
// With draw_at_first_step, expansion draws nothing: each photon is a request
// (history::isotropic_init, and wavelength_init for a uniform range) that the photon's first step
// fulfils from the same stream in the same order, giving the same photon; the records are then
// identical but for their ids, so expanding one descriptor costs a copy (fixed or uniform
// wavelengths; a tabulated spectrum is drawn at expansion).
struct PointIsotropicSource {
  Vec3 position{0, 0, 0};  // mm
  float time = 0.0f;       // ns
  std::uint64_t photon_count = 0;
  WavelengthSpec wavelength{};
  std::int32_t material = unknown_material;
  float weight = 1.0f;
  std::uint32_t draw_at_first_step = 0;

  CHROMA2_HD std::uint64_t count() const { return photon_count; }
  // Drawn at the first step, a fixed or uniform wavelength: every photon is the same request.
  CHROMA2_HD bool uniform() const {
    return draw_at_first_step != 0 && wavelength.kind != WavelengthSpec::Kind::tabulated;
  }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t, Rng& rng) const {
    Photon p{};
    p.position = position;
    p.time = time;
    p.weight = weight;
    p.material = material;
    if (draw_at_first_step) {
      p.direction = {0.0f, 0.0f, 1.0f};  // replaced at the first step
      if (wavelength.kind == WavelengthSpec::Kind::uniform) {
        request_isotropic_init(p, wavelength.lo_nm, wavelength.hi_nm);
      } else {
        request_isotropic_init(p);
        p.polarisation = {1.0f, 0.0f, 0.0f};  // replaced at the first step
        p.wavelength = wavelength.lo_nm;
      }
      return p;
    }
    p.direction = rng.isotropic();
    p.polarisation = rng.perpendicular_to(p.direction);
    p.wavelength = wavelength.sample(rng);
    return p;
  }
};

// A parallel beam: photon_count photons along `direction`, their starting points uniform on the
// disc of `radius` around `centre` perpendicular to the direction (radius 0: a pencil beam).
// Polarisation: the fixed unit vector `polarisation` (perpendicular to the direction), or, with
// random_polarisation, a uniformly random azimuth perpendicular to it. The material stays unknown:
// a beam may straddle materials, so each photon's first step resolves its own (OpticalPhysics does
// that for photon.material < 0). Draws per photon, in order: position (2 uniforms: r = R·√u1,
// azimuth 2π·u2 in the basis of core/rng/sampling.hpp's basis_around(direction)), polarisation
// (1 if random, else 0), wavelength (0 or 1).
struct BeamSource {
  Vec3 centre{0, 0, 0};        // mm
  Vec3 direction{0, 0, 1};     // unit
  float radius = 0.0f;         // mm
  Vec3 polarisation{1, 0, 0};  // unit, perpendicular to direction (unless random_polarisation)
  std::uint32_t random_polarisation = 0;
  float time = 0.0f;  // ns
  std::uint64_t photon_count = 0;
  WavelengthSpec wavelength{};
  float weight = 1.0f;

  CHROMA2_HD std::uint64_t count() const { return photon_count; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t, Rng& rng) const {
    const float r = radius * std::sqrt(rng.uniform());
    const float phi = two_pi * rng.uniform();
    const OrthonormalBasis b = basis_around(direction);
    Photon p{};
    p.position = centre + (r * std::cos(phi)) * b.e1 + (r * std::sin(phi)) * b.e2;
    p.time = time;
    p.direction = direction;
    p.polarisation = random_polarisation ? rng.perpendicular_to(direction) : polarisation;
    p.wavelength = wavelength.sample(rng);
    p.weight = weight;
    p.material = unknown_material;
    return p;
  }
};

// Explicit photons: a view of photon_count entries in the memory of the expanding side (host
// memory for expand(), device memory for expand_on_device()). Photon i is entry i with the
// identity of the stream rule (id = i, rng_counter 0, ...); it draws nothing. An entry with
// history::isotropic_init gets its direction and polarisation from its stream at its first step,
// in the worker (core/isotropic_init.hpp).
struct PhotonListSource {
  const Photon* photons = nullptr;
  std::uint64_t photon_count = 0;

  CHROMA2_HD std::uint64_t count() const { return photon_count; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t index, Rng&) const {
    Photon p = photons[index];
    p.id = index;
    return p;
  }
};

static_assert(std::is_trivially_copyable_v<PointIsotropicSource> &&
              PhotonSource<PointIsotropicSource>);
static_assert(std::is_trivially_copyable_v<BeamSource> && PhotonSource<BeamSource>);
static_assert(std::is_trivially_copyable_v<PhotonListSource> && PhotonSource<PhotonListSource>);

namespace detail {

inline std::string format_vec(Vec3 v) {
  return "(" + format_number(v.x) + ", " + format_number(v.y) + ", " + format_number(v.z) + ")";
}
inline bool finite_vec(Vec3 v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

// "beam source centre (0, nan, 0) mm", the unit left out where there is none.
inline std::string with_unit(const std::string& value, const char* unit) {
  return *unit ? value + " " + unit : value;
}

inline void check_finite(Vec3 v, const std::string& what, const char* unit) {
  if (!finite_vec(v))
    fail(what + " " + with_unit(format_vec(v), unit) + " is not finite",
         "every photon starts from finite numbers", "give finite values");
}
inline void check_finite(float v, const std::string& what, const char* unit) {
  if (!std::isfinite(v))
    fail(what + " " + with_unit(format_number(v), unit) + " is not finite",
         "every photon starts from finite numbers", "give a finite value");
}

// |v| = 1 within 1e-5 (a normalised float vector is within a few 1e-7).
inline void check_unit(Vec3 v, const std::string& what) {
  check_finite(v, what, "");
  const double n = std::sqrt(double(v.x) * v.x + double(v.y) * v.y + double(v.z) * v.z);
  if (n == 0)
    fail(what + " " + format_vec(v) + " has length 0", "a direction needs a non-zero vector",
         "give a unit vector");
  if (std::fabs(n - 1.0) > 1e-5)
    fail(what + " " + format_vec(v) + " has length " + format_number(n),
         "it must be a unit vector (within 1e-5)", "normalize it");
}

inline void check_material(std::int32_t m, const std::string& who) {
  if (m < unknown_material)
    fail(who + " material " + std::to_string(m) + " is not a material index",
         "materials are numbered from 0; unknown_material (-1) asks the geometry",
         "give a material id or unknown_material");
}

}  // namespace detail

// Host checks: each throws a chroma2::Error naming the source and the offending value. A count
// of 0 is allowed (the source gives nothing).
inline void validate(const PointIsotropicSource& s) {
  const std::string who = "point source";
  detail::check_finite(s.position, who + " position", "mm");
  detail::check_finite(s.time, who + " time", "ns");
  detail::check_finite(s.weight, who + " weight", "");
  detail::check_material(s.material, who);
  validate(s.wavelength, who);
  if (s.draw_at_first_step && s.wavelength.kind == WavelengthSpec::Kind::tabulated)
    fail(who + " draws at the first step from a tabulated spectrum",
         "a photon's first step can draw a fixed or uniform wavelength, not a table's",
         "leave draw_at_first_step off for a spectrum (it is then drawn at expansion)");
}

inline void validate(const BeamSource& s) {
  const std::string who = "beam source";
  detail::check_finite(s.centre, who + " centre", "mm");
  detail::check_unit(s.direction, who + " direction");
  if (!std::isfinite(s.radius) || s.radius < 0)
    fail(who + " radius " + detail::format_number(s.radius) + " mm is not allowed",
         "a radius is a finite length >= 0 (0: a pencil beam)", "give a radius >= 0");
  if (!s.random_polarisation) {
    detail::check_unit(s.polarisation, who + " polarisation");
    const double d = double(s.polarisation.x) * s.direction.x +
                     double(s.polarisation.y) * s.direction.y +
                     double(s.polarisation.z) * s.direction.z;
    if (std::fabs(d) > 1e-5)
      fail(who + " polarisation " + detail::format_vec(s.polarisation) +
               " is not perpendicular to its direction " + detail::format_vec(s.direction) +
               " (dot = " + detail::format_number(d) + ")",
           "light is polarised across its direction",
           "give a perpendicular polarisation, or set random_polarisation");
  }
  detail::check_finite(s.time, who + " time", "ns");
  detail::check_finite(s.weight, who + " weight", "");
  validate(s.wavelength, who);
}

inline void validate(const PhotonListSource& s) {
  if (s.photon_count > 0 && !s.photons)
    fail("photon list source of " + std::to_string(s.photon_count) + " photons has no photons",
         "its pointer is null", "point it at the photons, or give a count of 0");
}

// Checks one photon of an explicit list before it is submitted: finite position (mm), time (ns)
// and weight, unit direction and polarisation, a finite positive wavelength (nm), a material
// index or unknown_material. The error names the photon as `who` says (e.g. "event 7 photon 3").
inline void validate_photon(const Photon& p, const std::string& who) {
  detail::check_finite(p.position, who + " position", "mm");
  detail::check_finite(p.time, who + " time", "ns");
  detail::check_finite(p.weight, who + " weight", "");
  detail::check_unit(p.direction, who + " direction");
  detail::check_unit(p.polarisation, who + " polarisation");
  if (!std::isfinite(p.wavelength) || !(p.wavelength > 0))
    fail(who + " wavelength " + detail::format_number(p.wavelength) + " nm is not allowed",
         "a wavelength is a finite length > 0", "give the photon's wavelength in nm");
  detail::check_material(p.material, who);
}

// Whether validate_photon would pass, without building a message (the fast path for lists).
inline bool valid_photon(const Photon& p) {
  const auto unit = [](Vec3 v) {
    const double n = double(v.x) * v.x + double(v.y) * v.y + double(v.z) * v.z;
    return std::isfinite(n) && std::fabs(std::sqrt(n) - 1.0) <= 1e-5;
  };
  return detail::finite_vec(p.position) && std::isfinite(p.time) && std::isfinite(p.weight) &&
         unit(p.direction) && unit(p.polarisation) && std::isfinite(p.wavelength) &&
         p.wavelength > 0 && p.material >= unknown_material;
}

// Every photon of a list (`who` names the list, e.g. "event 7": photon i is "event 7 photon i").
inline void validate_photons(std::span<const Photon> photons, const std::string& who) {
  for (std::size_t i = 0; i < photons.size(); ++i)
    if (!valid_photon(photons[i]))
      validate_photon(photons[i], who + " photon " + std::to_string(i));
}

// Sets the point source's material from the geometry at its position, once, on the host (a
// geometry the host can read: an analytic one or a Host-space TriangleGeometry); returns it.
template <class G>
requires requires(const G g, Vec3 p) {
  { g.material_at(p) } -> std::convertible_to<std::int32_t>;
}
std::int32_t resolve_material(PointIsotropicSource& source, const G& geometry) {
  validate(source);
  source.material = static_cast<std::int32_t>(geometry.material_at(source.position));
  return source.material;
}

// Calls f(pointer, what) for every table or list a source reads through — a tabulated
// spectrum's key, CDF, density and guide arrays ("point source wavelength spectrum"), a list's
// photons — so that a backend drawing the photons elsewhere (a kernel, a Session's worker on the
// GPU) can check it reads them. A user's source names none: expanding it on the device, or
// listing it among a tuning's run sources, vouches for its tables.
template <class F>
void for_each_table(const WavelengthSpec& w, const std::string& owner, F&& f) {
  if (w.kind != WavelengthSpec::Kind::tabulated) return;
  const std::string what = owner + " wavelength spectrum";
  for (const void* p :
       {static_cast<const void*>(w.spectrum.cdf.key), static_cast<const void*>(w.spectrum.cdf.cdf),
        static_cast<const void*>(w.spectrum.cdf.density),
        static_cast<const void*>(w.spectrum.cdf.guide)})
    f(p, what);
}
template <class F>
void for_each_table(const PointIsotropicSource& s, F&& f) {
  for_each_table(s.wavelength, "point source", f);
}
template <class F>
void for_each_table(const BeamSource& s, F&& f) {
  for_each_table(s.wavelength, "beam source", f);
}
template <class F>
void for_each_table(const PhotonListSource& s, F&& f) {
  f(static_cast<const void*>(s.photons), std::string("photon list source's photons"));
}
template <class S, class F>
void for_each_table(const S&, F&&) {}

// Whether chroma2 has host checks for S (validate(s) exists, found by ADL for a user's sources).
template <class S>
concept ValidatedSource = requires(const S& s) {
  validate(s);
};

// The host expansion: every photon of the source for `event` under run seed `seed` (the worker's
// WorkerOptions::seed), photon i = source_photon(source, i, seed, event). Validates the source
// first where it has a validate(). Tables and lists the source points to must be in host memory.
template <PhotonSource S, RngPolicy Policy = Philox4x32Policy>
std::vector<Photon> expand(const S& source, std::uint64_t seed, std::uint64_t event,
                           Policy policy = {}) {
  if constexpr (ValidatedSource<S>) validate(source);
  const std::uint64_t n = source.count();
  std::vector<Photon> out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i)
    out.push_back(source_photon(source, i, seed, event, policy));
  return out;
}

}  // namespace chroma2
