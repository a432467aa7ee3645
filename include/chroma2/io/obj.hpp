// SPDX-License-Identifier: BSD-3-Clause
// Wavefront OBJ reader through tinyobjloader (Debian: libtinyobjloader-dev, pkg-config
// 'tinyobjloader'). Optional: define CHROMA2_HAS_TINYOBJLOADER=1 and link the library to enable
// it; without it load_obj throws an Error saying so. Polygons are triangulated.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/io/mesh_summary.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

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
// Checks every 'v' line for three finite numbers and every 'f' line for at least three integer
// references, naming the line; the library itself would read a bad number as 0.
inline void prescan_obj(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream ss(line);
    std::string key;
    ss >> key;
    auto bad = [&](const std::string& expected, const std::string& found) {
      fail("OBJ file '" + file.string() + "' is malformed at line " + std::to_string(n),
           "expected " + expected + ", found '" + found + "'", "repair or re-export the file");
    };
    if (key == "v") {
      for (int k = 0; k < 3; ++k) {
        std::string w;
        if (!(ss >> w)) bad("three coordinates after 'v'", line);
        std::string_view v = w;
        if (!v.empty() && v.front() == '+') v.remove_prefix(1);
        float x = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(x))
          bad("a finite number", w);
      }
    } else if (key == "f") {
      std::string w;
      int count = 0;
      while (ss >> w) {
        ++count;
        const char c = w.front();
        if (!(c == '-' || (c >= '0' && c <= '9'))) bad("a vertex index", w);
      }
      if (count < 3) bad("at least three vertices after 'f'", line);
    }
  }
}
}  // namespace detail

inline LoadedMesh load_obj(const std::filesystem::path& file, SolidMaterials m = {}) {
#if defined(CHROMA2_HAS_TINYOBJLOADER) && CHROMA2_HAS_TINYOBJLOADER
  if (!std::filesystem::is_regular_file(file))
    fail("cannot open OBJ file '" + file.string() + "'", "it does not exist or is not a file",
         "check the path");
  if (std::filesystem::file_size(file) == 0)
    fail("OBJ file '" + file.string() + "' is empty at byte 0", "expected vertices and faces",
         "re-export the mesh");
  detail::prescan_obj(file);  // tinyobjloader reads bad numbers as 0 and skips bad faces
  tinyobj::ObjReaderConfig config;
  config.triangulate = true;
  config.vertex_color = false;
  tinyobj::ObjReader reader;
  if (!reader.ParseFromFile(file.string(), config))
    fail("OBJ file '" + file.string() + "' could not be parsed", reader.Error(),
         "repair or re-export the file");
  if (reader.Warning().find("ndex") != std::string::npos ||
      reader.Warning().find("nvalid") != std::string::npos)
    fail("OBJ file '" + file.string() + "' has bad face indices", reader.Warning(),
         "repair or re-export the file");
  const auto& attrib = reader.GetAttrib();
  LoadedMesh l;
  l.summary.file = file.string();
  l.summary.format = "OBJ";
  const std::size_t nv = attrib.vertices.size() / 3;
  for (std::size_t i = 0; i < nv; ++i) {
    const Vec3 v{attrib.vertices[3 * i], attrib.vertices[3 * i + 1], attrib.vertices[3 * i + 2]};
    if (!std::isfinite(v.x) || !std::isfinite(v.y) || !std::isfinite(v.z))
      fail("OBJ file '" + file.string() + "' has a non-finite coordinate at vertex " +
               std::to_string(i + 1),
           "expected finite numbers", "repair the file");
    l.mesh.add_vertex(v);
  }
  for (const auto& shape : reader.GetShapes()) {
    const auto& idx = shape.mesh.indices;
    std::size_t at = 0;
    for (std::size_t f = 0; f < shape.mesh.num_face_vertices.size(); ++f) {
      const unsigned k = shape.mesh.num_face_vertices[f];
      if (k != 3)
        fail("OBJ file '" + file.string() + "' face " + std::to_string(f) + " of shape '" +
                 shape.name + "' has " + std::to_string(k) + " vertices",
             "expected triangles after triangulation", "repair the file");
      TriangleIndices t;
      for (unsigned j = 0; j < 3; ++j) {
        const int vi = idx[at + j].vertex_index;
        if (vi < 0 || std::size_t(vi) >= nv)
          fail("OBJ file '" + file.string() + "' face " + std::to_string(f) + " of shape '" +
                   shape.name + "' uses vertex " + std::to_string(vi + 1),
               "the file has " + std::to_string(nv) + " vertices", "repair the file");
        t[j] = static_cast<std::uint32_t>(vi);
      }
      at += 3;
      l.mesh.triangles.push_back(t);
    }
  }
  if (l.mesh.triangles.empty())
    fail("OBJ file '" + file.string() + "' has no faces", "expected at least one 'f' line",
         "check that it is a mesh file");
  l.mesh.set_solid(m.inner, m.outer, m.surface);
  l.mesh.name = file.filename().string();
  detail::summarise(l);
  return l;
#else
  (void)m;
  fail("cannot read OBJ file '" + file.string() + "'",
       "this build has no OBJ support (tinyobjloader was not found when it was configured)",
       "install libtinyobjloader-dev and reconfigure, or convert the mesh to STL");
#endif
}

}  // namespace chroma2
