// SPDX-License-Identifier: BSD-3-Clause
// Mesh files and .npy: good files in the variants common writers produce, and bad files (written
// by the test) that must each give an Error naming the file and the place, never a partial mesh.
#include "chroma2/io/npy.hpp"
#include "chroma2/io/obj.hpp"
#include "chroma2/io/stl.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace chroma2;
using Catch::Matchers::ContainsSubstring;
namespace fs = std::filesystem;

namespace {
// A folder of this process's own, removed when the test binary exits.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("chroma2_io_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
fs::path temp_dir() {
  static const TempDir dir;
  return dir.path;
}
fs::path write_file(const std::string& name, const std::string& bytes) {
  const fs::path p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}
std::string binary_stl(const std::string& header80, const std::vector<std::array<float, 9>>& tris,
                       std::uint32_t count_field) {
  std::string s = header80;
  s.resize(80, '\0');
  s.append(reinterpret_cast<const char*>(&count_field), 4);
  for (const auto& t : tris) {
    float rec[12] = {0, 0, 1};
    std::memcpy(rec + 3, t.data(), 36);
    s.append(reinterpret_cast<const char*>(rec), 48);
    s.append(2, '\0');
  }
  return s;
}
const std::vector<std::array<float, 9>> two = {{0, 0, 0, 1, 0, 0, 0, 1, 0},
                                               {1, 0, 0, 1, 1, 0, 0, 1, 0}};
std::string message_of(const fs::path& p) {
  try {
    (void)load_stl(p);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("Binary STL files load whatever their header says", "[io][stl]") {
  for (const std::string& header :
       {std::string(80, '\0'), std::string("solid made by a CAD tool"), std::string("binary")}) {
    const auto l = load_stl(write_file("b.stl", binary_stl(header, two, 2)), {1, 2, 3});
    CHECK(l.summary.format == "binary STL");
    CHECK(l.mesh.size() == 2);
    CHECK(l.mesh.vertices.size() == 4);  // shared positions are welded
    CHECK(l.mesh.materials[1].outer == 2);
    CHECK(l.mesh.vertices[l.mesh.triangles[1][1]].y == 1.0f);
  }
}

TEST_CASE("ASCII STL files load with CRLF, upper case, exponents and no final newline",
          "[io][stl]") {
  const std::string body =
      "solid cube exported\r\n"
      "  FACET NORMAL 0 0 1\r\n    OUTER LOOP\r\n      VERTEX 0 0 0\r\n"
      "      VERTEX 1.0E+00 0 0\r\n      VERTEX 0 1e0 +0.0\r\n    ENDLOOP\r\n  ENDFACET\r\n"
      "  facet normal 0 0 1\n outer loop\n vertex 1 0 0\n vertex 1 1 0\n vertex 0 1 -0.0e-3\n"
      " endloop\n endfacet\n"
      "endsolid cube";
  const auto l = load_stl(write_file("a.stl", body));
  CHECK(l.summary.format == "ASCII STL");
  CHECK(l.mesh.size() == 2);
  CHECK(l.mesh.vertices.size() == 4);
  CHECK(l.summary.degenerate.empty());
}

TEST_CASE("Degenerate STL triangles are reported in the load summary, slivers are not",
          "[io][stl]") {
  auto tris = two;
  tris.push_back({0, 0, 0, 1, 0, 0, 2, 0, 0});         // collinear
  tris.push_back({5, 5, 5, 5, 5, 5, 6, 5, 5});         // repeated vertex
  tris.push_back({0, 0, 0, 1, 0, 0, 0.5f, 1e-7f, 0});  // sliver
  const auto l = load_stl(write_file("d.stl", binary_stl("", tris, 5)));
  CHECK(l.summary.degenerate == std::vector<std::uint32_t>{2, 3});
  CHECK(l.summary.slivers == 1);
  CHECK(l.mesh.size() == 5);
}

TEST_CASE("Bad STL files give errors naming the file, the place, the expected and the found",
          "[io][stl]") {
  const auto good = binary_stl("", two, 2);
  struct Case {
    std::string name, bytes, place, found;
  };
  std::string nan_file = good;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(nan_file.data() + 84 + 12 + 4, &nan, 4);
  const std::vector<Case> cases = {
      {"empty.stl", "", "byte 0", "empty"},
      {"short.stl", "garbage", "byte 7", "end of the file"},
      {"truncated.stl", good.substr(0, good.size() - 10), "byte 80", "bytes"},
      {"count.stl", binary_stl("", two, 3), "byte 80", "3 triangles need 234 bytes"},
      {"garbage.stl", std::string(300, '\x7f'), "byte 80", "not an STL"},
      {"nan.stl", nan_file, "byte 100", "nan"},
      {"cut.stl", "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0", "line 5",
       "end of the file"},
      {"word.stl", "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 zero 0\n", "line 4",
       "'zero'"},
      {"inf.stl", "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 1e39 0\n", "line 4",
       "out of range"},
      {"two.stl", "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nendloop\n",
       "line 6", "'endloop'"},
      {"nofacet.stl", "solid x\nendsolid x\n", "line", "none"},
      {"keyword.stl", "solid x\nfacet normal 0 0 1\ninner loop\n", "line 3", "'inner'"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string m = message_of(write_file(c.name, c.bytes));
    CHECK_THAT(m, ContainsSubstring(c.name));
    CHECK_THAT(m, ContainsSubstring(c.place));
    CHECK_THAT(m, ContainsSubstring(c.found));
    CHECK_THAT(m, ContainsSubstring("expected"));
  }
  CHECK_THROWS_WITH(load_stl(temp_dir() / "absent.stl"), ContainsSubstring("absent.stl"));
}

TEST_CASE("OBJ files load through tinyobjloader or say that the build has no OBJ support",
          "[io][obj]") {
  const auto good =
      write_file("q.obj", "# a quad\r\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n");
  if (!obj_support) {
    CHECK_THROWS_WITH(load_obj(good), ContainsSubstring("no OBJ support"));
    return;
  }
  const auto l = load_obj(good, {0, 2, -1});
  CHECK(l.mesh.size() == 2);
  CHECK(l.mesh.vertices.size() == 4);
  CHECK(l.summary.format == "OBJ");
  CHECK_THROWS_WITH(load_obj(write_file("bad_num.obj", "v 0 0 0\nv 1 x 0\nv 0 1 0\nf 1 2 3\n")),
                    ContainsSubstring("line 2") && ContainsSubstring("'x'"));
  CHECK_THROWS_WITH(load_obj(write_file("bad_idx.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n")),
                    ContainsSubstring("bad_idx.obj"));
  CHECK_THROWS_WITH(load_obj(write_file("empty.obj", "")), ContainsSubstring("empty"));
  CHECK_THROWS_WITH(load_obj(write_file("noface.obj", "v 0 0 0\n")), ContainsSubstring("no faces"));
  CHECK_THROWS_WITH(load_obj(write_file("nan.obj", "v 0 nan 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")),
                    ContainsSubstring("line 1"));
}

TEST_CASE(".npy files load in their dtypes and bad ones name the byte and the mismatch",
          "[io][npy]") {
  auto npy = [](const std::string& descr, const std::string& shape, const std::string& data) {
    std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::string s = "\x93NUMPY\x01";
    s += '\0';
    s += char(h.size() & 0xff);
    s += char(h.size() >> 8);
    return s + h + data;
  };
  const float f[6] = {1, 2, 3, 4, 5, 6};
  const std::string fd(reinterpret_cast<const char*>(f), 24);
  const auto a = read_npy(write_file("f.npy", npy("<f4", "(2, 3)", fd)), {0, 3});
  CHECK(a.shape == std::vector<std::size_t>{2, 3});
  CHECK(a.as<double>()[5] == 6.0);
  const std::int32_t i[2] = {-1, 7};
  CHECK(read_npy(write_file("i.npy",
                            npy("<i4", "(2,)", std::string(reinterpret_cast<const char*>(i), 8))))
            .as<int>()[0] == -1);
  CHECK_THROWS_WITH(read_npy(write_file("short.npy", npy("<f4", "(2, 3)", fd.substr(0, 20)))),
                    ContainsSubstring("short.npy") && ContainsSubstring("24 data bytes") &&
                        ContainsSubstring("20 bytes"));
  CHECK_THROWS_WITH(read_npy(write_file("magic.npy", "NOTNUMPYFILE")), ContainsSubstring("magic"));
  CHECK_THROWS_WITH(read_npy(write_file("type.npy", npy(">f4", "(6,)", fd))),
                    ContainsSubstring("'>f4'"));
  CHECK_THROWS_WITH(read_npy(write_file("shape.npy", npy("<f4", "(6,)", fd)), {0, 3}),
                    ContainsSubstring("expected shape"));
  CHECK_THROWS_WITH(read_npy(write_file("tiny.npy", "\x93NUM")), ContainsSubstring("byte 0"));
}
