// SPDX-License-Identifier: BSD-3-Clause
// The CPU backend of chroma2-sim.
#include "tools/sim/run_impl.hpp"

#include <fstream>
#include <thread>

namespace chroma2::sim {

namespace {
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}
}  // namespace

RunOutcome run_cpu(const DetectorSpec& spec, const RunRequest& request,
                   const ProgressFn& progress) {
  RunOutcome out = run_detector<Host>(spec, request, progress);
  out.backend = "cpu";
  out.threads =
      request.threads ? request.threads : std::max(1u, std::thread::hardware_concurrency());
  out.device = cpu_model() + ", " + std::to_string(out.threads) + " threads";
  return out;
}

}  // namespace chroma2::sim
