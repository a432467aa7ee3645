// SPDX-License-Identifier: BSD-3-Clause
// Materials: MaterialSpec describes one on the host (tables of wavelength in nm or energy in eV,
// lengths in mm, times in ns); MaterialSet<Space> checks, resamples and stores a list of them once;
// MaterialsRef is what kernels see: optical properties and re-emission by material id.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/physics/detail/emission.hpp"
#include "chroma2/physics/detail/group_index.hpp"
#include "chroma2/physics/detail/inverse_cdf.hpp"
#include "chroma2/physics/detail/piecewise_linear.hpp"
#include "chroma2/physics/detail/table_store.hpp"
#include "chroma2/physics/spectral_table.hpp"
#include "chroma2/physics/uniform_table.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chroma2 {

// Speed of light in vacuum, mm/ns: the group velocity is c / n_g.
inline constexpr double speed_of_light_mm_per_ns = 299.792458;

// One way a material re-emits an absorbed photon.
struct ReemissionComponent {
  double share = 1;  // probability of this component; a material's shares sum to 1
  // Relative emission intensity (>= 0, any normalisation) per unit wavelength, or per unit energy
  // for an eV table; sampled in its own variable, as the table is interpolated in it.
  SpectralTable spectrum;
  double time_constant_ns = 0;  // exponential delay; 0 = prompt
  // If given, the delay distribution instead: x = delay in ns (the unit field is ignored),
  // y = cumulative probability in [0, 1], non-decreasing, ending at 1; y[0] > 0 puts that
  // probability on the first time. Linear between nodes.
  std::optional<SpectralTable> time_cdf;
};

struct MaterialSpec {
  std::string name;
  SpectralTable refractive_index;   // >= 1; required
  SpectralTable absorption_length;  // mm, > 0; empty (no entries) = never absorbed
  SpectralTable scattering_length;  // mm, > 0, Rayleigh; empty = never scattered
  std::optional<SpectralTable> reemission_probability;  // per absorption, in [0, 1]; absent = 0
  std::vector<ReemissionComponent> reemission;
  bool reemission_conserves_energy = true;  // re-emit only at λ' >= λ
};

struct MaterialProperties {
  float refractive_index;
  float group_velocity;     // mm/ns
  float absorption_length;  // mm, +inf if none
  float scattering_length;  // mm, +inf if none
  float reemission_probability;
  bool out_of_table;  // the wavelength was outside a table's range (values clamped to its end)
};

struct Reemission {
  float wavelength_nm;
  float delay_ns;
};

namespace detail {

// Re-emission from a block of emission components (a material's, or a surface's): the component
// by share, then its wavelength and delay. Always draws three uniforms (component, wavelength,
// delay) so that the stream advances the same way whatever is drawn; with no components the
// absorbed wavelength comes back with no delay.
template <class Rng>
CHROMA2_HD Reemission reemit_from(const EmissionComponentRef* components, std::uint32_t first,
                                  std::uint32_t count, bool conserve_energy, float wavelength_nm,
                                  Rng& rng) {
  const float u_component = rng.uniform();
  const float u_wavelength = rng.uniform();
  const float u_delay = rng.uniform();
  if (count == 0) return {wavelength_nm, 0.0f};
  std::uint32_t c = first;
  while (c < first + count - 1 && components[c].cumulative_share < u_component) ++c;
  return {components[c].wavelength(wavelength_nm, conserve_energy, u_wavelength),
          components[c].delay_ns(u_delay)};
}

}  // namespace detail

// One material's tables as kernels see them.
struct MaterialTablesRef {
  UniformTableRef refractive_index;
  UniformTableRef group_index;  // n − λ·dn/dλ
  UniformTableRef absorption_length;
  UniformTableRef scattering_length;
  UniformTableRef reemission_probability;
  std::uint32_t first_component, component_count;
  std::uint32_t conserves_energy;
};

// Lookups are O(1) per table on a uniform grid, a binary search for a table kept on its nodes
// (see UniformTable). The out_of_table flag asks the caller to mark the photon's history.
struct MaterialsRef {
  const MaterialTablesRef* materials;
  const detail::EmissionComponentRef* components;
  std::int32_t count;

