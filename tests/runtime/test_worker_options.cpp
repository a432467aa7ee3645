// SPDX-License-Identifier: BSD-3-Clause
// What a worker is built with, checked on its own: option validation and the sizes it resolves,
// tunings that compile and tunings that do not, and the telemetry list (enum, struct, names and
// kinds all come from one declaration, so they agree by name, not by position).
#include "chroma2/core/worker_options.hpp"
#include "chroma2/core/worker_telemetry.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <set>
#include <string>
#include <type_traits>

using namespace chroma2;
using Catch::Matchers::ContainsSubstring;

namespace {
struct BigChunks : WorkerTuning {
  static constexpr std::uint32_t chunk = 256;
};
struct OddChunk : WorkerTuning {  // not a multiple of a group's lanes
  static constexpr std::uint32_t chunk = 100;
};
struct OffPeriod : WorkerTuning {  // the output period must be a multiple of housekeeping's
  static constexpr std::uint32_t output_period = 100;
};
struct HugeBlock : WorkerTuning {
  static constexpr std::uint32_t block_threads = 2048;
};
}  // namespace

static_assert(valid_worker_tuning<WorkerTuning>());
static_assert(valid_worker_tuning<BigChunks>());
static_assert(!valid_worker_tuning<OddChunk>());
static_assert(!valid_worker_tuning<OffPeriod>());
static_assert(!valid_worker_tuning<HugeBlock>());
static_assert(std::is_trivially_copyable_v<WorkerTelemetry>);

TEST_CASE("Worker options resolve to power-of-two rings and a spawn reserve",
          "[worker][options][host]") {
  WorkerOptions o;
  o.page_capacity = 1000;
  o.inbox_capacity = 3000;
  o.output_capacity = 5;
  const WorkerSizes z = validate_worker_options(o);
  CHECK(z.page_capacity == 1000);
  CHECK(z.spawn_reserve == 125);  // page / 8
  CHECK(z.ring_capacity == 1024);
  CHECK(z.inbox_capacity == 4096);
  CHECK(z.output_capacity == 8);
  o.page_capacity = 4;
  CHECK(validate_worker_options(o).spawn_reserve == 1);  // at least one
  o.spawn_reserve = 3;
  CHECK(validate_worker_options(o).spawn_reserve == 3);
}

TEST_CASE("Each bad worker option is an error that names it, says why and what to do",
          "[worker][options][host]") {
  const auto rejects = [](auto change, const char* names) {
    WorkerOptions o;
    change(o);
    CHECK_THROWS_WITH(validate_worker_options(o), ContainsSubstring(names) &&
                                                      ContainsSubstring("(") &&
                                                      ContainsSubstring("\u2014"));
  };
  rejects([](WorkerOptions& o) { o.page_capacity = 1; }, "page capacity 1");
  rejects([](WorkerOptions& o) { o.page_capacity = (1u << 30) + 1; }, "too large");
  rejects([](WorkerOptions& o) { o.max_events = 0; }, "max_events 0");
  rejects([](WorkerOptions& o) { o.micro_steps = 0; }, "micro-step budget 0");
  rejects([](WorkerOptions& o) { o.max_steps = 0; }, "max_steps 0");
  rejects([](WorkerOptions& o) { o.max_steps = 70000; }, "max_steps 70000");
  rejects([](WorkerOptions& o) { o.refill_lanes = 0; }, "refill_lanes 0");
  rejects([](WorkerOptions& o) { o.refill_lanes = 33; }, "refill_lanes 33");
  rejects([](WorkerOptions& o) { o.spawn_period = 100; }, "spawn_period 100");
  rejects(
      [](WorkerOptions& o) {
        o.page_capacity = 64;
        o.spawn_reserve = 64;
      },
      "spawn_reserve 64");
  WorkerOptions ok;
  ok.spawn_period = 128;
  CHECK_NOTHROW(validate_worker_options(ok));
}

TEST_CASE("Telemetry counters agree by name between the enum, the struct and the names",
          "[worker][telemetry][host]") {
  WorkerTelemetry t;
  for (int k = 0; k < telemetry_count; ++k) t[TelemetryCounter(k)] = 100 + k;
  CHECK(t.steps == 100 + int(TelemetryCounter::steps));
  CHECK(t.output == 100 + int(TelemetryCounter::output));
  CHECK(t.idle_backoffs == 100 + int(TelemetryCounter::idle_backoffs));
  CHECK(t.max_spawn_depth == 100 + int(TelemetryCounter::max_spawn_depth));
  CHECK(std::string(telemetry_name(TelemetryCounter::spawned)) == "spawned");
  CHECK(std::string(telemetry_name(TelemetryCounter::ticks_step)) == "ticks_step");
  std::set<std::string> names;
  for (int k = 0; k < telemetry_count; ++k) {
    names.insert(telemetry_name(TelemetryCounter(k)));
    CHECK(std::string(telemetry_description(TelemetryCounter(k))).size() > 5);
  }
  CHECK(names.size() == std::size_t(telemetry_count));
  CHECK(sizeof(WorkerTelemetry) == telemetry_count * sizeof(std::int64_t));
  CHECK(telemetry_kind(int(TelemetryCounter::max_active_depth)) == TelemetryKind::max);
  CHECK(telemetry_kind(int(TelemetryCounter::max_spawn_depth)) == TelemetryKind::max);
  CHECK(telemetry_kind(int(TelemetryCounter::steps)) == TelemetryKind::sum);
}
