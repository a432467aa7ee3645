// SPDX-License-Identifier: BSD-3-Clause
// Wavefront OBJ reader through tinyobjloader (Debian: libtinyobjloader-dev, pkg-config
// 'tinyobjloader'). Optional: define CHROMA2_HAS_TINYOBJLOADER=1 and link the library to enable
// it; without it load_obj throws an Error saying so. The reader checks the positions and faces
// itself and hands the library only those, to triangulate polygons: other lines (normals, texture
// coordinates, materials) are ignored and no material library is opened.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/io/mesh_summary.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(CHROMA2_HAS_TINYOBJLOADER) && CHROMA2_HAS_TINYOBJLOADER
#include <tiny_obj_loader.h>
#endif

namespace chroma2 {

inline constexpr bool obj_support =
#if defined(CHROMA2_HAS_TINYOBJLOADER) && CHROMA2_HAS_TINYOBJLOADER
    true;
#else
    false;
#endif

namespace detail {
// The most corners one face may have: the library's triangulation of a face takes a time that
// grows as the square of its corners.
inline constexpr std::size_t obj_max_corners = 1024;

// What the reader hands to tinyobjloader, which only triangulates: the 'v' lines as three
// checked numbers and the 'f' lines as checked absolute vertex numbers, nothing else. The library
// reads a bad number as 0, skips bad faces, opens files named by 'mtllib' and mishandles some
// lines the reader has no use for (normals, texture coordinates, skin weights); none reaches it.
struct ObjPrescan {
  std::string text;             // "v x y z" and "f a b c ..." lines
  std::vector<Vec3> positions;  // the coordinates, as read here
  std::size_t faces = 0;
  std::size_t triangles = 0;  // what triangulating every face must give: corners - 2 each
  // (line in the file, offset of its 'f' line in text) of each face with five or more corners
  std::vector<std::pair<std::size_t, std::size_t>> polygons;
};

// Checks every 'v' line for three finite numbers and every 'f' line for at least three vertex
// references (a whole number before any '/', counted from 1, negative counting back from the
// last vertex so far) that name an existing vertex, naming the line of the first problem.
inline ObjPrescan prescan_obj(const std::filesystem::path& file, const std::string& text) {
  ObjPrescan p;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  auto bad_at = [&](std::size_t at, const std::string& expected, const std::string& found) {
    fail("OBJ file '" + file.string() + "' is malformed at line " + std::to_string(at),
         "expected " + expected + ", found '" + found + "'", "repair or re-export the file");
  };
  std::vector<std::pair<std::size_t, long long>> ahead;  // (line, index) of forward references
  char buf[64];
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream ss(line);
    std::string key;
    ss >> key;
    auto bad = [&](const std::string& expected, const std::string& found) {
      bad_at(n, expected, found);
    };
    if (key == "v") {
      float c[3];
      p.text += 'v';
      for (float& x : c) {
        std::string w;
        if (!(ss >> w)) bad("three coordinates after 'v'", line);
        std::string_view v = w;
        if (!v.empty() && v.front() == '+') v.remove_prefix(1);
        const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(x))
          bad("a finite number", w);
        p.text += ' ';
        p.text.append(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
      }
      p.text += '\n';
      p.positions.push_back({c[0], c[1], c[2]});
    } else if (key == "f") {
      std::string w;
      std::size_t corners = 0;
      const std::size_t face_at = p.text.size();
      p.text += 'f';
      while (ss >> w) {
        if (++corners > obj_max_corners)
          fail("OBJ file '" + file.string() + "' has a face of more than " +
                   std::to_string(obj_max_corners) + " corners at line " + std::to_string(n),
               "triangulating a face takes a time growing as the square of its corners",
               "split the face into smaller polygons or triangles");
        const std::string_view v = std::string_view(w).substr(0, w.find('/'));
        long long i = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), i);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size() || i == 0)
          bad("a vertex number (a whole number, not 0)", w);
        const auto so_far = static_cast<long long>(p.positions.size());
        if (i < 0) {
          if (i < -so_far)
            bad("a relative vertex number within the " + std::to_string(so_far) +
                    " vertices before it",
                w);
          i += so_far + 1;
        } else if (i > so_far) {
          if (i > 0x7fffffff) bad("a vertex number below 2^31", w);
          if (ahead.empty() || ahead.back().first != n) ahead.emplace_back(n, i);
          ahead.back().second = std::max(ahead.back().second, i);
        }
        p.text += ' ';
        p.text.append(buf, std::to_chars(buf, buf + sizeof buf, i).ptr);
      }
      p.text += '\n';
      if (corners < 3) bad("at least three vertices after 'f'", line);
      ++p.faces;
      p.triangles += corners - 2;
      if (corners >= 5) p.polygons.emplace_back(n, face_at);
    }
  }
  for (const auto& [at, i] : ahead)
    if (i > static_cast<long long>(p.positions.size()))
      bad_at(at,
             "a vertex number within the " + std::to_string(p.positions.size()) +
                 " vertices of the file",
             std::to_string(i));
  return p;
}

#if defined(CHROMA2_HAS_TINYOBJLOADER) && CHROMA2_HAS_TINYOBJLOADER
inline tinyobj::ObjReaderConfig obj_config() {
  tinyobj::ObjReaderConfig config;
  config.triangulate = true;
  config.vertex_color = false;
  return config;
}

