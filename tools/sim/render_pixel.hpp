// SPDX-License-Identifier: BSD-3-Clause
// One pixel of the picture command (render.hpp states the rules): the camera ray through pixel
// (x, y), its closest hit with the cutaway applied during the BVH walk, the glass rule and the
// shading to 8-bit RGB. The functions are CHROMA2_HD over a trivially copyable RenderView, so that
// the CPU threads (render.cpp) and the GPU kernel (render_cuda.cu, one thread a pixel) run the same
// code on the same numbers: the GPU path's tables are the host's, copied.
//
// RenderView holds only values and pointers into memory of the side that runs the pixel function:
// host vectors for the CPU path, device copies for the GPU path. RenderSetup (host only) owns the
// host tables and says how render() and render_on_device() both begin and end.
//
// Float rounding: every operation here is a plain float +, -, *, / or sqrt (correctly rounded on
// both sides) or an exact one (fabs, fmod, comparisons); render_cuda.cu is compiled without FMA
// contraction, so the device gives the host's bits.
#pragma once

#include "tools/sim/render.hpp"

#include "chroma2/config/macros.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/geometry/detail/intersect.hpp"
#include "chroma2/geometry/detail/traverse.hpp"
#include "chroma2/geometry/triangle_geometry_ref.hpp"

