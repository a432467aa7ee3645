// SPDX-License-Identifier: BSD-3-Clause
// Counter-based RNG on the host: known answers, the documented key/counter mapping, uniformity,
// the (0,1] range, exponential distances, stream independence, and secondary identities.
#include "core/bodies.hpp"

#include "chroma2/core/photon_id.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_set>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("Philox4x32-10 reproduces Random123's published known-answer vectors", "[rng][host]") {
  // From Random123's kat_vectors (philox4x32 10): counter words, key words, expected output.
  struct Kat {
    std::uint32_t ctr[4], key[2], out[4];
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Kat& k : kats) {
    const RngBlock b = philox4x32_10(k.ctr, k.key);
    for (int j = 0; j < 4; ++j) CHECK(b.w[j] == k.out[j]);
  }
}

TEST_CASE(
    "The Philox policy maps (seed, event, photon id, counter) onto key and counter as documented",
    "[rng][host]") {
  const RngKey key{0x0123456789abcdefull, 0xfedcba9876543210ull, 77};
  const std::uint32_t ctr[4] = {5, 77, 0x76543210u, 0xfedcba98u};
  const std::uint32_t k[2] = {0x89abcdefu, 0x01234567u};
  const RngBlock want = philox4x32_10(ctr, k);
  const RngBlock got = Philox4x32Policy{}.draw(key, 5);
  for (int j = 0; j < 4; ++j) CHECK(got.w[j] == want.w[j]);
  // every input changes the draw
  const RngBlock other_seed = Philox4x32Policy{}.draw({key.seed ^ 1, key.photon_id, 77}, 5);
  const RngBlock other_event = Philox4x32Policy{}.draw({key.seed, key.photon_id, 78}, 5);
  const RngBlock other_id =
      Philox4x32Policy{}.draw({key.seed, key.photon_id ^ (1ull << 40), 77}, 5);
  const RngBlock other_ctr = Philox4x32Policy{}.draw(key, 6);
  for (const RngBlock& b : {other_seed, other_event, other_id, other_ctr})
    CHECK(b.w[0] != got.w[0]);
}

TEST_CASE("Uniform floats lie on (0,1]: never zero, one is reachable", "[rng][host]") {
  CHECK(uniform_open0_closed1(0u) == 1.0f / 16777216.0f);
  CHECK(uniform_open0_closed1(0xffffffffu) == 1.0f);
  CHECK(uniform_open0_closed1(0xffu) == 1.0f / 16777216.0f);
  CHECK(std::isfinite(exponential_from(uniform_open0_closed1(0u), 1000.0f)));
  CHECK(exponential_from(1.0f, 1000.0f) == 0.0f);
}

TEST_CASE("Ten million Philox words are uniform (chi-square, 1024 bins)", "[rng][host]") {
  std::vector<std::uint32_t> words;
  words.reserve(10000000);
  for (std::uint64_t i = 0; words.size() < 10000000; ++i) {
    const RngBlock b = stream_draw(i);
    for (std::uint32_t w : b.w) words.push_back(w);
  }
  check_uniform_words(words);
}

TEST_CASE("Uniform floats from one photon's stream pass a KS test against U(0,1]", "[rng][host]") {
  PhotonRng<Philox4x32Policy> rng({}, {test_seed, 42, 7}, 0);
  std::vector<double> u(1000000);
  for (double& x : u) x = rng.uniform();
  CHECK(rng.counter() == 1000000u);  // one per word
  const double d = ks_statistic(u, [](double x) { return x; });
  INFO("KS D = " << d);
  CHECK(d < ks_critical(u.size(), 1e-3));
}

TEST_CASE("Exponential distances follow 1 - exp(-x/mean) (KS, 1e6 samples)", "[rng][host]") {
  PhotonRng<Philox4x32Policy> rng({}, {test_seed, 43, 0}, 0);
  const float mean = 2500.0f;  // mm
  std::vector<double> x(1000000);
  for (double& v : x) {
    v = rng.exponential(mean);
    REQUIRE(std::isfinite(v));
    REQUIRE(v >= 0.0);
  }
  const double d = ks_statistic(x, [&](double v) { return 1.0 - std::exp(-v / mean); });
  INFO("KS D = " << d);
  CHECK(d < ks_critical(x.size(), 1e-3));
}