// The line of the first polygon that the library triangulates into fewer than corners - 2
// triangles, found by handing it each polygon alone (the same text, so the same numbers); 0 if
// none. Only called once the whole file came out short.
inline std::size_t obj_short_polygon_line(const ObjPrescan& p) {
  char buf[64];
  for (const auto& [line, at] : p.polygons) {
    std::istringstream face(p.text.substr(at, p.text.find('\n', at) - at));
    face.ignore(1);  // the 'f'
    std::string text, f = "f";
    std::size_t corners = 0;
    long long i = 0;
    while (face >> i) {
      const Vec3 v = p.positions[std::size_t(i - 1)];
      text += 'v';
      for (const float x : {v.x, v.y, v.z}) {
        text += ' ';
        text.append(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
      }
      text += '\n';
      f += ' ' + std::to_string(++corners);
    }
    tinyobj::ObjReader reader;
    reader.ParseFromString(text + f + '\n', std::string(), obj_config());
    std::size_t triangles = 0;
    for (const auto& shape : reader.GetShapes()) triangles += shape.mesh.num_face_vertices.size();
    if (triangles != corners - 2) return line;
  }
  return 0;
}
#endif

// Parses the whole content of an OBJ file held in memory; `file` only names it in messages.
// Material libraries ('mtllib') are not opened: the materials come from m.
inline LoadedMesh parse_obj(const std::filesystem::path& file, const std::string& text,
                            SolidMaterials m = {}) {
#if defined(CHROMA2_HAS_TINYOBJLOADER) && CHROMA2_HAS_TINYOBJLOADER
  if (text.empty())
    fail("OBJ file '" + file.string() + "' is empty at byte 0", "expected vertices and faces",
         "re-export the mesh");
  const ObjPrescan p = prescan_obj(file, text);
  if (p.faces == 0)
    fail("OBJ file '" + file.string() + "' has no faces", "expected at least one 'f' line",
         "check that it is a mesh file");
  tinyobj::ObjReader reader;
  if (!reader.ParseFromString(p.text, std::string(), obj_config()))
    fail("OBJ file '" + file.string() + "' could not be parsed", reader.Error(),
         "repair or re-export the file");
  if (reader.Warning().find("ndex") != std::string::npos ||
      reader.Warning().find("nvalid") != std::string::npos)
    fail("OBJ file '" + file.string() + "' has bad face indices", reader.Warning(),
         "repair or re-export the file");
  LoadedMesh l;
  l.summary.file = file.string();
  l.summary.format = "OBJ";
  const std::size_t nv = p.positions.size();
  for (const Vec3& v : p.positions) l.mesh.add_vertex(v);
  for (const auto& shape : reader.GetShapes()) {
    const auto& idx = shape.mesh.indices;
    std::size_t at = 0;
    for (std::size_t f = 0; f < shape.mesh.num_face_vertices.size(); ++f) {
      const unsigned k = shape.mesh.num_face_vertices[f];
      if (k != 3 || at + 3 > idx.size())
        fail("OBJ file '" + file.string() + "': triangle " + std::to_string(f) +
                 " from the OBJ library has " + std::to_string(k) + " vertices",
             "expected triangles after triangulation", "report this file as a reader bug");
      TriangleIndices t;
      for (unsigned j = 0; j < 3; ++j) {
        const int vi = idx[at + j].vertex_index;
        if (vi < 0 || std::size_t(vi) >= nv)
          fail("OBJ file '" + file.string() + "': triangle " + std::to_string(f) +
                   " from the OBJ library uses vertex " + std::to_string(vi + 1),
               "the file has " + std::to_string(nv) + " vertices",
               "report this file as a reader bug");
        t[j] = static_cast<std::uint32_t>(vi);
      }
      at += 3;
      l.mesh.triangles.push_back(t);
    }
  }
  if (l.mesh.triangles.size() != p.triangles) {
    const std::size_t line = obj_short_polygon_line(p);
    fail("OBJ file '" + file.string() + "' has a polygon face that could not be triangulated" +
             (line ? " at line " + std::to_string(line) : std::string()),
         "the faces call for " + std::to_string(p.triangles) + " triangles, the OBJ library's " +
             "triangulation gave " + std::to_string(l.mesh.triangles.size()) +
             ": it drops parts of some concave (such as clockwise U-shaped) or self-intersecting "
             "polygons of five or more corners",
         "export the mesh as triangles or quads");
  }
  l.mesh.set_solid(m.inner, m.outer, m.surface);
  l.mesh.name = file.filename().string();
  detail::summarise(l);
  return l;
#else
  (void)text;
  (void)m;
  fail("cannot read OBJ file '" + file.string() + "'",
       "this build has no OBJ support (tinyobjloader was not found when it was configured)",
       "install libtinyobjloader-dev and reconfigure, or convert the mesh to STL");
#endif
}
}  // namespace detail

inline LoadedMesh load_obj(const std::filesystem::path& file, SolidMaterials m = {}) {
#if defined(CHROMA2_HAS_TINYOBJLOADER) && CHROMA2_HAS_TINYOBJLOADER
  if (!std::filesystem::is_regular_file(file))
    fail("cannot open OBJ file '" + file.string() + "'", "it does not exist or is not a file",
         "check the path");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    fail("cannot open OBJ file '" + file.string() + "'", "it is unreadable", "check the path");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return detail::parse_obj(file, text, m);
#else
  return detail::parse_obj(file, std::string(), m);
#endif
}

}  // namespace chroma2
