// SPDX-License-Identifier: BSD-3-Clause
// STL reader, binary and ASCII, tolerant of common writers' variants: binary files whose header
// starts with "solid", all-zero headers, CRLF, upper-case keywords, exponent notation, no final
// newline. Identical positions are welded. A bad file gives an Error naming file and offset/line.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/io/mesh_summary.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chroma2 {

namespace detail {

// Welds identical positions (bit for bit) into one vertex.
class VertexWelder {
 public:
  explicit VertexWelder(Mesh& m) : mesh_(m) {}
  std::uint32_t operator()(Vec3 v) {
    v = {v.x + 0.0f, v.y + 0.0f, v.z + 0.0f};  // -0 and +0 are one position
    std::array<std::uint32_t, 3> k;
    std::memcpy(k.data(), &v, 12);
    const std::uint64_t h = (std::uint64_t(k[0]) * 0x9e3779b97f4a7c15ull) ^
                            (std::uint64_t(k[1]) * 0xc2b2ae3d27d4eb4full) ^ k[2];
    auto [it, fresh] = map_.try_emplace(h, 0u);
    if (fresh) return it->second = mesh_.add_vertex(v);
    // a hash collision between different positions: fall back to a new vertex
    const Vec3 o = mesh_.vertices[it->second];
    if (std::memcmp(&o, &v, 12) == 0) return it->second;
    return mesh_.add_vertex(v);
  }

