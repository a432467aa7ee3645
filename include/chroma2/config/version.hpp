// SPDX-License-Identifier: BSD-3-Clause
// Library version, kept in step with meson.build's project version.
#pragma once

#define CHROMA2_VERSION_MAJOR 0
#define CHROMA2_VERSION_MINOR 1
#define CHROMA2_VERSION_PATCH 0

namespace chroma2 {
inline constexpr const char* version_string = "0.1.0";
}
