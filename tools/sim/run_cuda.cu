// SPDX-License-Identifier: BSD-3-Clause
// The GPU backend of chroma2-sim: the same run as the CPU's, with the tables, the BVH and the
// persistent worker on the device.
#include "tools/sim/run_impl.hpp"

#include <cuda_runtime.h>

namespace chroma2::sim {

bool cuda_device_present(std::string* name) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    return false;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return false;
  if (name) *name = prop.name;
  return true;
}

RunOutcome run_cuda(const DetectorSpec& spec, const RunRequest& request,
                    const ProgressFn& progress) {
  std::string name;
  if (!cuda_device_present(&name))
    fail("--backend cuda found no GPU", "no CUDA device is visible to this process",
         "use --backend cpu (or auto), or check the driver and CUDA_VISIBLE_DEVICES");
  RunOutcome out = run_detector<Device>(spec, request, progress);
  out.backend = "cuda";
  out.device = name;
  return out;
}

}  // namespace chroma2::sim
