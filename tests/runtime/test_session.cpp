// SPDX-License-Identifier: BSD-3-Clause
// The streaming session on the host backend (session_bodies.hpp; gpu_session.cu runs the same
// bodies on the GPU). The [concurrency] cases run again under ThreadSanitizer.
#include "session_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

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
