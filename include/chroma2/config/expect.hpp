// SPDX-License-Identifier: BSD-3-Clause
// CHROMA2_EXPECT(condition, what): a debug-only check of an internal invariant (a unit vector, a
// slot below the page capacity) usable in host and device code. Compiled in when
// CHROMA2_EXPECTATIONS is 1 (the default unless NDEBUG is defined, so debug builds check and
// release builds pay nothing); a failure prints the condition, `what`, file and line, then
// aborts the host process or traps the kernel. Bad user input is never checked this way: it
// gets a chroma2::Error on the host.
#pragma once

#include "chroma2/config/macros.hpp"

#ifndef CHROMA2_EXPECTATIONS
#ifdef NDEBUG
#define CHROMA2_EXPECTATIONS 0
#else
#define CHROMA2_EXPECTATIONS 1
#endif
#endif

#if CHROMA2_EXPECTATIONS
#include <cstdio>
#if !defined(__CUDA_ARCH__)
#include <cstdlib>
#endif

namespace chroma2::detail {
[[noreturn]] CHROMA2_HD inline void expectation_failed(const char* condition, const char* what,
                                                       const char* file, int line) {
  std::printf("chroma2: internal expectation failed: %s (%s) at %s:%d\n", condition, what, file,
              line);
#if defined(__CUDA_ARCH__)
  __trap();
#else
  std::fflush(stdout);
  std::abort();
#endif
}
}  // namespace chroma2::detail

#define CHROMA2_EXPECT(condition, what) \
  ((condition) ? static_cast<void>(0)   \
               : ::chroma2::detail::expectation_failed(#condition, what, __FILE__, __LINE__))
#else
// Not evaluated: the condition may be costly or have side effects in checking code.
#define CHROMA2_EXPECT(condition, what) static_cast<void>(sizeof(static_cast<bool>(condition)))
#endif
