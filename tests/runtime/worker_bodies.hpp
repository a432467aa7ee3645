// SPDX-License-Identifier: BSD-3-Clause
// Persistent worker test bodies shared by the host tests and the GPU tests: build primaries,
// run them through a worker of either backend, and check the queue harness's invariants. One
// body per property, templated on the worker; called from a TEST_CASE on the main thread.
#pragma once

#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/synthetic.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <thread>
#include <vector>

namespace chroma2::test {

// n primaries of one event; ids are (event << 32) | index, so ids never depend on a slot.
inline std::vector<Photon> make_primaries(std::uint32_t n, std::uint32_t event,
                                          bool isotropic = false) {
  std::vector<Photon> v(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    Photon p{};
    p.position = {0.001f * static_cast<float>(i), 0.0f, 0.0f};
    p.direction = {0.0f, 0.0f, 1.0f};
    p.polarisation = {1.0f, 0.0f, 0.0f};
    p.wavelength = 420.0f;
    p.weight = 0.0f;
    p.id = (static_cast<std::uint64_t>(event) << 32) | i;
    p.event = event;
    p.rng_counter = 0;
    p.history = isotropic ? history::isotropic_init : 0u;
    v[i] = p;
  }
  return v;
}

inline void sort_by_id(std::vector<Photon>& v) {
  std::sort(v.begin(), v.end(), [](const Photon& a, const Photon& b) { return a.id < b.id; });
}

inline bool bit_identical(const std::vector<Photon>& a, const std::vector<Photon>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(Photon)) == 0);
}

