// SPDX-License-Identifier: BSD-3-Clause
// GPU test helpers: run a device lambda over [0, n) so a test body written once as a CHROMA2_HD
// function runs on the device exactly as the host test runs it in a loop.
#pragma once

#include "chroma2/config/cuda_check.hpp"

#include <cstdint>

namespace chroma2::test {

template <class F>
__global__ void for_each_index_kernel(std::uint64_t n, F f) {
  for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::uint64_t(gridDim.x) * blockDim.x)
    f(i);
}

template <class F>
void gpu_for_each(std::uint64_t n, F f) {
  if (n == 0) return;
  const unsigned block = 256;
  const unsigned grid =
      static_cast<unsigned>(std::min<std::uint64_t>((n + block - 1) / block, 65535));
  for_each_index_kernel<<<grid, block>>>(n, f);
  CHROMA2_CUDA_CHECK_LAUNCH();
  CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
}

}  // namespace chroma2::test
