// SPDX-License-Identifier: BSD-3-Clause
// DeviceRing on the host backend: FIFO order, batching, full/empty edges, wrap-around over many
// laps (positions near 2^32 and 2^64), invalid capacities, and many producers and consumers on
// std::jthread with every item delivered exactly once (tagged [concurrency]: run under TSan).
#include "core/ring_bodies.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("DeviceRing keeps FIFO order through batches of varying size over many laps",
          "[device_ring][host]") {
  const std::uint64_t start =
      GENERATE(std::uint64_t(0), (std::uint64_t(1) << 32) - 40, ~std::uint64_t(0) - 40);
  const std::uint32_t cap = GENERATE(16u, 1024u);
  DeviceRing<std::uint32_t, Host> ring(cap, {start, true}, {}, ring_poison);
  std::vector<std::uint32_t> scratch(256);
  INFO("start " << start << " capacity " << cap);
  const OrderResult s = body_batches(SerialGroup{}, ring.ref(), scratch.data(), 20000, 200);
  CHECK(s.checked == 20000);
  CHECK(s.errors == 0);
  const OrderResult t = body_batches(SoloGroup{}, ring.ref(), scratch.data(), 20000, 37);
  CHECK(t.checked == 20000);
  CHECK(t.errors == 0);
  CHECK(ring.size() == 0);
}

TEST_CASE("DeviceRing keeps FIFO order between one producer thread and one consumer thread",
          "[device_ring][host][concurrency]") {
  DeviceRing<std::uint32_t, Host> ring(128, {0, true}, {}, ring_poison);
  OrderResult res{};
  {
    std::jthread producer([&] {
      std::vector<std::uint32_t> scratch(100);
      stress_produce(SerialGroup{}, ring.ref(), scratch.data(), 0, 200000, 100);
    });
    std::jthread consumer([&] {
      std::vector<std::uint32_t> scratch(100);
      res = fifo_consume(SoloGroup{}, ring.ref(), scratch.data(), 200000, 77);
    });
  }
  CHECK(res.checked == 200000);
  CHECK(res.errors == 0);
}

TEST_CASE("DeviceRing takes what fits when full and pops nothing when empty",
          "[device_ring][host]") {
  for (int lanes : {1, 32}) {
    DeviceRing<std::uint32_t, Host> ring(8);
    std::uint32_t scratch[64] = {}, log[16] = {}, want[16] = {};
    if (lanes == 1)
      body_edges(SoloGroup{}, ring.ref(), scratch, log);
    else
      body_edges(SerialGroup{}, ring.ref(), scratch, log);
    expected_edges(lanes, want);
    for (int i = 0; i < 13; ++i) {
      INFO("lanes " << lanes << " step " << i);
      CHECK(log[i] == want[i]);
    }
  }
}

TEST_CASE("DeviceRing host bulk operations push a prefix and pop what is there",
          "[device_ring][host]") {
  DeviceRing<std::uint32_t, Host> ring(64);
  std::vector<std::uint32_t> in(100);
  for (std::uint32_t i = 0; i < 100; ++i) in[i] = i * 3;
  CHECK(ring.push(in) == 64);
  CHECK(ring.size() == 64);
  std::vector<std::uint32_t> out(100, 0);
  CHECK(ring.pop(out) == 64);
  for (std::uint32_t i = 0; i < 64; ++i) CHECK(out[i] == i * 3);
  CHECK(ring.pop(out) == 0);
  CHECK(ring.push(std::span(in).subspan(64)) == 36);
  ring.clear();
  CHECK(ring.size() == 0);
  CHECK(ring.pop(out) == 0);
}

TEST_CASE("DeviceRing rejects capacities that are zero, not a power of two, or above 2^30",
          "[device_ring][host]") {
  using Catch::Matchers::ContainsSubstring;
  CHECK_THROWS_WITH((DeviceRing<std::uint32_t, Host>(0)), ContainsSubstring("capacity 0"));
  CHECK_THROWS_WITH((DeviceRing<std::uint32_t, Host>(1000)),
                    ContainsSubstring("capacity 1000") && ContainsSubstring("power of two"));
  CHECK_THROWS_WITH((DeviceRing<std::uint32_t, Host>(std::uint64_t(1) << 31)),
                    ContainsSubstring("2^30"));
  CHECK_NOTHROW(DeviceRing<std::uint32_t, Host>(1));
  STATIC_CHECK(std::is_trivially_copyable_v<DeviceRingRef<std::uint32_t>>);
}

namespace {
// Runs producers and consumers on threads; returns per-item counts and the bad-value count.
struct StressOutcome {
  std::vector<std::uint32_t> counts;
  std::uint32_t bad = 0;
  std::uint64_t consumed = 0;
};
StressOutcome run_stress(std::uint32_t capacity, int producers, int consumers, std::uint32_t per,
                         std::uint32_t max_batch, bool serial_groups, std::uint64_t start) {
  DeviceRing<std::uint32_t, Host> ring(capacity, {start, true}, {}, ring_poison);
  StressOutcome o;
  const std::uint64_t total = std::uint64_t(producers) * per;
  o.counts.assign(total, 0);
  {
    std::vector<std::jthread> pool;
    for (int p = 0; p < producers; ++p)
      pool.emplace_back([&, p] {
        std::vector<std::uint32_t> scratch(max_batch);
        if (serial_groups && p % 2 == 0)
          stress_produce(SerialGroup{}, ring.ref(), scratch.data(), p * per, per, max_batch);
        else
          stress_produce(SoloGroup{}, ring.ref(), scratch.data(), p * per, per, max_batch);
      });
    for (int c = 0; c < consumers; ++c)
      pool.emplace_back([&, c] {
        std::vector<std::uint32_t> scratch(max_batch);
        if (serial_groups && c % 2 == 1)
          stress_consume(SerialGroup{}, ring.ref(), scratch.data(), o.counts.data(), &o.consumed,
                         &o.bad, total, max_batch);
        else
          stress_consume(SoloGroup{}, ring.ref(), scratch.data(), o.counts.data(), &o.consumed,
                         &o.bad, total, max_batch);
      });
  }
  return o;
}
}  // namespace

TEST_CASE("DeviceRing delivers every item exactly once under many producers and consumers",
          "[device_ring][host][concurrency]") {
  struct Config {
    std::uint32_t capacity;
    int producers, consumers;
    std::uint32_t per, max_batch;
    bool serial;
    std::uint64_t start;
  };
  const Config configs[] = {
      {64, 4, 4, 20000, 16, false, 0},                        // tiny ring: constant backpressure
      {1024, 3, 5, 20000, 128, true, (1ull << 32) - 100},     // 32-lane groups, wraps past 2^32
      {256, 6, 2, 10000, 40, true, ~std::uint64_t(0) - 300},  // wraps the 64-bit positions
  };
  for (const Config& c : configs) {
    const StressOutcome o =
        run_stress(c.capacity, c.producers, c.consumers, c.per, c.max_batch, c.serial, c.start);
    std::uint64_t missing = 0, duplicated = 0, checksum = 0;
    for (std::uint64_t v = 0; v < o.counts.size(); ++v) {
      missing += o.counts[v] == 0;
      duplicated += o.counts[v] > 1;
      checksum += o.counts[v] * v;
    }
    const std::uint64_t n = o.counts.size();
    INFO("capacity " << c.capacity << " producers " << c.producers << " consumers " << c.consumers);
    CHECK(o.consumed == n);
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(o.bad == 0);  // no poison (stale slot) and no value out of range
    CHECK(checksum == n * (n - 1) / 2);
  }
}
