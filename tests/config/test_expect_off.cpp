// SPDX-License-Identifier: BSD-3-Clause
// CHROMA2_EXPECT with expectations off (release builds): the condition is not even evaluated.
#undef CHROMA2_EXPECTATIONS
#define CHROMA2_EXPECTATIONS 0
#include "chroma2/config/expect.hpp"

#include <catch2/catch_test_macros.hpp>

namespace {
int checked_calls(int& calls) {
  CHROMA2_EXPECT(++calls > 0, "never evaluated when off");
  return calls;
}
}  // namespace

TEST_CASE("CHROMA2_EXPECT does not evaluate its condition when expectations are off",
          "[config][expect][host]") {
  int calls = 0;
  CHECK(checked_calls(calls) == 0);
}
