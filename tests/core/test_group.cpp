// SPDX-License-Identifier: BSD-3-Clause
// The host Group: one thread playing 32 lanes gives the same collectives a warp gives.
#include "core/bodies.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;

TEST_CASE("The serial group scans, sums and broadcasts over 32 lanes", "[group][host]") {
  std::uint32_t in[32], out[chroma2::test::group_out_size];
  for (int i = 0; i < 32; ++i) in[i] = static_cast<std::uint32_t>(i * i % 7 + (i == 31 ? 1000 : 0));
  chroma2::test::group_body(SerialGroup{}, in, out);
  chroma2::test::check_group_results(in, out);
}
