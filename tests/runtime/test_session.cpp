// SPDX-License-Identifier: BSD-3-Clause
// The streaming session on the host backend (session_bodies.hpp; gpu_session.cu runs the same
// bodies on the GPU). The [concurrency] cases run again under ThreadSanitizer.
#include "session_bodies.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("A session returns each event's records and counts for concurrent events of mixed sizes",
          "[runtime][session][host][concurrency]") {
  check_mixed_events<Host>();
}

TEST_CASE("Events complete out of order: small events overtake a large one",
          "[runtime][session][host][concurrency]") {
  check_out_of_order<Host>();
}

TEST_CASE("Small events overtake a large one when the worker expands all of them from runs",
          "[runtime][session][host][concurrency]") {
  check_out_of_order<Host>(true);
}

TEST_CASE("A photon run gives the photons its source's expansion gives, ids once each",
          "[runtime][session][host][concurrency]") {
  check_photon_runs<Host>();
}

TEST_CASE("A source run gives the photons the host's expansion gives: a spectrum and a beam",
          "[runtime][session][host][concurrency]") {
  check_source_runs<Host>();
}

TEST_CASE("A session's worker draws point sources and beams itself, with the same hits",
          "[runtime][session][host][concurrency]") {
  check_session_source_runs<Host>();
}

TEST_CASE("A user's source listed in a session tuning is drawn by the worker, same photons",
          "[runtime][session][host][concurrency]") {
  check_user_run_source<Host>();
}

TEST_CASE("Many small run events beside photon lists each come back whole",
          "[runtime][session][host][concurrency]") {
  check_many_runs<Host>();
}

TEST_CASE(
    "Replay gives bit-identical hits with 2 or 64 event slots, 1 or 2 threads, runs or host "
    "expansion",
    "[runtime][session][host][concurrency]") {
  check_replay<Host>();
}

TEST_CASE("Producers on several threads submit to one session at once",
          "[runtime][session][host][concurrency]") {
  check_producers<Host>(4, scaled(12, 6));
}

TEST_CASE("Closing a session with events in flight resolves every future",
          "[runtime][session][host][concurrency]") {
  check_close_in_flight<Host>();
}

TEST_CASE("An exception in a record callback fails only its own event",
          "[runtime][session][host][concurrency]") {
  check_callback_errors<Host>();
}

TEST_CASE("A full queue refuses try_submit and every accepted event completes",
          "[runtime][session][host][concurrency]") {
  check_backpressure<Host>();
}

TEST_CASE("Bad events are refused at submit with the event and the value named",
          "[runtime][session][host]") {
  check_session_errors<Host>();
}

TEST_CASE("Session telemetry counts what ran and writes one JSON object",
          "[runtime][session][host]") {
  check_session_telemetry<Host>();
}

TEST_CASE("An event slot is reused by many events while the worker runs, each its own",
          "[runtime][session][host][concurrency]") {
  check_slot_reuse<Host>();
}

TEST_CASE("Session options are checked", "[runtime][session][host]") {
  SessionOptions o;
  o.queue_capacity = 0;
  CHECK_THROWS_WITH(validate_session_options(o),
                    Catch::Matchers::ContainsSubstring("queue_capacity 0 is invalid"));
  o = SessionOptions{};
  o.feed_chunk = 0;
  CHECK_THROWS_WITH(validate_session_options(o),
                    Catch::Matchers::ContainsSubstring("feed_chunk 0 is invalid"));
  o = SessionOptions{};
  o.close_timeout = std::chrono::milliseconds(0);
  CHECK_THROWS_WITH(validate_session_options(o),
                    Catch::Matchers::ContainsSubstring("close_timeout must be positive"));
}

TEST_CASE("Event numbers above 2^32 key their own random streams", "[runtime][session]") {
  // the high word goes into the Philox key: 5 and 2^40 + 5 differ, and equal numbers agree
  const Philox4x32Policy p;
  const RngBlock a = p.draw(RngKey{7, 3, 5}, 0);
  const RngBlock b = p.draw(RngKey{7, 3, (std::uint64_t{1} << 40) + 5}, 0);
  const RngBlock c = p.draw(RngKey{7, 3, (std::uint64_t{1} << 40) + 5}, 0);
  CHECK(std::memcmp(&a, &b, sizeof a) != 0);
  CHECK(std::memcmp(&b, &c, sizeof b) == 0);
  // below 2^32 the key is the seed itself (the streams of earlier releases)
  const std::uint32_t ctr[4] = {0, 5, 3, 0};
  const std::uint32_t key[2] = {7, 0};
  const RngBlock d = philox4x32_10(ctr, key);
  CHECK(std::memcmp(&a, &d, sizeof a) == 0);
}

TEST_CASE("Streamed stores write records exactly, aligned or not", "[runtime][session][host]") {
  // staging writes records with non-temporal stores where the host has them (x86-64); any
  // record, at any address, must read back bit for bit after the fence
  alignas(64) unsigned char buffer[3 * sizeof(InboxRecord) + 16] = {};
  Photon p{};
  p.position = {1.5f, -2.25f, 3.0f};
  p.time = 7.25f;
  p.direction = {0, 0.6f, 0.8f};
  p.wavelength = 420.5f;
  p.polarisation = {1, 0, 0};
  p.id = 0x0123456789abcdefULL;
  p.event = 17;
  const InboxRecord r = to_inbox(p);
  for (const std::size_t offset : {std::size_t{0}, std::size_t{16}, std::size_t{8}}) {
    auto* dst = reinterpret_cast<InboxRecord*>(buffer + offset);
    std::memset(buffer, 0xee, sizeof buffer);
    detail::stream_store(dst, r);
    detail::stream_store(dst + 1, r);
    detail::stream_fence();
    CHECK(std::memcmp(dst, &r, sizeof r) == 0);
    CHECK(std::memcmp(dst + 1, &r, sizeof r) == 0);
    CHECK(buffer[offset + 2 * sizeof r] == 0xee);   // nothing written beyond the records
    if (offset) CHECK(buffer[offset - 1] == 0xee);  // nor before them
  }
}

TEST_CASE("The expanding threads run every part of every round once, awake or asleep",
          "[runtime][session][host][concurrency]") {
  detail::ParallelFor pool(4);
  REQUIRE(pool.width() == 4);
  std::vector<std::atomic<int>> calls(4);
  const int rounds = 2000;
  for (int r = 0; r < rounds; ++r) {
    std::vector<int> seen(4, 0);  // each part writes its own entry: the join publishes them
    pool.run([&](unsigned part) {
      ++calls[part];
      seen[part] = r + 1;
    });
    CHECK(seen == std::vector<int>(4, r + 1));
    // now and then the helpers outwait their spin and fall asleep: the next round wakes them
    if (r % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& c : calls) CHECK(c.load() == rounds);
  // a part's exception reaches the caller after the whole round ran, and the pool lives on
  std::atomic<int> ran{0};
  CHECK_THROWS_WITH(pool.run([&](unsigned part) {
    ++ran;
    if (part == 2) throw std::runtime_error("part 2 failed");
  }),
                    "part 2 failed");
  CHECK(ran.load() == 4);
  pool.run([&](unsigned) { ++ran; });
  CHECK(ran.load() == 8);
}
