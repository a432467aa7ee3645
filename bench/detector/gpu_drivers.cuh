// SPDX-License-Identifier: BSD-3-Clause
// The baseline GPU drivers of the detector and session benchmarks, over any Physics, with the
// library's stateless photon rules (core/photon_drivers.hpp): one thread per photon through all
// its steps, and Chroma's relaunch driver — one launch per step over the live photons while at
// least 8,192 remain, survivors compacted by an atomic counter, a 4-byte read-back and a host sync
// per step, then the rest in one launch.
#pragma once

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_drivers.hpp"
#include "chroma2/core/rng/philox.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace chroma2::bench {

// The photons with their first-step draws (direction, polarisation, a requested wavelength) made
// here on the host, from each photon's own stream at its counter: every driver, order and run then
// starts from the same photons.
inline std::vector<Photon> drawn(std::vector<Photon> v, std::uint64_t seed) {
  for (Photon& p : v) {
    PhotonRng<Philox4x32Policy> rng({}, RngKey{seed, p.id, p.event}, p.rng_counter);
    apply_isotropic_init(p, rng);
    p.rng_counter = rng.counter();
  }
  return v;
}

// Each thread takes one photon through all its remaining steps: photon i, or in[i] of a list.
template <class P>
__global__ void thread_per_photon(P physics, Photon* photons, const std::uint32_t* in,
                                  std::uint64_t n, std::uint64_t seed, std::uint32_t max_steps) {
  const std::uint64_t k = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x;
  if (k >= n) return;
  const std::uint64_t i = in ? in[k] : k;
  Photon p = photons[i];
  run_to_end(physics, p, seed, max_steps);
  photons[i] = p;
}

// Chroma's per-step kernel: one step of each listed photon, survivors compacted.
template <class P>
__global__ void relaunch_step(P physics, Photon* photons, const std::uint32_t* in, std::uint32_t n,
                              std::uint32_t* out, std::uint32_t* count, std::uint64_t seed,
                              std::uint32_t max_steps) {
  const std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= n) return;
  const std::uint32_t i = in[k];
  Photon p = photons[i];
  const bool alive = step_once(physics, p, seed, max_steps);
  photons[i] = p;
  if (alive) out[atomicAdd(count, 1u)] = i;
}

// Device buffers of the relaunch driver for up to `capacity` photons.
struct RelaunchBuffers {
  Buffer<std::uint32_t, Device> a, b, count, identity;
  explicit RelaunchBuffers(std::uint32_t capacity)
      : a(capacity), b(capacity), count(1), identity(capacity) {
    std::vector<std::uint32_t> ids(capacity);
    for (std::uint32_t i = 0; i < capacity; ++i) ids[i] = i;
    Device::copy_from_host(identity.data(), ids.data(), capacity * 4ull, {});
    Device::synchronize({});
  }
};

// Runs photons[0, n) (device memory) to their ends by Chroma's rule on the default stream and
// waits for them.
template <class P>
void relaunch_to_end(const P& physics, Photon* photons, std::uint32_t n, RelaunchBuffers& buf,
                     std::uint64_t seed, std::uint32_t max_steps) {
  CHROMA2_CUDA_TRY(
      cudaMemcpyAsync(buf.a.data(), buf.identity.data(), n * 4ull, cudaMemcpyDeviceToDevice, 0));
  std::uint32_t* in = buf.a.data();
  std::uint32_t* out = buf.b.data();
  const unsigned block = 64;  // Chroma's 64 threads per block
  std::uint32_t live = n;
  while (live >= 8192) {  // 64 threads x 16 x 8
    Device::fill(buf.count.data(), 0, 4, {});
    relaunch_step<<<(live + block - 1) / block, block>>>(physics, photons, in, live, out,
                                                         buf.count.data(), seed, max_steps);
    CHROMA2_CUDA_CHECK_LAUNCH();
    Device::copy_to_host(&live, buf.count.data(), 4, {});  // the 4-byte read-back
    Device::synchronize({});                               // and the host sync, every step
    std::swap(in, out);
  }
  if (live)
    thread_per_photon<<<(live + block - 1) / block, block>>>(physics, photons, in, live, seed,
                                                             max_steps);
  CHROMA2_CUDA_CHECK_LAUNCH();
  CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
}

}  // namespace chroma2::bench
