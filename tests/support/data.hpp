// SPDX-License-Identifier: BSD-3-Clause
// The shared data folder in tests: SKIP with a message where it is absent by default, FAIL (the
// Error propagates) where CHROMA2_DATA_DIR was set but is missing.
#pragma once

#include "chroma2/config/data_dir.hpp"

#include <catch2/catch_test_macros.hpp>

#include <filesystem>

namespace chroma2::test {

inline std::filesystem::path require_data_dir() {
  auto dir = find_data_dir();
  if (!dir) SKIP(data_dir_absent_message());
  return *dir;
}

}  // namespace chroma2::test
