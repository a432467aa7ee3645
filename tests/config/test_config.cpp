// SPDX-License-Identifier: BSD-3-Clause
// The config layer on the host: error messages in the house form, host memory resource and
// buffers, the stream token, and the shared-data setting.
#include "chroma2/config/data_dir.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdlib>

using namespace chroma2;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("Errors read 'problem (why) — what to do'", "[config][host]") {
  CHECK(error_message("bad size 3", "must be a power of two", "use 4") ==
        "bad size 3 (must be a power of two) \u2014 use 4");
  CHECK_THROWS_AS(fail("a", "b", "c"), Error);
  CHECK_THROWS_WITH(fail("a", "b", "c"), "a (b) \u2014 c");
}

TEST_CASE("The host resource honours alignment and rejects a non-power-of-two", "[config][host]") {
  HostResource r;
  for (std::size_t align : {16u, 128u, 4096u}) {
    void* p = r.allocate(1000, align, {});
    CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
    r.deallocate(p, 1000, align, {});
  }
  CHECK(r.allocate(0, 128, {}) == nullptr);
  CHECK_THROWS_WITH(r.allocate(64, 48, {}),
                    ContainsSubstring("alignment 48") && ContainsSubstring("power of two"));
}

TEST_CASE("A buffer is move-only and gives its storage up on move", "[config][host]") {
  Buffer<int, Host> a(100);
  a.data()[99] = 7;
  int* p = a.data();
  Buffer<int, Host> b(std::move(a));
  CHECK(b.data() == p);
  CHECK(b.size() == 100);
  CHECK(b.data()[99] == 7);
  CHECK(a.data() == nullptr);  // NOLINT: checking the moved-from state on purpose
  STATIC_CHECK_FALSE(std::is_copy_constructible_v<Buffer<int, Host>>);
  CHECK_THROWS_WITH((Buffer<double, Host>(SIZE_MAX / 4)), ContainsSubstring("too large"));
}

TEST_CASE("The shared data setting fails loudly when set to a missing folder", "[config][host]") {
  const char* old = std::getenv("CHROMA2_DATA_DIR");
  const std::string saved = old ? old : "";
  ::setenv("CHROMA2_DATA_DIR", "/nonexistent/chroma2-data", 1);
  CHECK_THROWS_WITH(find_data_dir(), ContainsSubstring("CHROMA2_DATA_DIR") &&
                                         ContainsSubstring("/nonexistent/chroma2-data"));
  ::setenv("CHROMA2_DATA_DIR", ".", 1);
  CHECK(find_data_dir().has_value());
  if (old)
    ::setenv("CHROMA2_DATA_DIR", saved.c_str(), 1);
  else
    ::unsetenv("CHROMA2_DATA_DIR");
}

TEST_CASE("The host stream token synchronises as a no-op", "[config][host]") {
  Stream s;
  CHECK(s.handle == nullptr);
  CHECK_NOTHROW(s.synchronize());
}
