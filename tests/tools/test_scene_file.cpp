// SPDX-License-Identifier: BSD-3-Clause
// Scene files: a complete scene gives the detector it describes (ids, tables, transforms,
// arrays, source, run), the shipped scenes give the same detectors as the code that builds them,
// and every kind of mistake gives its exact message: file and line, key, problem, why, what to do.
#include "chroma2/io/chroma_demo.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/io/default_detector.hpp"
#include "support/data.hpp"
#include "tools/sim/scene_file.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace chroma2;
using namespace chroma2::sim;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;

namespace {

const std::string base = R"(
[detector]
name = "two spheres"
world = "water"

[[material]]
name = "water"
refractive_index = { nm = [300, 600], values = [1.34, 1.33] }
absorption_length_mm = 20000

[[material]]
name = "glass"
refractive_index = 1.5

[[surface]]
name = "cathode"
model = "chroma"
detect = { nm = [300, 600], values = [0.2, 0.1] }
absorb = 0.5

[[solid]]
name = "ball"
shape = "sphere"
radius_mm = 100
subdivisions = 2
inner = "glass"
outer = "water"
surface = "cathode"
position_mm = [0, 0, 1000]
channel = 7

[[solid]]
name = "bulb"
shape = "sphere"
radius_mm = 50
subdivisions = 1
place = false
inner = "glass"
outer = "water"

[[array]]
solid = "bulb"
layout = "sphere"
count = 12
radius_mm = 3000
standoff_mm = 100

[source]
kind = "beam"
position_mm = [0, 0, -500]
direction = [0, 0, 2]
radius_mm = 10
wavelength_nm = [400, 450]

[run]
photons = 1234
events = 3
seed = 99
max_steps = 77
output = "channels"
)";

