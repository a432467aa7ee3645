// SPDX-License-Identifier: BSD-3-Clause
// The picture command of chroma2-sim: a ray-cast image of a detector's geometry, shaded by surface
// and material so that the parts can be told apart and the photo-sensitive surfaces (PMTs) stand
// out, optionally with photon tracks drawn over it, written as PNG. It is a look at the geometry
// as the simulation sees it (the same built BVH and ray-triangle test, walked with the cutaway
// below applied), not a physics result. Units: mm, degrees for the field of view.
//
// Rendering rules:
//  - Camera: a pinhole at `position` looking at `look_at`; `fov_deg` is the vertical field of view
//    and `up` fixes the roll. Without one, default_camera() frames the whole scene.
//  - Colour: a triangle with a surface takes its surface's colour: amber (photocathode_colour) when
//    the surface detects photons (its name contains "photocathode", its `detect` table is positive
//    somewhere, or it is a metal surface whose `efficiency` table is), else a saturated colour
//    hashed from the surface id. A triangle without a surface takes the (paler) colour of the
//    material on the side the camera ray comes from: the outer material when the ray meets the
//    normal's side, else the inner one. A boundary without a surface is clear glass when a surface
//    of the same placement lies behind it along the ray (up to 4 boundaries deep): a PMT shows its
//    photocathode through its envelope, while a plain solid shows its own material.
//  - Shading: Lambert with a light at the camera (two-sided, so a face seen from behind is lit as
//    well) plus ambient, and up to 35% darker from the nearest to the farthest point of the scene.
//  - Cutaway (on by default): detectors are closed shells and the tank would hide everything in it.
//    In a scene of more than one placement, the camera ray passes through
//      (1) every triangle of a shell — a placement whose bounding radius is more than half the
//          scene's — whose outward normal faces the camera: the shell's near side seen from
//          outside; and
//      (2) when the camera is outside the scene's bounding sphere, every other placement that lies
//          wholly on the camera's side of the plane through the scene's centre perpendicular to
//          the view direction.
//    So the tank's near wall and the PMTs lining it vanish, and the PMTs on the far wall are seen
//    from inside, facing the camera, with the far wall behind them; a placement at the centre is
//    kept whole (nothing is sliced). A camera inside the detector sees what is in front of it
//    (rule 2 is off), and through the near side of any shell it is outside of. A scene of a single
//    placement (one object, or a detector flattened into one mesh) is drawn whole: its outer shell
//    cannot be told from its contents.
//  - Background: a flat background_colour where the ray meets nothing.
//  - Tracks: each photon's step points, then its final position, joined by one-pixel lines
//    coloured by how the photon ended (track_colour). Lines are drawn over the picture with no
//    occlusion by the geometry; segments behind the camera are clipped.
//  - Where: render() shades the pixels on CPU threads; render_on_device() shades them on the GPU,
//    one thread a pixel, with the same code (render_pixel.hpp) and the same tables, and gives the
//    same picture. Tracks are drawn on the host in both.
#pragma once

#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/geometry/scene.hpp"
#include "chroma2/geometry/triangle_geometry_ref.hpp"
#include "chroma2/io/detector_spec.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace chroma2 {
struct Host;
template <class Space>
class TriangleGeometry;
}  // namespace chroma2

namespace chroma2::sim {

struct Camera {
  Vec3 position;       // mm
  Vec3 look_at;        // mm: the point at the centre of the picture
  Vec3 up{0, 0, 1};    // the direction that appears upward
  float fov_deg = 50;  // vertical field of view, degrees
};

struct RenderOptions {
  int width = 1024, height = 768;  // pixels
  std::optional<Camera> camera;    // none: default_camera() of the scene
  unsigned threads = 0;            // CPU path: 0 for one per hardware thread; unused on the GPU
  bool cutaway = true;             // see the header comment
};

// 8-bit RGB, rows from the top, 3 bytes a pixel.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

struct Rgb {
  std::uint8_t r, g, b;
  friend constexpr bool operator==(Rgb, Rgb) = default;
};

inline constexpr Rgb background_colour{22, 24, 30};
inline constexpr Rgb photocathode_colour{235, 170, 30};  // before shading

// The colour of a track by how the photon ended: detected green, absorbed in the bulk red,
// absorbed on a surface grey, escaped blue, anything else white.
Rgb track_colour(TerminalReason reason);

// The pixel at column x, row y (0, 0: top left).
inline Rgb pixel(const Image& image, int x, int y) {
  const std::size_t i = (std::size_t(y) * std::size_t(image.width) + std::size_t(x)) * 3;
  return {image.rgb[i], image.rgb[i + 1], image.rgb[i + 2]};
}

// Frames the scene: looks at the centre of its bounding box from outside, from 20 degrees above the
// horizontal (z up), far enough for a sphere around every placement to fit in the default field of
// view with 10% to spare.
Camera default_camera(const Scene& scene);

// The picture of `geometry` (built from spec.scene) with `tracks` drawn over it.
Image render(const DetectorSpec& spec, const TriangleGeometryRef& geometry,
             const RenderOptions& options, std::span<const PhotonTrack> tracks = {});

// The same picture with the pixels shaded on the GPU: uploads `built` (the geometry built from
// spec.scene) and the colour and cutaway tables, shades one pixel a thread, copies the image back
// and draws `tracks` on the host as render() does. Throws chroma2::Error when the tool was built
// without CUDA (render.cpp's stand-in) or no CUDA device is visible. A caller picks it when the
// backend is cuda: Backend::cuda from `--backend cuda`, or `auto` with cuda_device_present()
// (run.hpp), else render(spec, built.ref(), options, tracks).
Image render_on_device(const DetectorSpec& spec, const TriangleGeometry<Host>& built,
                       const RenderOptions& options, std::span<const PhotonTrack> tracks = {});

// Writes the image as an 8-bit RGB PNG; chroma2::Error naming the file when it cannot.
void write_png(const Image& image, const std::filesystem::path& path);

// "px,py,pz:lx,ly,lz[:fov]": the camera's position and the point it looks at (mm), optionally the
// vertical field of view (degrees, default 50). chroma2::Error quoting the text when it is wrong.
Camera parse_camera(std::string_view text);

}  // namespace chroma2::sim
