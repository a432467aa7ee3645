// SPDX-License-Identifier: BSD-3-Clause
// The kernel of the device expansion of a photon source: one thread per photon, each calling
// source_photon, so the device gives the photons the host expansion gives (the stream rule of
// core/concepts/photon_source.hpp). nvcc only; launched by physics/device_sources.hpp.
#pragma once

#if defined(__CUDACC__)

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/core/photon.hpp"

#include <cstdint>

namespace chroma2::detail {

inline constexpr unsigned expand_block_threads = 256;

template <class Source, class Policy>
__global__ void __launch_bounds__(expand_block_threads)
    expand_source_kernel(Source source, std::uint64_t n, std::uint64_t seed, std::uint64_t event,
                         Policy policy, Photon* out) {
  const std::uint64_t i = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = source_photon(source, i, seed, event, policy);
}

}  // namespace chroma2::detail

#endif
