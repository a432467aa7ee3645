// SPDX-License-Identifier: BSD-3-Clause
// Photon sources on the host backend: the bodies of source_bodies.hpp with Host (expand() and the
// std::jthread worker); gpu_sources.cu runs them as they are on the GPU.
#include "source_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("An isotropic point source gives isotropic directions with perpendicular polarisations",
          "[physics][sources][host][stats]") {
  check_point_isotropic<Host>(1000000);
}

TEST_CASE("A source's photons depend only on the seed, the event and their index",
          "[physics][sources][host]") {
  check_source_keys<Host>();
}

TEST_CASE("A uniform wavelength range fills its range evenly", "[physics][sources][host][stats]") {
  check_uniform_wavelength<Host>(1000000);
}

TEST_CASE("Tabulated spectra in nm and in eV are drawn with their analytic distributions",
          "[physics][sources][host][stats]") {
  check_spectrum_wavelength<Host>(1000000);
}

TEST_CASE("A disc beam starts uniformly on its disc with its direction and polarisation",
          "[physics][sources][host][stats]") {
  check_beam<Host>(1000000);
}

TEST_CASE("The worker continues each source photon's stream where the expansion left it",
          "[physics][sources][host]") {
  check_stream_continues<Host>(scaled(100000, 2000));
}

TEST_CASE("A beam straddling two materials resolves each photon's own material",
          "[physics][sources][host][stats]") {
  check_beam_straddling_materials<Host>(1000000);
}

TEST_CASE("A photon list gives its entries with the ids of their indices",
          "[physics][sources][host]") {
  check_photon_list<Host>(1000);
}

TEST_CASE("Bad sources and spectra are errors that name the value", "[physics][sources][host]") {
  check_bad_sources<Host>();
}

TEST_CASE("A point source drawn at the first step gives the photons its expansion draws",
          "[physics][sources][host]") {
  check_point_source_drawn_at_first_step<Host>(scaled(100000, 2000));
}
