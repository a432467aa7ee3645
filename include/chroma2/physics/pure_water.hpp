// SPDX-License-Identifier: BSD-3-Clause
// Pure liquid water from published measurements, for the built-in water Cherenkov detector: the
// refractive index (Daimon & Masumura 2007, 20 °C), the absorption length (Mason, Cone & Fry 2016
// joined at 550 nm to Pope & Fry 1997) and the Rayleigh scattering length (Einstein–Smoluchowski
// with Cabannes' factor). Vacuum wavelengths in nm, lengths in mm. The absorption coefficients are
// kept in m⁻¹ as published, so that every entry can be checked against its paper.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/physics/material.hpp"
#include "chroma2/physics/spectral_table.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <string>

namespace chroma2 {

// ---- Refractive index ------------------------------------------------------------------------

// M. Daimon and A. Masumura, "Measurement of the refractive index of distilled water from the
// near-infrared region to the ultraviolet region", Applied Optics 46(18), 3811–3820 (2007): their
// four-term Sellmeier fit at 20.0 °C, n² − 1 = Σ A_i λ² / (λ² − B_i), λ the vacuum wavelength in
// µm, B_i in µm². The index is absolute (relative to vacuum); the fit covers 182–1129 nm.
inline constexpr std::array<double, 4> daimon_masumura_2007_a = {5.684027565e-1, 1.726177391e-1,
                                                                 2.086189578e-2, 1.130748688e-1};
inline constexpr std::array<double, 4> daimon_masumura_2007_b_um2 = {5.101829712e-3, 1.821153936e-2,
                                                                     2.620722293e-2, 1.069792721e1};

// n of pure water at 20 °C and atmospheric pressure, for a vacuum wavelength in nm (182–1129).
inline double pure_water_refractive_index(double wavelength_nm) {
  if (!(wavelength_nm >= 182 && wavelength_nm <= 1129))
    fail("pure water refractive index asked at " + detail::format_number(wavelength_nm) + " nm",
         "the Daimon & Masumura fit covers 182–1129 nm", "ask within that range");
  const double l2 = (wavelength_nm * 1e-3) * (wavelength_nm * 1e-3);  // µm²
  double n2 = 1;
  for (std::size_t i = 0; i < 4; ++i)
    n2 += daimon_masumura_2007_a[i] * l2 / (l2 - daimon_masumura_2007_b_um2[i]);
  return std::sqrt(n2);
}

// ---- Absorption ----------------------------------------------------------------------------

// One published absorption coefficient: vacuum wavelength (nm) and a (m⁻¹).
struct WaterAbsorptionPoint {
  double wavelength_nm;
  double per_m;
};

// J. D. Mason, M. T. Cone and E. S. Fry, "Ultraviolet (250–550 nm) absorption spectrum of pure
// water", Applied Optics 55(25), 7163–7172 (2016), Table 2 (printed there in 10⁻³ m⁻¹). Integrating
// cavity, so scattering does not enter. Every 10 nm from 250 to 290 nm, every 2 nm from 300 to
// 550 nm; the minimum is 0.81 × 10⁻³ m⁻¹ at 344 nm.
inline constexpr std::array<WaterAbsorptionPoint, 131> mason_cone_fry_2016_absorption = {
    {{250, 0.05871}, {260, 0.0515},  {270, 0.04357}, {280, 0.0223},  {290, 0.00939}, {300, 0.00467},
     {302, 0.00433}, {304, 0.00356}, {306, 0.00313}, {308, 0.00275}, {310, 0.00236}, {312, 0.00205},
     {314, 0.00185}, {316, 0.00176}, {318, 0.00163}, {320, 0.00147}, {322, 0.00133}, {324, 0.00124},
     {326, 0.00118}, {328, 0.00112}, {330, 0.00107}, {332, 0.00101}, {334, 0.00099}, {336, 0.00095},
     {338, 0.00091}, {340, 0.00085}, {342, 0.00082}, {344, 0.00081}, {346, 0.00082}, {348, 0.00084},
     {350, 0.00089}, {352, 0.00094}, {354, 0.00097}, {356, 0.00098}, {358, 0.00099}, {360, 0.00106},
     {362, 0.00115}, {364, 0.0012},  {366, 0.00121}, {368, 0.00122}, {370, 0.00124}, {372, 0.00127},
     {374, 0.00129}, {376, 0.00133}, {378, 0.00137}, {380, 0.00143}, {382, 0.00147}, {384, 0.00151},
     {386, 0.00155}, {388, 0.00162}, {390, 0.0017},  {392, 0.00175}, {394, 0.00185}, {396, 0.00196},
     {398, 0.00208}, {400, 0.00222}, {402, 0.00237}, {404, 0.00248}, {406, 0.00257}, {408, 0.00259},
     {410, 0.00266}, {412, 0.00271}, {414, 0.0028},  {416, 0.00288}, {418, 0.003},   {420, 0.00312},
     {422, 0.00322}, {424, 0.00331}, {426, 0.00344}, {428, 0.00358}, {430, 0.00376}, {432, 0.00395},
     {434, 0.00417}, {436, 0.00442}, {438, 0.0048},  {440, 0.00522}, {442, 0.00574}, {444, 0.00626},
     {446, 0.00691}, {448, 0.00751}, {450, 0.00808}, {452, 0.00842}, {454, 0.00863}, {456, 0.00877},
     {458, 0.00893}, {460, 0.00909}, {462, 0.00933}, {464, 0.00955}, {466, 0.00979}, {468, 0.00999},
     {470, 0.0103},  {472, 0.01065}, {474, 0.011},   {476, 0.01138}, {478, 0.01177}, {480, 0.01214},
     {482, 0.01254}, {484, 0.01294}, {486, 0.01336}, {488, 0.01391}, {490, 0.0146},  {492, 0.01545},
     {494, 0.01648}, {496, 0.01774}, {498, 0.01926}, {500, 0.02073}, {502, 0.02242}, {504, 0.02424},
     {506, 0.02668}, {508, 0.02971}, {510, 0.033},   {512, 0.03569}, {514, 0.03738}, {516, 0.03821},
     {518, 0.03878}, {520, 0.03917}, {522, 0.03962}, {524, 0.04017}, {526, 0.04088}, {528, 0.04162},
     {530, 0.04242}, {532, 0.0433},  {534, 0.04436}, {536, 0.04541}, {538, 0.04645}, {540, 0.04754},
     {542, 0.04882}, {544, 0.0504},  {546, 0.05224}, {548, 0.05425}, {550, 0.05629}}};

// R. M. Pope and E. S. Fry, "Absorption spectrum (380–700 nm) of pure water. II. Integrating
// cavity measurements", Applied Optics 36(33), 8710–8723 (1997). Every 2.5 nm from 380 to
// 727.5 nm; the minimum is 0.0044 ± 0.0006 m⁻¹ near 418 nm.
inline constexpr std::array<WaterAbsorptionPoint, 140> pope_fry_1997_absorption = {
    {{380, 0.01137},   {382.5, 0.01044}, {385, 0.00941},   {387.5, 0.00917}, {390, 0.00851},
     {392.5, 0.00829}, {395, 0.00813},   {397.5, 0.00775}, {400, 0.00663},   {402.5, 0.00579},
     {405, 0.0053},    {407.5, 0.00503}, {410, 0.00473},   {412.5, 0.00452}, {415, 0.00444},
     {417.5, 0.00442}, {420, 0.00454},   {422.5, 0.00474}, {425, 0.00478},   {427.5, 0.00482},
     {430, 0.00495},   {432.5, 0.00504}, {435, 0.0053},    {437.5, 0.0058},  {440, 0.00635},
     {442.5, 0.00696}, {445, 0.00751},   {447.5, 0.0083},  {450, 0.00922},   {452.5, 0.00969},
     {455, 0.00962},   {457.5, 0.00957}, {460, 0.00979},   {462.5, 0.01005}, {465, 0.01011},
     {467.5, 0.0102},  {470, 0.0106},    {472.5, 0.0109},  {475, 0.0114},    {477.5, 0.0121},
     {480, 0.0127},    {482.5, 0.0131},  {485, 0.0136},    {487.5, 0.0144},  {490, 0.015},
     {492.5, 0.0162},  {495, 0.0173},    {497.5, 0.0191},  {500, 0.0204},    {502.5, 0.0228},
     {505, 0.0256},    {507.5, 0.028},   {510, 0.0325},    {512.5, 0.0372},  {515, 0.0396},
     {517.5, 0.0399},  {520, 0.0409},    {522.5, 0.0416},  {525, 0.0417},    {527.5, 0.0428},
     {530, 0.0434},    {532.5, 0.0447},  {535, 0.0452},    {537.5, 0.0466},  {540, 0.0474},
     {542.5, 0.0489},  {545, 0.0511},    {547.5, 0.0537},  {550, 0.0565},    {552.5, 0.0593},
     {555, 0.0596},    {557.5, 0.0606},  {560, 0.0619},    {562.5, 0.064},   {565, 0.0642},
     {567.5, 0.0672},  {570, 0.0695},    {572.5, 0.0733},  {575, 0.0772},    {577.5, 0.0836},
     {580, 0.0896},    {582.5, 0.0989},  {585, 0.11},      {587.5, 0.122},   {590, 0.1351},
     {592.5, 0.1516},  {595, 0.1672},    {597.5, 0.1925},  {600, 0.2224},    {602.5, 0.247},
     {605, 0.2577},    {607.5, 0.2629},  {610, 0.2644},    {612.5, 0.2665},  {615, 0.2678},
     {617.5, 0.2707},  {620, 0.2755},    {622.5, 0.281},   {625, 0.2834},    {627.5, 0.2904},
     {630, 0.2916},    {632.5, 0.2995},  {635, 0.3012},    {637.5, 0.3077},  {640, 0.3108},
     {642.5, 0.322},   {645, 0.325},     {647.5, 0.335},   {650, 0.34},      {652.5, 0.358},
     {655, 0.371},     {657.5, 0.393},   {660, 0.41},      {662.5, 0.424},   {665, 0.429},
     {667.5, 0.436},   {670, 0.439},     {672.5, 0.448},   {675, 0.448},     {677.5, 0.461},
     {680, 0.465},     {682.5, 0.478},   {685, 0.486},     {687.5, 0.502},   {690, 0.516},
     {692.5, 0.538},   {695, 0.559},     {697.5, 0.592},   {700, 0.624},     {702.5, 0.663},
     {705, 0.704},     {707.5, 0.756},   {710, 0.827},     {712.5, 0.914},   {715, 1.007},
     {717.5, 1.119},   {720, 1.231},     {722.5, 1.356},   {725, 1.489},     {727.5, 1.678}}};

// The join: Mason et al. up to and including this wavelength, Pope & Fry above it. Both come from
// the same laboratory's integrating cavities, but below 470 nm they disagree: Mason et al. are
// lower by a factor 8 at 380 nm, 3 at 400 nm, 1.5 at 420 nm, 1.14 at 450 nm and 1.08 at 460 nm,
// so a join anywhere in 380–420 nm would put a step of that size into the table. From 470 to
// 550 nm they agree within 5 %, at 550 nm within 0.4 % (0.05629 against 0.0565 m⁻¹). So the newer
// data are used wherever they exist and Pope & Fry beyond their end; nothing is averaged.
inline constexpr double pure_water_absorption_join_nm = 550;

// The joined absorption length, x = vacuum wavelength (nm, increasing, 250–727.5 nm, the
// published points), y = 1/a in mm (1000 / a[m⁻¹]).
inline SpectralTable pure_water_absorption_length() {
  SpectralTable t;
  for (const WaterAbsorptionPoint& p : mason_cone_fry_2016_absorption) {
    t.x.push_back(p.wavelength_nm);
    t.y.push_back(1000.0 / p.per_m);
  }
  for (const WaterAbsorptionPoint& p : pope_fry_1997_absorption)
    if (p.wavelength_nm > pure_water_absorption_join_nm) {
      t.x.push_back(p.wavelength_nm);
      t.y.push_back(1000.0 / p.per_m);
    }
  return t;
}

// ---- Rayleigh scattering ---------------------------------------------------------------------

// Boltzmann constant, J/K (exact in the 2019 SI).
inline constexpr double boltzmann_j_per_k = 1.380649e-23;

// Depolarisation ratio of water: R. S. Farinato and R. L. Rowell, "New values of the light
// scattering depolarization and anisotropy of water", J. Chem. Phys. 65(2), 593–595 (1976).
inline constexpr double pure_water_depolarisation_ratio = 0.039;

// Isothermal compressibility of pure water at atmospheric pressure, Pa⁻¹, for 273.15–313.15 K:
// κ_T = (5.062271 − 0.03179 t + 0.000407 t²) × 10⁻¹⁰ with t in °C, a fit to the measurements of
// F. K. Lepple and F. J. Millero, "The isothermal compressibility of seawater near one
// atmosphere", Deep-Sea Research 18(12), 1233–1254 (1971), at zero salinity (0–40 °C).
// 4.589 × 10⁻¹⁰ Pa⁻¹ at 20 °C, as G. S. Kell, J. Chem. Eng. Data 20(1), 97–105 (1975) gives.
inline double pure_water_isothermal_compressibility(double temperature_K) {
  if (!(temperature_K >= 273.15 && temperature_K <= 313.15))
    fail("pure water compressibility asked at " + detail::format_number(temperature_K) + " K",
         "the fit covers 273.15–313.15 K (0–40 °C)", "ask within that range");
  const double t = temperature_K - 273.15;
  return (5.062271 - 0.03179 * t + 0.000407 * t * t) * 1e-10;
}

// Rayleigh length (mm) of pure water: scattering by density fluctuations (Einstein–Smoluchowski)
// with Cabannes' factor for the anisotropic part,
//   1/L = (8π³ / 3λ⁴) k_B T κ_T [(n² − 1)(n² + 2) / 3]² (6 + 3δ) / (6 − 7δ),
// where (n² − 1)(n² + 2)/3 = ρ ∂ε/∂ρ from the Lorentz–Lorenz relation. n is the 20 °C index at
// any temperature (dn/dT ≈ −1e-4 K⁻¹ moves L by under 0.1 % per kelvin); κ_T follows T.
inline double pure_water_rayleigh_length_mm(double wavelength_nm, double temperature_K = 293.15) {
  constexpr double pi = 3.14159265358979323846;
  const double kappa = pure_water_isothermal_compressibility(temperature_K);
  const double n = pure_water_refractive_index(wavelength_nm);
  const double lambda_m = wavelength_nm * 1e-9;
  const double density_term = (n * n - 1) * (n * n + 2) / 3;
  const double delta = pure_water_depolarisation_ratio;
  const double per_m = 8 * pi * pi * pi / (3 * std::pow(lambda_m, 4)) * boltzmann_j_per_k *
                       temperature_K * kappa * density_term * density_term * (6 + 3 * delta) /
                       (6 - 7 * delta);
  return 1000.0 / per_m;
}

// The Rayleigh length at 20 °C on the wavelengths of pure_water_absorption_length().
inline SpectralTable pure_water_rayleigh_length() {
  SpectralTable t = pure_water_absorption_length();
  for (std::size_t i = 0; i < t.x.size(); ++i) t.y[i] = pure_water_rayleigh_length_mm(t.x[i]);
  return t;
}

// ---- The material ----------------------------------------------------------------------------

// Pure water at 20 °C from 200 to 700 nm. Index and Rayleigh length every 1 nm: linear
// interpolation then reproduces the index within 6e-6 (5 nm would leave 1.5e-4 near 200 nm,
// where the curvature is largest). The absorption length keeps the published points up to 700 nm,
// so it starts at 250 nm: below that neither paper has data, and photons there read the 250 nm
// value and are marked out_of_table.
inline MaterialSpec pure_water(const std::string& name = "water") {
  MaterialSpec m;
  m.name = name;
  for (int i = 0; i <= 500; ++i) {
    const double l = 200.0 + i;
    m.refractive_index.x.push_back(l);
    m.refractive_index.y.push_back(pure_water_refractive_index(l));
    m.scattering_length.x.push_back(l);
    m.scattering_length.y.push_back(pure_water_rayleigh_length_mm(l));
  }
  const SpectralTable a = pure_water_absorption_length();
  for (std::size_t i = 0; i < a.x.size() && a.x[i] <= 700; ++i) {
    m.absorption_length.x.push_back(a.x[i]);
    m.absorption_length.y.push_back(a.y[i]);
  }
  return m;
}

}  // namespace chroma2
