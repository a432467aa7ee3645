// SPDX-License-Identifier: BSD-3-Clause
// How a source picks each photon's wavelength (nm): fixed, uniform in a range, or drawn from a
// tabulated spectrum. WavelengthSpec is what a source holds (trivially copyable); Spectrum<Space>
// is the host owner that checks a table of relative intensity and stores its inverse CDF in Space.
#pragma once

#include "chroma2/config/arena.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/physics/detail/inverse_cdf.hpp"
#include "chroma2/physics/detail/piecewise_linear.hpp"
#include "chroma2/physics/spectral_table.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace chroma2 {

// A normalised spectrum bound to its storage: exact inverse-CDF sampling of a piecewise-linear
// density (physics/detail/inverse_cdf.hpp). The density is per nm, or per eV where in_energy (a
// Geant4-style table), in which case the sampled energy is converted to λ = hc/E.
struct SpectrumRef {
  detail::InverseCdfRef cdf{};
  std::uint32_t in_energy = 0;

  CHROMA2_HD bool bound() const { return cdf.count >= 2 && cdf.key && cdf.cdf && cdf.guide; }
  // The wavelength (nm) of probability u in (0, 1].
  CHROMA2_HD float sample(float u) const {
    const float k = cdf.sample(u);
    return in_energy ? static_cast<float>(hc_ev_nm) / k : k;
  }
};

// Draws per photon: none for a fixed wavelength, one uniform otherwise.
struct WavelengthSpec {
  enum class Kind : std::uint32_t { fixed, uniform, tabulated };
  Kind kind = Kind::fixed;
  float lo_nm = 0.0f;  // fixed: the wavelength; uniform: the low end
  float hi_nm = 0.0f;  // uniform: the high end
  SpectrumRef spectrum{};

  static constexpr WavelengthSpec fixed(float nm) { return {Kind::fixed, nm, nm, {}}; }
  // Uniform in [lo_nm, hi_nm] (in wavelength, not in energy).
  static constexpr WavelengthSpec uniform(float lo_nm, float hi_nm) {
    return {Kind::uniform, lo_nm, hi_nm, {}};
  }
  // Drawn from a spectrum built by Spectrum<Space> (whose storage must outlive every expansion).
  static constexpr WavelengthSpec tabulated(SpectrumRef s) { return {Kind::tabulated, 0, 0, s}; }

  template <class Rng>
  CHROMA2_HD float sample(Rng& rng) const {
    if (kind == Kind::fixed) return lo_nm;
    const float u = rng.uniform();
    if (kind == Kind::uniform) return uniform_between(lo_nm, hi_nm, u);
    return spectrum.sample(u);
  }
};

static_assert(std::is_trivially_copyable_v<SpectrumRef>);
static_assert(std::is_trivially_copyable_v<WavelengthSpec>);

// Throws a chroma2::Error naming `owner` ("beam source") when the spec cannot give a positive,
// finite wavelength: a fixed or uniform wavelength <= 0 or not finite, lo > hi, or a tabulated
// spectrum with no table bound.
inline void validate(const WavelengthSpec& w, std::string_view owner = "source") {
  const std::string who(owner);
  const auto nm = [](float v) { return detail::format_number(v) + " nm"; };
  switch (w.kind) {
    case WavelengthSpec::Kind::fixed:
      if (!std::isfinite(w.lo_nm) || !(w.lo_nm > 0))
        fail(who + " wavelength " + nm(w.lo_nm) + " is not a positive finite number",
             "a photon's wavelength is in nm and above 0",
             "give the source a wavelength, e.g. WavelengthSpec::fixed(420)");
      return;
    case WavelengthSpec::Kind::uniform:
      if (!std::isfinite(w.lo_nm) || !std::isfinite(w.hi_nm) || !(w.lo_nm > 0))
        fail(who + " wavelength range [" + nm(w.lo_nm) + ", " + nm(w.hi_nm) +
                 "] is not within positive finite numbers",
             "a photon's wavelength is in nm and above 0", "give a range such as [300, 600] nm");
      if (w.lo_nm > w.hi_nm)
        fail(who + " wavelength range has lo = " + nm(w.lo_nm) + " above hi = " + nm(w.hi_nm),
             "the range is [lo, hi]", "swap the two ends");
      return;
    case WavelengthSpec::Kind::tabulated:
      if (!w.spectrum.bound())
        fail(who + " wavelength spectrum has no table bound",
             "a tabulated wavelength needs the storage of a Spectrum",
             "build a Spectrum<Space> from the table and pass its wavelengths()");
      return;
  }
  fail(who + " wavelength kind " + std::to_string(static_cast<std::uint32_t>(w.kind)) +
           " is unknown",
       "the kinds are fixed, uniform and tabulated", "build it with WavelengthSpec's functions");
}

