// SPDX-License-Identifier: BSD-3-Clause
// A photomultiplier as a solid of revolution about its axis (+z is the face): a glass envelope —
// a spherical bulb of radius `bulb_radius_mm` centred on the origin, tapering behind to a
// cylindrical neck closed at the back — and, `glass_mm` inside it, the vacuum's boundary, whose
// front half (z > 0) carries the photocathode surface and back half an absorbing surface. One
// mesh holds both shells with per-triangle materials, so a PMT costs one unique mesh however
// many times it is placed. Units: mm.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/mesh.hpp"

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

namespace chroma2 {

struct PmtShape {
  float bulb_radius_mm = 101.6f;  // 8-inch tube
  float glass_mm = 3.0f;          // envelope thickness
  float neck_radius_mm = 42.0f;
  float neck_length_mm = 80.0f;  // from where the bulb meets the neck to the back
  int segments = 24;             // steps around the axis
  int bulb_steps = 12;           // profile steps over the bulb (pole to 120 degrees)
};

// Material and surface ids of a PMT's parts.
struct PmtMaterials {
  std::int32_t outside;  // the medium the PMT sits in
  std::int32_t glass;
  std::int32_t vacuum;
  std::int32_t photocathode;  // surface of the vacuum boundary's front half
  std::int32_t back;          // surface of its back half
};

// Distance from the face's pole to the back of the neck, mm.
inline float pmt_length(const PmtShape& s) {
  return s.bulb_radius_mm * (1.0f + 0.5f) + s.neck_length_mm;
}

inline Mesh make_pmt(const PmtShape& s, const PmtMaterials& m) {
  const float a = s.bulb_radius_mm;
  if (!(a > 0) || !(s.glass_mm > 0) || !(s.glass_mm < 0.5f * a) || !(s.neck_radius_mm > 0) ||
      !(s.neck_radius_mm < 0.85f * a) || !(s.neck_length_mm > 0) || s.segments < 3 ||
      s.bulb_steps < 2)
    fail("invalid PMT shape (bulb radius " + std::to_string(a) + " mm, glass " +
             std::to_string(s.glass_mm) + " mm, neck radius " + std::to_string(s.neck_radius_mm) +
             " mm)",
         "the glass must be thinner than half the bulb radius and the neck narrower than the "
         "bulb at 120 degrees (0.85 of its radius); lengths > 0, segments >= 3, bulb steps >= 2",
         "fix the PMT's dimensions");
  // Outer profile, back pole to front pole: the neck, then the bulb from 120 degrees to the pole.
  const float z_bulb = a * std::cos(2.0f * std::numbers::pi_v<float> / 3.0f);  // -a/2
  std::vector<ProfilePoint> outer{{0, z_bulb - s.neck_length_mm},
                                  {s.neck_radius_mm, z_bulb - s.neck_length_mm},
                                  {s.neck_radius_mm, z_bulb - 0.25f * s.neck_length_mm}};
  for (int k = 0; k <= s.bulb_steps; ++k) {
    const float theta =
        (2.0f * std::numbers::pi_v<float> / 3.0f) * float(s.bulb_steps - k) / float(s.bulb_steps);
    outer.push_back({k == s.bulb_steps ? 0.0f : a * std::sin(theta), a * std::cos(theta)});
  }
  // The vacuum boundary: the same outline scaled about the bulb's centre, so the bulb's glass is
  // exactly glass_mm thick.
  const float scale = (a - s.glass_mm) / a;
  std::vector<ProfilePoint> inner;
  for (const ProfilePoint& p : outer) inner.push_back({p.r * scale, p.z * scale});

  Mesh glass = make_revolution(outer, s.segments, {m.glass, m.outside, -1});
  Mesh vacuum = make_revolution(inner, s.segments, {m.vacuum, m.glass, m.back});
  Mesh pmt;
  pmt.name = "pmt";
  pmt.vertices = std::move(glass.vertices);
  pmt.triangles = std::move(glass.triangles);
  pmt.materials = std::move(glass.materials);
  const auto base = static_cast<std::uint32_t>(pmt.vertices.size());
  for (const Vec3 v : vacuum.vertices) pmt.vertices.push_back(v);
  for (const TriangleIndices& t : vacuum.triangles) {
    const float z = (vacuum.vertices[t[0]].z + vacuum.vertices[t[1]].z + vacuum.vertices[t[2]].z);
    pmt.triangles.push_back({t[0] + base, t[1] + base, t[2] + base});
    pmt.materials.push_back({m.vacuum, m.glass, z > 0 ? m.photocathode : m.back});
  }
  pmt.validate("pmt");
  return pmt;
}

}  // namespace chroma2
