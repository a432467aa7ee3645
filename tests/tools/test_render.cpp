// SPDX-License-Identifier: BSD-3-Clause
// Tests of the picture command's renderer (tools/sim/render.hpp): what lands on which pixel for
// simple scenes whose picture can be worked out by hand — a sphere's silhouette, the cutaway of a
// tank around a photocathode, tracks over an empty scene — and the PNG file and camera text.

#include "tools/sim/render.hpp"

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"

#include <png.h>
#include <catch2/catch_test_macros.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>

using namespace chroma2;
using namespace chroma2::sim;

namespace {

SpectralTable flat(double value) { return {{300.0, 800.0}, {value, value}}; }

MaterialSpec material(const std::string& name) {
  MaterialSpec m;
  m.name = name;
  m.refractive_index = flat(1.33);
  return m;
}

// A detector of the given meshes, each placed once at the origin; materials 0 (world) and 1.
struct Setup {
  DetectorSpec spec;
  TriangleGeometry<Host> geometry;
};

Setup make_setup(std::vector<Mesh> meshes, std::vector<SurfaceSpec> surfaces = {}) {
  Setup s;
  for (Mesh& m : meshes) s.spec.scene.add_placement(s.spec.scene.add_mesh(std::move(m)));
  s.spec.materials = {material("world"), material("water")};
  s.spec.surfaces = std::move(surfaces);
  s.geometry = build_geometry(s.spec.scene);
  return s;
}

bool is_background(Rgb c) { return c == background_colour; }

// True when the pixel is the photocathode's amber, whatever the shading's brightness.
bool is_amber(Rgb c) {
  if (c.r < 40) return false;
  const double g = double(c.g) / c.r, b = double(c.b) / c.r;
  return std::fabs(g - double(photocathode_colour.g) / photocathode_colour.r) < 0.03 &&
         std::fabs(b - double(photocathode_colour.b) / photocathode_colour.r) < 0.03;
}

std::filesystem::path temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("chroma2_test_render_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

PhotonTrack track(std::vector<Vec3> points, TerminalReason reason) {
  PhotonTrack t;
  for (Vec3 p : points) t.points.push_back({p, 0.0f});
  t.photon.position = points.back();
  t.photon.reason = reason;
  return t;
}

}  // namespace

TEST_CASE("A box fills its pixels and leaves the background elsewhere", "[render]") {
  Setup s = make_setup([] {
    std::vector<Mesh> m;
    m.push_back(make_box({100, 100, 100}, 2, {1, 0, -1}));
    return m;
  }());
  RenderOptions o;
  o.width = 200;
  o.height = 150;
  o.camera = Camera{{0, -1000, 0}, {0, 0, 0}, {0, 0, 1}, 40};
  const Image img = render(s.spec, s.geometry.ref(), o);
  REQUIRE(img.width == 200);
  REQUIRE(img.height == 150);
  REQUIRE(img.rgb.size() == 200u * 150u * 3u);
  // The box's near face is a square of half side (100 / 900) / tan(20°) * 75 ≈ 22.9 pixels.
  CHECK_FALSE(is_background(pixel(img, 100, 75)));
  CHECK_FALSE(is_background(pixel(img, 100 + 18, 75 - 18)));
  CHECK(is_background(pixel(img, 0, 0)));
  CHECK(is_background(pixel(img, 199, 149)));
  CHECK(is_background(pixel(img, 100 + 30, 75)));
  CHECK(is_background(pixel(img, 100, 75 + 30)));
}

TEST_CASE("A sphere's silhouette is a disc of the expected radius", "[render]") {
  const float radius = 100, distance = 1000, fov = 30;
  Setup s = make_setup([&] {
    std::vector<Mesh> m;
    m.push_back(make_geodesic_sphere(radius, 5, {1, 0, -1}));
    return m;
  }());
  RenderOptions o;
  o.width = o.height = 401;
  o.camera = Camera{{0, 0, distance}, {0, 0, 0}, {0, 1, 0}, fov};
  const Image img = render(s.spec, s.geometry.ref(), o);
  // Seen from the distance d, the sphere spans the half-angle asin(R/d); on the picture plane that
  // is tan(asin(R/d)) / tan(fov/2) half-heights.
  const double alpha = std::asin(radius / distance);
  const double r_px =
      std::tan(alpha) / std::tan(fov / 2 * std::numbers::pi / 180) * (o.height / 2.0);
  std::size_t hit = 0, outside_disc = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      if (is_background(pixel(img, x, y))) continue;
      ++hit;
      if (std::hypot(x - 200, y - 200) > r_px + 1.5) ++outside_disc;
    }
  const double expected = std::numbers::pi * r_px * r_px;
  CHECK(std::fabs(double(hit) / expected - 1) < 0.03);
  CHECK(outside_disc == 0);
}

