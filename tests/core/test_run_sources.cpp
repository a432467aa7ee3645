// SPDX-License-Identifier: BSD-3-Clause
// RunSources (core/run_sources.hpp): the kinds a run record names — 0 for the request photon, k
// for the list's k-th source — and the round trip of a source through a run record's bytes,
// which hands the visitor the same source, bit for bit, and refuses kinds outside the list.
#include "chroma2/core/run_sources.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <cstring>

using namespace chroma2;

namespace {

// Two sources of different sizes: a run record stores either in the same bytes.
struct SmallSource {
  std::uint64_t n = 0;
  float value = 0;
  CHROMA2_HD std::uint64_t count() const { return n; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t, Rng&) const {
    Photon p{};
    p.wavelength = value;
    return p;
  }
};
struct BigSource {
  std::uint64_t n = 0;
  float table[24] = {};
  CHROMA2_HD std::uint64_t count() const { return n; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t i, Rng&) const {
    Photon p{};
    p.wavelength = table[i % 24];
    return p;
  }
};
struct NotListed {
  CHROMA2_HD std::uint64_t count() const { return 0; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t, Rng&) const {
    return {};
  }
};

using Sources = RunSources<SmallSource, BigSource>;

struct TuningWithSources {
  using run_sources = Sources;
};
struct TuningWithout {};

}  // namespace

TEST_CASE("RunSources numbers its sources from 1 and knows which it holds", "[core][runs]") {
  STATIC_CHECK(Sources::size == 2);
  STATIC_CHECK(Sources::kind_of<SmallSource>() == 1);
  STATIC_CHECK(Sources::kind_of<BigSource>() == 2);
  STATIC_CHECK(Sources::contains<BigSource>);
  STATIC_CHECK(!Sources::contains<NotListed>);
  STATIC_CHECK(RunSources<>::size == 0);
  STATIC_CHECK(!RunSources<>::contains<SmallSource>);
  STATIC_CHECK(std::is_same_v<run_sources_of<TuningWithSources>, Sources>);
  STATIC_CHECK(std::is_same_v<run_sources_of<TuningWithout>, RunSources<>>);
  STATIC_CHECK(sizeof(BigSource) <= run_source_bytes);
}

TEST_CASE("A source read back from a run record's bytes is the source written", "[core][runs]") {
  alignas(16) unsigned char bytes[run_source_bytes];
  BigSource big;
  big.n = 77;
  for (int i = 0; i < 24; ++i) big.table[i] = 400.0f + 0.5f * static_cast<float>(i);
  std::memset(bytes, 0xab, sizeof bytes);
  std::memcpy(bytes, &big, sizeof big);
  int small_calls = 0, big_calls = 0;
  bool same = false;
  const auto visitor = [&](const auto& s) {
    if constexpr (std::is_same_v<std::decay_t<decltype(s)>, BigSource>) {
      ++big_calls;
      same = std::memcmp(&s, &big, sizeof big) == 0;
    } else {
      ++small_calls;
    }
  };
  CHECK(Sources::visit(2, bytes, visitor));
  CHECK(big_calls == 1);
  CHECK(small_calls == 0);
  CHECK(same);

  SmallSource small{5, 450.0f};
  std::memcpy(bytes, &small, sizeof small);
  CHECK(Sources::visit(1, bytes, visitor));
  CHECK(small_calls == 1);
  CHECK(big_calls == 1);

  // kind 0 is the request photon, not a source; kinds past the list name nothing
  CHECK(!Sources::visit(0, bytes, visitor));
  CHECK(!Sources::visit(3, bytes, visitor));
  CHECK(!RunSources<>::visit(1, bytes, visitor));
  CHECK(small_calls + big_calls == 2);
}
