// SPDX-License-Identifier: BSD-3-Clause
// Optical surfaces: a SurfaceSpec (host) names a model and gives its tables; a SurfaceSet checks
// and resamples them once, uploads them, and hands kernels a trivially copyable SurfacesRef of
// SurfaceRef records. The boundary process dispatches on SurfaceRef::model (physics/
// surface_library.hpp holds the models). Probabilities are per wavelength (nm), lengths in mm,
// angles in radians unless named _deg.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/physics/detail/emission.hpp"
#include "chroma2/physics/material.hpp"
#include "chroma2/physics/spectral_table.hpp"
#include "chroma2/physics/surface_models.hpp"
#include "chroma2/physics/uniform_table.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chroma2 {

// The surface models of the standard library (surface_library.hpp). A user model takes an id from
// first_user_surface_model on.
enum class SurfaceModel : std::uint32_t {
  chroma = 0,         // one draw picks detect, absorb, reemit, diffuse, specular, transmit; the
                      // remainder meets the boundary as a plain dielectric (Fresnel)
  specular = 1,       // a mirror: direction and polarisation reflected
  lambertian = 2,     // a diffuse reflector: cos θ about the normal
  unified = 3,        // dielectric–dielectric, UNIFIED (facets of width sigma_alpha)
  front_painted = 4,  // reflectivity (polished: specular, ground: Lambertian), else absorbed
  back_painted = 5,   // a layer of index `layer_index` between the media, paint behind it
  metal = 6,          // reflectivity else absorbed, absorbed detected with efficiency; or a
                      // complex index n + ik (index_real, index_imag)
  dichroic = 7,       // R(θ, λ), T(θ, λ) tables; transmitted straight through
  wavelength_shifting = 8,  // absorbed with `reemit`, re-emitted from its spectrum (diffuse,
                            // back into the medium it came from); else plain dielectric
};
inline constexpr std::uint32_t first_user_surface_model = 64;

// A surface as the user describes it. Absent tables are zero everywhere.
struct SurfaceSpec {
  std::string name;
  std::uint32_t model = static_cast<std::uint32_t>(SurfaceModel::chroma);
  bool one_sided = false;  // acts only on photons arriving from the normal's (outer) side;
                           // from the other side the boundary is a plain dielectric

  // chroma model: probabilities that must sum to at most 1 at every wavelength
  SpectralTable detect, absorb, reemit, reflect_diffuse, reflect_specular, transmit;
  // painted and metal models
  SpectralTable reflectivity, efficiency;
  ReflectorFinish finish = ReflectorFinish::polished;
  SpectralTable layer_index;             // back_painted: the paint layer's refractive index
  SpectralTable index_real, index_imag;  // metal: complex index (both or neither)
  // unified model
  double sigma_alpha = 0.0;                           // rad, facet slope width
  double spike = 0.0, lobe = 0.0, backscatter = 0.0;  // reflection types; Lambertian the rest
  // dichroic model: for each angle of incidence (degrees, increasing), R and T over wavelength;
  // linear in angle between the given angles
  std::vector<double> dichroic_angles_deg;
  std::vector<SpectralTable> dichroic_reflectance, dichroic_transmittance;
  // re-emission spectrum (chroma's reemit and wavelength_shifting)
  std::vector<ReemissionComponent> reemission;
  bool reemission_conserves_energy = true;
};

// One dichroic angle node.
struct DichroicNode {
  float angle;  // rad
  UniformTableRef reflectance, transmittance;
};

// One surface as kernels see it.
struct SurfaceRef {
  std::uint32_t model;
  std::uint32_t one_sided;
  ReflectorFinish finish;
  float sigma_alpha, spike, lobe, backscatter;
  UniformTableRef detect, absorb, reemit, reflect_diffuse, reflect_specular, transmit;
  UniformTableRef reflectivity, efficiency, layer_index, index_real, index_imag;
  std::uint32_t has_complex_index;
  std::uint32_t first_dichroic, dichroic_count;
  std::uint32_t first_component, component_count, conserves_energy;
};

struct SurfacesRef {
  const SurfaceRef* surfaces;
  const DichroicNode* dichroic;
  const detail::EmissionComponentRef* components;
  std::int32_t count;

  CHROMA2_HD const SurfaceRef& operator[](std::int32_t s) const {
    CHROMA2_EXPECT(s >= 0 && s < count, "surface id lies within the surface set");
    return surfaces[s];
  }

  // Re-emission on surface s of a photon absorbed at wavelength_nm: its new wavelength and delay
  // (a surface without a spectrum keeps the wavelength). Draws three uniforms.
  template <class Rng>
  CHROMA2_HD Reemission reemit(const SurfaceRef& s, float wavelength_nm, Rng& rng) const {
    return detail::reemit_from(components, s.first_component, s.component_count,
                               s.conserves_energy != 0, wavelength_nm, rng);
  }