TEST_CASE("The cutaway shows a photocathode inside a tank", "[render]") {
  SurfaceSpec cathode;
  cathode.name = "pmt_photocathode";
  SurfaceSpec steel;
  steel.name = "steel";
  Setup s = make_setup(
      [] {
        std::vector<Mesh> m;
        m.push_back(make_box({1000, 1000, 1000}, 1, {1, 0, -1}));  // the tank: water inside
        m.push_back(make_geodesic_sphere(200, 3, {1, 1, 0}));      // a PMT at its centre
        // and a steel ball between the camera and the PMT, in the tank's near half
        m.push_back(make_geodesic_sphere(150, 3, {1, 1, 1}, {0, -500, 0}));
        return m;
      }(),
      {cathode, steel});
  RenderOptions o;
  o.width = o.height = 101;
  o.camera = Camera{{0, -4000, 0}, {0, 0, 0}, {0, 0, 1}, 40};
  SECTION("with the cutaway the PMT is seen through the tank's near half") {
    const Image img = render(s.spec, s.geometry.ref(), o);
    CHECK(is_amber(pixel(img, 50, 50)));
    // Beside the PMT: the tank's far wall, seen from the water, not the PMT.
    const Rgb wall = pixel(img, 50 + 25, 50);
    CHECK_FALSE(is_background(wall));
    CHECK_FALSE(is_amber(wall));
  }
  SECTION("without it the tank hides the PMT") {
    o.cutaway = false;
    const Image img = render(s.spec, s.geometry.ref(), o);
    CHECK_FALSE(is_background(pixel(img, 50, 50)));
    CHECK_FALSE(is_amber(pixel(img, 50, 50)));
  }
  SECTION("a camera inside the tank sees the near ball") {
    // From inside, the plane through the centre puts the ball on the far side of the camera: kept.
    o.camera = Camera{{0, -900, 0}, {0, 0, 0}, {0, 0, 1}, 40};
    const Image img = render(s.spec, s.geometry.ref(), o);
    CHECK_FALSE(is_background(pixel(img, 50, 50)));
    CHECK_FALSE(is_amber(pixel(img, 50, 50)));
  }
}

// One mesh of two concentric spheres: glass (a plain boundary) around a photocathode.
Mesh glass_bulb() {
  Mesh glass = make_geodesic_sphere(200, 3, {2, 1, -1});
  const Mesh cathode = make_geodesic_sphere(190, 3, {3, 2, 0});
  const auto base = static_cast<std::uint32_t>(glass.vertices.size());
  for (const Vec3 v : cathode.vertices) glass.add_vertex(v);
  for (std::size_t t = 0; t < cathode.size(); ++t) {
    const auto& tri = cathode.triangles[t];
    glass.add_triangle(tri[0] + base, tri[1] + base, tri[2] + base, cathode.materials_of(t));
  }
  return glass;
}

