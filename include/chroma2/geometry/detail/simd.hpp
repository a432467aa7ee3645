// SPDX-License-Identifier: BSD-3-Clause
// SimdFloat4: four float lanes for the BVH builder's per-primitive passes, written with the
// compiler's vector extension (GCC, Clang, nvcc's host compiler) instead of <emmintrin.h>: SSE
// instructions on x86-64, plain per-lane code elsewhere (the same IEEE operations, so the same
// tree), and no intrinsic header or macro reaches users of the library.
#pragma once

#include <cstring>

namespace chroma2::detail {

using FloatVector4 = float __attribute__((vector_size(16)));
using IntVector4 = int __attribute__((vector_size(16)));

struct SimdFloat4 {
  FloatVector4 v;
};

inline SimdFloat4 simd_load(const float* p) {
  SimdFloat4 r;
  std::memcpy(&r.v, p, sizeof r.v);
  return r;
}
inline SimdFloat4 simd_set(float a, float b, float c, float d) {
  return {FloatVector4{a, b, c, d}};
}
inline void simd_store(float* p, SimdFloat4 a) { std::memcpy(p, &a.v, sizeof a.v); }
inline SimdFloat4 operator+(SimdFloat4 a, SimdFloat4 b) { return {a.v + b.v}; }
inline SimdFloat4 operator-(SimdFloat4 a, SimdFloat4 b) { return {a.v - b.v}; }
inline SimdFloat4 operator*(SimdFloat4 a, SimdFloat4 b) { return {a.v * b.v}; }
// minps/maxps: the second operand where the lanes compare false (NaN included). On SSE the
// instruction is named (GCC lowers the select to compare-and-blend where it cannot prove the two
// the same), as _mm_min_ps/_mm_max_ps would.
inline SimdFloat4 simd_min(SimdFloat4 a, SimdFloat4 b) {
#if defined(__SSE__) && !defined(__CUDA_ARCH__)
  return {__builtin_ia32_minps(a.v, b.v)};
#else
  return {a.v < b.v ? a.v : b.v};
#endif
}
inline SimdFloat4 simd_max(SimdFloat4 a, SimdFloat4 b) {
#if defined(__SSE__) && !defined(__CUDA_ARCH__)
  return {__builtin_ia32_maxps(a.v, b.v)};
#else
  return {a.v > b.v ? a.v : b.v};
#endif
}
// lanes 0..2 of a, lane 3 zero
inline SimdFloat4 simd_xyz(SimdFloat4 a) {
  return {reinterpret_cast<FloatVector4>(reinterpret_cast<IntVector4>(a.v) &
                                         IntVector4{-1, -1, -1, 0})};
}
// truncation of each lane (lanes already clamped to [0, bins - 1])
inline void simd_trunc(SimdFloat4 a, int* out) {
  const IntVector4 k = __builtin_convertvector(a.v, IntVector4);
  std::memcpy(out, &k, sizeof k);
}

}  // namespace chroma2::detail
