// SPDX-License-Identifier: BSD-3-Clause
// Output tiers and event tallies on the GPU: the bodies of output_bodies.hpp through the
// persistent kernel, the same assertions as the host tests (reduced scale under the sanitizers).
#include "output_bodies.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("GPU: every tier tells the same story: hits are the detected photons, tallies count all",
          "[physics][output][gpu]") {
  check_output_tiers<Device>(scaled(200000, 5000));
}

TEST_CASE("GPU: the step history gives every final photon with the first points of its path",
          "[physics][output][gpu]") {
  check_step_history<Device>(scaled(100000, 5000));
}

TEST_CASE("GPU: output tiers are set per event before its photons, a summary needs channels",
          "[physics][output][gpu]") {
  check_output_tier_errors<Device>();
}