// The owner of a source spectrum: a table of relative intensity against wavelength (nm; or per
// unit energy against eV, as Geant4 tables are) checked and turned into an inverse CDF on the host,
// stored in Space. Host-only, move-only; the ref stays valid for the owner's lifetime (moves
// included). The checks: at least 2 entries, finite values, a strictly monotonic grid (either
// direction, as every SpectralTable), positive wavelengths or energies, no negative intensity and
// a positive total; each failure names the spectrum and the offending entry.
template <class Space>
class Spectrum {
 public:
  Spectrum() = default;
  explicit Spectrum(const SpectralTable& table, const std::string& name = "spectrum",
                    Stream stream = {}) {
    const TableLabel label{"source spectrum '" + name + "'", "intensity", ""};
    validate_spectral_table(table, label);
    const std::string fix = "correct the table of " + label.owner;
    for (std::size_t i = 0; i < table.x.size(); ++i)
      if (!(table.x[i] > 0))
        fail(detail::describe_entry(table, label, i) + " has a wavelength <= 0",
             "wavelengths are positive lengths in nm", fix);
    check_entries(
        table, label, [](double y) { return y >= 0; }, "a relative intensity cannot be negative");
    const detail::PiecewiseLinear density = detail::make_piecewise_linear(table, label);
    const detail::InverseCdfTable t = detail::inverse_cdf_of_density(density, label);
    lo_nm_ = density.lo_nm();
    hi_nm_ = density.hi_nm();
    upload(t, density.in_energy, stream);
  }

  SpectrumRef ref() const { return ref_; }
  WavelengthSpec wavelengths() const { return WavelengthSpec::tabulated(ref_); }
  // The wavelength range the spectrum covers (nm).
  double lo_nm() const { return lo_nm_; }
  double hi_nm() const { return hi_nm_; }

 private:
  void upload(const detail::InverseCdfTable& t, bool in_energy, Stream stream) {
    const std::size_t n = t.key.size();
    std::vector<float> staging;
    staging.reserve(3 * n);
    staging.insert(staging.end(), t.key.begin(), t.key.end());
    staging.insert(staging.end(), t.cdf.begin(), t.cdf.end());
    staging.insert(staging.end(), t.density.begin(), t.density.end());
    ArenaPlan plan;
    plan.add<float>(staging.size()).add<std::uint32_t>(t.guide.size());
    arena_ = Arena<Space>(plan, "spectrum", stream);
    floats_ = arena_.copy_in(std::span<const float>(staging), stream);
    guide_ = arena_.copy_in(std::span<const std::uint32_t>(t.guide), stream);
    Space::synchronize(stream);
    const float* base = floats_.data();
    ref_.cdf = t.bind(base, base + n, base + 2 * n, guide_.data());
    ref_.in_energy = in_energy ? 1u : 0u;
  }

  Arena<Space> arena_;  // the inverse CDF's floats and guide, one allocation
  ArenaPiece<float> floats_;
  ArenaPiece<std::uint32_t> guide_;
  SpectrumRef ref_{};
  double lo_nm_ = 0, hi_nm_ = 0;
};

}  // namespace chroma2
