// SPDX-License-Identifier: BSD-3-Clause
// The streaming session on the GPU: the bodies of session_bodies.hpp through the persistent
// kernel, the same assertions as the host tests (reduced scale under the sanitizers).
#include "session_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE(
    "GPU: a session returns each event's records and counts for concurrent events of mixed "
    "sizes",
    "[runtime][session][gpu]") {
  check_mixed_events<Device>();
}

TEST_CASE("GPU: events complete out of order: small events overtake a large one",
          "[runtime][session][gpu]") {
  check_out_of_order<Device>();
}

TEST_CASE("GPU: small events overtake a large one when the worker expands all of them from runs",
          "[runtime][session][gpu]") {
  check_out_of_order<Device>(true);
}

TEST_CASE("GPU: a photon run gives the photons its source's expansion gives, ids once each",
          "[runtime][session][gpu]") {
  check_photon_runs<Device>();
}

TEST_CASE("GPU: a source run starts the photons the host's expansion starts: spectrum, beam",
          "[runtime][session][gpu]") {
  check_source_runs<Device>();
}

TEST_CASE("GPU: a session's worker draws point sources and beams with device-resident tables",
          "[runtime][session][gpu]") {
  check_session_source_runs<Device>();
}

TEST_CASE("GPU: a user's source listed in a session tuning is drawn by the worker",
          "[runtime][session][gpu]") {
  check_user_run_source<Device>();
}

TEST_CASE("GPU: many small run events beside photon lists each come back whole",
          "[runtime][session][gpu]") {
  check_many_runs<Device>();
}

TEST_CASE(
    "GPU: replay gives bit-identical hits with 2 or 64 event slots, two grid sizes, runs or host "
    "expansion",
    "[runtime][session][gpu]") {
  check_replay<Device>();
}

TEST_CASE("GPU: producers on several threads submit to one session at once",
          "[runtime][session][gpu]") {
  check_producers<Device>(8, scaled(20, 4));
}

TEST_CASE("GPU: closing a session with events in flight resolves every future",
          "[runtime][session][gpu]") {
  check_close_in_flight<Device>();
}

TEST_CASE("GPU: an exception in a record callback fails only its own event",
          "[runtime][session][gpu]") {
  check_callback_errors<Device>();
}

TEST_CASE("GPU: a full queue refuses try_submit and every accepted event completes",
          "[runtime][session][gpu]") {
  check_backpressure<Device>();
}

TEST_CASE("GPU: bad events are refused at submit with the event and the value named",
          "[runtime][session][gpu]") {
  check_session_errors<Device>();
}

TEST_CASE("GPU: an event slot is reused by many events while the worker runs, each its own",
          "[runtime][session][gpu]") {
  check_slot_reuse<Device>();
}

TEST_CASE("GPU: session telemetry counts what ran and writes one JSON object",
          "[runtime][session][gpu]") {
  check_session_telemetry<Device>();
}
