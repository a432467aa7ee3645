// SPDX-License-Identifier: BSD-3-Clause
// The default detector's physics bodies (default_detector_bodies.hpp) on the GPU, through the
// tool's CUDA runner: the same checks and thresholds as on the CPU.
#include "default_detector_bodies.hpp"

TEST_CASE("gpu a pencil beam into one PMT is detected as its optics say", "[default][stats]") {
  chroma2::test::pencil_beam_into_a_pmt(
      [](const chroma2::DetectorSpec& d, const chroma2::sim::RunRequest& r) {
        return chroma2::sim::run_cuda(d, r, {});
      });
}

TEST_CASE("gpu the centre source lights the PMTs uniformly in cos theta", "[default][stats]") {
  chroma2::test::centre_source_lights_pmts_uniformly(
      [](const chroma2::DetectorSpec& d, const chroma2::sim::RunRequest& r) {
        return chroma2::sim::run_cuda(d, r, {});
      });
}
