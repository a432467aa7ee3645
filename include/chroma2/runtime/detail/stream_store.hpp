// SPDX-License-Identifier: BSD-3-Clause
// stream_store: writes a record into pinned staging memory that the host will not read again
// (a copy engine does). On x86-64 the record goes out as non-temporal 16-byte stores: the lines
// go to memory without being read for ownership first and without staying modified in the CPU's
// caches, where each of the copy engine's reads would have to snoop them out. Measured on the
// H200 machine (docs/benchmarks.md): the copy-in engine reads the staging ring at 48 GB/s instead
// of 27, the expansion itself taking as long as before. stream_fence() orders a thread's streamed
// stores before whatever it does next (hand the staged range to the thread that issues the
// copy). Other hosts, and records not 16-byte aligned, take a plain store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace chroma2::detail {

// Written with compiler builtins rather than <emmintrin.h> (as geometry/detail/simd.hpp): no
// intrinsic header or macro reaches users of the library. Host code only (not in a device pass).
template <class T>
inline void stream_store(T* dst, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
#if defined(__x86_64__) && defined(__SSE2__) && !defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) % 16 == 0) {
    if ((reinterpret_cast<std::uintptr_t>(dst) & 15) == 0) {
      using Words = long long __attribute__((vector_size(16)));
      auto* to = reinterpret_cast<Words*>(dst);
      for (std::size_t k = 0; k < sizeof(T) / 16; ++k) {
        Words w;
        std::memcpy(&w, reinterpret_cast<const unsigned char*>(&value) + 16 * k, sizeof w);
#if defined(__clang__)
        __builtin_nontemporal_store(w, to + k);
#else
        __builtin_ia32_movntdq(to + k, w);
#endif
      }
      return;
    }
  }
#endif
  std::memcpy(static_cast<void*>(dst), &value, sizeof(T));
}

inline void stream_fence() {
#if defined(__x86_64__) && defined(__SSE2__) && !defined(__CUDA_ARCH__)
  __builtin_ia32_sfence();
#endif
}

}  // namespace chroma2::detail
