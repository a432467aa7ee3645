// SPDX-License-Identifier: BSD-3-Clause
// Concepts of the core layer: each has an archetype that models it and a near miss that must not.
// Refs and policies that kernels receive by value are trivially copyable.
#include "chroma2/config/memory.hpp"
#include "chroma2/core/concepts/memory_resource.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/philox.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;

namespace {
struct RngArchetype {
  RngBlock draw(RngKey, std::uint32_t) const { return {}; }
};
struct RngNearMiss {  // returns 64 bits, not a block of four words
  std::uint64_t draw(RngKey, std::uint32_t) const { return 0; }
};
struct RngStateful {  // not trivially copyable: carries owned state
  RngStateful() = default;
  RngStateful(const RngStateful&) {}
  RngBlock draw(RngKey, std::uint32_t) const { return {}; }
};
struct ResourceArchetype {
  void* allocate(std::size_t, std::size_t, Stream) const { return nullptr; }
  void deallocate(void*, std::size_t, std::size_t, Stream) const {}
};
struct ResourceNearMiss {  // no alignment or stream: not a MemoryResource
  void* allocate(std::size_t) const { return nullptr; }
  void deallocate(void*, std::size_t) const {}
};
}  // namespace

static_assert(RngPolicy<RngArchetype>);
static_assert(RngPolicy<Philox4x32Policy>);
static_assert(!RngPolicy<RngNearMiss>);
static_assert(!RngPolicy<RngStateful>);
static_assert(MemoryResource<ResourceArchetype>);
static_assert(MemoryResource<HostResource>);
static_assert(!MemoryResource<ResourceNearMiss>);
static_assert(std::is_trivially_copyable_v<Stream>);
static_assert(std::is_trivially_copyable_v<Philox4x32Policy>);
static_assert(std::is_trivially_copyable_v<PhotonPageRef<layout::Packed>>);
static_assert(std::is_trivially_copyable_v<PhotonPageRef<layout::Split>>);

TEST_CASE("Core concepts accept their archetypes and reject near misses", "[concepts][host]") {
  // The static_asserts above are the test; this case records them in the suite and checks the
  // archetype is usable at run time.
  CHECK(RngPolicy<RngArchetype>);
  CHECK_FALSE(RngPolicy<RngNearMiss>);
  CHECK_FALSE(MemoryResource<ResourceNearMiss>);
  CHECK(Philox4x32Policy{}.draw({1, 2, 3}, 4).w[0] != Philox4x32Policy{}.draw({1, 2, 3}, 5).w[0]);
}
