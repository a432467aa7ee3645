// SPDX-License-Identifier: BSD-3-Clause
// chroma2-demo: a first look at what the library does today. It fills a photon page with photons
// at the origin that ask for isotropic initialisation, initialises them on host threads from the
// counter-based RNG, and prints what it did: the page's memory layout, the timing, and checks of
// the physics (mean direction, cos(theta) moments, polarisation orthogonality, determinism).
#include "../bench/support/cli.hpp"
#include "chroma2/chroma2.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

using namespace chroma2;

int main(int argc, char** argv) {
  std::uint32_t n = 1000000;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t seed = 2026;
  bench::CommandLine cli(
      "Initialises photons isotropically from the counter-based RNG on host threads and checks "
      "the physics and the replay of one photon");
  cli.option("--photons", n, "photons (photon 12345 is replayed, so at least 12346)")
      ->check(bench::in_range(12346u));
  cli.option("--threads", threads, "host threads")->check(bench::in_range(1u));
  cli.option("--seed", seed, "run seed");
  cli.parse(argc, argv);
  std::printf("chroma2 %s demo: %u photons at the origin, isotropic initialisation, %u threads\n",
              version_string, n, threads);

  std::vector<Photon> in(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    Photon p{};
    p.wavelength = 400.0f + 400.0f * static_cast<float>(i) / static_cast<float>(n);
    p.weight = 1.0f;
    p.id = i;
    p.event = 0;
    p.history = history::isotropic_init;
    in[i] = p;
  }
  PhotonPage<layout::Packed, Host> page(n);
  page.upload(in);
  std::printf("page: %u slots, %zu bytes per photon in %d arrays of 16-byte records, %.1f MB\n",
              page.capacity(), page.bytes_per_photon(), layout::Packed::array_count,
              page.bytes() / 1e6);

  const auto t0 = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> pool;
    const auto ref = page.ref();
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([=] {
        for (std::uint32_t i = t; i < n; i += threads)
          isotropic_init_slot(ref[i], Philox4x32Policy{}, seed);
      });
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto out = page.download_all();

  double sx = 0, sy = 0, sz = 0, c2 = 0, worst_dot = 0, worst_norm = 0;
  for (const Photon& p : out) {
    sx += p.direction.x, sy += p.direction.y, sz += p.direction.z;
    c2 += p.direction.z * p.direction.z;
    worst_dot = std::fmax(worst_dot, std::fabs(dot(p.direction, p.polarisation)));
    worst_norm = std::fmax(worst_norm, std::fabs(norm(p.polarisation) - 1.0));
  }
  std::printf("initialised in %.3f s (%.1f M photons/s)\n", secs, n / secs / 1e6);
  std::printf("mean direction (%.4f, %.4f, %.4f)   expected 0 within %.4f\n", sx / n, sy / n,
              sz / n, 3.0 / std::sqrt(3.0 * n));
  std::printf("<cos^2 theta> = %.4f                expected 1/3\n", c2 / n);
  std::printf("max |pol . dir| = %.2e, max ||pol| - 1| = %.2e\n", worst_dot, worst_norm);

  // Determinism: photon 12345 replayed alone gives the same direction, bit for bit.
  PhotonPage<layout::Split, Host> one(1);
  one.upload(std::span(&in[12345], 1));
  isotropic_init_slot(one.ref()[0], Philox4x32Policy{}, seed);
  const Photon again = one.download_all()[0];
  const bool same = std::memcmp(&again.direction, &out[12345].direction, sizeof(Vec3)) == 0;
  std::printf("photon 12345 replayed alone: %s\n", same ? "identical" : "DIFFERENT");
  const bool ok = same && worst_dot < 1e-6 && std::fabs(c2 / n - 1.0 / 3.0) < 0.01;
  std::printf("%s\n", ok ? "demo: OK" : "demo: FAILED");
  return ok ? 0 : 1;
}
