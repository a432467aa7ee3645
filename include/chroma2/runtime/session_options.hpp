// SPDX-License-Identifier: BSD-3-Clause
// SessionOptions: how a Session is sized and paced. The persistent worker's options (page, inbox,
// output, seed, event slots = events in flight at once) plus the host side: how many submitted
// events may wait for a slot before submit() blocks, how many photons the feeding thread expands
// per copy, how long close() waits for events in flight, the telemetry sampling period, and
// which sources the worker expands itself.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/worker_options.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace chroma2 {

struct SessionOptions {
  WorkerOptions worker{};               // max_events: event slots, i.e. events in flight at once
  std::uint32_t queue_capacity = 1024;  // events waiting for a slot before submit() blocks
  std::uint32_t feed_chunk = 1u << 16;  // photons expanded and copied to the inbox at a time
  unsigned feed_threads = 0;            // threads expanding photons into pinned memory, the feeding
                                        // thread included (1 to 64; 0: a quarter of the hardware
                                        // threads, 1 to 8)
  std::chrono::milliseconds close_timeout = std::chrono::minutes(2);  // close(): how long events
                                                                      // in flight may take
  std::chrono::microseconds poll_interval{20};  // a host thread with nothing to do sleeps this
                                                // (0: it only yields: lowest latency, a core
                                                // kept busy)
  std::chrono::milliseconds sample_period{0};   // queue depths sampled this often (0: off)
  bool uniform_runs = true;  // an event whose source is uniform (uniform_source(): photons that
                             // differ only in their ids) goes to the worker as one run that it
                             // expands itself (PersistentWorker::post_run): no host expansion,
                             // no copy per photon. false: expanded and copied like any other
  bool source_runs = true;   // an event whose source is one of the tuning's run sources (a point
                             // source or a beam) goes to the worker as one run too, the worker
                             // drawing each photon from the source where it is used; on the GPU
                             // only if the source's tables (a spectrum) are in memory the device
                             // reads, else the host expands it. false: expanded by the host
};

// The expansion threads a session uses for these options.
inline unsigned feed_threads(const SessionOptions& o) {
  if (o.feed_threads) return o.feed_threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return std::clamp(hw / 4, 1u, 8u);
}

inline void validate_session_options(const SessionOptions& o) {
  if (o.queue_capacity == 0)
    fail("session queue_capacity 0 is invalid", "submitted events wait there for a slot",
         "ask for at least 1");
  if (o.feed_chunk == 0 || o.feed_chunk > (1u << 24))
    fail("session feed_chunk " + std::to_string(o.feed_chunk) + " is invalid",
         "photons are expanded and copied this many at a time", "ask for 1 to 2^24");
  if (o.feed_threads > 64)
    fail("session feed_threads " + std::to_string(o.feed_threads) + " is too many",
         "they split the expansion of each chunk of photons", "ask for 0 (automatic) to 64");
  if (o.close_timeout.count() <= 0)
    fail("session close_timeout must be positive", "close() waits that long for events in flight",
         "give a positive duration");
  if (o.poll_interval.count() < 0 || o.sample_period.count() < 0)
    fail("session poll_interval and sample_period must not be negative", "they are durations",
         "give 0 or a positive duration");
}

}  // namespace chroma2
