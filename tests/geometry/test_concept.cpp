// SPDX-License-Identifier: BSD-3-Clause
// The Geometry concept: an archetype models it, a near miss does not; every view a kernel
// receives by value is trivially copyable, and owners are move-only.
#include "chroma2/core/concepts/geometry.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"

#include <catch2/catch_test_macros.hpp>

#include <type_traits>

using namespace chroma2;

namespace {
struct GeometryArchetype {
  Hit closest_hit(Ray) const { return {}; }
  std::int32_t material_at(Vec3) const { return 0; }
};
struct GeometryNearMiss {  // answers with a distance only, not a Hit
  float closest_hit(Ray) const { return 0; }
  std::int32_t material_at(Vec3) const { return 0; }
};
struct GeometryOwning {  // not trivially copyable: a kernel could not take it by value
  GeometryOwning(const GeometryOwning&) {}
  Hit closest_hit(Ray) const { return {}; }
  std::int32_t material_at(Vec3) const { return 0; }
};
}  // namespace

static_assert(Geometry<GeometryArchetype>);
static_assert(!Geometry<GeometryNearMiss>);
static_assert(!Geometry<GeometryOwning>);
static_assert(Geometry<TriangleGeometryRef>);
static_assert(std::is_trivially_copyable_v<TriangleGeometryRef>);
static_assert(std::is_trivially_copyable_v<Ray>);
static_assert(std::is_trivially_copyable_v<Hit>);
static_assert(std::is_trivially_copyable_v<BvhNode>);
static_assert(std::is_trivially_copyable_v<PackedTriangle>);
static_assert(std::is_trivially_copyable_v<InstanceRecord>);
static_assert(std::is_trivially_copyable_v<RigidTransform>);
static_assert(!std::is_copy_constructible_v<TriangleGeometry<Host>>);
static_assert(std::is_nothrow_move_constructible_v<TriangleGeometry<Host>>);
static_assert(!std::is_copy_constructible_v<Mesh>);
static_assert(!std::is_copy_constructible_v<Scene>);

TEST_CASE("The Geometry concept accepts its archetype and the triangle geometry, not near misses",
          "[geometry][concepts][host]") {
  CHECK(Geometry<GeometryArchetype>);
  CHECK_FALSE(Geometry<GeometryNearMiss>);
  CHECK(GeometryArchetype{}.material_at({0, 0, 0}) == 0);
  const TriangleGeometryRef empty{};
  CHECK_FALSE(empty.closest_hit({{0, 0, 0}, 0, {1, 0, 0}, 1}).hit());
}
