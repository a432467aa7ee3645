// SPDX-License-Identifier: BSD-3-Clause
// Scene files: a detector, its tables, its primaries and its run options in TOML
// (docs/scene-format.md). Reading one gives a DetectorSpec; every mistake — bad TOML, an unknown
// key (with the closest valid key suggested), a wrong type, a missing file, a bad table, a name
// that is not defined — is a chroma2::Error that names the file and line, the key and the problem.
// Paths are relative to the scene file; ${NAME} in a path is the environment variable NAME
// (${CHROMA2_DATA_DIR} falls back to the project's shared data folder when unset).
#pragma once

#include "chroma2/io/detector_spec.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace chroma2::sim {

// Sizes a scene may ask for, checked before anything is built (a typo such as subdivisions = 9
// or count = 10000000 should be an error, not minutes of work and gigabytes of memory).
struct SceneLimits {
  std::uint64_t max_triangles_per_solid = 1ull << 26;  // of a built-in shape
  std::uint64_t max_placements = 10'000'000;           // per array
};

DetectorSpec load_scene(const std::filesystem::path& file, const SceneLimits& limits = {});
// The same from text; `origin` names it in messages and anchors its relative paths.
DetectorSpec parse_scene(std::string_view text, const std::filesystem::path& origin,
                         const SceneLimits& limits = {});

// The closest of `candidates` to `word` by edit distance, or "" when none is close.
std::string closest_key(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace chroma2::sim
