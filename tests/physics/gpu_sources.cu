// SPDX-License-Identifier: BSD-3-Clause
// Photon sources on the GPU: the bodies of source_bodies.hpp with Device (the expansion kernel of
// physics/device_sources.hpp and the persistent kernel), the same assertions as the host tests;
// then the host and the device expansions of the same sources compared photon by photon.
#include "source_bodies.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdio>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("GPU: a point source gives isotropic directions with perpendicular polarisations",
          "[physics][sources][gpu][stats]") {
  check_point_isotropic<Device>(1000000);
}

TEST_CASE("GPU: a source's photons depend only on the seed, the event and their index",
          "[physics][sources][gpu]") {
  check_source_keys<Device>();
}

TEST_CASE("GPU: a uniform wavelength range fills its range evenly",
          "[physics][sources][gpu][stats]") {
  check_uniform_wavelength<Device>(1000000);
}

TEST_CASE("GPU: tabulated spectra in nm and in eV are drawn with their analytic distributions",
          "[physics][sources][gpu][stats]") {
  check_spectrum_wavelength<Device>(1000000);
}

TEST_CASE("GPU: a disc beam starts uniformly on its disc with its direction and polarisation",
          "[physics][sources][gpu][stats]") {
  check_beam<Device>(1000000);
}

TEST_CASE("GPU: the worker continues each source photon's stream where the expansion left it",
          "[physics][sources][gpu]") {
  check_stream_continues<Device>(scaled(100000, 2000));
}

TEST_CASE("GPU: a beam straddling two materials resolves each photon's own material",
          "[physics][sources][gpu][stats]") {
  check_beam_straddling_materials<Device>(1000000);
}

TEST_CASE("GPU: a photon list gives its entries with the ids of their indices",
          "[physics][sources][gpu]") {
  check_photon_list<Device>(1000);
}

TEST_CASE("GPU: bad sources and spectra are errors that name the value",
          "[physics][sources][gpu]") {
  check_bad_sources<Device>();
}

TEST_CASE("GPU: a source whose table is in host memory is refused by the device expansion",
          "[physics][sources][gpu]") {
  const Spectrum<Host> on_host({{300.0, 600.0}, {1.0, 1.0}}, "lamp");
  PointIsotropicSource s;
  s.photon_count = 10;
  s.wavelength = on_host.wavelengths();
  check_rejects([&] { expand_on_device(s, 1, 0); },
                "point source wavelength spectrum is in host memory the device cannot read");
  std::vector<Photon> list(4);
  check_rejects(
      [&] {
        expand_on_device(PhotonListSource{list.data(), 4}, 1, 0);
      },
      "photon list source's photons is in host memory the device cannot read");
}

// The largest differences between the host's and the device's photons.
struct Agreement {
  std::size_t same_integers = 0;  // id, event, rng_counter, history, material, reason, steps...
  std::size_t same_copies = 0;    // time and weight (copied, never computed)
  double unit_vector = 0;         // largest |Δ| of a direction or polarisation component
  double position = 0;            // largest |Δ| of a position component (mm)
  double wavelength = 0;          // largest |Δλ| / λ
};

inline Agreement compare(const std::vector<Photon>& a, const std::vector<Photon>& b) {
  Agreement g;
  const auto worst = [](Vec3 x, Vec3 y) {
    return std::max(
        {std::fabs(double(x.x) - y.x), std::fabs(double(x.y) - y.y), std::fabs(double(x.z) - y.z)});
  };
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Photon& p = a[i];
    const Photon& q = b[i];
    g.same_integers += p.id == q.id && p.event == q.event && p.rng_counter == q.rng_counter &&
                       p.history == q.history && p.material == q.material && p.reason == q.reason &&
                       p.steps == q.steps && p.generation == q.generation &&
                       p.channel == q.channel && p.last_primitive == q.last_primitive;
    g.same_copies += p.time == q.time && p.weight == q.weight;
    g.unit_vector = std::max(
        {g.unit_vector, worst(p.direction, q.direction), worst(p.polarisation, q.polarisation)});
    g.position = std::max(
        {g.position, worst(p.position, q.position), worst(p.position_low, q.position_low)});
    g.wavelength = std::max(g.wavelength,
                            std::fabs(double(p.wavelength) - q.wavelength) / double(p.wavelength));
  }
  return g;
}

