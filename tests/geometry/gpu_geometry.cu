// SPDX-License-Identifier: BSD-3-Clause
// The geometry layer on the GPU: the same scenes, rays and assertions as the host tests, with the
// hits and the double-precision brute-force reference both computed in kernels (>= 1e5 rays).
#include "geometry/scenes.hpp"
#include "support/gpu.hpp"

#include "chroma2/config/memory.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

namespace {
constexpr std::size_t gpu_rays = 100000;

template <class T>
Buffer<T, Device> upload(const std::vector<T>& v) {
  Buffer<T, Device> b(v.size());
  Device::copy_from_host(b.data(), v.data(), v.size() * sizeof(T));
  return b;
}
template <class T>
std::vector<T> download(const Buffer<T, Device>& b) {
  std::vector<T> v(b.size());
  Device::copy_to_host(v.data(), b.data(), b.size() * sizeof(T));
  Device::synchronize({});
  return v;
}

struct DeviceBackend {
  static std::vector<Hit> hits(const TriangleGeometry<Host>& host, const std::vector<Ray>& rays) {
    const TriangleGeometry<Device> g(host);
    const auto d_rays = upload(rays);
    Buffer<Hit, Device> d_hits(rays.size());
    const TriangleGeometryRef ref = g.ref();
    const Ray* r = d_rays.data();
    Hit* out = d_hits.data();
    gpu_for_each(rays.size(), [=] __device__(std::uint64_t i) { out[i] = ref.closest_hit(r[i]); });
    return download(d_hits);
  }
  static std::vector<RefHit> refs(const std::vector<RefTriangle>& tris,
                                  const std::vector<Ray>& rays, double shift) {
    const auto d_tris = upload(tris);
    const auto d_rays = upload(rays);
    Buffer<RefHit, Device> d_out(rays.size());
    const RefTriangle* t = d_tris.data();
    const std::size_t n = tris.size();
    const Ray* r = d_rays.data();
    RefHit* out = d_out.data();
    gpu_for_each(rays.size(),
                 [=] __device__(std::uint64_t i) { out[i] = ref_closest(t, n, r[i], shift); });
    return download(d_out);
  }
};
}  // namespace

TEST_CASE("Device closest hits on builder solids match the double-precision reference",
          "[geometry][closest_hit][gpu]") {
  SECTION("box") {
    check_scene<DeviceBackend>(scene_of(make_box({30, 20, 10}, 4, {1, 2, 3})), gpu_rays, 1);
  }
  SECTION("geodesic sphere") {
    check_scene<DeviceBackend>(scene_of(make_geodesic_sphere(50, 4, {1, 2, -1})), gpu_rays, 2);
  }
  SECTION("cylinder") {
    check_scene<DeviceBackend>(scene_of(make_cylinder(20, 40, 48, 6, {0, 2, 1})), gpu_rays, 3);
  }
  SECTION("PMT-like bulb with two shells") {
    check_scene<DeviceBackend>(scene_of(make_bulb(32)), gpu_rays, 4);
  }
  SECTION("triangle soup") {
    check_scene<DeviceBackend>(scene_of(make_soup(3000, 5)), gpu_rays, 5);
  }
}

TEST_CASE("Device closest hits on an instanced scene and its flattened twin match the reference",
          "[geometry][instancing][gpu]") {
  const Scene s = make_instanced_scene(40);
  check_scene<DeviceBackend>(s, gpu_rays, 21);
  check_scene<DeviceBackend>(s.flattened(), gpu_rays, 21);
}

TEST_CASE("Device hits equal host hits on the same rays", "[geometry][cross_backend][gpu]") {
  const Scene s = make_instanced_scene(40);
  const auto g = build_geometry(s);
  const auto tris = reference_triangles(s);
  const auto rays = make_rays(tris, gpu_rays, 23);
  const auto dh = DeviceBackend::hits(g, rays), hh = HostBackend::hits(g, rays);
  std::size_t same = 0, generic = 0;
  for (std::size_t i = 0; i < rays.size(); ++i) {
    if (is_touching_kind(i) || i % 8 == 2) continue;
    ++generic;
    same += dh[i].instance == hh[i].instance && dh[i].primitive == hh[i].primitive &&
            std::fabs(dh[i].distance - hh[i].distance) <= 1e-4f * (1 + hh[i].distance);
  }
  CHECK(same >= generic - generic / 1000);
}

TEST_CASE("Device material at a point follows nested shells and placements",
          "[geometry][material][gpu]") {
  const auto host = build_geometry(make_nested_scene());
  const TriangleGeometry<Device> g(host);
  const MaterialProbe p = nested_probes(100000, 31);
  const auto d_points = upload(p.points);
  Buffer<std::int32_t, Device> d_out(p.points.size());
  const TriangleGeometryRef ref = g.ref();
  const Vec3* pts = d_points.data();
  std::int32_t* out = d_out.data();
  gpu_for_each(p.points.size(),
               [=] __device__(std::uint64_t i) { out[i] = ref.material_at(pts[i]); });
  check_materials(g, p.points, p.expected, download(d_out));
}

TEST_CASE("Device relaunched rays skip the surface just left and find every surface beyond epsilon",
          "[geometry][relaunch][gpu]") {
  check_relaunch<DeviceBackend>(make_nested_scene(), 40000, 41);
  check_relaunch<DeviceBackend>(make_instanced_scene(20), 40000, 42);
}

TEST_CASE("Device rays through the vertices and edges of closed meshes never escape",
          "[geometry][watertight][gpu]") {
  check_watertight<DeviceBackend>(4, 48);
}
