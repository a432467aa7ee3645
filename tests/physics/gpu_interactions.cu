// SPDX-License-Identifier: BSD-3-Clause
// The statistical tests of the optical interactions on the GPU: the bodies of
// interaction_bodies.hpp with a DeviceExecutor, which draws each sample in a kernel thread from
// its own stream and copies the samples back; the statistics and assertions are the host tests'.
#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/memory.hpp"
#include "interaction_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

using namespace chroma2;
using namespace chroma2::test::interaction;

namespace {

template <class F, class T>
__global__ void sample_kernel(std::uint64_t n, SampleStreams streams, F f, T* out) {
  for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::uint64_t(gridDim.x) * blockDim.x) {
    Rng rng = streams.of_sample(i);
    out[i] = f(i, rng);
  }
}

// Samples 0..n-1, one kernel thread each, sample i drawing from streams.of_sample(i).
struct DeviceExecutor {
  template <class F>
  std::vector<SampleOf<F>> operator()(std::size_t n, SampleStreams streams, F f) const {
    static_assert(valid_sampler<F>, "return a trivially copyable record (std::uint8_t, not bool)");
    using T = SampleOf<F>;
    std::vector<T> out(n);
    if (n == 0) return out;
    Buffer<T, Device> samples_on_device(n);
    const unsigned block = 256;
    const auto grid = static_cast<unsigned>(std::min<std::size_t>((n + block - 1) / block, 4096));
    sample_kernel<<<grid, block>>>(n, streams, f, samples_on_device.data());
    CHROMA2_CUDA_CHECK_LAUNCH();
    Device::copy_to_host(out.data(), samples_on_device.data(), samples_on_device.bytes());
    CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
    return out;
  }
};

}  // namespace

TEST_CASE("GPU: The fraction of 1e6 photons reflected equals R (binomial z-test)",
          "[physics][fresnel][gpu][stats]") {
  check_fresnel_reflected_fractions(DeviceExecutor{});
}

TEST_CASE("GPU: Random boundaries always give unit, transverse, finite beams obeying Snell's law",
          "[physics][fresnel][gpu][stats]") {
  check_random_boundaries(DeviceExecutor{});
}

TEST_CASE("GPU: Rayleigh scattering of unpolarised light follows 1 + cos^2 theta (chi-square)",
          "[physics][scattering][rayleigh][gpu][stats]") {
  check_rayleigh_unpolarised(DeviceExecutor{});
}

TEST_CASE("GPU: Rayleigh scattering of polarised light follows sin^2 psi about the polarisation",
          "[physics][scattering][rayleigh][gpu][stats]") {
  check_rayleigh_polarised(DeviceExecutor{});
}

TEST_CASE(
    "GPU: Rayleigh-scattered unpolarised light has <(e'.n)^2> = 1/(1 + cos^2 theta) per angle bin",
    "[physics][scattering][rayleigh][gpu][stats]") {
  check_rayleigh_plane_polarisation(DeviceExecutor{});
}

TEST_CASE("GPU: Rayleigh's new polarisation is the projection of the old one, unit and transverse",
          "[physics][scattering][rayleigh][gpu][stats]") {
  check_rayleigh_projection(DeviceExecutor{});
}

TEST_CASE("GPU: Henyey-Greenstein scattering has mean cosine g and the HG density (chi-square)",
          "[physics][scattering][hg][gpu][stats]") {
  check_henyey_greenstein(DeviceExecutor{});
}

TEST_CASE("GPU: Lambertian reflection follows the cosine law: sin^2 theta is uniform (KS)",
          "[physics][scattering][lambertian][gpu][stats]") {
  check_lambertian(DeviceExecutor{});
}

TEST_CASE("GPU: UNIFIED facet tilts follow exp(-a^2/2s^2) sin a on (0, pi/2) with uniform azimuth",
          "[physics][surface][unified][gpu][stats]") {
  check_facet_tilts(DeviceExecutor{});
}

TEST_CASE("GPU: UNIFIED reflected directions match a numerical integration of the facet model",
          "[physics][surface][unified][gpu][stats]") {
  check_unified_directions(DeviceExecutor{});
}

TEST_CASE("GPU: UNIFIED with a tiny sigma_alpha converges to the polished dielectric",
          "[physics][surface][unified][gpu][stats]") {
  check_unified_tiny_sigma(DeviceExecutor{});
}

TEST_CASE("GPU: Reflection types are chosen with their probabilities and go where they should",
          "[physics][surface][unified][gpu][stats]") {
  check_reflection_types(DeviceExecutor{});
}

TEST_CASE(
    "GPU: The full UNIFIED interaction leaves every photon on the side it claims, unit and "
    "transverse",
    "[physics][surface][unified][gpu][stats]") {
  check_full_unified(DeviceExecutor{});
}

TEST_CASE(
    "GPU: Front paint reflects with its reflectivity, specularly or diffusely, never transmits",
    "[physics][surface][painted][gpu][stats]") {
  check_front_paint(DeviceExecutor{});
}

TEST_CASE("GPU: Polished back paint: fractions follow Fresnel in, paint, Fresnel out, repeated",
          "[physics][surface][painted][gpu][stats]") {
  check_polished_back_paint(DeviceExecutor{});
}

TEST_CASE("GPU: Ground back paint: fractions follow Fresnel in, Lambertian paint, mean Fresnel out",
          "[physics][surface][painted][gpu][stats]") {
  check_ground_back_paint(DeviceExecutor{});
}

TEST_CASE(
    "GPU: A metal reflects with its reflectivity; absorbed photons are detected with the "
    "efficiency",
    "[physics][surface][metal][gpu][stats]") {
  check_metal(DeviceExecutor{});
}

TEST_CASE(
    "GPU: A metal of complex index reflects e_s^2 R_s + e_p^2 R_p and detects (1 - R) x "
    "efficiency",
    "[physics][surface][metal][gpu][stats]") {
  check_complex_metal(DeviceExecutor{});
}

TEST_CASE(
    "GPU: A dichroic filter reflects with R, passes straight through with T, absorbs the rest",
    "[physics][surface][dichroic][gpu][stats]") {
  check_dichroic(DeviceExecutor{});
}