#include <math.h>

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace chroma2::sim {

// An RGB colour before shading, each channel 0..255.
struct Colour {
  float r, g, b;
};

// What the cutaway does to a placement (render.hpp, "Cutaway").
enum Cut : std::uint8_t {
  keep = 0,    // drawn
  shell = 1,   // seen through where its outward normal faces the camera
  hidden = 2,  // left out
};

namespace render_detail {
// std::max, std::min and std::clamp as the host code used them (the same result for NaN), usable
// on the device.
template <class T>
CHROMA2_HD constexpr T max_of(T a, T b) {
  return a < b ? b : a;
}
template <class T>
CHROMA2_HD constexpr T clamp_of(T v, T lo, T hi) {
  return v < lo ? lo : (hi < v ? hi : v);
}
}  // namespace render_detail

// The camera's frame and its pixel <-> direction mapping (mm; tangents are unitless).
struct CameraFrame {
  Vec3 eye, forward, right, up;  // right-handed: right = forward x up
  float tan_half_v, tan_half_h;  // tangents of half the vertical and horizontal field of view
  int width, height;             // pixels

  // The unit direction through the centre of pixel (x, y).
  CHROMA2_HD Vec3 ray(int x, int y) const {
    const float sx = (2 * (float(x) + 0.5f) / float(width) - 1) * tan_half_h;
    const float sy = (1 - 2 * (float(y) + 0.5f) / float(height)) * tan_half_v;
    return normalize(forward + sx * right + sy * up);
  }
  // Camera coordinates of a world point: along right, up and forward (mm).
  CHROMA2_HD Vec3 local(Vec3 p) const {
    const Vec3 v = p - eye;
    return {dot(v, right), dot(v, up), dot(v, forward)};
  }
  // Pixel coordinates of a camera-frame point in front of the camera (inverse of ray()).
  CHROMA2_HD void project(Vec3 c, double& px, double& py) const {
    px = (double(c.x) / c.z / tan_half_h + 1) * 0.5 * width - 0.5;
    py = (1 - double(c.y) / c.z / tan_half_v) * 0.5 * height - 0.5;
  }
};

// Everything the pixel function reads. Trivially copyable: a kernel takes it by value.
struct RenderView {
  CameraFrame frame;
  TriangleGeometryRef geometry;
  const Colour* surface_colours = nullptr;  // by surface id
  std::uint32_t surface_count = 0;
  const Colour* material_colours = nullptr;  // by material id
  std::uint32_t material_count = 0;
  const std::uint8_t* cut = nullptr;  // a Cut by placement id
  std::uint32_t cut_count = 0;
  float near_mm = 0;   // distance of the scene's nearest point: no darkening there, mm
  float depth_mm = 1;  // the darkening reaches 35% this much farther, mm
  Rgb background{0, 0, 0};
};
static_assert(std::is_trivially_copyable_v<RenderView>);

// Hue (degrees), saturation and value in [0, 1] to RGB.
CHROMA2_HD inline Colour hsv(float hue_deg, float s, float v) {
  const float h = fmodf(hue_deg, 360.0f) / 60.0f;
  const float c = v * s, x = c * (1 - fabsf(fmodf(h, 2.0f) - 1)), m = v - c;
  float r = 0, g = 0, b = 0;
  switch (int(h)) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  return {255 * (r + m), 255 * (g + m), 255 * (b + m)};
}

// A hue for index i, well spread for neighbouring ids (golden-ratio steps) and kept out of the
// amber band 25..65 degrees that belongs to the photocathodes.
CHROMA2_HD inline float palette_hue(std::uint32_t i, float offset) {
  const float f = fmodf(offset + 0.6180340f * float(i % 4096), 1.0f);
  return 65 + 320 * f;
}

CHROMA2_HD inline Colour surface_colour(const RenderView& view, std::int32_t id) {
  if (id >= 0 && std::uint32_t(id) < view.surface_count) return view.surface_colours[id];
  return hsv(palette_hue(std::uint32_t(id), 0.11f), 0.75f, 0.95f);  // a surface with no entry
}

CHROMA2_HD inline Colour material_colour(const RenderView& view, std::int32_t id) {
  if (id >= 0 && std::uint32_t(id) < view.material_count) return view.material_colours[id];
  return {200, 200, 200};
}

// The closest hit along `ray` of what view.cut leaves visible; with `only` set, of that placement
// alone. TriangleGeometryRef::closest_hit with the cutaway applied during the walk, so that what
// is cut away costs no second query.
CHROMA2_HD inline Hit visible_hit(const RenderView& view, Ray ray,
                                  std::uint32_t only = invalid_index) {
  const TriangleGeometryRef& g = view.geometry;
  Hit h{};
  h.distance = ray.tmax;
  h.instance = h.primitive = invalid_index;
  h.surface = h.channel = -1;
  h.inner_material = h.outer_material = g.world_material;
  if (g.instance_count == 0) return h;
  float tmax = ray.tmax;
  std::uint32_t best_instance = invalid_index, best_triangle = 0;
  float best_u = 0, best_v = 0;
  Vec3 local_dir{0, 0, 1};   // the ray's direction in the entered placement's frame
  bool skip_facing = false;  // the entered placement is a shell: pass its faces towards the ray
  detail::traverse_instanced(
      g.nodes, g.top_root, ray.origin, ray.direction, ray.tmin, tmax,
      [&](std::uint32_t i, detail::PreparedRay& local) -> std::uint32_t {
        const InstanceRecord& inst = g.instances[i];
        local_dir = inst.transform.rotate_inverse(ray.direction);
        local = detail::prepare_ray(inst.transform.apply_inverse(ray.origin), local_dir);
        const std::uint8_t c = inst.id < view.cut_count ? view.cut[inst.id] : std::uint8_t(keep);
        skip_facing = c == shell;
        if (c == hidden || (only != invalid_index && inst.id != only))
          return invalid_index;  // no tree to walk: back to the top level
        return g.meshes[inst.mesh].root;
      },
      [&](std::uint32_t i, std::uint32_t first, std::uint32_t count,
          const detail::PreparedRay& local, float& tmax_mesh) {
        for (std::uint32_t j = first; j < first + count; ++j) {
          const PackedTriangle& tri = g.triangles[j];
          float t, u, v;
          if (!detail::ray_triangle(local, tri.v0, tri.v1, tri.v2, ray.tmin, tmax_mesh, t, u, v))
            continue;
          if (skip_facing && dot(cross(tri.v1 - tri.v0, tri.v2 - tri.v1), local_dir) < 0) continue;
          tmax_mesh = t;
          best_instance = i, best_triangle = j, best_u = u, best_v = v;
        }
      });
  if (best_instance == invalid_index) return h;
  const InstanceRecord& inst = g.instances[best_instance];
  const PackedTriangle& tri = g.triangles[best_triangle];
  const TriangleMaterials m = g.materials[g.meshes[inst.mesh].material_offset + tri.primitive];
  h.distance = tmax;
  h.instance = inst.id;
  h.primitive = tri.primitive;
  h.u = best_u, h.v = best_v;
  h.normal = inst.transform.rotate(TriangleGeometryRef::unit_normal(tri.v0, tri.v1, tri.v2));
  h.inner_material = m.inner, h.outer_material = m.outer;
  h.surface = m.surface;
  h.channel = inst.channel;
  return h;
}

// The colour seen through pixel (x, y) (0, 0: top left), before any track is drawn.
CHROMA2_HD inline Rgb shade_pixel(const RenderView& view, int x, int y) {
  using render_detail::clamp_of;
  using render_detail::max_of;
  const Vec3 dir = view.frame.ray(x, y);
  const Ray ray{view.frame.eye, 0.0f, dir, std::numeric_limits<float>::infinity()};
  const Hit h = visible_hit(view, ray);
  if (!h.hit()) return view.background;
  // Where a ray continues past a boundary it met at distance d (mm): far enough not to meet the
  // same boundary again at a neighbouring triangle's edge.
  const auto past = [](float d) { return d + max_of(1e-5f * d, 1e-4f); };
  // A plain boundary is clear glass when a surface of the same placement lies behind it (a PMT's
  // photocathode inside its envelope); otherwise it is what the ray shows.
  Hit shown = h;
  if (h.surface < 0) {
    Ray inside = ray;
    inside.tmin = past(h.distance);
    for (int layer = 0; layer < 4; ++layer) {
      const Hit g = visible_hit(view, inside, h.instance);
      if (!g.hit()) break;
      if (g.surface >= 0) {
        shown = g;
        break;
      }
      inside.tmin = past(g.distance);
    }
  }
  const float facing = dot(shown.normal, dir);  // < 0: the ray meets the normal's (outer) side
  const Colour base = shown.surface >= 0 ? surface_colour(view, shown.surface)
                                         : material_colour(view, facing < 0 ? shown.outer_material
                                                                            : shown.inner_material);
  const float lambert = fabsf(facing);  // headlight: the light comes from the camera
  const float fade =
      1 - 0.35f * clamp_of((shown.distance - view.near_mm) / view.depth_mm, 0.0f, 1.0f);
  const float k = (0.3f + 0.7f * lambert) * fade;
  const auto channel = [k](float c) { return std::uint8_t(clamp_of(lroundf(c * k), 0L, 255L)); };
  Rgb out{channel(base.r), channel(base.g), channel(base.b)};
  if (out.r == view.background.r && out.g == view.background.g && out.b == view.background.b)
    out.b = std::uint8_t(out.b + 1);  // geometry is never background
  return out;
}

// The host side of a picture, shared by render() and render_on_device() (render.cpp): the checked
// options, the camera frame, the colour and cutaway tables, and `view` pointing at those tables
// and at the geometry given to prepare_render().
struct RenderSetup {
  RenderView view;
  std::vector<Colour> surface_colours, material_colours;
  std::vector<std::uint8_t> cut;
  RenderSetup() = default;
  RenderSetup(const RenderSetup&) = delete;  // view points into this object's vectors
  RenderSetup& operator=(const RenderSetup&) = delete;
};

// Checks the options (chroma2::Error when the size or the camera is wrong), picks the camera and
// builds the tables; `tracks` frame the default camera of a scene without geometry.
void prepare_render(RenderSetup& setup, const DetectorSpec& spec,
                    const TriangleGeometryRef& geometry, const RenderOptions& options,
                    std::span<const PhotonTrack> tracks);

// Draws the tracks over the picture as one-pixel lines (render.hpp, "Tracks").
void draw_tracks(Image& image, const CameraFrame& frame, std::span<const PhotonTrack> tracks);

}  // namespace chroma2::sim
