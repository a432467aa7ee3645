// SPDX-License-Identifier: BSD-3-Clause
// Ray-box and ray-triangle tests used by the traversal on both backends. The triangle test is the
// watertight test of Woop, Benthin and Wald (JCGT 2013): a ray through a shared edge or vertex hits
// at least one of its triangles, with no NaN for axis-aligned, normal or grazing rays.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/geometry/bvh_node.hpp"

#include <cmath>
#include <cstdint>

namespace chroma2::detail {

// Products and differences that must not be fused: the edge functions of two triangles sharing
// an edge are exact negatives of each other only if both are rounded the same way. nvcc fuses
// a*b+c by default; so do host compilers once these are inlined (GCC with -ffp-contract=fast, the
// default of its GNU dialects, wherever FMA exists: aarch64, x86-64 with -mfma or -march=native).
// On the host an empty asm that claims to change the product keeps it a rounded float.
CHROMA2_HD CHROMA2_FORCEINLINE float mul_rn(float a, float b) {
#if CHROMA2_DEVICE_PASS
  return __fmul_rn(a, b);
#else
  float p = a * b;
#if defined(__GNUC__) && defined(__x86_64__)
  asm("" : "+x"(p));
#elif defined(__GNUC__) && defined(__aarch64__)
  asm("" : "+w"(p));
#else
  volatile float kept = p;
  p = kept;
#endif
  return p;
#endif
}
CHROMA2_HD CHROMA2_FORCEINLINE float sub_rn(float a, float b) {
#if CHROMA2_DEVICE_PASS
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}

// Per-ray constants: origin, the slab reciprocals and the watertight test's shear.
struct PreparedRay {
  Vec3 origin;
  Vec3 inv;  // 1/direction with zero components replaced by a tiny signed value (no inf*0)
  int kx, ky, kz;
  float sx, sy, sz;
};

CHROMA2_HD CHROMA2_FORCEINLINE float safe_inverse(float d) {
  const float tiny = 1e-30f;
  return 1.0f / (std::fabs(d) < tiny ? (d < 0 ? -tiny : tiny) : d);
}

CHROMA2_HD CHROMA2_FORCEINLINE PreparedRay prepare_ray(Vec3 o, Vec3 d) {
  PreparedRay r;
  r.origin = o;
  r.inv = {safe_inverse(d.x), safe_inverse(d.y), safe_inverse(d.z)};
  const float ax = std::fabs(d.x), ay = std::fabs(d.y), az = std::fabs(d.z);
  r.kz = (ax > ay) ? (ax > az ? 0 : 2) : (ay > az ? 1 : 2);
  r.kx = r.kz == 2 ? 0 : r.kz + 1;
  r.ky = r.kx == 2 ? 0 : r.kx + 1;
  const float dz = component(d, r.kz);
  if (dz < 0) {  // keep the winding: swap the two shear axes
    const int t = r.kx;
    r.kx = r.ky;
    r.ky = t;
  }
  r.sx = component(d, r.kx) / dz;
  r.sy = component(d, r.ky) / dz;
  r.sz = 1.0f / dz;
  return r;
}

// Slab test of one box against [tmin, tmax]; the far distance is widened by 2*gamma(3) so that
// the box test never rejects a triangle the exact test would hit (Ize 2013).
CHROMA2_HD CHROMA2_FORCEINLINE bool ray_box(const PreparedRay& r, float lx, float ly, float lz,
                                            float hx, float hy, float hz, float tmin, float tmax,
                                            float& tnear) {
  const float x0 = (lx - r.origin.x) * r.inv.x, x1 = (hx - r.origin.x) * r.inv.x;
  const float y0 = (ly - r.origin.y) * r.inv.y, y1 = (hy - r.origin.y) * r.inv.y;
  const float z0 = (lz - r.origin.z) * r.inv.z, z1 = (hz - r.origin.z) * r.inv.z;
  const float tn = max_f(max_f(min_f(x0, x1), min_f(y0, y1)), max_f(min_f(z0, z1), tmin));
  const float tf =
      min_f(min_f(max_f(x0, x1), max_f(y0, y1)), min_f(max_f(z0, z1), tmax)) * 1.0000004f;
  tnear = tn;
  return tn <= tf;
}

// Watertight ray-triangle test. On a hit with tmin <= t < tmax, sets t and the barycentrics of
// v1 (u) and v2 (v). Backfaces hit too: photons cross surfaces from both sides.
CHROMA2_HD CHROMA2_FORCEINLINE bool ray_triangle(const PreparedRay& r, Vec3 v0, Vec3 v1, Vec3 v2,
                                                 float tmin, float tmax, float& t, float& u,
                                                 float& v) {
  const Vec3 a = v0 - r.origin, b = v1 - r.origin, c = v2 - r.origin;
  const float az_ = component(a, r.kz), bz_ = component(b, r.kz), cz_ = component(c, r.kz);
  const float ax = sub_rn(component(a, r.kx), mul_rn(r.sx, az_));
  const float ay = sub_rn(component(a, r.ky), mul_rn(r.sy, az_));
  const float bx = sub_rn(component(b, r.kx), mul_rn(r.sx, bz_));
  const float by = sub_rn(component(b, r.ky), mul_rn(r.sy, bz_));
  const float cx = sub_rn(component(c, r.kx), mul_rn(r.sx, cz_));
  const float cy = sub_rn(component(c, r.ky), mul_rn(r.sy, cz_));
  float eu = sub_rn(mul_rn(cx, by), mul_rn(cy, bx));
  float ev = sub_rn(mul_rn(ax, cy), mul_rn(ay, cx));
  float ew = sub_rn(mul_rn(bx, ay), mul_rn(by, ax));
  if (eu == 0.0f || ev == 0.0f || ew == 0.0f) {  // on an edge in float: decide in double
    eu = static_cast<float>(double(cx) * double(by) - double(cy) * double(bx));
    ev = static_cast<float>(double(ax) * double(cy) - double(ay) * double(cx));
    ew = static_cast<float>(double(bx) * double(ay) - double(by) * double(ax));
  }
  if ((eu < 0 || ev < 0 || ew < 0) && (eu > 0 || ev > 0 || ew > 0)) return false;
  const float det = eu + ev + ew;
  if (det == 0.0f) return false;  // the ray lies in the triangle's plane: no crossing
  const float tt = (eu * (r.sz * az_) + ev * (r.sz * bz_) + ew * (r.sz * cz_)) / det;
  if (!(tt >= tmin && tt < tmax)) return false;
  const float inv_det = 1.0f / det;
  t = tt;
  u = ev * inv_det;
  v = ew * inv_det;
  return true;
}

}  // namespace chroma2::detail
