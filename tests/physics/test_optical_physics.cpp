// SPDX-License-Identifier: BSD-3-Clause
// OpticalPhysics end to end on the host backend (the persistent worker on std::jthreads): the
// bodies in optical_bodies.hpp, which gpu_physics.cu runs on the GPU as they are.
#include "detector_bodies.hpp"
#include "optical_bodies.hpp"
#include "support/data.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>
#include <fstream>

using namespace chroma2;
using namespace chroma2::test;

static_assert(Physics<OpticalPhysics<InfiniteMedium>>);
static_assert(Physics<OpticalPhysics<PlaneGeometry>>);
static_assert(std::is_trivially_copyable_v<OpticalPhysics<PlaneGeometry>>);
static_assert(std::is_trivially_copyable_v<SurfaceRef>);
static_assert(std::is_trivially_copyable_v<SurfacesRef>);

TEST_CASE("Absorption lengths follow Beer-Lambert and time follows the path",
          "[physics][optical][host][stats]") {
  check_beer_lambert<Host>(1000000);
}

TEST_CASE("Absorption and Rayleigh scattering race by their lengths",
          "[physics][optical][host][stats]") {
  check_absorption_scattering_race<Host>(1000000);
}

TEST_CASE("Arrival times follow the group velocity of a dispersive medium",
          "[physics][optical][host]") {
  check_group_velocity_timing<Host>();
}

TEST_CASE("A dielectric plane reflects s and p light with the Fresnel reflectance",
          "[physics][optical][host][stats]") {
  check_fresnel_fractions<Host>(200000);
}

TEST_CASE("Chroma's surface model splits photons by its tables and Fresnel takes the rest",
          "[physics][optical][host][stats]") {
  check_chroma_surface<Host>(1000000);
}

TEST_CASE("A source 20 um from a detector counts the same at the origin and 30 m away",
          "[physics][optical][host][stats]") {
  check_translation_invariance<Host>(1000000);
}

TEST_CASE("Non-finite photons end with nan_abort and are counted", "[physics][optical][host]") {
  check_nan_photons<Host>();
}

TEST_CASE("Every photon at a surface ends once, with the history bit of its ending",
          "[physics][optical][host]") {
  check_chroma_surface_conservation<Host>(20000);
}

TEST_CASE("Bad surfaces are errors that name the surface, the property and the entry",
          "[physics][surfaces][host]") {
  using Catch::Matchers::ContainsSubstring;
  const auto rejects = [](SurfaceSpec s, const char* what) {
    CHECK_THROWS_WITH(SurfaceSet<Host>({s}),
                      ContainsSubstring(what) && ContainsSubstring("\u2014"));
  };
  SurfaceSpec over;
  over.name = "greedy";
  over.detect = {{400.0, 500.0}, {0.6, 0.6}};
  over.absorb = {{400.0, 450.0, 500.0}, {0.3, 0.5, 0.3}};
  rejects(over, "surface 'greedy': detect + absorb");
  SurfaceSpec negative;
  negative.name = "odd";
  negative.reflectivity = {{400.0, 500.0}, {0.5, 1.5}};
  rejects(negative, "reflectivity");
  SurfaceSpec model;
  model.name = "mystery";
  model.model = 17;
  rejects(model, "names model 17");
  SurfaceSpec paint;
  paint.name = "paint";
  paint.model = static_cast<std::uint32_t>(SurfaceModel::back_painted);
  rejects(paint, "without a layer_index");
  SurfaceSpec dichroic;
  dichroic.name = "filter";
  dichroic.model = static_cast<std::uint32_t>(SurfaceModel::dichroic);
  dichroic.dichroic_angles_deg = {0, 45};
  dichroic.dichroic_reflectance = {flat_table(0.5)};
  rejects(dichroic, "each angle of incidence needs one R and one T table");
  SurfaceSpec wls;
  wls.name = "shifter";
  wls.model = static_cast<std::uint32_t>(SurfaceModel::wavelength_shifting);
  wls.reemit = flat_table(0.5);
  rejects(wls, "re-emits but has no reemission spectrum");
  SurfaceSpec user;
  user.name = "user";
  user.model = first_user_surface_model;
  CHECK_NOTHROW(SurfaceSet<Host>({user}));
  CHECK_THROWS_WITH(check_surface_models<StandardSurfaceModels>({user}),
                    ContainsSubstring("surface 'user' names model 64"));
  CHECK_NOTHROW(check_surface_models<StandardSurfaceModels>({over, paint}));
}

