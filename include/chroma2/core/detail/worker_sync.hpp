// SPDX-License-Identifier: BSD-3-Clause
// Synchronisation helpers of the persistent worker: system-scope atomics for the words the host
// and a running kernel share through mapped pinned memory (config/atomic.hpp is device scope),
// uncached loads of host-fed device memory, a portable atomic maximum and packed claims.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"

#include <cstdint>

#if defined(__CUDACC__)
#include <cuda/atomic>
#else
#include <atomic>
#endif

namespace chroma2::detail {

#if defined(__CUDACC__)
template <class T>
using system_atomic_ref = cuda::atomic_ref<T, cuda::thread_scope_system>;
#else
template <class T>
using system_atomic_ref = std::atomic_ref<T>;
#endif

template <class T>
CHROMA2_HD T system_load(T& word) {
  return system_atomic_ref<T>(word).load(memory_order::acquire);
}
template <class T>
CHROMA2_HD void system_store(T& word, T value) {
  system_atomic_ref<T>(word).store(value, memory_order::release);
}

// Raises `word` to at least `value` (std::atomic_ref has no fetch_max in C++20).
template <class T>
CHROMA2_HD void atomic_raise(T& word, T value) {
  atomic_ref<T> a(word);
  T cur = a.load(memory_order::relaxed);
  while (value > cur && !a.compare_exchange_weak(cur, value, memory_order::relaxed)) {
  }
}

// Reads a record that a copy engine wrote while the kernel ran: bypasses L1, which may still
// hold the previous lap's bytes.
CHROMA2_HD inline Photon load_host_fed(const Photon* src) {
#if defined(__CUDA_ARCH__)
  static_assert(sizeof(Photon) == 5 * sizeof(uint4));
  Photon p;
  const uint4* s = reinterpret_cast<const uint4*>(src);
  uint4* d = reinterpret_cast<uint4*>(&p);
#pragma unroll
  for (int k = 0; k < 5; ++k) d[k] = __ldcg(s + k);
  return p;
#else
  return *src;
#endif
}

// A claim of `count` (< 2^16) positions starting at `base` (< 2^48), packed into one word so a
// group leader can hand it to every lane in one broadcast.
CHROMA2_HD constexpr std::uint64_t pack_claim(std::uint64_t base, std::uint32_t count) {
  return (base << 16) | count;
}
CHROMA2_HD constexpr std::uint64_t claim_base(std::uint64_t packed) { return packed >> 16; }
CHROMA2_HD constexpr std::uint32_t claim_count(std::uint64_t packed) {
  return static_cast<std::uint32_t>(packed & 0xffffu);
}

}  // namespace chroma2::detail
