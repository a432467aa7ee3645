// SPDX-License-Identifier: BSD-3-Clause
// SessionTelemetry: what a Session did and where its host time went: events and photons through,
// per-stage host time (expanding sources, copies in and out, decoding, callbacks), backpressure
// (blocked and refused submits, waits for an inbox place or an event slot), queue depths sampled
// at SessionOptions::sample_period, the worker's own counters, and photons/s. write_json() writes
// it as one JSON object without any JSON library.
#pragma once

#include "chroma2/core/copy_telemetry.hpp"
#include "chroma2/core/worker_telemetry.hpp"

#include <cmath>
#include <cstdint>
#include <ostream>
#include <vector>

namespace chroma2 {

struct QueueSample {
  double t_ms;              // since the session started
  std::uint32_t waiting;    // submitted events waiting for a slot
  std::uint32_t in_flight;  // events holding a slot
  std::uint64_t inbox;      // photons copied to the inbox, not yet taken by the worker (runs
                            // are not counted: they are never copied)
};

struct SessionTelemetry {
  std::uint64_t events_submitted = 0, events_completed = 0, events_failed = 0;
  std::uint64_t photons_submitted = 0;  // primaries of submitted events
  std::uint64_t photons_completed = 0;  // primaries of completed events
  std::uint64_t records = 0;            // output entries drained
  std::uint64_t blocked_submits = 0;    // submit() calls that waited for queue room
  std::uint64_t refused_submits = 0;    // try_submit() calls refused (queue full)
  std::uint64_t inbox_waits = 0;        // times the feeding thread found the inbox full
  std::uint64_t slot_waits = 0;         // times an event waited for a free event slot
  std::uint64_t callback_errors = 0;    // exceptions thrown by record callbacks
  std::uint64_t run_events = 0;         // events the worker expanded from one run record
  std::uint64_t source_run_events = 0;  // of those, events whose source the worker drew photon
                                        // by photon (the rest: a uniform source's request)
  std::uint64_t expand_ns = 0;          // feeding thread: expanding sources
  std::uint64_t feed_ns = 0;            // feeding thread: staging and copying photons in
  std::uint64_t drain_ns = 0;           // collecting thread: copying output out
  std::uint64_t decode_ns = 0;          // collecting thread: sorting records into events
  std::uint64_t callback_ns = 0;        // collecting thread: in user callbacks
  double wall_s = 0;                    // since the session started
  double busy_s = 0;                    // time with at least one event submitted and unfinished
  double photons_per_second = 0;        // photons_completed / busy_s
  CopyTelemetry copies{};
  WorkerTelemetry worker{};
  std::vector<QueueSample> samples;
};

namespace detail {
inline void json_number(std::ostream& os, double v) {
  if (std::isfinite(v))
    os << v;
  else
    os << "null";
}
}  // namespace detail

inline void write_json(std::ostream& os, const SessionTelemetry& t) {
  const auto u = [&](const char* k, std::uint64_t v, bool comma = true) {
    os << '"' << k << "\":" << v << (comma ? "," : "");
  };
  const auto d = [&](const char* k, double v) {
    os << '"' << k << "\":";
    detail::json_number(os, v);
    os << ',';
  };
  os << '{';
  u("events_submitted", t.events_submitted);
  u("events_completed", t.events_completed);
  u("events_failed", t.events_failed);
  u("photons_submitted", t.photons_submitted);
  u("photons_completed", t.photons_completed);
  u("records", t.records);
  u("blocked_submits", t.blocked_submits);
  u("refused_submits", t.refused_submits);
  u("inbox_waits", t.inbox_waits);
  u("slot_waits", t.slot_waits);
  u("callback_errors", t.callback_errors);
  u("run_events", t.run_events);
  u("source_run_events", t.source_run_events);
  u("expand_ns", t.expand_ns);
  u("feed_ns", t.feed_ns);
  u("drain_ns", t.drain_ns);
  u("decode_ns", t.decode_ns);
  u("callback_ns", t.callback_ns);
  d("wall_s", t.wall_s);
  d("busy_s", t.busy_s);
  d("photons_per_second", t.photons_per_second);
  os << "\"copies\":{";
  u("in_bytes", t.copies.in_bytes);
  u("in_ns", t.copies.in_ns);
  u("in_copies", t.copies.in_copies);
  u("out_bytes", t.copies.out_bytes);
  u("out_ns", t.copies.out_ns);
  u("out_copies", t.copies.out_copies, false);
  os << "},\"worker\":{";
  for (int k = 0; k < telemetry_count; ++k)
    u(telemetry_name(TelemetryCounter(k)),
      static_cast<std::uint64_t>(t.worker[TelemetryCounter(k)]), k + 1 < telemetry_count);
  os << "},\"samples\":[";
  for (std::size_t i = 0; i < t.samples.size(); ++i) {
    const QueueSample& s = t.samples[i];
    os << (i ? "," : "") << "{\"t_ms\":";
    detail::json_number(os, s.t_ms);
    os << ",\"waiting\":" << s.waiting << ",\"in_flight\":" << s.in_flight
       << ",\"inbox\":" << s.inbox << '}';
  }
  os << "]}";
}

}  // namespace chroma2