  // R and T of a dichroic surface at angle of incidence theta (rad) and wavelength.
  CHROMA2_HD void dichroic_rt(const SurfaceRef& s, float theta, float wavelength_nm, float& r,
                              float& t, bool& out_of_table) const {
    const DichroicNode* n = dichroic + s.first_dichroic;
    std::uint32_t k = 0;
    while (k + 2 < s.dichroic_count && n[k + 1].angle < theta) ++k;
    if (s.dichroic_count == 1) {
      r = n[0].reflectance(wavelength_nm, out_of_table);
      t = n[0].transmittance(wavelength_nm, out_of_table);
      return;
    }
    const float a0 = n[k].angle, a1 = n[k + 1].angle;
    const float f = std::fmin(std::fmax((theta - a0) / (a1 - a0), 0.0f), 1.0f);
    r = (1.0f - f) * n[k].reflectance(wavelength_nm, out_of_table) +
        f * n[k + 1].reflectance(wavelength_nm, out_of_table);
    t = (1.0f - f) * n[k].transmittance(wavelength_nm, out_of_table) +
        f * n[k + 1].transmittance(wavelength_nm, out_of_table);
  }
};

namespace detail {

inline bool table_given(const SpectralTable& t) { return !t.x.empty() || !t.y.empty(); }

// A probability table: values in [0, 1]; absent means zero.
inline UniformTable probability_table(const SpectralTable& t, const std::string& owner,
                                      const char* property) {
  if (!table_given(t)) return UniformTable::constant(0.0f);
  const TableLabel label{owner, property, ""};
  check_entries(
      t, label, [](double y) { return y >= 0 && y <= 1; }, "a probability lies in [0, 1]");
  return make_uniform_table(t, label);
}

inline UniformTable positive_table(const SpectralTable& t, const std::string& owner,
                                   const char* property, bool at_least_one) {
  const TableLabel label{owner, property, ""};
  if (at_least_one)
    check_entries(
        t, label, [](double y) { return y >= 1; }, "a refractive index is at least 1");
  else
    check_entries(
        t, label, [](double y) { return y >= 0; }, "the value is not negative");
  return make_uniform_table(t, label);
}

// The chroma model's probabilities may not sum to more than 1 anywhere: checked at every node of
// every one of its tables (the sum is piecewise linear between the union of the nodes).
inline void check_probability_sum(const SurfaceSpec& s, const std::string& owner) {
  const SpectralTable* parts[] = {&s.detect,          &s.absorb,           &s.reemit,
                                  &s.reflect_diffuse, &s.reflect_specular, &s.transmit};
  std::vector<PiecewiseLinear> exact;
  for (const SpectralTable* t : parts)
    if (table_given(*t)) exact.push_back(make_piecewise_linear(*t, {owner, "probability", ""}));
  for (const PiecewiseLinear& where : exact)
    for (double key : where.key) {
      const double nm = where.nm_of(key);
      double sum = 0;
      for (const PiecewiseLinear& e : exact) sum += e(nm);
      if (sum > 1.0 + 1e-6)
        fail(owner +
                 ": detect + absorb + reemit + reflect_diffuse + reflect_specular + transmit = " +
                 format_number(sum) + " at " + format_number(nm) + " nm",
             "one uniform draw picks among them, so they cannot exceed 1",
             "lower the probabilities there (the remainder meets the boundary as a dielectric)");
    }
}

}  // namespace detail

// The owner of a list of surfaces in one memory space (Host, or Device under nvcc): surface id =
// index in the list, the id a triangle names (−1: none).
template <class Space>
class SurfaceSet {
 public:
  SurfaceSet() = default;
  explicit SurfaceSet(const std::vector<SurfaceSpec>& specs, Stream stream = {}) {
    std::vector<Built> built;
    for (const SurfaceSpec& s : specs) {
      for (const std::string& n : names_)
        if (n == s.name)
          fail("surface '" + s.name + "' is given twice", "names identify surfaces",
               "give each surface its own name");
      names_.push_back(s.name);
      built.push_back(build(s));
    }
    upload(built, stream);
  }

  SurfacesRef ref() const {
    return {surfaces_.data(), dichroic_.data(), store_.components(),
            static_cast<std::int32_t>(names_.size())};
  }
  std::int32_t size() const { return static_cast<std::int32_t>(names_.size()); }
  std::int32_t id(std::string_view name) const {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return static_cast<std::int32_t>(i);
    fail("no surface named '" + std::string(name) + "'",
         std::to_string(names_.size()) + " surfaces are defined", "check the name");
  }