  CHROMA2_HD MaterialProperties properties(std::int32_t material, float wavelength_nm) const {
    CHROMA2_EXPECT(material >= 0 && material < count, "material id out of range");
    const MaterialTablesRef& m = materials[material];
    bool out = false;
    MaterialProperties p;
    p.refractive_index = m.refractive_index(wavelength_nm, out);
    p.group_velocity =
        static_cast<float>(speed_of_light_mm_per_ns) / m.group_index(wavelength_nm, out);
    p.absorption_length = m.absorption_length(wavelength_nm, out);
    p.scattering_length = m.scattering_length(wavelength_nm, out);
    p.reemission_probability = m.reemission_probability(wavelength_nm, out);
    p.out_of_table = out;
    return p;
  }

  // Re-emission after an absorption at wavelength_nm: the component by share, the wavelength by
  // inverting the component's spectrum CDF exactly (quadratic within an interval of its
  // piecewise-linear density; the interval from a guide table, O(1) on average; accurate to float
  // rounding), restricted to λ' >= wavelength_nm where the material conserves energy (the
  // spectrum's longest wavelength when it has nothing there), and the delay from the time
  // constant or the time CDF. Always draws three uniforms (component, wavelength, delay) so that
  // the stream advances the same way whatever is drawn (detail::reemit_from). A material without
  // components returns the absorbed wavelength and no delay.
  template <class Rng>
  CHROMA2_HD Reemission reemit(std::int32_t material, float wavelength_nm, Rng& rng) const {
    CHROMA2_EXPECT(material >= 0 && material < count, "material id out of range");
    const MaterialTablesRef& m = materials[material];
    return detail::reemit_from(components, m.first_component, m.component_count,
                               m.conserves_energy != 0, wavelength_nm, rng);
  }
};

// What resampling chose for one table (for reports and tests).
struct TableReport {
  std::string material, property;
  std::uint32_t points;  // grid points, original nodes where !uniform, 0 for a constant
  bool uniform;
  double max_relative_error;  // swept against the input table's own interpolation
};

