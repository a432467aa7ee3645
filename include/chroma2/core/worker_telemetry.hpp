// SPDX-License-Identifier: BSD-3-Clause
// WorkerTelemetry: the persistent worker's own counters (queue traffic, steps, idling, loop
// timing), readable while it runs and exact once it stopped. They describe the machinery, not
// the physics: per-event physics counts are another thing with another name. The counters are
// declared once, in CHROMA2_WORKER_TELEMETRY below; the enum, the struct, the names and the kinds
// are all generated from that list, so they cannot disagree by position.
#pragma once

#include "chroma2/config/macros.hpp"

#include <cstdint>

// X(name, kind, what): kind `sum` counters add up over groups; `max` counters keep the maximum.
// Times are SM cycles on the device and ns on the host, summed over groups, and zero unless the
// worker was built with CHROMA2_WORKER_TIMING=1.
#define CHROMA2_WORKER_TELEMETRY(X)                                                               \
  X(steps, sum, "physics steps taken")                                                            \
  X(active_pops, sum, "slots popped from the active ring")                                        \
  X(active_pushes, sum, "slots pushed to the active ring")                                        \
  X(spawn_pops, sum, "slots popped from the spawn ring")                                          \
  X(spawn_pushes, sum, "slots pushed to the spawn ring")                                          \
  X(finished_pops, sum, "slots popped from the finished ring (parked while the output was full)") \
  X(finished_pushes, sum, "slots parked in the finished ring")                                    \
  X(free_pops, sum, "free slots taken")                                                           \
  X(free_pushes, sum, "slots freed")                                                              \
  X(intake, sum, "photons taken from the inbox")                                                  \
  X(run_intake, sum, "photons made from posted runs")                                             \
  X(output, sum, "photons published to the output")                                               \
  X(spawned, sum, "secondaries placed in a slot")                                                 \
  X(pending_retries, sum, "secondaries that found no free slot and wait in their parent")         \
  X(idle_backoffs, sum, "sleeps of idle groups")                                                  \
  X(iterations, sum, "iterations of the group loop")                                              \
  X(ticks_housekeeping, sum, "time in housekeeping")                                              \
  X(ticks_refill, sum, "time refilling lanes")                                                    \
  X(ticks_step, sum, "time stepping photons (the physics, one step per resident lane)")           \
  X(ticks_exits, sum, "time listing the photons that left their lanes")                           \
  X(ticks_flush, sum, "time flushing lists to the rings")                                         \
  X(ticks_idle, sum, "time of loops with no resident photon")                                     \
  X(max_active_depth, max, "deepest active ring seen")                                            \
  X(max_spawn_depth, max, "deepest spawn ring seen")

namespace chroma2 {

// Names each counter of the worker's telemetry (an index into it).
enum class TelemetryCounter : int {
#define CHROMA2_X(name, kind, what) name,
  CHROMA2_WORKER_TELEMETRY(CHROMA2_X)
#undef CHROMA2_X
};

enum class TelemetryKind : std::uint8_t { sum, max };

namespace detail {
struct TelemetryInfo {
  const char* name;
  TelemetryKind kind;
  const char* what;
};
inline constexpr TelemetryInfo telemetry_info[] = {
#define CHROMA2_X(name, kind, what) {#name, TelemetryKind::kind, what},
    CHROMA2_WORKER_TELEMETRY(CHROMA2_X)
#undef CHROMA2_X
};
}  // namespace detail

inline constexpr int telemetry_count =
    static_cast<int>(sizeof(detail::telemetry_info) / sizeof(detail::telemetry_info[0]));

CHROMA2_HD constexpr TelemetryKind telemetry_kind(int k) {
  constexpr TelemetryKind kinds[] = {
#define CHROMA2_X(name, kind, what) TelemetryKind::kind,
      CHROMA2_WORKER_TELEMETRY(CHROMA2_X)
#undef CHROMA2_X
  };
  return kinds[k];
}
constexpr const char* telemetry_name(TelemetryCounter c) {
  return detail::telemetry_info[static_cast<int>(c)].name;
}
constexpr const char* telemetry_description(TelemetryCounter c) {
  return detail::telemetry_info[static_cast<int>(c)].what;
}

// The counters by name (t.steps, t.output, ...) and by index (t[TelemetryCounter::steps]).
struct WorkerTelemetry {
#define CHROMA2_X(name, kind, what) std::int64_t name = 0;
  CHROMA2_WORKER_TELEMETRY(CHROMA2_X)
#undef CHROMA2_X

  constexpr std::int64_t& operator[](TelemetryCounter c);
  constexpr std::int64_t operator[](TelemetryCounter c) const;
};

namespace detail {
using TelemetryMember = std::int64_t WorkerTelemetry::*;
inline constexpr TelemetryMember telemetry_members[] = {
#define CHROMA2_X(name, kind, what) &WorkerTelemetry::name,
    CHROMA2_WORKER_TELEMETRY(CHROMA2_X)
#undef CHROMA2_X
};
}  // namespace detail

constexpr std::int64_t& WorkerTelemetry::operator[](TelemetryCounter c) {
  return this->*detail::telemetry_members[static_cast<int>(c)];
}
constexpr std::int64_t WorkerTelemetry::operator[](TelemetryCounter c) const {
  return this->*detail::telemetry_members[static_cast<int>(c)];
}

}  // namespace chroma2
