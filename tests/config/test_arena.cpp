// SPDX-License-Identifier: BSD-3-Clause
// Arena and ArenaPlan (config/arena.hpp) on host memory: pieces aligned and disjoint, a plan sizes
// the arena exactly, and a piece that does not fit is refused with the arena named.
#include "chroma2/config/arena.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

using namespace chroma2;

TEST_CASE("An arena sized by its plan holds exactly the planned pieces, aligned and disjoint",
          "[config][arena]") {
  ArenaPlan plan;
  plan.add<std::uint32_t>(3).add<double>(5, 256).add<char>(1).add<std::uint64_t>(7, 8);
  Arena<Host> arena(plan, "test");
  CHECK(arena.capacity() == plan.bytes());
  const auto a = arena.take<std::uint32_t>(3);
  const auto b = arena.take<double>(5, 256);
  const auto c = arena.take<char>(1);
  const auto d = arena.take<std::uint64_t>(7, 8);
  CHECK(arena.used() == plan.bytes());
  CHECK(reinterpret_cast<std::uintptr_t>(a.data()) % cache_line_bytes == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 256 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(d.data()) % 8 == 0);
  CHECK(reinterpret_cast<const char*>(a.data() + 3) <= reinterpret_cast<const char*>(b.data()));
  CHECK(reinterpret_cast<const char*>(b.data() + 5) <= c.data());
  CHECK(c.data() + 1 <= reinterpret_cast<const char*>(d.data()));
  for (std::uint64_t& x : d) x = 0xfeed;  // writable to the end
  CHECK(d.back() == 0xfeed);
  CHECK_THROWS_WITH(arena.take<char>(1), Catch::Matchers::ContainsSubstring(
                                             "test arena of " + std::to_string(plan.bytes()) +
                                             " bytes cannot hold 1 more elements"));
  CHECK_THROWS_WITH(arena.take<char>(1, 3),
                    Catch::Matchers::ContainsSubstring("invalid alignment 3"));
}

TEST_CASE("Arena pieces copy host data in and leave nothing behind when moved", "[config][arena]") {
  const std::vector<std::uint32_t> values{7, 11, 13};
  ArenaPlan plan;
  plan.add<std::uint32_t>(values.size()).add<double>(0);
  Arena<Host> arena(plan, "pieces");
  ArenaPiece<std::uint32_t> a = arena.copy_in(std::span<const std::uint32_t>(values));
  const ArenaPiece<double> empty = arena.piece<double>(0);
  REQUIRE(a.size() == 3);
  CHECK(a.bytes() == 12);
  CHECK(std::vector<std::uint32_t>(a.data(), a.data() + a.size()) == values);
  CHECK(empty.data() == nullptr);  // an empty piece points nowhere, as an empty buffer does
  CHECK(empty.size() == 0);
  const std::uint32_t* where = a.data();
  ArenaPiece<std::uint32_t> b(std::move(a));
  CHECK(b.data() == where);
  CHECK(b.span().data() == where);
  CHECK(b.span().size() == 3);
  CHECK(a.data() == nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  CHECK(a.size() == 0);
  // the arena moves its one allocation along: pieces stay valid in the new owner
  Arena<Host> moved(std::move(arena));
  CHECK(moved.capacity() == plan.bytes());
  CHECK(b.data()[2] == 13);
}