// The host and the device expansion give the same photons: integers (ids, events, RNG counters,
// history, material...) and copied floats (time, weight) identical; computed floats within a few
// ULPs, since device sinf/cosf (2 ULP) and fused multiply-adds differ from glibc in the last bits.
// Stated tolerance: unit-vector components within 2e-6 absolute (17 ULPs of 1.0), positions within
// 2e-6 × (largest |centre| component + radius) mm, wavelengths within 4e-6 relative (about 50 ULPs
// of λ ~ 400 nm; the inverse CDF takes a square root and a division of fused terms). The spectrum
// compared is positive at every node: where a density falls to 0 at the end of an interval, λ(u)
// goes as √(1 − u) there and amplifies a last-bit difference of the fused p² + 2sr into ~1e-4 of
// the interval for the few draws within a few 2^-24 of that end (the statistics are unaffected).
TEST_CASE("GPU and host expand a source into the same photons within the stated tolerance",
          "[physics][sources][gpu]") {
  const std::uint32_t n = scaled(1000000, 10000);
  SpectralTable tri{{350.0, 400.0, 450.0, 600.0}, {0.2, 1.0, 0.8, 0.3}};
  const Spectrum<Host> host_spectrum(tri, "triangle");
  const Spectrum<Device> device_spectrum(tri, "triangle");

  PointIsotropicSource point;
  point.position = {100.0f, -200.0f, 300.0f};
  point.time = 1.25f;
  point.photon_count = n;
  point.material = 1;
  BeamSource beam;
  beam.centre = {-1000.0f, 250.0f, 40.0f};
  beam.direction = normalize(Vec3{0.3f, -0.4f, 0.5f});
  beam.radius = 75.0f;
  beam.random_polarisation = 1;
  beam.photon_count = n;
  beam.wavelength = WavelengthSpec::uniform(300.0f, 700.0f);
  std::vector<Photon> entries;
  for (std::uint32_t i = 0; i < 1000; ++i)
    entries.push_back(
        make_photon(i * 3, {float(i), 1, 2}, {0, 1, 0}, {0, 0, 1}, 500.0f, i % 3 == 0));
  const Buffer<Photon, Device> device_entries = photons_in<Device>(entries);

  const auto report = [](const char* name, const Agreement& g, std::size_t count, double scale) {
    std::printf(
        "%s, %zu photons: integers identical %zu, copies identical %zu; largest |Δ| unit vector "
        "%.3g, position %.3g mm (tolerance %.3g), wavelength %.3g relative\n",
        name, count, g.same_integers, g.same_copies, g.unit_vector, g.position, 2e-6 * scale,
        g.wavelength);
    CHECK(g.same_integers == count);
    CHECK(g.same_copies == count);
    CHECK(g.unit_vector <= 2e-6);
    CHECK(g.position <= 2e-6 * scale);
    CHECK(g.wavelength <= 4e-6);
  };
  for (std::uint32_t event : {0u, 17u}) {
    point.wavelength = host_spectrum.wavelengths();
    const auto a = expand(point, 1234, event);
    point.wavelength = device_spectrum.wavelengths();
    const auto b = expand_in<Device>(point, 1234, event);
    REQUIRE(a.size() == b.size());
    report("point source, tabulated spectrum", compare(a, b), n, 300.0);

    const auto c = expand(beam, 1234, event);
    const auto d = expand_in<Device>(beam, 1234, event);
    REQUIRE(c.size() == d.size());
    report("beam, random polarisation, uniform wavelengths", compare(c, d), n, 1000.0 + 75.0);

    const auto e = expand(PhotonListSource{entries.data(), entries.size()}, 1234, event);
    const auto f =
        expand_in<Device>(PhotonListSource{device_entries.data(), entries.size()}, 1234, event);
    REQUIRE(e.size() == f.size());
    std::size_t identical = 0;
    for (std::size_t i = 0; i < e.size(); ++i)
      identical += std::memcmp(&e[i], &f[i], sizeof(Photon)) == 0;
    CHECK(identical == e.size());
  }
}

TEST_CASE("GPU: a point source drawn at the first step gives the photons its expansion draws",
          "[physics][sources][gpu]") {
  check_point_source_drawn_at_first_step<Device>(scaled(100000, 2000));
}
