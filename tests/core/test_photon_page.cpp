// SPDX-License-Identifier: BSD-3-Clause
// PhotonPage on the host backend: bit-exact round trips in both layouts, array alignment, the
// slot proxy, size errors, and isotropic initialisation physics on 1e6 photons.
#include "core/bodies.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstring>
#include <random>

using namespace chroma2;
using namespace chroma2::test;

namespace {
// Photons with arbitrary bit patterns in every field (NaN payloads included).
std::vector<Photon> random_bit_photons(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<Photon> v(n);
  for (Photon& p : v) {
    auto* words = reinterpret_cast<std::uint64_t*>(&p);
    for (std::size_t k = 0; k < sizeof(Photon) / 8; ++k) words[k] = g();
  }
  return v;
}
}  // namespace

TEMPLATE_TEST_CASE("A photon page round-trips photons bit for bit", "[photon_page][host]",
                   layout::Split, layout::Packed) {
  const auto in = random_bit_photons(1000, 1);
  PhotonPage<TestType, Host> page(1500);
  page.upload(in, 300);
  std::vector<Photon> out(1000);
  page.download(out, 300);
  CHECK(std::memcmp(in.data(), out.data(), in.size() * sizeof(Photon)) == 0);
}

TEMPLATE_TEST_CASE("Every array of a photon page starts on a 128-byte boundary",
                   "[photon_page][host]", layout::Split, layout::Packed) {
  for (std::uint32_t cap : {1u, 3u, 31u, 1000u, 4097u}) {
    PhotonPage<TestType, Host> page(cap);
    for (int k = 0; k < TestType::array_count; ++k)
      CHECK(reinterpret_cast<std::uintptr_t>(page.array(k)) % 128 == 0);
    CHECK(page.bytes() >= std::size_t(cap) * sizeof(Photon));
  }
  CHECK(PhotonPage<TestType, Host>::bytes_per_photon() == 96);
}

TEMPLATE_TEST_CASE("PhotonRef reads and writes single fields of one slot", "[photon_page][host]",
                   layout::Split, layout::Packed) {
  PhotonPage<TestType, Host> page(8);
  const auto in = random_bit_photons(8, 2);
  page.upload(in);
  auto r = page.ref()[5];
  r.set_position({1.5f, -2.0f, 3.25f});
  r.set_time(12.5f);
  r.set_last_hit(17, 99);
  r.set_reason(TerminalReason::detected);
  r.set_generation(3);
  r.set_steps(65535);
  r.set_rng_counter(0xfffffff0u);
  const Photon p = r.load();
  CHECK(p.position == Vec3{1.5f, -2.0f, 3.25f});
  CHECK(p.time == 12.5f);
  CHECK(p.channel == 17);
  CHECK(p.last_primitive == 99u);
  CHECK(p.reason == TerminalReason::detected);
  CHECK(p.generation == 3);
  CHECK(p.steps == 65535);
  CHECK(p.rng_counter == 0xfffffff0u);
  CHECK(p.id == in[5].id);  // untouched fields stay
  CHECK(std::memcmp(&p.direction, &in[5].direction, sizeof(Vec3)) == 0);
  // neighbours untouched
  const auto all = page.download_all();
  CHECK(std::memcmp(&all[4], &in[4], sizeof(Photon)) == 0);
  CHECK(std::memcmp(&all[6], &in[6], sizeof(Photon)) == 0);
  STATIC_CHECK(std::is_trivially_copyable_v<PhotonRef<TestType>>);
  STATIC_CHECK(std::is_trivially_copyable_v<PhotonPageRef<TestType>>);
}

TEST_CASE("A photon page rejects a zero capacity and batches that do not fit",
          "[photon_page][host]") {
  using Catch::Matchers::ContainsSubstring;
  CHECK_THROWS_WITH((PhotonPage<layout::Packed, Host>(0)), ContainsSubstring("capacity 0"));
  PhotonPage<layout::Packed, Host> page(10);
  std::vector<Photon> batch(4);
  CHECK_THROWS_WITH(page.upload(batch, 7),
                    ContainsSubstring("does not fit") && ContainsSubstring("holds 10 photons"));
  CHECK_THROWS_AS(page.download(batch, 11), Error);
  CHECK_NOTHROW(page.upload(batch, 6));
}

TEST_CASE(
    "Isotropic initialisation gives isotropic directions and perpendicular random polarisations",
    "[photon_page][rng][host]") {
  const std::uint32_t n = 1000000;
  std::vector<Photon> in(n);
  for (std::uint32_t i = 0; i < n; ++i) in[i] = fresh_photon(i);
  PhotonPage<layout::Packed, Host> page(n);
  page.upload(in);
  for (std::uint32_t i = 0; i < n; ++i)
    isotropic_init_slot(page.ref()[i], Philox4x32Policy{}, test_seed);
  const auto out = page.download_all();
  check_isotropic(out);
  // three words drawn (direction 2, azimuth 1), and a second call leaves the photon alone
  CHECK(out[0].rng_counter == 3u);
  CHECK_FALSE(isotropic_init_slot(page.ref()[0], Philox4x32Policy{}, test_seed));
}

TEST_CASE("A photon's initial direction depends only on (seed, event, id, counter)",
          "[photon_page][rng][host]") {
  PhotonPage<layout::Split, Host> a(100), b(100);
  std::vector<Photon> in(100);
  for (std::uint32_t i = 0; i < 100; ++i) in[i] = fresh_photon(1000 + i);
  a.upload(in);
  std::reverse(in.begin(), in.end());  // other slots, other order
  b.upload(in);
  for (std::uint32_t i = 0; i < 100; ++i) {
    isotropic_init_slot(a.ref()[i], Philox4x32Policy{}, test_seed);
    isotropic_init_slot(b.ref()[99 - i], Philox4x32Policy{}, test_seed);
  }
  const auto oa = a.download_all(), ob = b.download_all();
  for (std::uint32_t i = 0; i < 100; ++i)
    CHECK(std::memcmp(&oa[i], &ob[99 - i], sizeof(Photon)) == 0);
}