TEST_CASE("A photocathode shows through the glass of its own placement only", "[render]") {
  SurfaceSpec cathode;
  cathode.name = "photocathode";
  Setup s = make_setup(
      [] {
        std::vector<Mesh> m;
        m.push_back(glass_bulb());
        m.push_back(make_box({300, 10, 300}, 1, {2, 1, -1}));  // a glass plate in front of it
        for (Vec3& v : m.back().vertices) v.y -= 400;
        return m;
      }(),
      {cathode});
  s.spec.materials = {material("world"), material("water"), material("glass"), material("vacuum")};
  RenderOptions o;
  o.width = o.height = 101;
  o.cutaway = false;  // the plate is no shell to cut away; see the cutaway test
  o.camera = Camera{{0, 0, 2000}, {0, 0, 0}, {0, 1, 0}, 30};  // above: the plate is edge-on
  const Image above = render(s.spec, s.geometry.ref(), o);
  CHECK(is_amber(pixel(above, 50, 50 + 10)));
  o.camera = Camera{{0, -2000, 0}, {0, 0, 0}, {0, 0, 1}, 30};  // in front: the plate hides it
  const Image front = render(s.spec, s.geometry.ref(), o);
  CHECK_FALSE(is_background(pixel(front, 50, 50)));
  CHECK_FALSE(is_amber(pixel(front, 50, 50)));
}

TEST_CASE("Detecting surfaces are amber and others are not", "[render]") {
  SurfaceSpec sensor;  // detects through its table, whatever its name
  sensor.name = "sensor";
  sensor.detect = flat(0.25);
  SurfaceSpec paint;
  paint.name = "black_paint";
  paint.absorb = flat(1.0);
  paint.detect =
      flat(0.0);  // a detect column of zeros (as Chroma's black surface has) is no sensor
  Setup s = make_setup(
      [] {
        std::vector<Mesh> m;
        m.push_back(make_geodesic_sphere(100, 3, {1, 0, 0}, {-150, 0, 0}));
        m.push_back(make_geodesic_sphere(100, 3, {1, 0, 1}, {150, 0, 0}));
        return m;
      }(),
      {sensor, paint});
  RenderOptions o;
  o.width = 201;
  o.height = 101;
  o.camera = Camera{{0, -1500, 0}, {0, 0, 0}, {0, 0, 1}, 30};
  const Image img = render(s.spec, s.geometry.ref(), o);
  // The spheres' centres are at ±150 / 1500 / tan(15°) * 50.5 ≈ ±18.8 pixels from the middle.
  CHECK(is_amber(pixel(img, 100 - 19, 50)));
  CHECK_FALSE(is_background(pixel(img, 100 + 19, 50)));
  CHECK_FALSE(is_amber(pixel(img, 100 + 19, 50)));
  CHECK(is_background(pixel(img, 100, 50)));  // between them
}

TEST_CASE("Tracks over an empty scene colour the pixels they cross", "[render]") {
  DetectorSpec spec;
  const TriangleGeometryRef nothing{};
  RenderOptions o;
  o.width = o.height = 101;
  o.camera = Camera{{0, -1000, 0}, {0, 0, 0}, {0, 0, 1}, 90};
  // At 1000 mm with a 90-degree view, 1 mm is 50.5 / 1000 pixels: ±100 mm is ±5.05 pixels.
  const std::vector<PhotonTrack> tracks = {
      track({{-100, 0, 0}, {100, 0, 0}}, TerminalReason::detected),  // row 50, x 45..55
      track({{0, 0, 400}, {0, 0, 600}}, TerminalReason::escaped),    // column 50, y 20..30
      track({{-600, 0, -600}, {-300, 0, -600}}, TerminalReason::bulk_absorbed),  // row 80
      track({{0, -1500, 0}, {0, -1200, 0}}, TerminalReason::detected),  // behind the camera
  };
  const Image img = render(spec, nothing, o, tracks);
  const Rgb green = track_colour(TerminalReason::detected);
  const Rgb blue = track_colour(TerminalReason::escaped);
  const Rgb red = track_colour(TerminalReason::bulk_absorbed);
  std::size_t coloured = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const Rgb c = pixel(img, x, y);
      const bool on_first = y == 50 && x >= 45 && x <= 55;
      const bool on_second = x == 50 && y >= 20 && y <= 30;
      const bool on_third = y == 80 && x >= 20 && x <= 35;
      if (on_first) CHECK(c == green);
      if (on_second) CHECK(c == blue);
      if (on_third) CHECK(c == red);
      if (on_first || on_second || on_third) continue;
      if (!is_background(c)) ++coloured;
    }
  CHECK(coloured == 0);  // nothing else, and nothing from the track behind the camera
  CHECK(track_colour(TerminalReason::surface_absorbed) == Rgb{150, 150, 150});
  CHECK(track_colour(TerminalReason::max_steps) == Rgb{255, 255, 255});
}

