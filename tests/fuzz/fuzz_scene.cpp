// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target for the scene-file reader (tools/sim/scene_file.cpp). Each input is the text of a
// scene file, read as if it were /nonexistent/fuzz.toml (so relative paths name no file) with
// small size limits, so a fuzzed count or subdivision level is refused rather than built. A
// chroma2::Error is the expected answer to a bad scene and is not a finding. A finding is any
// other exception, a crash, a hang, a sanitizer report, or a detector returned that breaks what
// the reader promises: at least one placement, every placement naming a mesh that exists, every
// triangle's material and surface ids within the tables, and the world material defined.
// toml++ is compiled in (header-only) with its internal assertions off, as in the library the tool
// links (built with NDEBUG by GCC, where they are no-ops): toml++ 3.3 asserts that a key never
// starts at a newline or a NUL after '[', which an input such as "[\n" breaks; with the
// assertions off the parser reports an ordinary syntax error there, which this target checks
// under the sanitizers.
#include "tools/sim/scene_file.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_scene: the reader returned a bad detector: %s\n", what);
  std::abort();
}

void check(const chroma2::DetectorSpec& d) {
  const auto materials = std::int32_t(d.materials.size());
  const auto surfaces = std::int32_t(d.surfaces.size());
  if (d.scene.placements.empty()) finding("no placement and no Error");
  if (d.scene.world_material < 0 || d.scene.world_material >= materials)
    finding("the world material has no tables");
  for (const auto& p : d.scene.placements)
    if (p.mesh >= d.scene.meshes.size()) finding("a placement of a mesh that does not exist");
  for (const auto& m : d.scene.meshes)
    for (const auto& t : m.materials)
      if (t.inner < 0 || t.inner >= materials || t.outer < 0 || t.outer >= materials ||
          t.surface < -1 || t.surface >= surfaces)
        finding("a triangle names a material or surface without tables");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  chroma2::sim::SceneLimits limits;
  limits.max_triangles_per_solid = 20000;
  limits.max_placements = 2000;
  try {
    check(chroma2::sim::parse_scene(text, "/nonexistent/fuzz.toml", limits));
  } catch (const chroma2::Error&) {
  }
  return 0;
}
