// SPDX-License-Identifier: BSD-3-Clause
// chroma2.hpp keeps its implementation to itself: including it defines none of the library's
// internal macros and brings no OS or SIMD header (threads, SIMD and OS calls live in detail/
// headers that use compiler builtins and declarations of their own). Checked at compile time.

#include "chroma2/chroma2.hpp"

// SIMD headers, by the include guards of GCC and of Clang.
#if defined(_EMMINTRIN_H_INCLUDED) || defined(__EMMINTRIN_H)
#error "chroma2.hpp includes <emmintrin.h>"
#endif
#if defined(_XMMINTRIN_H_INCLUDED) || defined(__XMMINTRIN_H)
#error "chroma2.hpp includes <xmmintrin.h>"
#endif
#if defined(_IMMINTRIN_H_INCLUDED) || defined(__IMMINTRIN_H)
#error "chroma2.hpp includes <immintrin.h>"
#endif
#if defined(_X86INTRIN_H_INCLUDED) || defined(__X86INTRIN_H)
#error "chroma2.hpp includes <x86intrin.h>"
#endif

// Internal macros: the BVH builder's former SSE switch and per-lane operator helper, the X-macro
// helper of the telemetry lists.
#if defined(CHROMA2_BVH_SSE) || defined(CHROMA2_F4_OP) || defined(CHROMA2_X)
#error "chroma2.hpp leaks an internal macro"
#endif

// OS headers: <sys/mman.h> (glibc's guard, and the one macro the builder would use from it).
#if defined(_SYS_MMAN_H) || defined(MADV_HUGEPAGE)
#error "chroma2.hpp includes <sys/mman.h>"
#endif

#include <catch2/catch_test_macros.hpp>

// The builder declares madvise itself and names MADV_HUGEPAGE's value: both must agree with the
// OS header where a user includes it too (after chroma2.hpp here; before it, the builder's
// header checks the value itself).
#if defined(__linux__)
#include <sys/mman.h>
static_assert(chroma2::detail::madvise_huge_page == MADV_HUGEPAGE);
#endif

TEST_CASE("chroma2.hpp alone builds and queries a geometry without leaking its internals",
          "[geometry][host]") {
  chroma2::Scene scene;
  scene.add_placement(scene.add_mesh(chroma2::make_box({100, 100, 100})));
  chroma2::BvhBuildOptions options;
  options.threads = 2;
  const auto g = chroma2::build_geometry(scene, options);
  CHECK(g.stats().bvh_triangles == 12);
  CHECK(g.ref().closest_hit({{0, 0, 0}, 0, {1, 0, 0}, 1e30f}).hit());
}
