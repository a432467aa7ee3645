// SPDX-License-Identifier: BSD-3-Clause
// The picture command's renderer (render.hpp states the rules): the host side of a picture (checked
// options, camera, colour and cutaway tables), the CPU path (one camera ray per pixel through
// render_pixel.hpp's shade_pixel, rows shared among threads), tracks drawn afterwards as clipped
// one-pixel lines, and the PNG writer (libpng's simplified interface). The GPU path is
// render_cuda.cu; without it, render_on_device() here says the tool was built without CUDA.

#include "tools/sim/render.hpp"

#include "tools/sim/render_pixel.hpp"

#include "chroma2/config/error.hpp"

#include <png.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numbers>
#include <string>
#include <thread>

namespace chroma2::sim {

namespace {

// ---------------------------------------------------------------------------------------------
// Bounds of the scene and of each placement (mm, world frame).

struct Bounds {
  Vec3 lo{std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(),
          std::numeric_limits<float>::infinity()};
  Vec3 hi{-std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
          -std::numeric_limits<float>::infinity()};
  bool empty() const { return !(lo.x <= hi.x && lo.y <= hi.y && lo.z <= hi.z); }
  void grow(Vec3 p) { lo = vmin(lo, p), hi = vmax(hi, p); }
  Vec3 centre() const { return 0.5f * (lo + hi); }
  float radius() const { return empty() ? 0.0f : 0.5f * norm(hi - lo); }  // half the diagonal
};

// The scene's extent: its box, and a sphere about the box's centre holding every placement.
struct SceneBounds {
  Bounds box;
  Vec3 centre{0, 0, 0};
  float radius = 0;                     // mm
  std::vector<Vec3> placement_centre;   // centre of each placement's bounding sphere, mm
  std::vector<float> placement_radius;  // its radius, mm
};

SceneBounds scene_bounds(const Scene& scene) {
  // Each mesh once in its own frame: its box, and a sphere about the box's centre.
  std::vector<Bounds> mesh_box(scene.meshes.size());
  std::vector<float> mesh_radius(scene.meshes.size(), 0.0f);
  for (std::size_t m = 0; m < scene.meshes.size(); ++m) {
    for (const Vec3 v : scene.meshes[m].vertices) mesh_box[m].grow(v);
    if (mesh_box[m].empty()) continue;
    const Vec3 c = mesh_box[m].centre();
    float r2 = 0;
    for (const Vec3 v : scene.meshes[m].vertices) r2 = std::max(r2, dot(v - c, v - c));
    mesh_radius[m] = std::sqrt(r2);
  }
  SceneBounds out;
  out.placement_radius.resize(scene.placements.size(), 0.0f);
  out.placement_centre.resize(scene.placements.size(), Vec3{0, 0, 0});
  std::vector<std::uint8_t> used(scene.placements.size(), 0);
  for (std::size_t p = 0; p < scene.placements.size(); ++p) {
    const Placement& pl = scene.placements[p];
    if (pl.mesh >= scene.meshes.size() || scene.meshes[pl.mesh].triangles.empty()) continue;
    const Bounds& b = mesh_box[pl.mesh];
    if (b.empty()) continue;
    for (int corner = 0; corner < 8; ++corner)  // the mesh box's corners, moved into the world
      out.box.grow(pl.transform.apply({corner & 1 ? b.hi.x : b.lo.x, corner & 2 ? b.hi.y : b.lo.y,
                                       corner & 4 ? b.hi.z : b.lo.z}));
    out.placement_centre[p] = pl.transform.apply(b.centre());
    out.placement_radius[p] = mesh_radius[pl.mesh];
    used[p] = 1;
  }
  if (out.box.empty()) return out;
  out.centre = out.box.centre();
  for (std::size_t p = 0; p < used.size(); ++p)
    if (used[p])
      out.radius = std::max(out.radius,
                            norm(out.placement_centre[p] - out.centre) + out.placement_radius[p]);
  out.radius = std::min(out.radius, out.box.radius());  // the box's own sphere may be tighter
  return out;
}

// A camera that sees the whole sphere (centre, radius) at the default field of view: from a
// direction 20 degrees above the horizontal, turned 30 degrees from -y, at the distance where the
// sphere fits the vertical field of view with 10% to spare.
Camera camera_for(Vec3 centre, float radius) {
  Camera cam;
  radius = std::max(radius, 1.0f);
  const float elevation = 20 * std::numbers::pi_v<float> / 180;
  const float azimuth = -60 * std::numbers::pi_v<float> / 180;
  const Vec3 from{std::cos(elevation) * std::cos(azimuth), std::cos(elevation) * std::sin(azimuth),
                  std::sin(elevation)};
  const float half_fov = 0.5f * cam.fov_deg * std::numbers::pi_v<float> / 180;
  const float distance = 1.1f * radius / std::sin(half_fov);
  cam.position = centre + distance * from;
  cam.look_at = centre;
  return cam;
}

// ---------------------------------------------------------------------------------------------
// The camera's frame (render_pixel.hpp's CameraFrame maps pixels to directions and back).

CameraFrame make_frame(const Camera& cam, int w, int h) {
  CameraFrame f;
  f.eye = cam.position;
  f.width = w, f.height = h;
  f.forward = normalize(cam.look_at - cam.position);
  Vec3 r = cross(f.forward, cam.up);
  if (!(dot(r, r) > 1e-12f)) {  // `up` along the view: any perpendicular will do
    r = cross(f.forward, Vec3{0, 1, 0});
    if (!(dot(r, r) > 1e-12f)) r = cross(f.forward, Vec3{1, 0, 0});
  }
  f.right = normalize(r);
  f.up = cross(f.right, f.forward);
  f.tan_half_v = std::tan(0.5f * cam.fov_deg * std::numbers::pi_v<float> / 180);
  f.tan_half_h = f.tan_half_v * float(w) / float(h);
  return f;
}

void check_camera(const Camera& cam) {
  const auto finite = [](Vec3 v) {
    return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
  };
  if (!finite(cam.position) || !finite(cam.look_at) || !finite(cam.up))
    fail("the camera has a non-finite coordinate", "positions are finite numbers of mm",
         "give finite coordinates");
  if (cam.position == cam.look_at)
    fail("the camera looks at its own position", "the view direction is undefined",
         "put the camera away from the point it looks at");
  if (!(cam.fov_deg > 0 && cam.fov_deg < 180))
    fail("camera field of view " + std::to_string(cam.fov_deg) + " degrees is out of range",
         "it must be more than 0 and less than 180", "give a field of view such as 50");
}

// ---------------------------------------------------------------------------------------------
// Colours (render_pixel.hpp's hsv and palette_hue give the hues).

// A table with a positive value somewhere (a detect column of zeros, as a black surface may
// carry, does not make a photocathode).
bool positive_somewhere(const SpectralTable& t) {
  return std::any_of(t.y.begin(), t.y.end(), [](double v) { return v > 0; });
}

bool detects(const SurfaceSpec& s) {
  std::string name = s.name;
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (name.find("photocathode") != std::string::npos) return true;
  if (positive_somewhere(s.detect)) return true;
  return s.model == static_cast<std::uint32_t>(SurfaceModel::metal) &&
         positive_somewhere(s.efficiency);
}

// Surfaces: amber when they detect, else a saturated hue by id. Materials: paler, so that a
// coloured surface stands out against them, with enough entries for every id a triangle names even
// when the material table is shorter (a bare geometry).
void make_palette(const DetectorSpec& spec, std::vector<Colour>& surfaces,
                  std::vector<Colour>& materials) {
  const Colour amber{float(photocathode_colour.r), float(photocathode_colour.g),
                     float(photocathode_colour.b)};
  surfaces.clear();
  for (std::size_t i = 0; i < spec.surfaces.size(); ++i)
    surfaces.push_back(detects(spec.surfaces[i])
                           ? amber
                           : hsv(palette_hue(std::uint32_t(i), 0.11f), 0.75f, 0.95f));
  std::size_t n = spec.materials.size();
  for (const Mesh& m : spec.scene.meshes)
    for (const TriangleMaterials& t : m.materials)
      n = std::max(
          {n, std::size_t(std::max(t.inner, 0)) + 1, std::size_t(std::max(t.outer, 0)) + 1});
  materials.clear();
  for (std::size_t i = 0; i < n; ++i)
    materials.push_back(hsv(palette_hue(std::uint32_t(i), 0.47f), 0.35f, 0.85f));
}

// ---------------------------------------------------------------------------------------------
// Tracks: lines clipped to the camera's front half-space and to the image.

void put(Image& img, int x, int y, Rgb c) {
  std::uint8_t* p = img.rgb.data() + (std::size_t(y) * std::size_t(img.width) + std::size_t(x)) * 3;
  p[0] = c.r, p[1] = c.g, p[2] = c.b;
}

// Liang-Barsky: clips the segment (x0, y0)-(x1, y1) to [0, w-1] x [0, h-1]; false if nothing stays.
bool clip_to_image(double& x0, double& y0, double& x1, double& y1, int w, int h) {
  const double dx = x1 - x0, dy = y1 - y0;
  double t0 = 0, t1 = 1;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {x0, (w - 1) - x0, y0, (h - 1) - y0};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0) {
      if (q[k] < 0) return false;
      continue;
    }
    const double t = q[k] / p[k];
    if (p[k] < 0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  const double ax = x0 + t0 * dx, ay = y0 + t0 * dy;
  x1 = x0 + t1 * dx, y1 = y0 + t1 * dy;
  x0 = ax, y0 = ay;
  return true;
}

void draw_segment(Image& img, const CameraFrame& view, Vec3 a, Vec3 b, Rgb colour) {
  Vec3 ca = view.local(a), cb = view.local(b);
  constexpr float near_mm = 1e-3f;  // points closer to the camera's plane than this are clipped
  if (ca.z < near_mm && cb.z < near_mm) return;
  if (ca.z < near_mm || cb.z < near_mm) {  // cut the part behind the camera
    const float t = (near_mm - ca.z) / (cb.z - ca.z);
    const Vec3 cut = ca + t * (cb - ca);
    (ca.z < near_mm ? ca : cb) = cut;
  }
  double x0, y0, x1, y1;
  view.project(ca, x0, y0);
  view.project(cb, x1, y1);
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return;
  if (!clip_to_image(x0, y0, x1, y1, img.width, img.height)) return;
  // Bresenham between the rounded end points, which lie inside the image after clipping.
  int x = int(std::lround(x0)), y = int(std::lround(y0));
  const int xe = int(std::lround(x1)), ye = int(std::lround(y1));
  const int dx = std::abs(xe - x), dy = -std::abs(ye - y);
  const int sx = x < xe ? 1 : -1, sy = y < ye ? 1 : -1;
  int err = dx + dy;
  for (;;) {
    put(img, x, y, colour);
    if (x == xe && y == ye) break;
    const int e2 = 2 * err;
    if (e2 >= dy) err += dy, x += sx;
    if (e2 <= dx) err += dx, y += sy;
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------

void draw_tracks(Image& img, const CameraFrame& view, std::span<const PhotonTrack> tracks) {
  for (const PhotonTrack& t : tracks) {
    const Rgb colour = track_colour(t.photon.reason);
    std::vector<Vec3> path;
    path.reserve(t.points.size() + 1);
    for (const StepPoint& s : t.points) path.push_back(s.position);
    const Vec3 end = t.photon.position + t.photon.position_low;
    if (path.empty() || !(path.back() == end)) path.push_back(end);
    if (path.size() == 1) path.push_back(end);  // a photon that never moved: one dot
    for (std::size_t k = 0; k + 1 < path.size(); ++k)
      draw_segment(img, view, path[k], path[k + 1], colour);
  }
}

// -----------------------------------------------------------------------------------------------

Rgb track_colour(TerminalReason reason) {
  switch (reason) {
    case TerminalReason::detected:
      return {60, 220, 90};
    case TerminalReason::bulk_absorbed:
      return {230, 60, 50};
    case TerminalReason::surface_absorbed:
      return {150, 150, 150};
    case TerminalReason::escaped:
      return {80, 140, 255};
    default:
      return {255, 255, 255};
  }
}

Camera default_camera(const Scene& scene) {
  const SceneBounds b = scene_bounds(scene);
  return camera_for(b.centre, b.radius);
}

void prepare_render(RenderSetup& setup, const DetectorSpec& spec,
                    const TriangleGeometryRef& geometry, const RenderOptions& options,
                    std::span<const PhotonTrack> tracks) {
  constexpr int max_side = 16384;
  if (options.width < 1 || options.height < 1 || options.width > max_side ||
      options.height > max_side)
    fail("picture size " + std::to_string(options.width) + " x " + std::to_string(options.height) +
             " pixels is out of range",
         "each side must be 1 to " + std::to_string(max_side) + " pixels",
         "give a size such as 1024 x 768");
  const SceneBounds bounds = scene_bounds(spec.scene);
  Camera cam;
  if (options.camera) {
    cam = *options.camera;
  } else if (!bounds.box.empty()) {
    cam = camera_for(bounds.centre, bounds.radius);
  } else {  // no geometry: frame the tracks instead
    Bounds b;
    for (const PhotonTrack& t : tracks) {
      for (const StepPoint& s : t.points) b.grow(s.position);
      b.grow(t.photon.position + t.photon.position_low);
    }
    cam = camera_for(b.empty() ? Vec3{0, 0, 0} : b.centre(), b.radius());
  }
  check_camera(cam);
  RenderView& view = setup.view;
  view = RenderView{};
  view.frame = make_frame(cam, options.width, options.height);
  view.geometry = geometry;
  view.background = background_colour;
  make_palette(spec, setup.surface_colours, setup.material_colours);

  // The cutaway (render.hpp): which placements the camera ray passes through, and how.
  setup.cut.assign(spec.scene.placements.size(), keep);
  if (options.cutaway && spec.scene.placements.size() > 1) {
    const float centre_depth = dot(bounds.centre - cam.position, view.frame.forward);  // mm
    const bool outside = norm(cam.position - bounds.centre) > bounds.radius;
    for (std::size_t p = 0; p < setup.cut.size(); ++p) {
      const float r = bounds.placement_radius[p];
      if (r > 0.5f * bounds.radius)
        setup.cut[p] = shell;
      else if (outside && dot(bounds.placement_centre[p] - cam.position, view.frame.forward) + r <
                              centre_depth)
        setup.cut[p] = hidden;
    }
  }
  view.surface_colours = setup.surface_colours.data();
  view.surface_count = std::uint32_t(setup.surface_colours.size());
  view.material_colours = setup.material_colours.data();
  view.material_count = std::uint32_t(setup.material_colours.size());
  view.cut = setup.cut.data();
  view.cut_count = std::uint32_t(setup.cut.size());

  // Distances over which the picture darkens: the scene's nearest and farthest points (mm).
  view.near_mm = std::max(0.0f, norm(bounds.centre - cam.position) - bounds.radius);
  view.depth_mm = std::max(2 * bounds.radius, 1e-3f);
}

Image render(const DetectorSpec& spec, const TriangleGeometryRef& geometry,
             const RenderOptions& options, std::span<const PhotonTrack> tracks) {
  RenderSetup setup;
  prepare_render(setup, spec, geometry, options, tracks);
  const RenderView& view = setup.view;
  Image img{
      options.width, options.height,
      std::vector<std::uint8_t>(std::size_t(options.width) * std::size_t(options.height) * 3)};
  const auto shade_row = [&](int y) {
    for (int x = 0; x < img.width; ++x) put(img, x, y, shade_pixel(view, x, y));
  };

  // Rows handed out one at a time, so threads that meet cheap rows take more of them.
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned nthreads =
      std::min<unsigned>(options.threads ? options.threads : hw, unsigned(img.height));
  std::atomic<int> next_row{0};
  const auto work = [&] {
    for (int y; (y = next_row.fetch_add(1, std::memory_order_relaxed)) < img.height;) shade_row(y);
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(nthreads - 1);
    for (unsigned t = 1; t < nthreads; ++t) pool.emplace_back(work);
    work();
  }  // joined here

  draw_tracks(img, view.frame, tracks);
  return img;
}

#if !defined(CHROMA2_SIM_HAS_CUDA_RENDER)
Image render_on_device(const DetectorSpec&, const TriangleGeometry<Host>&, const RenderOptions&,
                       std::span<const PhotonTrack>) {
  fail("rendering on the GPU is not available",
       "this chroma2-sim was built without CUDA (no render_cuda.cu)",
       "render on the CPU (render()), or rebuild with nvcc present (-Dcuda=enabled)");
}
#endif

void write_png(const Image& image, const std::filesystem::path& path) {
  if (image.width < 1 || image.height < 1 ||
      image.rgb.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
    fail("cannot write picture '" + path.string() + "'",
         "the image is " + std::to_string(image.width) + " x " + std::to_string(image.height) +
             " pixels with " + std::to_string(image.rgb.size()) + " bytes of RGB",
         "pass an image from render()");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f)
    fail("cannot write picture '" + path.string() + "'", std::strerror(errno),
         "check that its directory exists and is writable");
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = png_uint_32(image.width);
  png.height = png_uint_32(image.height);
  png.format = PNG_FORMAT_RGB;
  const int ok = png_image_write_to_stdio(&png, f, 0, image.rgb.data(), 0, nullptr);
  const std::string message = png.message;
  png_image_free(&png);
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    fail("cannot write picture '" + path.string() + "'",
         ok ? std::string("closing the file failed: ") + std::strerror(errno) : "PNG: " + message,
         "check the disk space and the file's permissions");
  }
}

Camera parse_camera(std::string_view text) {
  const std::string quoted = "camera '" + std::string(text) + "'";
  const std::string form = "give px,py,pz:lx,ly,lz[:fov], e.g. 0,-8000,3000:0,0,0:45";
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3)
    fail(quoted + " is not position:look_at[:fov]",
         "it has " + std::to_string(parts.size()) +
             " ':'-separated parts; the position and the point looked at are in mm, the optional "
             "vertical field of view in degrees",
         form);
  const auto number = [&](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    double v = 0;
    const char* end = s.data() + s.size();
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || ptr != end || !std::isfinite(v) ||
        std::fabs(v) > std::numeric_limits<float>::max())
      fail(quoted + ": '" + std::string(s) + "' is not a number",
           "coordinates are finite numbers of mm, the field of view a number of degrees", form);
    return float(v);
  };
  const auto point = [&](std::string_view s, const char* what) {
    std::vector<std::string_view> c;
    for (std::size_t start = 0;;) {
      const std::size_t comma = s.find(',', start);
      c.push_back(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (c.size() != 3)
      fail(quoted + ": the " + what + " '" + std::string(s) + "' has " + std::to_string(c.size()) +
               (c.size() == 1 ? " coordinate" : " coordinates"),
           "a point is x,y,z in mm", form);
    return Vec3{number(c[0]), number(c[1]), number(c[2])};
  };
  Camera cam;
  cam.position = point(parts[0], "position");
  cam.look_at = point(parts[1], "point looked at");
  if (parts.size() == 3) {
    cam.fov_deg = number(parts[2]);
    if (!(cam.fov_deg > 0 && cam.fov_deg < 180))
      fail(quoted + ": field of view " + std::string(parts[2]) + " degrees is out of range",
           "it must be more than 0 and less than 180", form);
  }
  if (cam.position == cam.look_at)
    fail(quoted + " looks at its own position", "the view direction is undefined",
         "put the camera away from the point it looks at");
  return cam;
}

}  // namespace chroma2::sim
