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

namespace {
// A version 1 .npy file with the given header dictionary text and data bytes.
std::string npy_with_header(const std::string& dict, const std::string& data) {
  std::string h = dict;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string s = "\x93NUMPY\x01";
  s += '\0';
  s += char(h.size() & 0xff);
  s += char(h.size() >> 8);
  return s + h + data;
}
template <class T>
std::string bytes_of(std::initializer_list<T> values) {
  std::string s;
  for (const T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}
fs::path npy_of(const std::string& name, const std::string& descr, const std::string& shape,
                const std::string& data) {
  return write_file(
      name,
      npy_with_header(
          "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }", data));
}
}  // namespace

TEST_CASE("A binary STL of zero triangles is refused rather than loaded as an empty mesh",
          "[io][stl]") {
  const std::string m = message_of(write_file("zero.stl", binary_stl("", {}, 0)));
  CHECK_THAT(m, ContainsSubstring("zero.stl") && ContainsSubstring("byte 80") &&
                    ContainsSubstring("at least one triangle"));
}

TEST_CASE("OBJ lines the reader does not use never reach the OBJ library", "[io][obj]") {
  if (!obj_support) return;
  // skin weights and texture coordinates with numbers that overflowed inside the library
  const auto l = load_obj(write_file("unused.obj",
                                     "v 0 0 0\nv 1 0 0\nv 0 1 0 0.5 0.5 0.5\n"
                                     "vw 1 8888888888888888888888888888888888888888888888 0.5\n"
                                     "vt 1e2147483649 0\nvn 0 0 1\nusemtl glass\ns 1\nl 1 2\n"
                                     "f 1/1/1 2/1/1 3/1/1\n"));
  CHECK(l.mesh.size() == 1);
  CHECK(l.mesh.vertices.size() == 3);
  CHECK(l.mesh.vertices[2] == Vec3{0, 1, 0});
}

TEST_CASE("OBJ vertex references are checked by the reader and name the line", "[io][obj]") {
  if (!obj_support) return;
  const std::string three = "v 0 0 0\nv 1 0 0\nv 0 1 0\n";
  CHECK_THROWS_WITH(load_obj(write_file("zero_ref.obj", three + "f 1 2 0\n")),
                    ContainsSubstring("zero_ref.obj") && ContainsSubstring("line 4") &&
                        ContainsSubstring("not 0"));
  CHECK_THROWS_WITH(load_obj(write_file("back.obj", three + "f -4 -3 -2\n")),
                    ContainsSubstring("line 4") && ContainsSubstring("'-4'"));
  CHECK_THROWS_WITH(load_obj(write_file("huge.obj", three + "f -9223372036854775808 1 2\n")),
                    ContainsSubstring("line 4"));
  CHECK_THROWS_WITH(load_obj(write_file("ahead.obj", three + "f 1 2 5\nv 0 0 1\nf 1 2 3\n")),
                    ContainsSubstring("line 4") && ContainsSubstring("within the 4 vertices"));
  CHECK_THROWS_WITH(load_obj(write_file("word.obj", three + "f 1 2 3x\n")),
                    ContainsSubstring("line 4") && ContainsSubstring("'3x'"));
  // a reference ahead of its vertex is allowed; negative ones count back from the last so far
  const auto l = load_obj(write_file("refs.obj", three + "f 1 2 4\nv 0 0 1\nf -4 -3//1 -1/2\n"));
  REQUIRE(l.mesh.size() == 2);
  CHECK(l.mesh.triangles[0] == TriangleIndices{0, 1, 3});
  CHECK(l.mesh.triangles[1] == TriangleIndices{0, 1, 3});
}

TEST_CASE("OBJ polygons are triangulated whole or refused naming the line", "[io][obj]") {
  if (!obj_support) return;
  auto polygon = [](const std::vector<std::array<int, 2>>& corners) {
    std::string s, f = "f";
    for (std::size_t k = 0; k < corners.size(); ++k) {
      s += "v ";
      s += std::to_string(corners[k][0]);
      s += ' ';
      s += std::to_string(corners[k][1]);
      s += " 0\n";
      f += ' ';
      f += std::to_string(k + 1);
    }
    return s + f + "\n";
  };
  const std::vector<std::array<int, 2>> u = {{0, 0}, {3, 0}, {3, 3}, {2, 3},
                                             {2, 1}, {1, 1}, {1, 3}, {0, 3}};
  CHECK(load_obj(write_file("u.obj", polygon(u))).mesh.size() == 6);
  // the same U clockwise: the OBJ library drops two of its six triangles, which would leave a hole
  const std::vector<std::array<int, 2>> clockwise(u.rbegin(), u.rend());
  std::string outcome;
  try {
    outcome = std::to_string(load_obj(write_file("u_cw.obj", polygon(clockwise))).mesh.size());
  } catch (const Error& e) {
    outcome = e.what();
  }
  CHECK_THAT(outcome, Catch::Matchers::Equals("6") ||
                          (ContainsSubstring("u_cw.obj") && ContainsSubstring("line 9") &&
                           ContainsSubstring("triangulated")));
  std::string big = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf";
  for (int k = 0; k < 1025; ++k) {
    big += ' ';
    big += std::to_string(k % 3 + 1);
  }
  CHECK_THROWS_WITH(load_obj(write_file("big.obj", big + "\n")),
                    ContainsSubstring("line 4") && ContainsSubstring("more than 1024 corners"));
}

TEST_CASE(".npy values that do not fit the type they are read as give an Error", "[io][npy]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto f8 = read_npy(
      npy_of("f8.npy", "<f8", "(5,)", bytes_of<double>({-2147483648.0, 3e9, 2.5, nan, 1e300})));
  CHECK(f8.as<double>()[0] == -2147483648.0);
  CHECK_THROWS_WITH(f8.as<std::int32_t>(), ContainsSubstring("f8.npy") &&
                                               ContainsSubstring("value 1") &&
                                               ContainsSubstring("int32"));
  CHECK_THROWS_WITH(f8.as<float>(), ContainsSubstring("value 4") && ContainsSubstring("1e+300"));
  CHECK(f8.as<double>()[4] == 1e300);
  const auto whole = read_npy(
      npy_of("whole.npy", "<f8", "(3,)", bytes_of<double>({-2147483648.0, 2147483647.0, 3e9})));
  CHECK(whole.as<std::int64_t>()[2] == 3000000000);
  CHECK_THROWS_WITH(whole.as<std::int32_t>(), ContainsSubstring("value 2"));
  const auto i8 = read_npy(
      npy_of("i8.npy", "<i8", "(2,)", bytes_of<std::int64_t>({-7, std::int64_t(1) << 40})));
  CHECK(i8.as<float>()[1] == 1099511627776.0f);
  CHECK_THROWS_WITH(i8.as<std::int32_t>(),
                    ContainsSubstring("value 1") && ContainsSubstring("1099511627776"));
}

TEST_CASE(".npy shapes that overflow or are not tuples give an Error", "[io][npy]") {
  // 2^62 float32 values: the byte count wrapped to 0 and an empty file was taken as that array
  CHECK_THROWS_WITH(read_npy(npy_of("wrap.npy", "<f4", "(4611686018427387904,)", "")),
                    ContainsSubstring("wrap.npy") && ContainsSubstring("2^64"));
  CHECK_THROWS_WITH(read_npy(npy_of("long.npy", "<f4", "(18446744073709551616,)", "")),
                    ContainsSubstring("2^64"));
  CHECK(read_npy(npy_of("none.npy", "<f8", "(4294967296, 4294967296, 0)", "")).count() == 0);
  CHECK_THROWS_WITH(read_npy(npy_of("bare.npy", "<f4", "12", std::string(48, '\0'))),
                    ContainsSubstring("a shape tuple"));
  CHECK_THROWS_WITH(
      read_npy(write_file(
          "order.npy",
          npy_with_header("{'descr': '<f4', 'fortran_order': TrueFalse, 'shape': (1,), }",
                          std::string(4, '\0')))),
      ContainsSubstring("fortran_order"));
}