TEST_CASE("A track from behind the camera is clipped at the camera's plane", "[render]") {
  DetectorSpec spec;
  RenderOptions o;
  o.width = o.height = 101;
  o.camera = Camera{{0, -1000, 0}, {0, 0, 0}, {0, 0, 1}, 90};
  // From behind the camera to 1000 mm in front of it, 100 mm below the axis: the visible part runs
  // from the bottom edge up to the row of (0, 0, -100), y = 50 + 5.05.
  const std::vector<PhotonTrack> tracks = {
      track({{0, -1500, -100}, {0, 0, -100}}, TerminalReason::detected)};
  const Image img = render(spec, TriangleGeometryRef{}, o, tracks);
  CHECK(pixel(img, 50, 100) == track_colour(TerminalReason::detected));
  CHECK(pixel(img, 50, 55) == track_colour(TerminalReason::detected));
  CHECK(is_background(pixel(img, 50, 52)));
}

TEST_CASE("Threads do not change the picture", "[render]") {
  Setup s = make_setup([] {
    std::vector<Mesh> m;
    m.push_back(make_box({1000, 1000, 1000}, 1, {1, 0, -1}));
    m.push_back(make_cylinder(200, 300, 24, 1, {1, 1, -1}));
    return m;
  }());
  RenderOptions o;
  o.width = 160;
  o.height = 120;
  o.threads = 1;
  const Image one = render(s.spec, s.geometry.ref(), o);
  o.threads = 3;
  const Image three = render(s.spec, s.geometry.ref(), o);
  CHECK(one.rgb == three.rgb);
}

TEST_CASE("render_on_device gives render's picture or says why it cannot", "[render]") {
  Setup s = make_setup([] {
    std::vector<Mesh> m;
    m.push_back(make_box({1000, 1000, 1000}, 1, {1, 0, -1}));
    m.push_back(make_cylinder(200, 300, 24, 1, {1, 1, -1}));
    return m;
  }());
  RenderOptions o;
  o.width = 160;
  o.height = 120;
  const Image cpu = render(s.spec, s.geometry.ref(), o);
  // Built without CUDA, or no GPU visible: a chroma2::Error that says so. With a GPU: the same
  // picture (tests/tools/gpu_render.cpp compares larger scenes).
  try {
    const Image gpu = render_on_device(s.spec, s.geometry, o);
    CHECK(gpu.width == cpu.width);
    CHECK(gpu.height == cpu.height);
    CHECK(gpu.rgb == cpu.rgb);
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK((what.find("without CUDA") != std::string::npos ||
           what.find("no GPU") != std::string::npos));
  }
}

TEST_CASE("The default camera frames the scene from outside and above", "[render]") {
  Setup s = make_setup([] {
    std::vector<Mesh> m;
    m.push_back(make_geodesic_sphere(500, 3, {1, 0, -1}, {100, 200, 300}));
    return m;
  }());
  const Camera cam = default_camera(s.spec.scene);
  CHECK(std::fabs(cam.look_at.x - 100) < 0.01f);
  CHECK(std::fabs(cam.look_at.y - 200) < 0.01f);
  CHECK(std::fabs(cam.look_at.z - 300) < 0.01f);
  const Vec3 d = cam.position - cam.look_at;
  CHECK(norm(d) > 500 * std::sqrt(3.0f));  // outside the bounding box's sphere
  CHECK(d.z > 0);                          // above the centre
  // The whole sphere is in the picture: its centre is drawn and the border is background.
  RenderOptions o;
  o.width = 160;
  o.height = 120;
  const Image img = render(s.spec, s.geometry.ref(), o);
  CHECK_FALSE(is_background(pixel(img, 80, 60)));
  for (int x = 0; x < img.width; ++x)
    CHECK((is_background(pixel(img, x, 0)) && is_background(pixel(img, x, img.height - 1))));
  for (int y = 0; y < img.height; ++y)
    CHECK((is_background(pixel(img, 0, y)) && is_background(pixel(img, img.width - 1, y))));
}