// FNV-1a over the bytes of photons sorted by id: one number that changes with any bit of any
// photon, for comparing runs across commits.
inline std::uint64_t output_hash(const std::vector<Photon>& v) {
  std::uint64_t h = 1469598103934665603ull;
  const auto* b = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < v.size() * sizeof(Photon); ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

// What the harness promises, counted over the output.
struct HarnessReport {
  std::uint64_t primaries = 0, secondaries = 0;
  std::uint64_t bad_primaries = 0;    // wrong touch count, payload or reason
  std::uint64_t bad_secondaries = 0;  // not touched exactly once, or spawned again
  std::uint64_t duplicate_ids = 0;
  std::map<std::uint32_t, std::uint64_t> per_event;  // finished photons per event
};

inline HarnessReport check_harness(const std::vector<Photon>& out, const QueueHarness& h) {
  HarnessReport r;
  std::set<std::uint64_t> ids;
  const std::uint32_t touches = h.touches ? h.touches : 1;
  for (const Photon& p : out) {
    if (!ids.insert(p.id).second) ++r.duplicate_ids;
    ++r.per_event[p.event];
    if (p.generation == 0) {
      ++r.primaries;
      if (p.steps != touches || p.weight != static_cast<float>(touches) * h.payload_increment ||
          p.reason != TerminalReason::finished)
        ++r.bad_primaries;
    } else {
      ++r.secondaries;
      if (p.steps != 1 || p.generation != 1 || p.weight != h.payload_increment ||
          p.reason != TerminalReason::finished)
        ++r.bad_secondaries;
    }
  }
  return r;
}

// Submits `events` events of `per_event` primaries, interleaved in batches of `batch` to the
// running worker, closes them, waits and returns the output sorted by id (empty on timeout).
template <class Worker>
std::vector<Photon> run_events(Worker& w, std::uint32_t events, std::uint32_t per_event,
                               std::uint32_t batch, bool isotropic = false) {
  std::vector<std::vector<Photon>> in;
  for (std::uint32_t e = 0; e < events; ++e) in.push_back(make_primaries(per_event, e, isotropic));
  std::vector<Photon> out;
  w.start();
  for (std::uint32_t off = 0; off < per_event; off += batch)
    for (std::uint32_t e = 0; e < events; ++e) {
      const std::uint32_t k = std::min(batch, per_event - off);
      w.submit_all(std::span<const Photon>(in[e]).subspan(off, k), out);
    }
  std::vector<std::uint32_t> ids;
  for (std::uint32_t e = 0; e < events; ++e) {
    w.close_event(e);
    ids.push_back(e);
  }
  const bool ok = w.wait_events(ids, out, std::chrono::seconds(120));
  w.stop();
  if (!ok) return {};
  sort_by_id(out);
  return out;
}

// Options most tests vary: page slots, host threads (0: all; ignored on the GPU), micro-steps.
inline WorkerOptions worker_options(std::uint32_t page, unsigned threads,
                                    std::uint32_t micro_steps) {
  WorkerOptions o;
  o.output = OutputTier::photons;
  o.page_capacity = page;
  o.threads = threads;
  o.micro_steps = micro_steps;
  return o;
}

// The configuration the determinism checks run on both backends.
inline WorkerOptions determinism_options(std::uint32_t page, std::uint64_t seed = 7) {
  WorkerOptions o;
  o.output = OutputTier::photons;
  o.page_capacity = page;
  o.inbox_capacity = 1024;
  o.output_capacity = 1u << 16;
  o.max_events = 8;
  o.micro_steps = 5;
  o.max_steps = 10000;
  o.seed = seed;
  o.idle_threshold = 16;
  return o;
}

inline void check_report(const HarnessReport& r) {
  CHECK(r.bad_primaries == 0);
  CHECK(r.bad_secondaries == 0);
  CHECK(r.duplicate_ids == 0);
}

// Every photon touched exactly as asked; the spawned count exact; telemetry agrees.
template <class Worker>
void check_harness_run(Worker& w, const QueueHarness& h, std::uint32_t events,
                       std::uint32_t per_event, std::uint32_t batch) {
  const std::uint64_t n = std::uint64_t(events) * per_event;
  const auto out = run_events(w, events, per_event, batch);
  const HarnessReport r = check_harness(out, h);
  INFO("spawn interval " << h.spawn_interval << ", groups " << w.groups());
  REQUIRE(!out.empty());
  CHECK(r.primaries == n);
  CHECK(r.secondaries == h.expected_spawned(n));
  check_report(r);
  const WorkerTelemetry t = w.telemetry();
  CHECK(t.spawned == static_cast<std::int64_t>(h.expected_spawned(n)));
  CHECK(t.steps ==
        static_cast<std::int64_t>(n * (h.touches ? h.touches : 1) + h.expected_spawned(n)));
  CHECK(t.output == static_cast<std::int64_t>(out.size()));
  CHECK(t.intake == static_cast<std::int64_t>(n));
}

// Events 0..3 in interleaved batches over three rounds to a running worker; 0 and 2 closed first
// and complete while 1 and 3 are open; then more photons for 3; per-event conservation.
template <class Worker>
void check_interleaved_events(Worker& w, const QueueHarness& h, std::uint32_t per,
                              std::uint32_t extra_count) {
  std::vector<Photon> out;
  w.start();
  for (std::uint32_t round = 0; round < 3; ++round) {
    for (std::uint32_t e = 0; e < 4; ++e) {
      auto batch = make_primaries(per, e);
      for (auto& p : batch) p.id += static_cast<std::uint64_t>(round) * per;
      w.submit_all(batch, out);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  w.close_event(0);
  w.close_event(2);
  const std::uint32_t first[] = {0, 2};
  const bool done_first = w.wait_events(first, out, std::chrono::seconds(60));
  const EventStatus s1 = w.event_status(1);  // still open: never complete
  const std::size_t drained_mid = out.size();
  auto extra = make_primaries(extra_count, 3);
  for (auto& p : extra) p.id += 10ull * per;
  w.submit_all(extra, out);
  w.close_event(1);
  w.close_event(3);
  const std::uint32_t rest[] = {1, 3};
  const bool done_rest = w.wait_events(rest, out, std::chrono::seconds(60));
  std::vector<EventStatus> st, st_stopped;
  for (std::uint32_t e = 0; e < 4; ++e) st.push_back(w.event_status(e));
  const bool was_running = w.running();
  w.stop();
  for (std::uint32_t e = 0; e < 4; ++e) st_stopped.push_back(w.event_status(e));

  REQUIRE(done_first);
  REQUIRE(done_rest);
  CHECK(was_running);
  CHECK(s1.state != EventState::complete);
  CHECK(drained_mid >= 2ull * 3 * per);
  const HarnessReport r = check_harness(out, h);
  check_report(r);
  for (std::uint32_t e = 0; e < 4; ++e) {
    INFO("event " << e);
    const std::uint64_t submitted = 3ull * per + (e == 3 ? extra_count : 0);
    CHECK(st[e].complete());
    CHECK(st[e].submitted == submitted);
    CHECK(st[e].intake == submitted);
    CHECK(st[e].spawned == h.expected_spawned(submitted));
    CHECK(st[e].finished == st[e].submitted + st[e].spawned);
    CHECK(r.per_event.at(e) == st[e].finished);
    CHECK(st_stopped[e].complete());
    CHECK(st_stopped[e].finished == st[e].finished);
  }
}

// A page far smaller than the work (every touch spawns) still completes, and ends empty.
template <class Worker>
void check_small_page(Worker& w, const QueueHarness& h, std::uint32_t n, std::uint32_t batch) {
  const auto out = run_events(w, 1, n, batch);
  const HarnessReport r = check_harness(out, h);
  const WorkerTelemetry t = w.telemetry();
  REQUIRE(!out.empty());
  CHECK(r.primaries == n);
  CHECK(r.secondaries == h.expected_spawned(n));
  check_report(r);
  CHECK(t.pending_retries > 0);  // parents did wait for slots
  const auto c = w.census();
  CHECK(c.free == w.page_capacity());
  CHECK(c.active + c.spawn + c.finished + c.pending == 0);
}

// Stop with work in flight: returns promptly, every photon taken in is in the output or in
// exactly one queue of the page; resuming completes everything exactly.
template <class Worker>
void check_stop_resume(Worker& w, const QueueHarness& h, std::uint32_t n) {
  const auto in = make_primaries(n, 0);
  std::vector<Photon> out;
  w.start();
  const std::size_t taken = w.submit(in);  // whatever fits in the inbox
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto t0 = std::chrono::steady_clock::now();
  w.stop();
  const double stop_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  w.drain(out);
  const EventStatus mid = w.event_status(0);
  const auto c = w.census();
  const std::uint64_t in_page = c.active + c.spawn + c.finished;
  const std::uint64_t out_mid = out.size();
  w.start();
  w.submit_all(std::span<const Photon>(in).subspan(taken), out);
  w.close_event(0);
  const std::uint32_t ev[] = {0};
  const bool done = w.wait_events(ev, out, std::chrono::seconds(120));
  w.stop();
  const EventStatus end = w.event_status(0);
  const auto c_end = w.census();
  INFO("after resume: intake " << end.intake << ", spawned " << end.spawned << ", finished "
                               << end.finished << "; census active " << c_end.active << ", spawn "
                               << c_end.spawn << ", finished " << c_end.finished << ", free "
                               << c_end.free << ", pending " << c_end.pending);
  REQUIRE(done);
  CHECK(stop_ms < 5000);
  CHECK(mid.finished == out_mid);
  CHECK(mid.intake + mid.spawned == out_mid + in_page);
  CHECK(c.free + in_page == w.page_capacity());
  sort_by_id(out);
  const HarnessReport r = check_harness(out, h);
  CHECK(r.primaries == n);
  CHECK(r.secondaries == h.expected_spawned(n));
  check_report(r);
}

// Telemetry moves while the worker runs and balances once it stopped.
template <class Worker>
void check_telemetry(Worker& w, const QueueHarness& h, std::uint32_t n) {
  std::vector<Photon> out;
  w.start();
  w.submit_all(make_primaries(n, 0), out);
  std::int64_t seen_steps = 0;
  for (int i = 0; i < 20000 && seen_steps == 0; ++i) {
    seen_steps = w.telemetry().steps;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  w.close_event(0);
  const std::uint32_t ev[] = {0};
  const bool done = w.wait_events(ev, out, std::chrono::seconds(60));
  w.stop();
  const WorkerTelemetry t = w.telemetry();
  REQUIRE(done);
  CHECK(seen_steps > 0);
  CHECK(t.steps == static_cast<std::int64_t>(std::uint64_t(n) * h.touches + h.expected_spawned(n)));
  CHECK(t.active_pushes == t.active_pops);
  CHECK(t.spawn_pushes == t.spawn_pops);
  CHECK(t.finished_pushes == t.finished_pops);
  CHECK(t.free_pops == t.free_pushes);
  CHECK(t.output == static_cast<std::int64_t>(out.size()));
  CHECK(t.max_active_depth > 0);
  CHECK(t.iterations > 0);
}

}  // namespace chroma2::test