 private:
  struct Built {
    SurfaceRef shape{};
    std::vector<UniformTable> tables;  // in the order of table_slots()
    std::vector<float> angles;
    std::vector<UniformTable> dichroic;  // R, T per angle
    std::vector<detail::BuiltComponent> components;
  };

  static constexpr int table_count = 11;
  using TableSlot = UniformTableRef SurfaceRef::*;
  static TableSlot table_slot(int k) {
    constexpr TableSlot slots[table_count] = {
        &SurfaceRef::detect,          &SurfaceRef::absorb,           &SurfaceRef::reemit,
        &SurfaceRef::reflect_diffuse, &SurfaceRef::reflect_specular, &SurfaceRef::transmit,
        &SurfaceRef::reflectivity,    &SurfaceRef::efficiency,       &SurfaceRef::layer_index,
        &SurfaceRef::index_real,      &SurfaceRef::index_imag};
    return slots[k];
  }

  static Built build(const SurfaceSpec& s) {
    const std::string owner = "surface '" + s.name + "'";
    const auto model = static_cast<SurfaceModel>(s.model);
    if (s.model > static_cast<std::uint32_t>(SurfaceModel::wavelength_shifting) &&
        s.model < first_user_surface_model)
      fail(
          owner + " names model " + std::to_string(s.model), "no such standard model",
          "use a SurfaceModel or a user model id from " + std::to_string(first_user_surface_model));
    Built b;
    b.shape.model = s.model;
    b.shape.one_sided = s.one_sided ? 1u : 0u;
    b.shape.finish = s.finish;
    if (!(s.sigma_alpha >= 0) || !std::isfinite(s.sigma_alpha))
      fail(owner + ": sigma_alpha " + detail::format_number(s.sigma_alpha) + " is invalid",
           "a facet slope width is a finite angle in radians, at least 0", "give sigma_alpha >= 0");
    const double rsum = s.spike + s.lobe + s.backscatter;
    if (s.spike < 0 || s.lobe < 0 || s.backscatter < 0 || rsum > 1 + 1e-6)
      fail(owner + ": spike, lobe, backscatter (" + detail::format_number(s.spike) + ", " +
               detail::format_number(s.lobe) + ", " + detail::format_number(s.backscatter) +
               ") are invalid",
           "they are probabilities of the reflection types, Lambertian takes the rest",
           "give values in [0, 1] summing to at most 1");
    b.shape.sigma_alpha = static_cast<float>(s.sigma_alpha);
    b.shape.spike = static_cast<float>(s.spike);
    b.shape.lobe = static_cast<float>(s.lobe);
    b.shape.backscatter = static_cast<float>(s.backscatter);
    if (model == SurfaceModel::chroma) detail::check_probability_sum(s, owner);
    if (model == SurfaceModel::back_painted && !detail::table_given(s.layer_index))
      fail(owner + " is back_painted without a layer_index", "the paint layer's index refracts",
           "give layer_index");
    if (detail::table_given(s.index_real) != detail::table_given(s.index_imag))
      fail(owner + " gives only one part of its complex index",
           "a metal's reflectance needs n and k", "give both index_real and index_imag");
    b.tables.push_back(detail::probability_table(s.detect, owner, "detect"));
    b.tables.push_back(detail::probability_table(s.absorb, owner, "absorb"));
    b.tables.push_back(detail::probability_table(s.reemit, owner, "reemit"));
    b.tables.push_back(detail::probability_table(s.reflect_diffuse, owner, "reflect_diffuse"));
    b.tables.push_back(detail::probability_table(s.reflect_specular, owner, "reflect_specular"));
    b.tables.push_back(detail::probability_table(s.transmit, owner, "transmit"));
    b.tables.push_back(detail::probability_table(s.reflectivity, owner, "reflectivity"));
    b.tables.push_back(detail::probability_table(s.efficiency, owner, "efficiency"));
    b.tables.push_back(detail::table_given(s.layer_index)
                           ? detail::positive_table(s.layer_index, owner, "layer_index", true)
                           : UniformTable::constant(1.0f));
    const bool complex = detail::table_given(s.index_real);
    b.shape.has_complex_index = complex ? 1u : 0u;
    b.tables.push_back(complex ? detail::positive_table(s.index_real, owner, "index_real", false)
                               : UniformTable::constant(1.0f));
    b.tables.push_back(complex ? detail::positive_table(s.index_imag, owner, "index_imag", false)
                               : UniformTable::constant(0.0f));
    if (model == SurfaceModel::dichroic) {
      const std::size_t n = s.dichroic_angles_deg.size();
      if (n == 0 || s.dichroic_reflectance.size() != n || s.dichroic_transmittance.size() != n)
        fail(owner + " is dichroic with " + std::to_string(n) + " angles, " +
                 std::to_string(s.dichroic_reflectance.size()) + " R and " +
                 std::to_string(s.dichroic_transmittance.size()) + " T tables",
             "each angle of incidence needs one R and one T table", "give as many of each");
      for (std::size_t k = 0; k < n; ++k) {
        const double a = s.dichroic_angles_deg[k];
        if (!(a >= 0 && a <= 90) || (k > 0 && !(a > s.dichroic_angles_deg[k - 1])))
          fail(owner + ": dichroic angle " + std::to_string(k) + " (" + detail::format_number(a) +
                   " deg) is invalid",
               "angles of incidence increase within [0, 90] degrees", "sort and bound them");
        const std::string at = " at " + detail::format_number(a) + " deg";
        b.angles.push_back(static_cast<float>(a * 3.14159265358979323846 / 180.0));
        b.dichroic.push_back(detail::probability_table(s.dichroic_reflectance[k], owner,
                                                       ("dichroic_reflectance" + at).c_str()));
        b.dichroic.push_back(detail::probability_table(s.dichroic_transmittance[k], owner,
                                                       ("dichroic_transmittance" + at).c_str()));
        // R + T <= 1 at the nodes of both
        const SpectralTable* rt[] = {&s.dichroic_reflectance[k], &s.dichroic_transmittance[k]};
        for (const SpectralTable* t : rt)
          for (double x : t->x) {
            const double nm = t->unit == SpectralUnit::electronvolt ? hc_ev_nm / x : x;
            bool out = false;
            const float r = b.dichroic[2 * k].host_ref()(static_cast<float>(nm), out);
            const float tt = b.dichroic[2 * k + 1].host_ref()(static_cast<float>(nm), out);
            if (r + tt > 1.0f + 1e-5f)
              fail(owner + ": dichroic R + T = " + detail::format_number(r + tt) + " at " +
                       detail::format_number(nm) + " nm" + at,
                   "what is neither reflected nor transmitted is absorbed", "give R + T <= 1");
          }
      }
    }
    MaterialSpec emission;
    emission.name = s.name;
    emission.reemission = s.reemission;
    b.components = detail::build_components(emission, owner);
    b.shape.conserves_energy = s.reemission_conserves_energy ? 1u : 0u;
    const bool reemits = model == SurfaceModel::wavelength_shifting ||
                         (model == SurfaceModel::chroma && detail::table_given(s.reemit));
    if (reemits && b.components.empty())
      fail(owner + " re-emits but has no reemission spectrum",
           "a re-emitted photon needs a new wavelength", "add a ReemissionComponent");
    return b;
  }

