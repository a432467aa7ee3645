// SPDX-License-Identifier: BSD-3-Clause
// chroma2-sim as a user runs it: the default detector on the CPU writes a summary whose six
// endings add up and hit files whose rows match it; every kind of bad command line or scene
// exits non-zero with one line naming the problem; render writes a PNG.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
namespace fs = std::filesystem;

namespace {

struct Result {
  int status;
  std::string out;  // stdout
  std::string err;  // stderr
};

fs::path scratch() {
  const fs::path p = fs::temp_directory_path() / ("chroma2-cli-" + std::to_string(::getpid()));
  fs::create_directories(p);
  return p;
}

std::string slurp(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs chroma2-sim with `args` (shell words), stdout and stderr captured separately.
Result sim(const std::string& args) {
  const fs::path dir = scratch();
  const std::string cmd = std::string(CHROMA2_SIM_EXE) + " " + args + " >" +
                          (dir / "stdout").string() + " 2>" + (dir / "stderr").string();
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir / "stdout"), slurp(dir / "stderr")};
}

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("chroma2-sim runs the default detector and its files agree", "[cli]") {
  const fs::path out = scratch() / "run";
  const Result r = sim("--photons 20000 --backend cpu --threads 2 --seed 3 --out " + out.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, ContainsSubstring("default: water Cherenkov sphere"));
  CHECK_THAT(r.out, ContainsSubstring("20000 photons in 1 event(s), seed 3, on cpu"));
  const auto j = nlohmann::json::parse(slurp(out / "summary.json"));
  const std::uint64_t photons = j["photons"], spawned = j["spawned"];
  CHECK(photons == 20000);
  const std::uint64_t ended =
      j["detected"].get<std::uint64_t>() + j["bulk_absorbed"].get<std::uint64_t>() +
      j["surface_absorbed"].get<std::uint64_t>() + j["escaped"].get<std::uint64_t>() +
      j["max_steps_reached"].get<std::uint64_t>() + j["nan_aborts"].get<std::uint64_t>();
  CHECK(ended == photons + spawned);
  for (const char* key : {"scattered", "reemitted", "hits", "photons_per_second", "wall_seconds",
                          "backend", "device", "seed", "scene"})
    CHECK(j.contains(key));
  CHECK(j["backend"] == "cpu");
  CHECK(j["seed"] == 3);
  CHECK(j["scene"] == "default");
  const std::uint64_t hits = j["hits"];
  CHECK(hits == j["detected"].get<std::uint64_t>());
  CHECK(hits > 200);
  CHECK(lines(slurp(out / "hits.csv")) == hits + 1);
  const std::string npy = slurp(out / "hits.npy");
  CHECK_THAT(npy.substr(0, 640), ContainsSubstring("'shape': (" + std::to_string(hits) + ",)"));
  CHECK(fs::file_size(out / "hits.h5") > 0);
  // one thread instead of two: every photon is the same (its own random stream), so the counts are
  const fs::path again = scratch() / "again";
  REQUIRE(sim("--photons 20000 --backend cpu --threads 1 --seed 3 --quiet --out " + again.string())
              .status == 0);
  const auto k = nlohmann::json::parse(slurp(again / "summary.json"));
  for (const char* key : {"detected", "bulk_absorbed", "surface_absorbed", "scattered", "steps"})
    CHECK(k[key] == j[key]);
}

TEST_CASE("chroma2-sim writes the tier it is asked for", "[cli]") {
  const fs::path out = scratch() / "photons";
  const Result r =
      sim("--photons 3e3 --backend cpu --output photons --quiet --out " + out.string());
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  CHECK(lines(slurp(out / "photons.csv")) >= 3001);
  const fs::path history = scratch() / "history";
  REQUIRE(sim("--photons 500 --backend cpu --output history --quiet --out " + history.string())
              .status == 0);
  CHECK(lines(slurp(history / "photons.csv")) >= 501);  // every final photon
  CHECK(lines(slurp(history / "tracks.csv")) > 1000);   // its start and each step's point
  const fs::path npy_only = scratch() / "npy-only";
  REQUIRE(
      sim("--photons 2000 --backend cpu --formats npy --quiet --out " + npy_only.string()).status ==
      0);
  CHECK(fs::exists(npy_only / "hits.npy"));
  CHECK_FALSE(fs::exists(npy_only / "hits.csv"));
  CHECK_FALSE(fs::exists(npy_only / "hits.h5"));
  CHECK(fs::exists(npy_only / "summary.json"));
  const Result bad_format = sim("--formats npy,parquet");
  CHECK(bad_format.status != 0);
  CHECK_THAT(bad_format.err, ContainsSubstring("parquet"));
  const fs::path ch = scratch() / "channels";
  REQUIRE(
      sim("--photons 3000 --backend cpu --output channels --quiet --out " + ch.string()).status ==
      0);
  CHECK(lines(slurp(ch / "channels.csv")) == 10001);
}