// The message of the Error parsing `text` throws ("" if none).
std::string error_of(const std::string& text, const std::string& origin = "scene.toml") {
  try {
    (void)parse_scene(text, origin);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// `base` with `from` replaced by `to` (which must occur).
std::string edited(const std::string& from, const std::string& to) {
  std::string s = base;
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("chroma2-scene-" + std::to_string(std::rand()) + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

}  // namespace

TEST_CASE("a complete scene gives the detector it describes", "[scene]") {
  const DetectorSpec d = parse_scene(base, "scene.toml");
  CHECK(d.name == "two spheres");
  REQUIRE(d.materials.size() == 2);
  CHECK(d.materials[0].name == "water");
  CHECK(d.materials[0].refractive_index.x == std::vector<double>{300, 600});
  CHECK(d.materials[0].absorption_length.y == std::vector<double>{20000, 20000});
  CHECK(d.materials[1].refractive_index.y == std::vector<double>{1.5, 1.5});
  REQUIRE(d.surfaces.size() == 1);
  CHECK(d.surfaces[0].detect.y == std::vector<double>{0.2, 0.1});
  CHECK(d.scene.world_material == 0);
  REQUIRE(d.scene.meshes.size() == 2);
  CHECK(d.scene.meshes[0].size() == 20 * 16);
  CHECK(d.scene.meshes[0].materials[0].inner == 1);
  CHECK(d.scene.meshes[0].materials[0].outer == 0);
  CHECK(d.scene.meshes[0].materials[0].surface == 0);
  CHECK(d.scene.meshes[1].materials[0].surface == -1);
  REQUIRE(d.scene.placements.size() == 13);
  CHECK(d.scene.placements[0].channel == 7);
  CHECK(d.scene.placements[0].transform.t.z == 1000.0f);
  // the array's channels continue after the largest one placed before it
  for (std::size_t k = 1; k < 13; ++k) {
    CHECK(d.scene.placements[k].mesh == 1);
    CHECK(d.scene.placements[k].channel == std::int32_t(7 + k));
    const Vec3 p = d.scene.placements[k].transform.t;
    CHECK_THAT(norm(p), WithinAbs(2900, 1e-2));
    // facing the centre: local +z maps to -p/|p|
    const Vec3 face = d.scene.placements[k].transform.rotate({0, 0, 1});
    CHECK_THAT(dot(face, p) / norm(p), WithinAbs(-1, 1e-5));
  }
  CHECK(d.channels == 20);
  CHECK(d.source.kind == SourceSpec::Kind::beam);
  CHECK_THAT(d.source.direction.z, WithinAbs(1, 1e-7));
  CHECK(d.source.wavelength.kind == WavelengthChoice::Kind::uniform);
  CHECK(d.source.wavelength.lo_nm == 400);
  CHECK(d.source.wavelength.hi_nm == 450);
  CHECK(d.run.photons == 1234);
  CHECK(d.run.events == 3);
  CHECK(d.run.seed == 99);
  CHECK(d.run.max_steps == 77);
  CHECK(d.run.output == OutputTier::channels);
}

TEST_CASE("rotations apply about x then y then z", "[scene]") {
  const DetectorSpec d =
      parse_scene(edited("position_mm = [0, 0, 1000]", "rotation_deg = [90, 0, 90]"), "s.toml");
  const RigidTransform& t = d.scene.placements[0].transform;
  // x: (0, 1, 0) -> (0, 0, 1); then z: (0, 0, 1) stays
  const Vec3 y = t.rotate({0, 1, 0});
  CHECK_THAT(y.z, WithinAbs(1, 1e-6));
  // x axis: unchanged by the x turn, then z by 90 degrees -> (0, 1, 0)
  const Vec3 x = t.rotate({1, 0, 0});
  CHECK_THAT(x.y, WithinAbs(1, 1e-6));
}

TEST_CASE("tables come inline in nm or eV or from a CSV column", "[scene]") {
  TempDir dir;
  dir.write("index.csv", "wavelength_nm,refractive_index,other (mm)\n300,1.40,5\n500,1.35,6\n");
  dir.write("ev.csv", "energy_ev,value\n2.0,0.1\n\n3.0,0.2\n");
  const std::string text = edited(
      "refractive_index = 1.5",
      "refractive_index = { csv = \"index.csv\", column = \"refractive_index\" }\n"
      "absorption_length_mm = { csv = \"${CHROMA2_TEST_DIR}/index.csv\", column = \"other\" }\n"
      "scattering_length_mm = { ev = [2, 3], values = [100, 200] }\n"
      "reemission_probability = { csv = \"ev.csv\", column = \"value\" }\n"
      "reemission = [{ share = 1, spectrum = { nm = [400, 500], values = [1, 2] }, "
      "time_constant_ns = 2.5 }]");
  const auto scene = dir.write("scene.toml", text);
  ::setenv("CHROMA2_TEST_DIR", dir.path.c_str(), 1);
  const DetectorSpec d = load_scene(scene);
  ::unsetenv("CHROMA2_TEST_DIR");
  const MaterialSpec& g = d.materials[1];
  CHECK(g.refractive_index.x == std::vector<double>{300, 500});
  CHECK(g.refractive_index.y == std::vector<double>{1.40, 1.35});
  CHECK(g.absorption_length.y == std::vector<double>{5, 6});
  CHECK(g.scattering_length.unit == SpectralUnit::electronvolt);
  CHECK(g.reemission_probability->unit == SpectralUnit::electronvolt);
  CHECK(g.reemission_probability->y == std::vector<double>{0.1, 0.2});
  REQUIRE(g.reemission.size() == 1);
  CHECK(g.reemission[0].time_constant_ns == 2.5);
  CHECK(g.reemission[0].spectrum.y == std::vector<double>{1, 2});
  REQUIRE(g.reemission.size() == 1);
  CHECK(g.reemission[0].time_constant_ns == 2.5);
  CHECK(g.reemission[0].spectrum.y == std::vector<double>{1, 2});
}

TEST_CASE("scene errors name the file line key and fix", "[scene]") {
  // syntax
  CHECK(error_of("[detector\nname = 1") ==
        "scene.toml:1: not valid TOML: Error while parsing table header: expected ']', saw "
        "'\\n' (scene files are TOML (docs/scene-format.md)) \u2014 fix the syntax at that line");
  // an unknown key, with the closest valid one
  CHECK(error_of(edited("radius_mm = 100", "radus_mm = 100")) ==
        "scene.toml:24: solid 'ball': unknown key 'radus_mm' (the keys of a [solid] are: name, "
        "shape, place, inner, outer, surface, channel, position_mm, rotation_deg, radius_mm, "
        "subdivisions, half_extent_mm, half_height_mm, segments, rings, profile_mm, file, scale, "
        "vertices_npy, triangles_npy, triangle_inner_npy, triangle_outer_npy, "
        "triangle_surface_npy, pmt, glass, vacuum, photocathode, back) \u2014 did you mean "
        "'radius_mm'?");
  CHECK(error_of(base + "\n[runn]\nphotons = 3\n") ==
        "scene.toml:62: scene: unknown key 'runn' (the keys of a [scene] are: detector, material, "
        "surface, solid, array, source, run) \u2014 did you mean 'run'?");
  // a wrong type
  CHECK(error_of(edited("radius_mm = 100", "radius_mm = \"big\"")) ==
        "scene.toml:24: solid 'ball' radius_mm: is a string, not a number (see "
        "docs/scene-format.md for the form of radius_mm) \u2014 write radius_mm as a number");
  // a bad value
  CHECK(error_of(edited("radius_mm = 100", "radius_mm = -100")) ==
        "scene.toml:24: solid 'ball' radius_mm: is -100, not positive (it is a size) \u2014 give "
        "a value above 0");
  CHECK(error_of(edited("output = \"channels\"", "output = \"hit\"")) ==
        "scene.toml:60: run output: 'hit' is not a valid value (it is one of: hits, photons, "
        "history, channels) \u2014 did you mean 'hits'?");
  CHECK(error_of(edited("max_steps = 77", "max_steps = 0")) ==
        "scene.toml:59: run max_steps: 0 is out of range (it must be in [1, 65535]) \u2014 give a "
        "value in that range");
  // undefined names
  CHECK(error_of(edited("inner = \"glass\"\nouter = \"water\"\nsurface",
                        "inner = \"glas\"\nouter = \"water\"\nsurface")) ==
        "scene.toml:26: solid 'ball' inner: names material 'glas', which is not defined (the "
        "materials are: glass, water) \u2014 did you mean 'glass'?");
  CHECK(error_of(edited("surface = \"cathode\"", "surface = \"mirror\"")) ==
        "scene.toml:28: solid 'ball' surface: names surface 'mirror', which is not defined (the "
        "surfaces are: cathode) \u2014 define it with [[surface]]");
  CHECK(error_of(edited("solid = \"bulb\"", "solid = \"bulbs\"")) ==
        "scene.toml:42: array 0 solid: names solid 'bulbs', which is not defined (an array places "
        "a solid defined by a [[solid]] of that name) \u2014 did you mean 'bulb'?");
  // missing keys
  CHECK(error_of(edited("radius_mm = 100\n", "")) ==
        "scene.toml:21: solid 'ball': the key 'radius_mm' is missing (a sphere has a radius) "
        "\u2014 add radius_mm = ...");
  CHECK(error_of(edited("world = \"water\"\n", "")) ==
        "scene.toml:2: detector: the key 'world' is missing (the world is the material outside "
        "every solid) \u2014 add world = ...");
  // tables
  CHECK(error_of(edited("values = [1.34, 1.33]", "values = [1.34]")) ==
        "scene.toml:8: material 'water' refractive_index values: has 1 entries (at least 2 are "
        "needed) \u2014 add entries");
  CHECK(error_of(edited("nm = [300, 600], values = [1.34, 1.33]",
                        "nm = [300, 600, 700], values = [1.34, 1.33]")) ==
        "scene.toml:8: material 'water' refractive_index values: has 2 entries but nm has 3 (one "
        "value per node) \u2014 give as many values as nodes");
  CHECK_THAT(error_of(edited("nm = [300, 600], values = [1.34, 1.33]",
                             "nm = [300, 300], values = [1.34, 1.33]")),
             ContainsSubstring("scene.toml:8: material 'water' refractive_index: "));
  // files
  CHECK(
      error_of(edited("refractive_index = 1.5",
                      "refractive_index = { csv = \"no/such.csv\", column = \"n\" }"),
               "/tmp/x/scene.toml") ==
      "/tmp/x/scene.toml:13: material 'glass' refractive_index: cannot open '/tmp/x/no/such.csv' "
      "(it does not exist or is not readable) \u2014 check the path (relative to the scene file)");
  CHECK(error_of(edited("refractive_index = 1.5",
                        "refractive_index = { csv = \"${CHROMA2_NO_SUCH_VARIABLE}/a.csv\", "
                        "column = \"n\" }")) ==
        "scene.toml:13: material 'glass' refractive_index csv: '${CHROMA2_NO_SUCH_VARIABLE}/a.csv' "
        "uses ${CHROMA2_NO_SUCH_VARIABLE}, which is not set (${NAME} stands for the environment "
        "variable NAME) \u2014 set CHROMA2_NO_SUCH_VARIABLE or write the path out");
  CHECK(error_of(edited("shape = \"sphere\"\nradius_mm = 100\nsubdivisions = 2",
                        "shape = \"mesh\"\nfile = \"/no/such/mesh.stl\"")) ==
        "scene.toml:24: solid 'ball' file: cannot open STL file '/no/such/mesh.stl' (it does not "
        "exist or is unreadable) \u2014 check the path");
  // duplicates and contradictions
  CHECK(error_of(edited("name = \"glass\"", "name = \"water\"")) ==
        "scene.toml:12: material 'water' name: 'water' is defined twice (material names are "
        "unique) \u2014 rename one of them");
  CHECK(error_of(edited("wavelength_nm = [400, 450]", "wavelength_nm = [450, 400]")) ==
        "scene.toml:53: source wavelength_nm: is not a range [lo, hi] with 0 < lo <= hi (an array "
        "is a uniform range in nm) \u2014 write wavelength_nm = [300, 600]");
  CHECK(error_of(edited("direction = [0, 0, 2]", "direction = [0, 0, 0]")) ==
        "scene.toml:51: source direction: is the zero vector (a beam goes one way) \u2014 give a "
        "direction");
  CHECK(error_of(edited("radius_mm = 100", "radius_mm = 100\nscale = 2")) ==
        "scene.toml:25: solid 'ball' scale: does not apply to a sphere (a sphere takes: "
        "radius_mm, subdivisions, inner, surface) \u2014 remove scale or change the kind");
  CHECK(error_of(edited("standoff_mm = 100", "standoff_mm = 100\nrotation_npy = \"r.npy\"")) ==
        "scene.toml:47: array 0 rotation_npy: does not apply to a sphere layout (a sphere layout "
        "takes: count, radius_mm, standoff_mm, centre_mm) \u2014 remove rotation_npy or change "
        "the kind");
  // a table that parses but breaks a rule of its material: the entry's line and label
  CHECK(error_of(edited("absorption_length_mm = 20000", "absorption_length_mm = -5")) ==
        "scene.toml:6: material 'water' absorption_length entry 0 (x = 100 nm, y = -5) is not "
        "allowed (a length is positive (mm); leave the table empty for an infinite one) \u2014 "
        "correct the table of material 'water'");
  CHECK(error_of(edited("absorb = 0.5", "absorb = 0.9")) ==
        "scene.toml:15: surface 'cathode': detect + absorb + reemit + reflect_diffuse + "
        "reflect_specular + transmit = 1.1 at 300 nm (one uniform draw picks among them, so they "
        "cannot exceed 1) \u2014 lower the probabilities there (the remainder meets the boundary "
        "as a dielectric)");
  CHECK(error_of(edited("kind = \"beam\"", "kind = \"point\"")) ==
        "scene.toml:51: source direction: is given for a point source (only a beam has it) "
        "\u2014 remove it");
}

TEST_CASE("a scene file that does not exist is named", "[scene]") {
  try {
    (void)load_scene("/no/such/scene.toml");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "cannot open scene file '/no/such/scene.toml' (it does not exist or is not readable) "
          "\u2014 check the path");
  }
}

TEST_CASE("closest key suggestions", "[scene]") {
  CHECK(closest_key("radus_mm", {"radius_mm", "rings"}) == "radius_mm");
  CHECK(closest_key("photon", {"photons", "events"}) == "photons");
  CHECK(closest_key("zzzzzz", {"photons", "events"}).empty());
}

TEST_CASE("the default scene file is the built-in default detector", "[scene]") {
  const DetectorSpec file = load_scene(std::filesystem::path(CHROMA2_SCENES_DIR) / "default.toml");
  const DetectorSpec code = default_detector();
  CHECK(file.name == code.name);
  REQUIRE(file.materials.size() == code.materials.size());
  for (std::size_t k = 0; k < code.materials.size(); ++k) {
    CHECK(file.materials[k].name == code.materials[k].name);
    CHECK(file.materials[k].refractive_index.y == code.materials[k].refractive_index.y);
    CHECK(file.materials[k].absorption_length.y == code.materials[k].absorption_length.y);
    CHECK(file.materials[k].scattering_length.y == code.materials[k].scattering_length.y);
  }
  REQUIRE(file.surfaces.size() == code.surfaces.size());
  for (std::size_t k = 0; k < code.surfaces.size(); ++k) {
    CHECK(file.surfaces[k].name == code.surfaces[k].name);
    CHECK(file.surfaces[k].detect.y == code.surfaces[k].detect.y);
    CHECK(file.surfaces[k].absorb.y == code.surfaces[k].absorb.y);
    CHECK(file.surfaces[k].reflect_diffuse.y == code.surfaces[k].reflect_diffuse.y);
    CHECK(file.surfaces[k].reflect_specular.y == code.surfaces[k].reflect_specular.y);
  }
  CHECK(file.scene.world_material == code.scene.world_material);
  REQUIRE(file.scene.meshes.size() == code.scene.meshes.size());
  for (std::size_t k = 0; k < code.scene.meshes.size(); ++k) {
    CHECK(file.scene.meshes[k].vertices.size() == code.scene.meshes[k].vertices.size());
    CHECK(file.scene.meshes[k].size() == code.scene.meshes[k].size());
    bool same = true;
    for (std::size_t t = 0; t < code.scene.meshes[k].size(); ++t) {
      const auto a = file.scene.meshes[k].materials[t], b = code.scene.meshes[k].materials[t];
      same = same && a.inner == b.inner && a.outer == b.outer && a.surface == b.surface;
    }
    CHECK(same);
  }
  REQUIRE(file.scene.placements.size() == code.scene.placements.size());
  bool same = true;
  for (std::size_t k = 0; k < code.scene.placements.size(); ++k) {
    const Placement &a = file.scene.placements[k], &b = code.scene.placements[k];
    same = same && a.mesh == b.mesh && a.channel == b.channel &&
           std::memcmp(&a.transform, &b.transform, sizeof a.transform) == 0;
  }
  CHECK(same);
  CHECK(file.channels == 10000);
  CHECK(file.source.kind == SourceSpec::Kind::point);
  CHECK(file.source.wavelength.kind == WavelengthChoice::Kind::spectrum);
  REQUIRE(file.source.wavelength.spectrum.x == code.source.wavelength.spectrum.x);
  // the same spectrum up to normalisation
  const auto& fy = file.source.wavelength.spectrum.y;
  const auto& cy = code.source.wavelength.spectrum.y;
  for (std::size_t k = 0; k < fy.size(); ++k)
    CHECK_THAT(fy[k] / fy[0], WithinAbs(cy[k] / cy[0], 1e-5));
  CHECK(file.run.photons == 1'000'000);
}

TEST_CASE("the Chroma demo scenes are the demo detectors", "[scene][data]") {
  const auto data = test::require_data_dir();
  ::setenv("CHROMA2_DATA_DIR", data.c_str(), 0);
  for (const std::string det : {"tiny", "full"}) {
    INFO(det);
    const DetectorSpec d =
        load_scene(std::filesystem::path(CHROMA2_SCENES_DIR) / ("chroma_" + det + ".toml"));
    const Scene ref = load_chroma_demo(data / "chroma-demo", det);
    REQUIRE(d.scene.meshes.size() == ref.meshes.size());
    for (std::size_t k = 0; k < ref.meshes.size(); ++k) {
      CHECK(d.scene.meshes[k].vertices == ref.meshes[k].vertices);
      CHECK(d.scene.meshes[k].triangles == ref.meshes[k].triangles);
      bool same = true;
      for (std::size_t t = 0; t < ref.meshes[k].size(); ++t) {
        const auto a = d.scene.meshes[k].materials[t], b = ref.meshes[k].materials[t];
        same = same && a.inner == b.inner && a.outer == b.outer && a.surface == b.surface;
      }
      CHECK(same);
    }
    REQUIRE(d.scene.placements.size() == ref.placements.size());
    bool same = true;
    for (std::size_t k = 0; k < ref.placements.size(); ++k) {
      const Placement &a = d.scene.placements[k], &b = ref.placements[k];
      same = same && a.mesh == b.mesh && a.channel == b.channel &&
             std::memcmp(&a.transform, &b.transform, sizeof a.transform) == 0;
    }
    CHECK(same);
    CHECK(d.scene.world_material == ref.world_material);
    const auto materials = load_chroma_demo_materials(data / "chroma-demo");
    REQUIRE(d.materials.size() == materials.size());
    for (std::size_t k = 0; k < materials.size(); ++k) {
      CHECK(d.materials[k].refractive_index.y == materials[k].refractive_index.y);
      CHECK(d.materials[k].absorption_length.y == materials[k].absorption_length.y);
      CHECK(d.materials[k].scattering_length.y == materials[k].scattering_length.y);
    }
    CHECK(d.surfaces.size() == 4);
    CHECK(d.source.wavelength.lo_nm == 400);
    CHECK(d.source.wavelength.hi_nm == 800);
    CHECK(d.run.photons == 5'000'000);
    CHECK(d.run.max_steps == 100);
  }
}

TEST_CASE("scene size limits refuse a solid before it is built", "[scene]") {
  SceneLimits small;
  small.max_triangles_per_solid = 1000;
  try {
    (void)parse_scene(edited("subdivisions = 2", "subdivisions = 3"), "s.toml", small);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "s.toml:25: solid 'ball' subdivisions: makes a solid of 1280 triangles (a solid may "
          "have at most 1000 (SceneLimits)) \u2014 use fewer subdivisions, segments or rings");
  }
  small.max_placements = 5;
  CHECK_THROWS_AS(parse_scene(base, "s.toml", small), Error);
}

TEST_CASE("a scene path that is not a regular file is refused", "[scene]") {
  CHECK(error_of(edited("refractive_index = 1.5",
                        "refractive_index = { csv = \"/dev/zero\", column = \"n\" }")) ==
        "scene.toml:13: material 'glass' refractive_index csv: '/dev/zero' is not a regular file "
        "(tables, meshes and arrays are read from files) \u2014 name a file");
}

TEST_CASE("scene text the TOML reader must not see is refused with its line", "[scene]") {
  static constexpr char with_nul[] = "[detector]\nworld = \"w\"\n[r\0un]\n";
  CHECK(error_of(std::string(with_nul, sizeof with_nul - 1)) ==
        "scene.toml:3: a NUL byte (scene files are TOML text) \u2014 check that the file is the "
        "scene file, and write keys and values in ASCII (any character may go in a \"string\" "
        "or after #)");
  CHECK(error_of("[detector]\nworld = w\u00e9\n") ==
        "scene.toml:2: a non-ASCII character outside a string or comment (TOML keys and values "
        "other than strings are ASCII) \u2014 check that the file is the scene file, and write "
        "keys and values in ASCII (any character may go in a \"string\" or after #)");
  CHECK_THAT(error_of("n=0\"\u01bb\n"), ContainsSubstring("scene.toml:1: a non-ASCII character"));
  // strings and comments may hold any UTF-8: the scene below fails later, for another reason
  CHECK_THAT(error_of("# \u00b5m and \u00b0C\n[detector]\nname = \"\u010cerenkov \u00e9\"\n"),
             ContainsSubstring("the key 'world' is missing"));
}
