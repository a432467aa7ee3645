// SPDX-License-Identifier: BSD-3-Clause
// Output tiers and event tallies on the host backend (output_bodies.hpp; gpu_outputs.cu runs the
// same bodies on the GPU).
#include "output_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

static_assert(std::is_trivially_copyable_v<HitRecord>);
static_assert(std::is_trivially_copyable_v<CompactHit>);
static_assert(std::is_trivially_copyable_v<EventTallyRef>);
static_assert(std::is_trivially_copyable_v<ChannelSummaryRef>);

TEST_CASE("Every tier tells the same story: hits are the detected photons, tallies count all",
          "[physics][output][host]") {
  check_output_tiers<Host>(20000);
}

TEST_CASE("The step history gives every final photon with the first points of its path",
          "[physics][output][host]") {
  check_step_history<Host>(20000);
}

TEST_CASE("Output tiers are set per event before its photons, a summary needs channels",
          "[physics][output][host]") {
  check_output_tier_errors<Host>();
}

TEST_CASE("First-hit times order as the floats do, negative times included", "[physics][output]") {
  const float times[] = {-1e30f, -2.5f,  -0.0f,
                         0.0f,   1e-30f, 3.0f,
                         7.25f,  1e30f,  std::numeric_limits<float>::infinity()};
  for (std::size_t i = 0; i < std::size(times); ++i) {
    CHECK(detail::time_of_key(detail::time_key(times[i])) == times[i]);
    if (i > 0 && times[i - 1] < times[i])
      CHECK(detail::time_key(times[i - 1]) < detail::time_key(times[i]));
  }
}
