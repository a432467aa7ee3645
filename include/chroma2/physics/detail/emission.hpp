// SPDX-License-Identifier: BSD-3-Clause
// EmissionComponentRef: one reemission component on the device: its share, its emission spectrum
// (sampled exactly, optionally only at wavelengths at or above the absorbed one) and its delay
// (an exponential time constant, or a tabulated delay CDF).
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/physics/detail/inverse_cdf.hpp"
#include "chroma2/physics/spectral_table.hpp"

#include <cmath>
#include <cstdint>

namespace chroma2::detail {

struct EmissionComponentRef {
  InverseCdfRef spectrum;  // over λ (nm), or over E (eV) where in_energy
  InverseCdfRef delay;     // count 0: exponential with time_constant_ns
  float cumulative_share;  // shares of the material's components up to and including this one
  float time_constant_ns;
  std::uint32_t in_energy;

  // The emitted wavelength (nm) from u in (0, 1]. With energy conserved, u is mapped onto the part
  // of the spectrum at λ' >= absorbed_nm (u' in [F(λ), 1]); where the spectrum has nothing there,
  // the result is its longest wavelength. A NaN or non-positive absorbed wavelength is not
  // restricted. The final max() only absorbs float rounding at the boundary.
  CHROMA2_HD float wavelength(float absorbed_nm, bool conserve_energy, float u) const {
    const float hc = static_cast<float>(hc_ev_nm);
    if (!conserve_energy || !(absorbed_nm > 0)) {
      const float k = spectrum.sample(u);
      return in_energy ? hc / k : k;
    }
    float emitted;
    if (in_energy) {
      // λ' >= λ means E' <= E: u' in (0, F(E)].
      const float f = spectrum.cdf_at(hc / absorbed_nm);
      if (!(f > 0)) return hc / spectrum.key[0];
      emitted = hc / spectrum.sample(u * f);
    } else {
      const float f = spectrum.cdf_at(absorbed_nm);
      if (!(f < 1)) return spectrum.key[spectrum.count - 1];
      emitted = spectrum.sample(f + u * (1.0f - f));
    }
    return std::fmax(emitted, absorbed_nm);
  }

  // The delay (ns) from u in (0, 1].
  CHROMA2_HD float delay_ns(float u) const {
    if (delay.count) return delay.sample(u);
    return time_constant_ns > 0 ? exponential_from(u, time_constant_ns) : 0.0f;
  }
};

}  // namespace chroma2::detail