namespace detail {

struct BuiltMaterial {
  UniformTable refractive_index, group_index, absorption_length, scattering_length,
      reemission_probability;
  std::vector<BuiltComponent> components;
  bool conserves_energy;
};

inline bool is_absent(const SpectralTable& t) { return t.x.empty() && t.y.empty(); }

inline std::string property_of_component(std::size_t c, const char* what) {
  return "reemission[" + std::to_string(c) + "]." + what;
}

// A delay CDF: times >= 0, probabilities in [0, 1] non-decreasing in time, ending at 1.
inline InverseCdfTable build_time_cdf(SpectralTable t, const TableLabel& label) {
  t.unit = SpectralUnit::nanometre;  // x is a time: no energy conversion, whatever the field says
  check_entries(
      t, label, [](double y) { return y >= 0 && y <= 1; },
      "a cumulative probability lies in [0, 1]");
  const PiecewiseLinear cdf = make_piecewise_linear(t, label);
  if (cdf.key.front() < 0)
    fail(label.owner + " " + label.property + " starts at a delay of " +
             format_number(cdf.key.front()) + " ns",
         "a delay is not negative", "start the time grid at 0 or later");
  const bool increasing = t.x[1] > t.x[0];
  for (std::size_t i = 1; i < t.y.size(); ++i) {
    const double before = t.y[increasing ? i - 1 : i], after = t.y[increasing ? i : i - 1];
    if (after < before)
      fail(describe_entry(t, label, i) + " makes the CDF decrease",
           "a cumulative distribution never decreases with time",
           "correct the table of " + label.owner);
  }
  if (std::fabs(cdf.value.back() - 1.0) > 1e-6)
    fail(label.owner + " " + label.property + " ends at " + format_number(cdf.value.back()),
         "a cumulative distribution reaches 1 at its last time", "end the table at 1");
  return inverse_cdf_of_cdf(cdf);
}

inline std::vector<BuiltComponent> build_components(const MaterialSpec& spec,
                                                    const std::string& owner) {
  std::vector<BuiltComponent> out;
  std::vector<double> partial;  // running sums of the shares
  double sum = 0;
  for (std::size_t c = 0; c < spec.reemission.size(); ++c) {
    const ReemissionComponent& rc = spec.reemission[c];
    if (!std::isfinite(rc.share) || rc.share < 0)
      fail(owner + " " + property_of_component(c, "share") + " is " + format_number(rc.share),
           "a share is a probability", "give a share in [0, 1]");
    if (!std::isfinite(rc.time_constant_ns) || rc.time_constant_ns < 0)
      fail(owner + " " + property_of_component(c, "time_constant_ns") + " is " +
               format_number(rc.time_constant_ns),
           "a time constant is finite and not negative", "give 0 for prompt emission");
    if (rc.time_cdf && rc.time_constant_ns != 0)
      fail(owner + " " + property_of_component(c, "time_cdf") + " is given with a time constant",
           "a component's delay comes from one of them",
           "set time_constant_ns to 0 or drop the CDF");
    const TableLabel spectrum_label{owner, property_of_component(c, "spectrum"), ""};
    check_entries(
        rc.spectrum, spectrum_label, [](double y) { return y >= 0; },
        "an emission intensity is not negative");
    BuiltComponent b;
    b.spectrum =
        inverse_cdf_of_density(make_piecewise_linear(rc.spectrum, spectrum_label), spectrum_label);
    if (rc.time_cdf)
      b.delay = build_time_cdf(*rc.time_cdf, {owner, property_of_component(c, "time_cdf"), "ns"});
    sum += rc.share;
    partial.push_back(sum);
    b.time_constant_ns = static_cast<float>(rc.time_constant_ns);
    b.in_energy = rc.spectrum.unit == SpectralUnit::electronvolt;
    out.push_back(std::move(b));
  }
  if (!out.empty() && std::fabs(sum - 1.0) > 1e-6)
    fail(owner + " reemission shares sum to " + format_number(sum),
         "the components' shares are probabilities of one choice and must sum to 1 (within 1e-6)",
         "rescale the shares");
  // From the last component that can be drawn onwards the cumulative share is exactly 1, so u = 1
  // never lands on a trailing component of share 0.
  std::size_t last_drawn = 0;
  for (std::size_t c = 0; c < out.size(); ++c) {
    out[c].cumulative_share = static_cast<float>(partial[c] / sum);
    if (spec.reemission[c].share > 0) last_drawn = c;
  }
  for (std::size_t c = last_drawn; c < out.size(); ++c) out[c].cumulative_share = 1.0f;
  return out;
}

inline UniformTable build_length(const SpectralTable& t, const TableLabel& label,
                                 const ResampleOptions& options) {
  if (is_absent(t)) return UniformTable::constant(std::numeric_limits<float>::infinity());
  check_entries(
      t, label, [](double y) { return y > 0; },
      "a length is positive (mm); leave the table empty for an infinite one");
  return make_uniform_table(t, label, options);
}

inline BuiltMaterial build_material(const MaterialSpec& spec, const ResampleOptions& options,
                                    std::vector<std::string>& warnings) {
  const std::string owner = "material '" + spec.name + "'";
  BuiltMaterial m;
  const TableLabel index_label{owner, "refractive_index", ""};
  if (is_absent(spec.refractive_index))
    fail(owner + " has no refractive_index table", "every material needs one",
         "give at least two entries");
  check_entries(
      spec.refractive_index, index_label, [](double y) { return y >= 1; },
      "a refractive index below 1 is not supported");
  const PiecewiseLinear n = make_piecewise_linear(spec.refractive_index, index_label);
  m.refractive_index = resample(n, options);
  const GroupIndex ng = group_index(n);
  for (std::size_t i = 0; i < ng.table.size(); ++i)
    if (!(ng.table.value[i] > 0))
      fail(owner + " has a group index of " + format_number(ng.table.value[i]) + " at node " +
               std::to_string(i),
           "the group velocity c / n_g must be positive", "smooth the refractive index");
  if (!ng.anomalous.empty()) {
    std::string where;
    for (std::size_t k = 0; k < ng.anomalous_nm.size() && k < 5; ++k)
      where += (k ? ", " : "") + format_number(ng.anomalous_nm[k]) + " nm";
    if (ng.anomalous_nm.size() > 5) where += ", ...";
    warnings.push_back(owner +
                       ": refractive index rises with wavelength (anomalous dispersion) at " +
                       std::to_string(ng.anomalous.size()) + " node(s) (" + where +
                       "); the group velocity there is the phase velocity c/n");
  }
  m.group_index = resample(ng.table, options);
  m.absorption_length =
      build_length(spec.absorption_length, {owner, "absorption_length", ""}, options);
  m.scattering_length =
      build_length(spec.scattering_length, {owner, "scattering_length", ""}, options);
  bool reemits = false;
  if (spec.reemission_probability) {
    const TableLabel label{owner, "reemission_probability", ""};
    check_entries(
        *spec.reemission_probability, label, [](double y) { return y >= 0 && y <= 1; },
        "a probability lies in [0, 1]");
    m.reemission_probability = make_uniform_table(*spec.reemission_probability, label, options);
    for (double y : spec.reemission_probability->y) reemits = reemits || y > 0;
  } else {
    m.reemission_probability = UniformTable::constant(0.0f);
  }
  m.components = build_components(spec, owner);
  if (reemits && m.components.empty())
    fail(owner + " has a positive reemission_probability but no reemission components",
         "a re-emitted photon needs a spectrum", "add a ReemissionComponent");
  if (!spec.reemission.empty() && !spec.reemission_probability)
    warnings.push_back(owner +
                       ": reemission components without a reemission_probability are "
                       "never used");
  m.conserves_energy = spec.reemission_conserves_energy;
  return m;
}

}  // namespace detail

