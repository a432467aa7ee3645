// SPDX-License-Identifier: BSD-3-Clause
// Atomics shim, the only one: chroma2::atomic_ref<T> is cuda::atomic_ref at device scope under
// nvcc (libcu++'s default scope is system, which is slower and not what the queues need) and
// std::atomic_ref on a plain C++ compiler, so the queue code is one spelling and ThreadSanitizer
// sees real atomics. detail::system_atomic_ref is the system-scope variant, for the words that the
// host and a running kernel share through mapped pinned memory.
#pragma once

#include "chroma2/config/macros.hpp"

#if defined(__CUDACC__)
#include <cuda/atomic>
#else
#include <atomic>
#endif

namespace chroma2 {

#if defined(__CUDACC__)
template <class T>
using atomic_ref = cuda::atomic_ref<T, cuda::thread_scope_device>;
using memory_order_type = cuda::std::memory_order;
namespace memory_order {
inline constexpr auto relaxed = cuda::std::memory_order_relaxed;
inline constexpr auto acquire = cuda::std::memory_order_acquire;
inline constexpr auto release = cuda::std::memory_order_release;
inline constexpr auto acq_rel = cuda::std::memory_order_acq_rel;
inline constexpr auto seq_cst = cuda::std::memory_order_seq_cst;
}  // namespace memory_order
#else
template <class T>
using atomic_ref = std::atomic_ref<T>;
using memory_order_type = std::memory_order;
namespace memory_order {
inline constexpr auto relaxed = std::memory_order_relaxed;
inline constexpr auto acquire = std::memory_order_acquire;
inline constexpr auto release = std::memory_order_release;
inline constexpr auto acq_rel = std::memory_order_acq_rel;
inline constexpr auto seq_cst = std::memory_order_seq_cst;
}  // namespace memory_order
#endif

namespace detail {
#if defined(__CUDACC__)
template <class T>
using system_atomic_ref = cuda::atomic_ref<T, cuda::thread_scope_system>;
#else
template <class T>
using system_atomic_ref = std::atomic_ref<T>;
#endif

// Acquire load and release store of a word shared with the host (or with a running kernel).
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

// Lowers `word` to at most `value`.
template <class T>
CHROMA2_HD void atomic_lower(T& word, T value) {
  atomic_ref<T> a(word);
  T cur = a.load(memory_order::relaxed);
  while (value < cur && !a.compare_exchange_weak(cur, value, memory_order::relaxed)) {
  }
}
}  // namespace detail

}  // namespace chroma2