TEST_CASE("Every standard surface model runs through the worker and conserves photons",
          "[physics][optical][surfaces][host]") {
  check_every_surface_model<Host>(20000);
}

namespace {
struct ScatteringNearMiss {  // returns a direction only, no polarisation: not a ScatteringProcess
  static constexpr std::uint32_t history_bit = 0;
  float mean_free_path(float l, float) const { return l; }
  template <class Rng>
  Vec3 scatter(Vec3 d, Vec3, Rng&) const {
    return d;
  }
};
struct SurfaceModelNearMiss {  // no model id
  template <class Rng>
  BoundaryFate interact(const SurfacesRef&, const BoundaryInput&, Photon&, Rng&) const {
    return BoundaryFate::back;
  }
};
struct ScatteringArchetype {
  static constexpr std::uint32_t history_bit = history::rayleigh_scatter;
  float mean_free_path(float l, float) const { return l; }
  template <class Rng>
  Beam scatter(Vec3 d, Vec3 e, Rng&) const {
    return {d, e};
  }
};
}  // namespace
static_assert(ScatteringProcess<ScatteringArchetype>);
static_assert(!ScatteringProcess<ScatteringNearMiss>);
static_assert(SurfaceModelFor<ChromaSurface, SurfacesRef>);
static_assert(!SurfaceModelFor<SurfaceModelNearMiss, SurfacesRef>);

TEST_CASE("Painted, metal and dichroic surfaces split photons by tables read between their nodes",
          "[physics][optical][surfaces][host][stats]") {
  check_reflector_fractions<Host>(1000000);
}

TEST_CASE("A one-sided surface acts only on photons from its outer side",
          "[physics][optical][surfaces][host]") {
  check_one_sided_surface<Host>();
}

TEST_CASE("Chroma's tiny demo detector runs end to end: nothing escapes, photons are detected",
          "[physics][optical][detector][host][data]") {
  check_demo_detector<Host>(require_data_dir() / "chroma-demo", 20000);
}

TEST_CASE("A scene naming a material or surface without tables is an error naming the triangle",
          "[physics][detector][host]") {
  using Catch::Matchers::ContainsSubstring;
  Scene scene;
  Mesh box = make_box({10, 10, 10});
  box.name = "box";
  box.materials.assign(box.triangles.size(), TriangleMaterials{0, 1, -1});
  box.materials[5] = {0, 7, -1};
  scene.add_placement(scene.add_mesh(std::move(box)));
  CHECK_THROWS_WITH(check_scene_tables(scene, 2, 0),
                    ContainsSubstring("mesh 'box' triangle 5 names material 7"));
  scene.meshes[0].materials[5] = {0, 1, 3};
  CHECK_THROWS_WITH(check_scene_tables(scene, 2, 2),
                    ContainsSubstring("mesh 'box' triangle 5 names surface 3"));
  CHECK_NOTHROW(check_scene_tables(scene, 2, 4));
  scene.world_material = 2;
  CHECK_THROWS_WITH(check_scene_tables(scene, 2, 4), ContainsSubstring("world material 2"));
}

TEST_CASE("A malformed surface table is an error naming file and line",
          "[physics][detector][host]") {
  using Catch::Matchers::ContainsSubstring;
  const auto dir = std::filesystem::temp_directory_path() / "chroma2_surface_csv_test";
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* text) {
    std::ofstream(dir / "s.csv") << text;
    return dir / "s.csv";
  };
  CHECK_THROWS_WITH(read_chroma_surface_csv(write("wavelength_nm,detect\n400,0\n"), "s"),
                    ContainsSubstring("line 1"));
  const char* header = "wavelength_nm,detect,absorb,reemit,reflect_diffuse,reflect_specular\n";
  CHECK_THROWS_WITH(
      read_chroma_surface_csv(
          write((std::string(header) + "400,0,0,0,0,0\n500,0,1.5,0,0,0\n").c_str()), "s"),
      ContainsSubstring("line 3") && ContainsSubstring("absorb"));
  CHECK_THROWS_WITH(
      read_chroma_surface_csv(write((std::string(header) + "400,0,0,0,0,x\n").c_str()), "s"),
      ContainsSubstring("line 2"));
  const SurfaceSpec ok = read_chroma_surface_csv(
      write((std::string(header) + "400,0.1,0.2,0,0.3,0.1\n500,0.2,0.1,0,0.3,0.1\n").c_str()), "s");
  CHECK(ok.detect.y[1] == 0.2);
  CHECK(ok.reemit.x.empty());  // nothing re-emitted: no table
  std::filesystem::remove_all(dir);
}
