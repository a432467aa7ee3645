// SPDX-License-Identifier: BSD-3-Clause
// Atomics shim: chroma2::atomic_ref<T> is cuda::atomic_ref at device scope under nvcc (libcu++'s
// default scope is system, which is slower and not what the queues need) and std::atomic_ref on a
// plain C++ compiler, so the queue code is one spelling and ThreadSanitizer sees real atomics.
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
namespace memory_order {
inline constexpr auto relaxed = std::memory_order_relaxed;
inline constexpr auto acquire = std::memory_order_acquire;
inline constexpr auto release = std::memory_order_release;
inline constexpr auto acq_rel = std::memory_order_acq_rel;
inline constexpr auto seq_cst = std::memory_order_seq_cst;
}  // namespace memory_order
#endif

}  // namespace chroma2
