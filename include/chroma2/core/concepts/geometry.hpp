// SPDX-License-Identifier: BSD-3-Clause
// The Geometry concept: what physics needs from a detector description. A ray (origin, unit
// direction, distances in mm) gets its closest hit within [tmin, tmax]; a point gets its material.
// Physics is constrained by this concept, so any geometry that a kernel can copy by value fits.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/vec.hpp"

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace chroma2 {

// A ray segment: points origin + t·direction for tmin <= t <= tmax (mm); direction is unit length.
struct Ray {
  Vec3 origin;
  float tmin;
  Vec3 direction;
  float tmax;
};

// The closest hit of a ray. A miss has instance == primitive == invalid_index and distance == tmax.
struct Hit {
  float distance;               // mm along the ray
  std::uint32_t instance;       // placement that was hit
  std::uint32_t primitive;      // triangle index within that placement's mesh
  float u, v;                   // barycentrics of vertices 1 and 2 (vertex 0 has 1 - u - v)
  Vec3 normal;                  // unit geometric normal in the world frame, pointing to the outside
  std::int32_t inner_material;  // material opposite the normal
  std::int32_t outer_material;  // material on the normal's side
  std::int32_t surface;         // surface index, -1 for a plain dielectric boundary
  std::int32_t channel;         // detector channel of the placement, -1 for none
  CHROMA2_HD constexpr bool hit() const { return instance != invalid_index; }
};

template <class G>
concept Geometry = std::is_trivially_copyable_v<G> && requires(const G g, Ray r, Vec3 p) {
  { g.closest_hit(r) } -> std::same_as<Hit>;
  { g.material_at(p) } -> std::same_as<std::int32_t>;
};

}  // namespace chroma2
