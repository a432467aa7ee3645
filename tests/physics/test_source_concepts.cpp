// SPDX-License-Identifier: BSD-3-Clause
// PhotonSource (core/concepts/photon_source.hpp): an archetype that models it, near misses that
// must not, and source_photon's stream rule on the archetype.
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/physics/sources.hpp"
#include "chroma2/physics/wavelength_spec.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <type_traits>

using namespace chroma2;

namespace {
// The archetype: all the concept asks. Draws two words, so the stream is visibly continued.
struct SourceArchetype {
  std::uint64_t n;
  CHROMA2_HD std::uint64_t count() const { return n; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t index, Rng& rng) const {
    Photon p{};
    p.position = {float(index), 0, 0};
    p.direction = {0, 0, 1};
    p.polarisation = {1, 0, 0};
    p.wavelength = 400.0f + rng.uniform();
    p.time = rng.uniform();
    return p;
  }
};
struct SourceMissingCount {  // no count()
  template <class Rng>
  Photon photon(std::uint64_t, Rng&) const {
    return {};
  }
};
struct SourceNotTriviallyCopyable {  // owns its photons: a kernel cannot take it by value
  SourceNotTriviallyCopyable() = default;
  SourceNotTriviallyCopyable(const SourceNotTriviallyCopyable&) {}
  std::uint64_t count() const { return 0; }
  template <class Rng>
  Photon photon(std::uint64_t, Rng&) const {
    return {};
  }
};
struct SourceOnePolicy {  // photon() only for the default stream: fails for the archetype policy
  std::uint64_t count() const { return 0; }
  Photon photon(std::uint64_t, PhotonRng<Philox4x32Policy>&) const { return {}; }
};
struct SourceWrongCount {  // a 32-bit count
  std::uint32_t count() const { return 0; }
  template <class Rng>
  Photon photon(std::uint64_t, Rng&) const {
    return {};
  }
};
}  // namespace

static_assert(PhotonSource<SourceArchetype>);
static_assert(!PhotonSource<SourceMissingCount>);
static_assert(!PhotonSource<SourceNotTriviallyCopyable>);
static_assert(!PhotonSource<SourceOnePolicy>);
static_assert(!PhotonSource<SourceWrongCount>);
static_assert(PhotonSource<PointIsotropicSource>);
static_assert(PhotonSource<BeamSource>);
static_assert(PhotonSource<PhotonListSource>);
static_assert(std::is_trivially_copyable_v<PointIsotropicSource>);
static_assert(std::is_trivially_copyable_v<BeamSource>);
static_assert(std::is_trivially_copyable_v<PhotonListSource>);
static_assert(std::is_trivially_copyable_v<WavelengthSpec>);
static_assert(std::is_trivially_copyable_v<SpectrumRef>);

TEST_CASE("PhotonSource accepts its archetype and rejects near misses",
          "[concepts][sources][host]") {
  CHECK(PhotonSource<SourceArchetype>);
  CHECK_FALSE(PhotonSource<SourceMissingCount>);
  CHECK_FALSE(PhotonSource<SourceNotTriviallyCopyable>);
  CHECK_FALSE(PhotonSource<SourceOnePolicy>);
  CHECK_FALSE(PhotonSource<SourceWrongCount>);
}

TEST_CASE("source_photon gives a primary its index as id and continues its own stream",
          "[concepts][sources][host]") {
  const SourceArchetype s{10};
  const Photon p = source_photon(s, 7, 99, 5);
  CHECK(p.id == 7);
  CHECK(p.event == 5);
  CHECK(p.rng_counter == 2);  // two words drawn
  CHECK(p.reason == TerminalReason::alive);
  CHECK(p.steps == 0);
  CHECK(p.generation == 0);
  CHECK(p.position.x == 7.0f);
  // the draws are the photon's own stream from counter 0
  PhotonRng<Philox4x32Policy> rng({}, RngKey{99, 7, 5}, 0);
  CHECK(p.wavelength == 400.0f + rng.uniform());
  CHECK(p.time == rng.uniform());
  // another policy keys the same rule
  const Photon q = source_photon(s, 7, 99, 5, ArchetypeRngPolicy{});
  CHECK(q.id == 7);
  CHECK(q.rng_counter == 2);
  CHECK(q.time == uniform_open0_closed1(0));  // the archetype policy's words are the counter
  const auto all = expand(s, 99, 5);
  REQUIRE(all.size() == 10);
  CHECK(std::memcmp(&all[7], &p, sizeof(Photon)) == 0);
}
