// SPDX-License-Identifier: BSD-3-Clause
// OpticalPhysics on an analytic geometry with no triangles (two nested spheres), host backend:
// prints where the photons ended against the analytic fractions.
//   nested_spheres [--photons N] [--threads T]
#include "nested_spheres.hpp"
#include "../bench/support/cli.hpp"

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  std::uint32_t photons = 1000000;
  unsigned threads = 0;
  chroma2::bench::CommandLine cli(
      "OpticalPhysics on a user-written analytic geometry (nested spheres) on CPU threads");
  cli.option("--photons", photons, "photons from the centre");
  cli.option("--threads", threads, "worker threads (0: hardware threads)");
  cli.parse(argc, argv);
  using namespace chroma2::examples;
  const NestedSpheres spheres{};
  const double l1 = 150.0, l2 = 400.0;
  const auto out = run_spheres<chroma2::Host>(photons, spheres, l1, l2, threads);
  const SphereTally t = tally(out, spheres);
  double f[3];
  expected_fractions(spheres, l1, l2, f);
  const double n = double(out.size());
  std::printf("%zu photons: core %.5f (expected %.5f), shell %.5f (%.5f), escaped %.5f (%.5f)\n",
              out.size(), t.core / n, f[0], t.shell / n, f[1], t.escaped / n, f[2]);
  bool ok = out.size() == photons && t.other == 0;
  for (int k = 0; k < 3; ++k) {
    const double got = k == 0 ? t.core : k == 1 ? t.shell : t.escaped;
    ok = ok && std::fabs(got - n * f[k]) < 5 * std::sqrt(n * f[k] * (1 - f[k]));
  }
  return ok ? 0 : 1;
}