TEST_CASE("write_png writes a PNG that reads back the same", "[render]") {
  Image img{7, 5, std::vector<std::uint8_t>(7 * 5 * 3)};
  for (std::size_t i = 0; i < img.rgb.size(); ++i) img.rgb[i] = std::uint8_t(i * 37 + 11);
  const auto file = temp_dir() / "picture.png";
  write_png(img, file);

  unsigned char signature[8] = {};
  {
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(signature), 8);
    REQUIRE(in.gcount() == 8);
  }
  CHECK(png_sig_cmp(signature, 0, 8) == 0);

  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&png, file.c_str()) != 0);
  CHECK(png.width == 7);
  CHECK(png.height == 5);
  png.format = PNG_FORMAT_RGB;
  std::vector<std::uint8_t> back(PNG_IMAGE_SIZE(png));
  REQUIRE(png_image_finish_read(&png, nullptr, back.data(), 0, nullptr) != 0);
  CHECK(back == img.rgb);
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("write_png into a missing directory names the path", "[render]") {
  const Image img{2, 2, std::vector<std::uint8_t>(12, 100)};
  const auto file = temp_dir() / "no_such_directory" / "picture.png";
  try {
    write_png(img, file);
    FAIL("no error");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.find("cannot write picture '" + file.string() + "'") != std::string::npos);
    CHECK(what.find("No such file or directory") != std::string::npos);
  }
  std::filesystem::remove_all(file.parent_path().parent_path());
}

TEST_CASE("parse_camera reads position look_at and field of view", "[render]") {
  const Camera a = parse_camera("0,-8000,3000:0,0,0");
  CHECK(a.position == Vec3{0, -8000, 3000});
  CHECK(a.look_at == Vec3{0, 0, 0});
  CHECK(a.fov_deg == 50);
  const Camera b = parse_camera("1.5, 2e3 ,-3:4,5,6:35.5");
  CHECK(b.position == Vec3{1.5f, 2000, -3});
  CHECK(b.look_at == Vec3{4, 5, 6});
  CHECK(b.fov_deg == 35.5f);
}

TEST_CASE("parse_camera rejects bad text quoting it", "[render]") {
  const auto message = [](std::string_view text) {
    try {
      parse_camera(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto contains = [](const std::string& m, const std::string& part) {
    INFO(m);
    return m.find(part) != std::string::npos;
  };
  CHECK(contains(message("1,2,3"),
                 "camera '1,2,3' is not position:look_at[:fov] (it has 1 ':'-separated parts"));
  CHECK(contains(message("1,2,3:4,5,6:7:8"), "camera '1,2,3:4,5,6:7:8' is not position"));
  CHECK(contains(message("1,2:0,0,0"),
                 "camera '1,2:0,0,0': the position '1,2' has 2 coordinates (a point is x,y,z "
                 "in mm)"));
  CHECK(contains(message("1,2,3:0,0,0,0"),
                 "camera '1,2,3:0,0,0,0': the point looked at '0,0,0,0' has 4 coordinates"));
  CHECK(contains(message("1,2,x:0,0,0"), "camera '1,2,x:0,0,0': 'x' is not a number"));
  CHECK(contains(message("1,,3:0,0,0"), "camera '1,,3:0,0,0': '' is not a number"));
  CHECK(contains(message("1,2,3:0,0,0:wide"), "'wide' is not a number"));
  CHECK(contains(message("1,2,3:0,0,0:200"),
                 "camera '1,2,3:0,0,0:200': field of view 200 degrees is out of range (it must "
                 "be more than 0 and less than 180)"));
  CHECK(contains(message("1,2,3:0,0,0:0"), "field of view 0 degrees is out of range"));
  CHECK(contains(message("1,2,3:1,2,3"),
                 "camera '1,2,3:1,2,3' looks at its own position (the view direction is "
                 "undefined)"));
  CHECK(contains(message("1,2,3:0,0,0:nan"), "'nan' is not a number"));
  CHECK(contains(message("1,2,3:0,0,0"), "no error"));
}