  void upload(const std::vector<Built>& built, Stream stream) {
    for (const Built& b : built) {
      for (const UniformTable& t : b.tables) store_.count(t);
      for (const UniformTable& t : b.dichroic) store_.count(t);
      store_.count(b.components);
    }
    std::size_t node_count = 0;
    for (const Built& b : built) node_count += b.angles.size();
    store_.allocate(stream, "surface tables", [&](ArenaPlan& p) {
      p.add<SurfaceRef>(built.size());
      p.add<DichroicNode>(node_count);
    });
    std::vector<SurfaceRef> records;
    std::vector<DichroicNode> nodes;
    for (const Built& b : built) {
      SurfaceRef r = b.shape;
      for (int k = 0; k < table_count; ++k)
        r.*table_slot(k) = store_.place(b.tables[static_cast<std::size_t>(k)]);
      r.first_dichroic = static_cast<std::uint32_t>(nodes.size());
      r.dichroic_count = static_cast<std::uint32_t>(b.angles.size());
      for (std::size_t k = 0; k < b.angles.size(); ++k) {
        const UniformTableRef reflect = store_.place(b.dichroic[2 * k]);
        nodes.push_back({b.angles[k], reflect, store_.place(b.dichroic[2 * k + 1])});
      }
      r.first_component = store_.place(b.components);
      r.component_count = static_cast<std::uint32_t>(b.components.size());
      records.push_back(r);
    }
    surfaces_ = store_.copy_in(records, stream);
    dichroic_ = store_.copy_in(nodes, stream);
    store_.upload(stream);
  }

  detail::TableStore<Space> store_;
  ArenaPiece<SurfaceRef> surfaces_;  // in the store's arena
  ArenaPiece<DichroicNode> dichroic_;
  std::vector<std::string> names_;
};

}  // namespace chroma2
