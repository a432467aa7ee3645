// SPDX-License-Identifier: BSD-3-Clause
// The GPU entry points of a chroma2-sim built without the CUDA toolkit: they say so.
#include "tools/sim/run.hpp"

#include "chroma2/config/error.hpp"

namespace chroma2::sim {

RunOutcome run_cuda(const DetectorSpec&, const RunRequest&, const ProgressFn&) {
  fail("--backend cuda is not available", "this chroma2-sim was built without the CUDA toolkit",
       "use --backend cpu (or auto), or rebuild with nvcc present (-Dcuda=enabled)");
}
bool cuda_device_present(std::string*) { return false; }

}  // namespace chroma2::sim