 private:
  Mesh& mesh_;
  std::unordered_map<std::uint64_t, std::uint32_t> map_;
};

[[noreturn]] inline void stl_fail(const std::filesystem::path& f, const std::string& where,
                                  const std::string& expected, const std::string& found) {
  fail("STL file '" + f.string() + "' is malformed at " + where,
       "expected " + expected + ", found " + found,
       "re-export the mesh from its source or repair the file");
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

inline LoadedMesh parse_binary_stl(const std::filesystem::path& f,
                                   const std::vector<unsigned char>& b, std::uint32_t n) {
  LoadedMesh l;
  l.summary.file = f.string();
  l.summary.format = "binary STL";
  VertexWelder weld(l.mesh);
  l.mesh.triangles.reserve(n);
  for (std::uint32_t t = 0; t < n; ++t) {
    const std::size_t at = 84 + std::size_t(t) * 50;
    float c[12];
    std::memcpy(c, b.data() + at, 48);
    for (int k = 3; k < 12; ++k)
      if (!std::isfinite(c[k]))
        stl_fail(f, "byte " + std::to_string(at + 4 * k) + " (triangle " + std::to_string(t) + ")",
                 "a finite coordinate", std::to_string(c[k]));
    l.mesh.triangles.push_back(
        {weld({c[3], c[4], c[5]}), weld({c[6], c[7], c[8]}), weld({c[9], c[10], c[11]})});
  }
  return l;
}

class AsciiStl {
 public:
  AsciiStl(const std::filesystem::path& f, std::string_view text) : f_(f), s_(text) {}

  LoadedMesh parse() {
    LoadedMesh l;
    l.summary.file = f_.string();
    l.summary.format = "ASCII STL";
    VertexWelder weld(l.mesh);
    expect_keyword("solid");
    skip_line();  // the solid's name, if any
    while (true) {
      const std::string_view w = word();
      if (w.empty()) stl_fail(f_, where(), "'facet' or 'endsolid'", "the end of the file");
      if (iequals(w, "endsolid")) {
        skip_line();
        const std::string_view more = word();  // several solids in one file
        if (more.empty()) break;
        if (!iequals(more, "solid")) stl_fail(f_, where(), "'solid' or the end", quote(more));
        skip_line();
        continue;
      }
      if (!iequals(w, "facet")) stl_fail(f_, where(), "'facet' or 'endsolid'", quote(w));
      expect_keyword("normal");
      for (int k = 0; k < 3; ++k) number();
      expect_keyword("outer");
      expect_keyword("loop");
      std::uint32_t idx[3];
      for (int k = 0; k < 3; ++k) {
        expect_keyword("vertex");
        const float x = number(), y = number(), z = number();
        idx[k] = weld({x, y, z});
      }
      expect_keyword("endloop");
      expect_keyword("endfacet");
      l.mesh.triangles.push_back({idx[0], idx[1], idx[2]});
    }
    if (l.mesh.triangles.empty()) stl_fail(f_, where(), "at least one facet", "none");
    return l;
  }

 private:
  std::string where() const { return "line " + std::to_string(line_); }
  static std::string quote(std::string_view w) {
    std::string q(1, '\'');
    q.append(w.substr(0, 40));
    q.push_back('\'');
    return q;
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  void skip_line() {
    while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
  }
  std::string_view word() {
    skip_space();
    const std::size_t b = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(b, pos_ - b);
  }
  void expect_keyword(std::string_view k) {
    const std::string_view w = word();
    if (!iequals(w, k))
      stl_fail(f_, where(), "'" + std::string(k) + "'",
               w.empty() ? "the end of the file" : quote(w));
  }
  float number() {
    std::string_view w = word();
    if (w.empty()) stl_fail(f_, where(), "a number", "the end of the file");
    std::string_view v = w.front() == '+' ? w.substr(1) : w;
    float x = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
    if (r.ec == std::errc::result_out_of_range)
      stl_fail(f_, where(), "a finite number", quote(w) + " (out of range)");
    if (r.ec != std::errc() || r.ptr != v.data() + v.size())
      stl_fail(f_, where(), "a number", quote(w));
    if (!std::isfinite(x)) stl_fail(f_, where(), "a finite number", quote(w));
    return x;
  }

  std::filesystem::path f_;
  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// Parses the whole content of an STL file held in memory; `file` only names it in messages.
inline LoadedMesh parse_stl(const std::filesystem::path& file, const std::vector<unsigned char>& b,
                            SolidMaterials m = {}) {
  if (b.empty())
    detail::stl_fail(file, "byte 0", "an ASCII ('solid ...') or binary STL", "an empty file");
  LoadedMesh l;
  std::uint32_t n = 0;
  if (b.size() >= 84) std::memcpy(&n, b.data() + 80, 4);
  const bool binary_size = n > 0 && b.size() == 84 + 50 * std::uint64_t(n);
  std::size_t first = 0;
  while (first < b.size() && std::isspace(b[first])) ++first;
  const bool says_solid =
      b.size() - first >= 5 &&
      detail::iequals(std::string_view(reinterpret_cast<const char*>(b.data()) + first, 5),
                      "solid");
  if (binary_size) {
    l = detail::parse_binary_stl(file, b, n);
  } else if (says_solid) {
    l = detail::AsciiStl(file, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()))
            .parse();
  } else if (b.size() == 84 && n == 0) {
    detail::stl_fail(file, "byte 80", "at least one triangle",
                     "a triangle count of 0 (an empty binary STL)");
  } else if (b.size() < 84) {
    detail::stl_fail(file, "byte " + std::to_string(b.size()),
                     "an 84-byte binary header or an ASCII file starting with 'solid'",
                     "the end of the file (" + std::to_string(b.size()) + " bytes)");
  } else {
    detail::stl_fail(file, "byte 80",
                     "a triangle count matching the size: " + std::to_string(n) +
                         " triangles need " + std::to_string(84 + 50 * std::uint64_t(n)) + " bytes",
                     std::to_string(b.size()) + " bytes (truncated, or not an STL file)");
  }
  l.mesh.set_solid(m.inner, m.outer, m.surface);
  l.mesh.name = file.filename().string();
  detail::summarise(l);
  return l;
}
}  // namespace detail

// Reads an STL file; every triangle gets the materials m (STL carries none).
inline LoadedMesh load_stl(const std::filesystem::path& file, SolidMaterials m = {}) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    fail("cannot open STL file '" + file.string() + "'", "it does not exist or is unreadable",
         "check the path");
  const std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
  return detail::parse_stl(file, b, m);
}

}  // namespace chroma2