TEST_CASE("chroma2-sim bad command lines exit with one line", "[cli]") {
  const Result backend = sim("--backend gpu");
  CHECK(backend.status != 0);
  CHECK_THAT(backend.err, ContainsSubstring("--backend"));
  CHECK_THAT(backend.err, ContainsSubstring("gpu"));
  const Result photons = sim("--photons 0");
  CHECK(photons.status == 1);
  CHECK(photons.err ==
        "chroma2-sim: error: --photons '0' is not a whole number from 1 to 2^40 (it counts "
        "photons) \u2014 write it as 1000000 or 1e6\n");
  CHECK(sim("--photons 2.5").status == 1);
  const Result unknown = sim("--photon 5");
  CHECK(unknown.status != 0);
  CHECK_THAT(unknown.err, ContainsSubstring("--photon"));
  const Result missing = sim("no/such/scene.toml");
  CHECK(missing.status == 1);
  CHECK(missing.err ==
        "chroma2-sim: error: cannot open scene file 'no/such/scene.toml' (it does not exist or is "
        "not readable) \u2014 check the path\n");
}

TEST_CASE("chroma2-sim reports a bad scene on one line", "[cli]") {
  const fs::path scene = scratch() / "bad.toml";
  std::ofstream(scene) << "[detector]\nworld = \"water\"\n[[material]]\nname = \"water\"\n"
                          "refractive_index = 1.33\nabsorbtion_length_mm = 100\n";
  const Result r = sim(scene.string() + " --backend cpu");
  CHECK(r.status == 1);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, ContainsSubstring(scene.string() + ":6: material 'water': unknown key "
                                                       "'absorbtion_length_mm'"));
  CHECK_THAT(r.err, ContainsSubstring("did you mean 'absorption_length_mm'?"));
}

TEST_CASE("chroma2-sim render writes a PNG", "[cli]") {
  const fs::path png = scratch() / "detector.png";
  const Result r = sim("render default --width 96 --height 64 --out " + png.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string b = slurp(png);
  REQUIRE(b.size() > 8);
  CHECK(b.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  const Result bad = sim("render default --camera 1,2:3 --out " + png.string());
  CHECK(bad.status == 1);
  CHECK_THAT(bad.err, ContainsSubstring("1,2:3"));
}

namespace {
// A little-endian float64 .npy of shape (rows, cols).
void write_matrix_npy(const fs::path& f, const std::vector<double>& v, std::size_t cols) {
  std::string h = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                  std::to_string(v.size() / cols) + ", " + std::to_string(cols) + "), }";
  h.append(63 - (10 + h.size()) % 64, ' ');
  h += '\n';
  std::ofstream out(f, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {char(h.size() & 0xff), char(h.size() >> 8)};
  out.write(len, 2);
  out << h;
  out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(double)));
}
}  // namespace

TEST_CASE("chroma2-sim runs several events of a listed photon source", "[cli]") {
  const fs::path dir = scratch() / "list";
  fs::create_directories(dir);
  // 50 photons from the centre along +x (x y z, dx dy dz, px py pz, wavelength, time)
  std::vector<double> rows;
  for (int i = 0; i < 50; ++i) rows.insert(rows.end(), {0, 0, 0, 1, 0, 0, 0, 1, 0, 400, 0.5});
  write_matrix_npy(dir / "photons.npy", rows, 11);
  std::ofstream(dir / "list.toml") << R"([detector]
world = "water"
[[material]]
name = "water"
refractive_index = 1.33
[[surface]]
name = "counter"
detect = 1.0
[[solid]]
name = "wall"
shape = "sphere"
radius_mm = 1000
inner = "water"
outer = "water"
surface = "counter"
channel = 4
[source]
kind = "list"
photons_npy = "photons.npy"
)";
  const Result r = sim((dir / "list.toml").string() + " --events 3 --backend cpu --quiet --out " +
                       (dir / "out").string());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(slurp(dir / "out" / "summary.json"));
  CHECK(j["photons"] == 150);
  CHECK(j["detected"] == 150);  // every photon meets the wall, which detects all
  const std::string csv = slurp(dir / "out" / "hits.csv");
  CHECK(lines(csv) == 151);
  // each event's 50 hits in channel 4, at the wall 0.98-1 m away (the sphere's flat facets) after
  // travelling at c / 1.33 from t = 0.5 ns
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  int per_event[3] = {0, 0, 0};
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
    REQUIRE(f.size() == 19);
    CHECK(f[0] == "4");
    const double t = std::stod(f[1]);
    CHECK(t > 0.5 + 980 * 1.33 / 299.792458);
    CHECK(t < 0.5 + 1000 * 1.33 / 299.792458 + 1e-4);
    const int event = std::stoi(f[13]);
    REQUIRE((event >= 0 && event < 3));
    ++per_event[event];
  }
  CHECK(per_event[0] == 50);
  CHECK(per_event[1] == 50);
  CHECK(per_event[2] == 50);
}

TEST_CASE("chroma2-sim reports what the tables accepted but deserves a look", "[cli]") {
  const fs::path dir = scratch() / "warn";
  fs::create_directories(dir);
  // an index that rises with wavelength: accepted, with a warning (anomalous dispersion)
  std::ofstream(dir / "warn.toml") << R"([detector]
world = "water"
[[material]]
name = "water"
refractive_index = { nm = [300, 600], values = [1.30, 1.35] }
[[surface]]
name = "counter"
detect = 1.0
[[solid]]
name = "wall"
shape = "sphere"
radius_mm = 1000
inner = "water"
outer = "water"
surface = "counter"
)";
  const Result r = sim((dir / "warn.toml").string() +
                       " --photons 100 --backend cpu --quiet --out " + (dir / "out").string());
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, ContainsSubstring("chroma2-sim: warning: material 'water': refractive index "
                                      "rises with wavelength (anomalous dispersion)"));
  const auto j = nlohmann::json::parse(slurp(dir / "out" / "summary.json"));
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["detected"] == 100);
}
