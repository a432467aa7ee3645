// SPDX-License-Identifier: BSD-3-Clause
// Turning random words into physics: uniform floats on (0,1] (never 0, so an exponential distance
// is always finite), exponential distances, isotropic unit vectors, and unit vectors
// perpendicular to a given one. PhotonRng draws one photon's stream block by block.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/vec.hpp"

#include <cmath>
#include <cstdint>

namespace chroma2 {

inline constexpr float two_pi = 6.283185307179586f;

// (0,1]: the top 24 bits plus one, times 2^-24. Exact in float, identical on every backend.
CHROMA2_HD constexpr float uniform_open0_closed1(std::uint32_t u) {
  return static_cast<float>((u >> 8) + 1u) * (1.0f / 16777216.0f);
}

// Exponential with the given mean (e.g. an absorption length in mm); finite because u > 0.
CHROMA2_HD inline float exponential_from(float u, float mean) { return -mean * std::log(u); }

// Uniform in [lo, hi] from a uniform on (0,1] (never above hi after rounding).
CHROMA2_HD inline float uniform_between(float lo, float hi, float u) {
  return std::fmin(lo + (hi - lo) * u, hi);
}

// Isotropic unit vector from two uniforms on (0,1].
CHROMA2_HD inline Vec3 isotropic_from(float u1, float u2) {
  const float cos_theta = 1.0f - 2.0f * u1;  // [-1, 1)
  const float sin_theta = std::sqrt(std::fmax(0.0f, (1.0f - cos_theta) * (1.0f + cos_theta)));
  const float phi = two_pi * u2;
  return {sin_theta * std::cos(phi), sin_theta * std::sin(phi), cos_theta};
}

// An orthonormal pair (e1, e2) perpendicular to the unit vector n, continuous except at z = -0
// (branch-free construction of Duff et al., JCGT 2017).
struct OrthonormalBasis {
  Vec3 e1, e2;
};
CHROMA2_HD inline OrthonormalBasis basis_around(Vec3 n) {
  const float sign = std::copysign(1.0f, n.z);
  const float a = -1.0f / (sign + n.z);
  const float b = n.x * n.y * a;
  return {{1.0f + sign * n.x * n.x * a, sign * b, -sign * n.x}, {b, sign + n.y * n.y * a, -n.y}};
}

// Unit vector perpendicular to the unit vector n at azimuth 2π·u around it.
CHROMA2_HD inline Vec3 perpendicular_from(Vec3 n, float u) {
  const OrthonormalBasis b = basis_around(n);
  const float phi = two_pi * u;
  const Vec3 p = std::cos(phi) * b.e1 + std::sin(phi) * b.e2;
  return normalize(p);
}

// One photon's random stream: key plus a counter of the words drawn so far. Words come four to a
// Philox block (block k holds words 4k..4k+3). The counter is the photon's state (stored in its
// page slot); the buffered block is not, so a stream resumed mid-block draws that block again:
// resuming is exact at any word, and a photon's draws do not depend on where its steps were
// split into visits, launches or threads.
template <RngPolicy Policy>
class PhotonRng {
 public:
  CHROMA2_HD PhotonRng(Policy policy, RngKey key, std::uint32_t counter)
      : policy_(policy), key_(key), word_(counter) {}

  // The buffered words are picked by a select chain, not by indexing an array with a run-time
  // position: indexing would put the buffer (and with it the photon that owns the stream) in
  // local memory on the device.
  CHROMA2_HD std::uint32_t next_u32() {
    const std::uint32_t at = word_ & 3u;
    if (at == 0 || !buffered_) {
      const RngBlock b = policy_.draw(key_, word_ >> 2);
      w0_ = b.w[0];
      w1_ = b.w[1];
      w2_ = b.w[2];
      w3_ = b.w[3];
      buffered_ = true;
    }
    ++word_;
    return at == 0 ? w0_ : at == 1 ? w1_ : at == 2 ? w2_ : w3_;
  }
  CHROMA2_HD float uniform() { return uniform_open0_closed1(next_u32()); }
  CHROMA2_HD float exponential(float mean) { return exponential_from(uniform(), mean); }
  CHROMA2_HD Vec3 isotropic() {
    const float u1 = uniform();
    const float u2 = uniform();
    return isotropic_from(u1, u2);
  }
  CHROMA2_HD Vec3 perpendicular_to(Vec3 n) { return perpendicular_from(n, uniform()); }
  // The counter to store back: the words drawn so far (the next word's index).
  CHROMA2_HD std::uint32_t counter() const { return word_; }

 private:
  Policy policy_;
  RngKey key_;
  std::uint32_t word_;
  std::uint32_t w0_ = 0, w1_ = 0, w2_ = 0, w3_ = 0;
  bool buffered_ = false;  // w0_..w3_ hold block word_ >> 2 (when word_ is not a multiple of 4)
};

}  // namespace chroma2