TEST_CASE("Neighbouring photons' and events' streams are uncorrelated", "[rng][host]") {
  const std::size_t n = 1000000;
  std::vector<double> a(n), b(n), c(n), lag(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t counter = static_cast<std::uint32_t>(i % 16);
    const std::uint64_t id = i / 16;
    a[i] = uniform_open0_closed1(Philox4x32Policy{}.draw({test_seed, id, 3}, counter).w[0]);
    b[i] = uniform_open0_closed1(Philox4x32Policy{}.draw({test_seed, id + 1, 3}, counter).w[0]);
    c[i] = uniform_open0_closed1(Philox4x32Policy{}.draw({test_seed, id, 4}, counter).w[0]);
    lag[i] = uniform_open0_closed1(Philox4x32Policy{}.draw({test_seed, id, 3}, counter + 1).w[0]);
  }
  const double bound = 5.0 / std::sqrt(static_cast<double>(n));  // 5 sigma
  INFO("r(id, id+1) " << pearson(a, b) << " r(event, event+1) " << pearson(a, c)
                      << " r(counter, counter+1) " << pearson(a, lag));
  CHECK(std::fabs(pearson(a, b)) < bound);
  CHECK(std::fabs(pearson(a, c)) < bound);
  CHECK(std::fabs(pearson(a, lag)) < bound);
}

TEST_CASE("Secondary photon ids do not collide over many generations", "[rng][identity][host]") {
  // 100,000 primaries; each emits 4 children per generation along a chain of 24 generations,
  // with the parent's RNG counter advancing as it would: 9.6 M secondary ids in all.
  const std::uint64_t primaries = 100000;
  std::vector<std::uint64_t> ids;
  ids.reserve(primaries * 24 * 4 + primaries);
  for (std::uint64_t p = 0; p < primaries; ++p) {
    ids.push_back(p);
    std::uint64_t parent = p;
    for (std::uint32_t gen = 0; gen < 24; ++gen) {
      const std::uint32_t counter = 3 + gen * 5;
      for (std::uint32_t child = 0; child < 4; ++child)
        ids.push_back(secondary_photon_id(parent, counter, child));
      parent = ids.back();
    }
  }
  // pure function: same inputs, same id
  CHECK(secondary_photon_id(7, 9, 1) == secondary_photon_id(7, 9, 1));
  CHECK(secondary_photon_id(7, 9, 1) != secondary_photon_id(7, 9, 2));
  CHECK(secondary_photon_id(7, 9, 1) != secondary_photon_id(7, 10, 1));
  CHECK(secondary_photon_id(7, 9, 1) != secondary_photon_id(8, 9, 1));
  const std::size_t n = ids.size();
  std::sort(ids.begin(), ids.end());
  const auto dup = std::adjacent_find(ids.begin(), ids.end());
  INFO("ids " << n);
  CHECK(dup == ids.end());
}

TEST_CASE("A photon's stream resumed at any word continues exactly where it stopped",
          "[rng][host]") {
  const RngKey key{test_seed, 5, 3};
  PhotonRng<Philox4x32Policy> whole({}, key, 0);
  std::vector<std::uint32_t> reference(64);
  for (std::uint32_t& w : reference) w = whole.next_u32();
  for (std::uint32_t visit = 1; visit <= 7; ++visit) {
    // the same words drawn `visit` at a time, the stream stored and rebuilt between visits
    std::vector<std::uint32_t> resumed;
    std::uint32_t counter = 0;
    while (resumed.size() < reference.size()) {
      PhotonRng<Philox4x32Policy> rng({}, key, counter);
      for (std::uint32_t k = 0; k < visit && resumed.size() < reference.size(); ++k)
        resumed.push_back(rng.next_u32());
      counter = rng.counter();
    }
    INFO(visit << " words per visit");
    CHECK(resumed == reference);
    CHECK(counter == reference.size());
  }
}