// The owner of a list of materials in one memory space (Host, or Device under nvcc): material id
// = index in the list. Everything is checked and resampled on the host when it is built, then
// copied once; warnings() collects what was accepted but deserves a look (a line per material and
// issue).
template <class Space>
class MaterialSet {
 public:
  MaterialSet() = default;
  explicit MaterialSet(const std::vector<MaterialSpec>& specs, Stream stream = {},
                       const ResampleOptions& options = {}) {
    if (specs.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      fail(std::to_string(specs.size()) + " materials", "material ids are 32-bit",
           "use fewer materials");
    std::vector<detail::BuiltMaterial> built;
    for (const MaterialSpec& s : specs) {
      for (const std::string& n : names_)
        if (n == s.name)
          fail("material '" + s.name + "' is given twice", "names identify materials",
               "give each material its own name");
      names_.push_back(s.name);
      built.push_back(detail::build_material(s, options, warnings_));
      report(s.name, built.back());
    }
    upload(built, stream);
  }

  MaterialsRef ref() const {
    return {materials_.data(), store_.components(), static_cast<std::int32_t>(names_.size())};
  }
  std::int32_t size() const { return static_cast<std::int32_t>(names_.size()); }
  const std::string& name(std::int32_t id) const { return names_.at(static_cast<std::size_t>(id)); }
  std::int32_t id(std::string_view name) const {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return static_cast<std::int32_t>(i);
    fail("no material named '" + std::string(name) + "'",
         std::to_string(names_.size()) + " materials are defined", "check the name");
  }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<TableReport>& tables() const { return tables_; }
  std::size_t bytes() const { return store_.bytes(); }

 private:
  void report(const std::string& material, const detail::BuiltMaterial& m) {
    auto add = [&](const char* property, const UniformTable& t) {
      tables_.push_back({material, property, t.points(), t.is_uniform(), t.max_relative_error});
    };
    add("refractive_index", m.refractive_index);
    add("group_index", m.group_index);
    add("absorption_length", m.absorption_length);
    add("scattering_length", m.scattering_length);
    add("reemission_probability", m.reemission_probability);
  }

  void upload(const std::vector<detail::BuiltMaterial>& built, Stream stream) {
    const auto tables = [](const detail::BuiltMaterial& m) {
      return std::array<const UniformTable*, 5>{&m.refractive_index, &m.group_index,
                                                &m.absorption_length, &m.scattering_length,
                                                &m.reemission_probability};
    };
    for (const auto& m : built) {
      for (const UniformTable* t : tables(m)) store_.count(*t);
      store_.count(m.components);
    }
    store_.allocate(stream, "material tables",
                    [&](ArenaPlan& p) { p.add<MaterialTablesRef>(built.size()); });
    std::vector<MaterialTablesRef> records;
    for (const auto& m : built) {
      MaterialTablesRef r;
      r.refractive_index = store_.place(m.refractive_index);
      r.group_index = store_.place(m.group_index);
      r.absorption_length = store_.place(m.absorption_length);
      r.scattering_length = store_.place(m.scattering_length);
      r.reemission_probability = store_.place(m.reemission_probability);
      r.first_component = store_.place(m.components);
      r.component_count = static_cast<std::uint32_t>(m.components.size());
      r.conserves_energy = m.conserves_energy ? 1u : 0u;
      records.push_back(r);
    }
    materials_ = store_.copy_in(records, stream);
    store_.upload(stream);
  }

  detail::TableStore<Space> store_;
  ArenaPiece<MaterialTablesRef> materials_;  // in the store's arena
  std::vector<std::string> names_;
  std::vector<std::string> warnings_;
  std::vector<TableReport> tables_;
};

}  // namespace chroma2
