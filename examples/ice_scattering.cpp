// SPDX-License-Identifier: BSD-3-Clause
// Henyey–Greenstein scattering in ice through the unchanged persistent worker (host backend):
// prints the mean cosine of the scattering angle against g.
//   ice_scattering [--photons N] [--g G] [--threads T]
#include "ice_scattering.hpp"
#include "../bench/support/cli.hpp"

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  std::uint32_t photons = 1000000;
  float g = 0.9f;
  unsigned threads = 0;
  chroma2::bench::CommandLine cli(
      "Henyey-Greenstein scattering in ice (a user-written ScatteringProcess) through the "
      "persistent worker on CPU threads");
  cli.option("--photons", photons, "photons, each scattered once");
  cli.option("--g", g, "mean cosine of the scattering angle (-1 < g < 1)");
  cli.option("--threads", threads, "worker threads (0: hardware threads)");
  cli.parse(argc, argv);
  const auto out = chroma2::examples::run_ice<chroma2::Host>(photons, g, threads);
  double sum = 0, sum2 = 0;
  for (const chroma2::Photon& p : out)
    sum += p.direction.z, sum2 += double(p.direction.z) * p.direction.z;
  const double n = double(out.size()), mean = sum / n, sd = std::sqrt((sum2 / n - mean * mean) / n);
  std::printf("%zu photons scattered once in ice: mean cosine %.5f +- %.5f (g = %.3f)\n",
              out.size(), mean, sd, double(g));
  return out.size() == photons && std::fabs(mean - g) < 5 * sd ? 0 : 1;
}
