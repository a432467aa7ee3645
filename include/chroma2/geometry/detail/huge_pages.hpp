// SPDX-License-Identifier: BSD-3-Clause
// Uninitialised scratch arrays of the BVH builder (trivial types). Large ones are 2 MiB aligned
// and asked for transparent huge pages: a 4 M-primitive build otherwise takes ~10^5 page faults.
// madvise is declared here rather than through <sys/mman.h>, so no OS header reaches users.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace chroma2::detail {

#if defined(__linux__)
extern "C" int madvise(void* addr, std::size_t length, int advice) noexcept;
// MADV_HUGEPAGE of Linux's uapi (asm-generic/mman-common.h); the header hygiene test checks it
// against <sys/mman.h>.
inline constexpr int madvise_huge_page = 14;
#if defined(MADV_HUGEPAGE)
static_assert(madvise_huge_page == MADV_HUGEPAGE);
#endif
#endif

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
template <class T>
using ScratchArray = std::unique_ptr<T[], FreeDeleter>;

template <class T>
ScratchArray<T> scratch_array(std::size_t count) {
  static_assert(std::is_trivially_default_constructible_v<T> && alignof(T) <= 64);
  constexpr std::size_t huge = std::size_t(2) << 20;
  std::size_t bytes = std::max<std::size_t>(1, count) * sizeof(T);
  const std::size_t align = bytes >= 4 * huge ? huge : 64;
  bytes = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, bytes);
  if (!p) throw std::bad_alloc();
#if defined(__linux__)
  if (align == huge) (void)madvise(p, bytes, madvise_huge_page);
#endif
  return ScratchArray<T>(static_cast<T*>(p));
}

}  // namespace chroma2::detail
