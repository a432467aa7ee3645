// SPDX-License-Identifier: BSD-3-Clause
// Credit claims (core/detail/credits.hpp): a claim never gets more than the counter held, an
// empty counter grants nothing, and take_share hands out the last credits in parts — while plenty
// is there a claimer gets all it asks for, when few are left it gets a 1/share part (at least
// `least`), so many claimers share them. Concurrent claimers never overdraw.
#include "chroma2/core/detail/credits.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::detail;

TEST_CASE("take_credits grants what is there, never more", "[core][credits]") {
  PaddedCounter c;
  c.value = 10;
  CHECK(take_credits(c, 4) == 4);
  CHECK(c.value == 6);
  CHECK(take_credits(c, 100) == 6);
  CHECK(c.value == 0);
  CHECK(take_credits(c, 1) == 0);
  c.value = -3;  // overdrawn for a moment by another claimer: nothing is granted, nothing lost
  CHECK(take_credits(c, 5) == 0);
  CHECK(c.value == -3);
  give_credits(c, 8);
  CHECK(c.value == 5);
}

TEST_CASE("share_of: a 1/share part, at least `least`, at most `most` and what is there",
          "[core][credits]") {
  STATIC_CHECK(share_of(1000000, 64, 32, 128) == 128);
  STATIC_CHECK(share_of(4096, 64, 32, 128) == 64);
  STATIC_CHECK(share_of(1000, 64, 32, 128) == 32);
  STATIC_CHECK(share_of(20, 64, 32, 128) == 20);
  STATIC_CHECK(share_of(0, 64, 32, 128) == 0);
  STATIC_CHECK(share_of(1000, 64, 32, 7) == 7);  // `most` wins over `least`
  // a photon run of 2^40 - 2 photons: no 32-bit overflow on the way
  STATIC_CHECK(share_of((std::uint64_t{1} << 40) - 2, 64, 32, 4096) == 4096);
}

TEST_CASE("take_share takes all it asks while plenty is there and a part when few are left",
          "[core][credits]") {
  PaddedCounter c;
  c.value = 1000000;
  CHECK(take_share(c, 128, 64, 32) == 128);  // 1/64 of a million is far more than asked
  c.value = 4096;
  CHECK(take_share(c, 128, 64, 32) == 64);  // 4096 / 64
  c.value = 1000;
  CHECK(take_share(c, 128, 64, 32) == 32);  // 1000 / 64 = 15, but at least 32
  CHECK(c.value == 968);
  c.value = 20;
  CHECK(take_share(c, 128, 64, 32) == 20);  // never more than is there
  CHECK(take_share(c, 128, 64, 32) == 0);
  // 1,000 credits among claimers asking for 128 each: many get a part, none is refused while
  // credits remain, and every credit is granted exactly once
  c.value = 1000;
  std::uint64_t granted = 0, claims = 0;
  for (std::uint32_t k; (k = take_share(c, 128, 64, 32)) != 0; ++claims) granted += k;
  CHECK(granted == 1000);
  CHECK(claims == 32);  // 31 claims of 32, then the last 8
}

TEST_CASE("Concurrent claimers never overdraw the counter", "[core][credits][concurrency]") {
  PaddedCounter c;
  c.value = 200000;
  std::atomic<std::uint64_t> granted{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        std::uint64_t mine = 0;
        for (;;) {
          const std::uint32_t k = t % 2 ? take_share(c, 128, 64, 32) : take_credits(c, 77);
          if (k == 0 && atomic_ref<std::int64_t>(c.value).load(memory_order::relaxed) <= 0) break;
          mine += k;
        }
        granted += mine;
      });
  }
  CHECK(granted.load() == 200000);
  CHECK(c.value == 0);
}
