// SPDX-License-Identifier: BSD-3-Clause
// Finds the shared data folder (real meshes, Chroma's demo detectors, known-answer vectors).
// One setting: the environment variable CHROMA2_DATA_DIR, else <project root>/../shared/data.
// Absent by default → callers skip with a message; set explicitly but missing → an Error.
#pragma once

#include "chroma2/config/error.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace chroma2 {

#ifndef CHROMA2_SOURCE_ROOT
#define CHROMA2_SOURCE_ROOT "."
#endif

// Returns the data folder, or nullopt when the default location does not exist. Throws when
// CHROMA2_DATA_DIR is set but does not name a folder.
inline std::optional<std::filesystem::path> find_data_dir() {
  if (const char* env = std::getenv("CHROMA2_DATA_DIR"); env && *env) {
    std::filesystem::path p(env);
    if (!std::filesystem::is_directory(p))
      fail("CHROMA2_DATA_DIR is set to '" + p.string() + "', which is not a folder",
           "the shared data was asked for explicitly",
           "point CHROMA2_DATA_DIR at the shared data folder or unset it");
    return p;
  }
  std::filesystem::path p = std::filesystem::path(CHROMA2_SOURCE_ROOT) / ".." / "shared" / "data";
  if (std::filesystem::is_directory(p)) return std::filesystem::canonical(p);
  return std::nullopt;
}

inline std::string data_dir_absent_message() {
  return "shared data folder not found (CHROMA2_DATA_DIR unset and ../shared/data absent) "
         "\u2014 set CHROMA2_DATA_DIR to run this test";
}

}  // namespace chroma2
