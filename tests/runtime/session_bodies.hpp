// SPDX-License-Identifier: BSD-3-Clause
// The streaming session on either backend (test_session.cpp on the host, gpu_session.cu on the
// GPU run these bodies): events of mixed sizes and tiers in flight together, each conserving its
// photons; out-of-order completion; replay that does not depend on event slots, events in flight,
// threads or grid; producers on several threads; close with events in flight; callback errors;
// backpressure; bad input. The scene is the output tiers' detecting plane
// (physics/output_bodies.hpp): every ending occurs.
#pragma once

#include "chroma2/runtime/session.hpp"
#include "physics/output_bodies.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <future>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace chroma2::test {

using SessionPhysics = OpticalPhysics<PlaneGeometry>;
template <class Space>
using TestSession = Session<SessionPhysics, Space>;

// A point source below the plane, isotropic: half the photons head for the plane.
inline PointIsotropicSource session_source(std::uint64_t n, bool at_first_step = false) {
  PointIsotropicSource s;
  s.position = {0, 0, -200};
  s.photon_count = n;
  s.material = 0;
  s.wavelength = WavelengthSpec::uniform(380, 680);
  s.draw_at_first_step = at_first_step;
  return s;
}

// A user's source that the session's worker does not know (not among its run sources): the
// host expands it and stages its photons, whatever the session's options.
struct HostOnlySource {
  PointIsotropicSource point;
  CHROMA2_HD std::uint64_t count() const { return point.count(); }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t index, Rng& rng) const {
    return point.photon(index, rng);
  }
};

inline SessionOptions session_options(std::uint32_t slots, std::uint32_t page = 1u << 13) {
  SessionOptions o;
  o.worker.page_capacity = page;
  o.worker.inbox_capacity = 1u << 12;
  o.worker.output_capacity = 1u << 12;
  o.worker.max_events = slots;
  o.worker.max_steps = 1000;
  o.worker.micro_steps = 16;
  o.worker.seed = 11;
  o.worker.channels = 8;
  o.worker.history_points = 4;
  if (test_scale() < 1) o.worker.grid = 4;
  return o;
}

// FNV-1a over the hits sorted by photon id: equal hashes mean bit-identical hits.
inline std::uint64_t hit_hash(std::vector<HitRecord> hits) {
  std::sort(hits.begin(), hits.end(),
            [](const HitRecord& a, const HitRecord& b) { return a.id < b.id; });
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const HitRecord& r : hits) {
    unsigned char b[sizeof r];
    std::memcpy(b, &r, sizeof r);
    for (unsigned char c : b) h = (h ^ c) * 0x100000001b3ull;
  }
  return h;
}

// Per-event conservation: every primary ended exactly once, the records are the tier's.
inline void check_event(const EventResult& r, std::uint64_t number, std::uint64_t primaries,
                        OutputTier tier) {
  INFO("event " << number << " tier " << tier_name(tier));
  CHECK(r.number == number);
  CHECK(r.tier == tier);
  CHECK(r.primaries == primaries);
  CHECK(r.tally.photons() == primaries);  // no secondaries in this scene
  CHECK(r.tally[TerminalReason::alive] == 0);
  const std::uint64_t detected = r.tally[TerminalReason::detected];
  switch (tier) {
    case OutputTier::hits: {
      CHECK(r.hits.size() == detected);
      std::vector<std::uint64_t> ids;
      for (const HitRecord& h : r.hits) {
        ids.push_back(h.id);
        if (h.event != number) FAIL("a hit carries event " << h.event);
        if (h.channel != TierScene::channel) FAIL("a hit on channel " << h.channel);
      }
      std::sort(ids.begin(), ids.end());
      CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
      CHECK((ids.empty() || ids.back() < primaries));
      break;
    }
    case OutputTier::compact_hits:
      CHECK(r.compact_hits.size() == detected);
      for (const CompactHit& h : r.compact_hits)
        if (h.event != static_cast<std::uint32_t>(number)) FAIL("a compact hit of " << h.event);
      break;
    case OutputTier::photons: {
      REQUIRE(r.photons.size() == primaries);
      std::vector<std::uint64_t> ids;
      for (const Photon& p : r.photons) ids.push_back(p.id);
      std::sort(ids.begin(), ids.end());
      for (std::uint64_t i = 0; i < ids.size(); ++i)
        if (ids[i] != i) FAIL("photon ids are not 0.." << primaries - 1 << " once each");
      break;
    }
    case OutputTier::channels: {
      std::uint64_t pe = r.channels.outside;
      for (std::uint32_t c : r.channels.photoelectrons) pe += c;
      CHECK(pe == detected);
      CHECK(r.channels.photoelectrons.at(TierScene::channel) == detected);
      break;
    }
    default:
      CHECK(r.tracks.size() == primaries);
  }
}

template <class Space>
void check_mixed_events() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  TestSession<Space> session(optics.physics, session_options(8));
  const std::uint64_t big = scaled(1000000, 20000);
  // how an event's photons reach the worker: expanded and staged by the host (a source the
  // worker does not know), one uniform request, or a source run the worker draws from
  enum class How { staged, request, source };
  struct Want {
    std::uint64_t number, photons;
    OutputTier tier;
    How how;
  };
  const std::vector<Want> wants = {
      {1, 1, OutputTier::hits, How::staged},
      {2, 10, OutputTier::hits, How::request},
      {3, 1000, OutputTier::photons, How::source},
      {4, big, OutputTier::hits, How::staged},
      {5, 100000, OutputTier::channels, How::source},
      {6, 0, OutputTier::hits, How::request},
      {7, 5000, OutputTier::compact_hits, How::staged},
      {8, 3000, OutputTier::history, How::request},
      {(std::uint64_t{1} << 40) + 9, 20000, OutputTier::hits, How::source},
      {10, 100, OutputTier::photons, How::staged}};
  std::vector<std::future<EventResult>> futures;
  for (const Want& w : wants) {
    const PointIsotropicSource source = session_source(w.photons, w.how == How::request);
    if (w.how == How::staged) {
      EventDescriptor<HostOnlySource> d{.number = w.number, .source = {source}, .tier = w.tier};
      futures.push_back(session.submit(d));
    } else {
      EventDescriptor<PointIsotropicSource> d{.number = w.number, .source = source, .tier = w.tier};
      futures.push_back(session.submit(d));
    }
  }
  for (std::size_t i = 0; i < wants.size(); ++i)
    check_event(futures[i].get(), wants[i].number, wants[i].photons, wants[i].tier);
  session.close();
  const SessionTelemetry t = session.telemetry();
  CHECK(t.events_completed == wants.size());
  CHECK(t.events_failed == 0);
  CHECK(session.orphan_records() == 0);
  std::uint64_t photons = 0;
  for (const Want& w : wants) photons += w.photons;
  CHECK(t.photons_completed == photons);
  // a run is one record, no photon copied; the staged events' photons are copied once each
  std::uint64_t copied = 0, runs = 0, source_runs = 0;
  for (const Want& w : wants) {
    if (w.how == How::staged) copied += w.photons;
    runs += w.how != How::staged && w.photons > 0;
    source_runs += w.how == How::source && w.photons > 0;
  }
  CHECK(t.copies.in_bytes == copied * sizeof(InboxRecord));
  CHECK(t.run_events == runs);
  CHECK(t.source_run_events == source_runs);
  CHECK(t.worker[TelemetryCounter::run_intake] == static_cast<std::int64_t>(photons - copied));
}

// A large event submitted first and small ones after it: small ones complete first. With `runs`
// every source is uniform: the worker expands the large event's run and the small ones' runs
// side by side. Completion times come from the results themselves (submitted + latency, both
// measured by the session), not from when this thread happens to look.
template <class Space>
void check_out_of_order(bool runs = false) {
  using clock = std::chrono::steady_clock;
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  TestSession<Space> session(optics.physics, session_options(8, 1u << 12));
  const std::uint64_t big = scaled(400000, 40000);
  std::vector<std::future<EventResult>> f;
  std::vector<clock::time_point> submitted;
  EventDescriptor<PointIsotropicSource> d;
  for (std::uint64_t k = 0; k <= 6; ++k) {
    d.number = 100 + k;
    d.source = session_source(k == 0 ? big : 50, runs);
    submitted.push_back(clock::now());  // a moment before the session stamps it
    f.push_back(session.submit(d));
  }
  std::vector<double> done_ms;  // completion, ms after the first submission
  for (std::size_t i = 0; i < f.size(); ++i) {
    const EventResult r = f[i].get();
    check_event(r, 100 + i, i == 0 ? big : 50, OutputTier::hits);
    done_ms.push_back(
        std::chrono::duration<double, std::milli>(submitted[i] - submitted[0]).count() +
        r.latency_ms);
  }
  const double first_small = *std::min_element(done_ms.begin() + 1, done_ms.end());
  INFO("the large event completed at " << done_ms[0] << " ms, the first small one at "
                                       << first_small << " ms");
  CHECK(first_small < done_ms[0]);  // submitted after the large event, finished before it
}

// The same events through sessions with 2 and with 64 slots (and different threads or grids):
// every event's hits are bit-identical; a different event number gives different hits.
template <class Space>
void check_replay() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  const std::uint32_t events = scaled(120, 24);
  const auto run = [&](std::uint32_t slots, unsigned threads_or_grid, bool runs = true) {
    SessionOptions o = session_options(slots);
    o.uniform_runs = runs;
    o.source_runs = runs;
    if constexpr (std::is_same_v<Space, Host>)
      o.worker.threads = threads_or_grid;
    else
      o.worker.grid = threads_or_grid;
    TestSession<Space> session(optics.physics, o);
    std::vector<std::future<EventResult>> f;
    for (std::uint32_t e = 0; e < events; ++e) {
      EventDescriptor<PointIsotropicSource> d;
      d.number = 1000 + e;
      d.source = session_source(500 + 37 * (e % 50), e % 3 == 0);
      f.push_back(session.submit(d));
    }
    std::vector<std::uint64_t> hashes;
    for (auto& x : f) {
      const EventResult r = x.get();
      CHECK(r.hits.size() == r.tally[TerminalReason::detected]);
      hashes.push_back(hit_hash(r.hits));
    }
    return hashes;
  };
  const std::vector<std::uint64_t> a = run(2, 1);
  const std::vector<std::uint64_t> b = run(64, std::is_same_v<Space, Host> ? 2 : 0);
  // the same events expanded by the host photon by photon, none by the worker: every third
  // event's source is uniform (its one request is drawn on the host either way), the others are
  // drawn by the worker in a and b — on the GPU by the device's arithmetic, whose last bits may
  // differ from the host's (core/concepts/photon_source.hpp)
  const std::vector<std::uint64_t> c = run(8, std::is_same_v<Space, Host> ? 2 : 0, false);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() == c.size());
  std::uint32_t same = 0, same_uniform = 0, uniform = 0, same_drawn = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    same += a[i] == b[i];
    if (i % 3 == 0) {
      ++uniform;
      same_uniform += a[i] == c[i];
    } else {
      same_drawn += a[i] == c[i];
    }
  }
  CHECK(same == a.size());
  CHECK(same_uniform == uniform);
  INFO("events drawn by the worker with hits bit-identical to the host's expansion: "
       << same_drawn << " of " << a.size() - uniform);
  if constexpr (!Space::device_accessible) CHECK(same_drawn == a.size() - uniform);
  // the event number keys the streams: neighbours' hits differ
  std::uint32_t distinct = 0;
  for (std::size_t i = 0; i + 1 < a.size(); ++i) distinct += a[i] != a[i + 1];
  CHECK(distinct == a.size() - 1);
}

// Several producer threads submit to one session at once; every event comes back whole.
template <class Space>
void check_producers(unsigned producers, std::uint32_t per_producer) {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  SessionOptions o = session_options(16);
  o.queue_capacity = 4;  // producers block now and then
  TestSession<Space> session(optics.physics, o);
  std::vector<std::vector<std::future<EventResult>>> futures(producers);
  {
    std::vector<std::jthread> threads;
    for (unsigned p = 0; p < producers; ++p)
      threads.emplace_back([&, p] {
        for (std::uint32_t k = 0; k < per_producer; ++k) {
          PhotonListEvent e;
          e.number = std::uint64_t{p} * 1000 + k;
          for (std::uint32_t i = 0; i < 200 + 50 * k; ++i)
            e.photons.push_back(make_photon(i, {0, 0, -200}, {0, 0, 1}, {1, 0, 0},
                                            400.0f + static_cast<float>(i % 200), i % 2 == 1));
          e.tier = k % 2 ? OutputTier::photons : OutputTier::hits;
          futures[p].push_back(session.submit(std::move(e)));
        }
      });
  }
  for (unsigned p = 0; p < producers; ++p)
    for (std::uint32_t k = 0; k < per_producer; ++k)
      check_event(futures[p][k].get(), std::uint64_t{p} * 1000 + k, 200 + 50 * k,
                  k % 2 ? OutputTier::photons : OutputTier::hits);
  session.close();
  CHECK(session.telemetry().events_completed == producers * per_producer);
  CHECK(session.orphan_records() == 0);
}

// close() with events in flight: every future resolves (they complete within the timeout); with
// a tiny timeout each resolves with its records or a chroma2::Error, none hangs.
template <class Space>
void check_close_in_flight() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  {
    TestSession<Space> session(optics.physics, session_options(4));
    std::vector<std::future<EventResult>> f;
    for (std::uint64_t e = 0; e < 20; ++e) {
      EventDescriptor<PointIsotropicSource> d;
      d.number = e;
      d.source = session_source(2000);
      f.push_back(session.submit(d));
    }
    session.close();
    for (std::uint64_t e = 0; e < 20; ++e) {
      REQUIRE(f[e].wait_for(std::chrono::seconds(0)) == std::future_status::ready);
      check_event(f[e].get(), e, 2000, OutputTier::hits);
    }
    CHECK_THROWS_WITH(session.submit(EventDescriptor<PointIsotropicSource>{
                          .number = 99, .source = session_source(1)}),
                      Catch::Matchers::ContainsSubstring("submitted to a closed session"));
  }
  {
    SessionOptions o = session_options(2, 1u << 12);
    o.close_timeout = std::chrono::milliseconds(1);
    std::vector<std::future<EventResult>> f;
    {
      TestSession<Space> session(optics.physics, o);
      for (std::uint64_t e = 0; e < 6; ++e) {
        EventDescriptor<PointIsotropicSource> d;
        d.number = e;
        d.source = session_source(scaled(200000, 50000));
        f.push_back(session.submit(d));
      }
    }  // the destructor closes
    std::uint32_t failed = 0;
    for (auto& x : f) {
      REQUIRE(x.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
      try {
        x.get();
      } catch (const Error& e) {
        ++failed;
        CHECK_THAT(std::string(e.what()), Catch::Matchers::ContainsSubstring("close"));
      }
    }
    CHECK(failed > 0);
  }
}

// A callback that throws fails its own event's future; the next events are untouched.
template <class Space>
void check_callback_errors() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  TestSession<Space> session(optics.physics, session_options(4));
  std::atomic<std::uint64_t> streamed{0};
  EventDescriptor<PointIsotropicSource> good;
  good.number = 1;
  good.source = session_source(20000);
  good.keep_records = false;
  good.on_records = [&](const RecordBatch& b) {
    if (b.event != 1) throw std::logic_error("wrong event");
    streamed += b.hits.size();
  };
  EventDescriptor<PointIsotropicSource> bad = good;
  bad.number = 2;
  bad.on_records = [](const RecordBatch&) { throw std::runtime_error("user callback broke"); };
  auto f1 = session.submit(good);
  auto f2 = session.submit(bad);
  EventDescriptor<PointIsotropicSource> after;
  after.number = 3;
  after.source = session_source(5000);
  auto f3 = session.submit(after);
  const EventResult r1 = f1.get();
  CHECK(r1.hits.empty());  // keep_records = false: the callback had them
  CHECK(streamed.load() == r1.tally[TerminalReason::detected]);
  CHECK(streamed.load() > 0);
  CHECK_THROWS_WITH(f2.get(), "user callback broke");
  check_event(f3.get(), 3, 5000, OutputTier::hits);
  CHECK(session.telemetry().callback_errors == 1);
}

// A full queue: try_submit refuses, submit waits; every accepted event completes.
template <class Space>
void check_backpressure() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  SessionOptions o = session_options(2, 1u << 12);
  o.queue_capacity = 1;
  TestSession<Space> session(optics.physics, o);
  std::vector<std::pair<std::uint64_t, std::future<EventResult>>> f;
  EventDescriptor<PointIsotropicSource> d;
  d.number = 0;
  d.source = session_source(scaled(300000, 30000));
  f.emplace_back(0, session.submit(d));
  std::uint32_t refused = 0;
  for (std::uint64_t k = 1; k <= 10; ++k) {
    d.number = k;
    d.source = session_source(100);
    if (auto x = session.try_submit(d))
      f.emplace_back(k, std::move(*x));
    else
      ++refused;
  }
  CHECK(refused >= 1);
  for (auto& [k, x] : f)
    check_event(x.get(), k, k == 0 ? scaled(300000, 30000) : 100, OutputTier::hits);
  CHECK(session.telemetry().refused_submits == refused);
}

// Bad input is refused at submit with the event, the photon and the value named.
template <class Space>
void check_session_errors() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  SessionOptions o = session_options(2);
  o.worker.channels = 0;
  TestSession<Space> session(optics.physics, o);
  const auto list = [](Photon p) {
    PhotonListEvent e;
    e.number = 7;
    e.photons.assign(5, make_photon(0, {0, 0, -200}, {0, 0, 1}, {1, 0, 0}, 420.0f));
    e.photons[3] = p;
    return e;
  };
  Photon nan_position = make_photon(3, {0, 0, -200}, {0, 0, 1}, {1, 0, 0}, 420.0f);
  nan_position.position.y = std::numeric_limits<float>::quiet_NaN();
  // a list's photons are checked as they are fed: the event's future carries the error
  CHECK_THROWS_WITH(session.submit(list(nan_position)).get(),
                    Catch::Matchers::ContainsSubstring("event 7 photon 3 position") &&
                        Catch::Matchers::ContainsSubstring("not finite"));
  Photon no_direction = make_photon(3, {0, 0, -200}, {0, 0, 0}, {1, 0, 0}, 420.0f);
  CHECK_THROWS_WITH(session.submit(list(no_direction)).get(),
                    Catch::Matchers::ContainsSubstring("event 7 photon 3 direction") &&
                        Catch::Matchers::ContainsSubstring("length 0"));
  Photon bad_wavelength = make_photon(3, {0, 0, -200}, {0, 0, 1}, {1, 0, 0}, -5.0f);
  CHECK_THROWS_WITH(session.submit(list(bad_wavelength)).get(),
                    Catch::Matchers::ContainsSubstring("event 7 photon 3 wavelength -5 nm"));
  // a photon far into a large list: the photons before its chunk ran, the event still fails
  PhotonListEvent late = list(make_photon(3, {0, 0, -200}, {0, 0, 1}, {1, 0, 0}, 420.0f));
  late.photons.resize(200000, late.photons[0]);
  late.photons[150001].wavelength = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(session.submit(std::move(late)).get(),
                    Catch::Matchers::ContainsSubstring("event 7 photon 150001 wavelength"));
  EventDescriptor<PointIsotropicSource> d;
  d.number = 8;
  d.source = session_source(10);
  d.tier = OutputTier::channels;
  CHECK_THROWS_WITH(session.submit(d),
                    Catch::Matchers::ContainsSubstring("event 8 asks for the per-channel summary"));
  d.tier = OutputTier::hits;
  d.source.position.x = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(session.submit(d),
                    Catch::Matchers::ContainsSubstring("event 8: point source position"));
  // the session is unharmed
  d.source = session_source(1000);
  check_event(session.submit(d).get(), 8, 1000, OutputTier::hits);
}

// The telemetry as JSON: one object, the counts of what ran.
template <class Space>
void check_session_telemetry() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  SessionOptions o = session_options(4);
  o.sample_period = std::chrono::milliseconds(1);
  TestSession<Space> session(optics.physics, o);
  std::vector<std::future<EventResult>> f;
  const std::uint64_t n = scaled(30000, 3000);
  for (std::uint64_t e = 0; e < 10; ++e) {  // staged by the host and drawn by the worker in turn
    if (e % 2)
      f.push_back(session.submit(
          EventDescriptor<PointIsotropicSource>{.number = e, .source = session_source(n)}));
    else
      f.push_back(session.submit(
          EventDescriptor<HostOnlySource>{.number = e, .source = {session_source(n)}}));
  }
  std::uint64_t hits = 0;
  for (auto& x : f) hits += x.get().hits.size();
  session.close();
  const SessionTelemetry t = session.telemetry();
  CHECK(t.events_submitted == 10);
  CHECK(t.events_completed == 10);
  CHECK(t.records == hits);
  CHECK(t.photons_per_second > 0);
  CHECK(t.busy_s > 0);
  CHECK(t.busy_s <= t.wall_s);
  CHECK(t.worker[TelemetryCounter::intake] == static_cast<std::int64_t>(5 * n));
  CHECK(t.worker[TelemetryCounter::run_intake] == static_cast<std::int64_t>(5 * n));
  CHECK(t.copies.in_bytes == 5 * n * sizeof(InboxRecord));
  CHECK(t.source_run_events == 5);
  CHECK(t.run_events == 5);
  CHECK(t.expand_ns > 0);
  CHECK(!t.samples.empty());
  std::ostringstream os;
  write_json(os, t);
  const std::string j = os.str();
  CHECK(j.front() == '{');
  CHECK(j.back() == '}');
  CHECK(std::count(j.begin(), j.end(), '{') == std::count(j.begin(), j.end(), '}'));
  CHECK_THAT(j, Catch::Matchers::ContainsSubstring("\"events_completed\":10,"));
  CHECK_THAT(j, Catch::Matchers::ContainsSubstring("\"intake\":"));
  CHECK_THAT(j, Catch::Matchers::ContainsSubstring("\"source_run_events\":5,"));
}

// The worker layer under the session: one event slot reused by 40 events while the worker runs
// (reset by its polling group), each event's tally and hits its own — bit-identical to the same
// event run alone in a fresh worker — and the rules of reuse.
template <class Space>
void check_slot_reuse() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  WorkerOptions o = session_options(1).worker;
  const auto run_alone = [&](std::uint64_t number, std::uint64_t n) {
    PersistentWorker<SessionPhysics, Space> fresh(optics.physics, o);
    fresh.open_event(0, number, OutputTier::hits);
    std::vector<Photon> photons = expand(session_source(n), o.seed, number);
    for (Photon& p : photons) p.event = 0;
    return fresh.run(photons, 0, OutputTier::hits).hits;
  };
  // the references first: a device worker occupies the whole GPU while it runs
  const std::uint32_t events = scaled(40, 8);
  std::vector<std::uint64_t> alone;
  for (std::uint32_t e = 0; e < events; e += 8)
    alone.push_back(hit_hash(run_alone(5000 + 7 * e, 3000 + 100 * e)));
  PersistentWorker<SessionPhysics, Space> w(optics.physics, o);
  w.start();
  std::uint32_t identical = 0;
  for (std::uint32_t e = 0; e < events; ++e) {
    const std::uint64_t number = 5000 + 7 * e;
    const std::uint64_t n = 3000 + 100 * e;
    const std::uint32_t gen = w.open_event(0, number, OutputTier::hits);
    CHECK(gen == e + 1);
    std::vector<Photon> photons = expand(session_source(n, e % 2 == 1), o.seed, number);
    for (Photon& p : photons) p.event = 0;
    // staged in two parts, flushed once
    const std::size_t half = photons.size() / 2;
    OutputRecords out;
    std::size_t done = 0;
    while (done < photons.size()) {
      const std::size_t want = done < half ? half - done : photons.size() - done;
      done += w.stage(0, want, [&](std::size_t off, std::span<InboxRecord> dst) {
        for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = to_inbox(photons[done + off + i]);
      });
      w.flush();
      w.drain(out);
    }
    w.flush(true);
    CHECK(w.flush());  // all published
    CHECK_THROWS_WITH(w.open_event(0, number + 1, OutputTier::hits),
                      Catch::Matchers::ContainsSubstring("reopened before its event completed"));
    w.close_event(0);
    const std::uint32_t slots[] = {0};
    REQUIRE(w.wait_events(slots, out, std::chrono::seconds(60)));
    CHECK(w.complete(0, gen));
    CHECK(!w.complete(0, gen + 1));
    EventTally t;
    w.tallies(slots, std::span<EventTally>(&t, 1));
    CHECK(t.photons() == n);
    REQUIRE(out.hits.size() == t[TerminalReason::detected]);
    for (const HitRecord& h : out.hits)
      if (h.event != number) FAIL("a hit of event " << h.event << " in event " << number);
    if (e % 8 == 0) identical += hit_hash(out.hits) == alone[e / 8];
  }
  w.stop();
  CHECK(identical == (events + 7) / 8);
}

// Photon runs at the worker layer: a run of a uniform source's request gives exactly the photons
// that staging the source's expansion gives (the same event number in another slot), ids from
// first_id once each; a run posted to a stopped worker is taken in when it starts; and the rules:
// one run per slot and opening, a request at its start, 0 photons posting nothing.
template <class Space>
void check_photon_runs() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  WorkerOptions o = session_options(4).worker;
  o.output_capacity = 1u << 14;
  const std::uint64_t n = scaled(30000, 5000);
  const std::uint64_t number = 77;
  const PointIsotropicSource source = session_source(n, true);
  REQUIRE(uniform_source(source));
  CHECK(!uniform_source(session_source(n, false)));
  const Photon request = source_photon(source, 0, o.seed, number);
  std::vector<Photon> expanded = expand(source, o.seed, number);
  for (Photon& p : expanded) p.event = 1;
  const auto sorted = [](std::vector<Photon> v) {
    std::sort(v.begin(), v.end(), [](const Photon& a, const Photon& b) { return a.id < b.id; });
    return v;
  };
  const auto same_but_event = [](const Photon& a, Photon b) {
    b.event = a.event;
    return std::memcmp(&a, &b, sizeof a) == 0;
  };

  PersistentWorker<SessionPhysics, Space> w(optics.physics, o);
  // slot 0: posted before the worker starts; slot 1: the same photons staged; slot 2: a run of
  // ids from 1000 (another event number), posted while the worker runs
  w.open_event(0, number, OutputTier::photons);
  w.open_event(1, number, OutputTier::photons);
  w.post_run(0, request, 0, n);
  CHECK(w.event_status(0).submitted == n);
  w.post_run(0, request, 0, 0);  // nothing: not a second run
  CHECK_THROWS_WITH(
      w.post_run(0, request, 0, 5),
      Catch::Matchers::ContainsSubstring("photon run of event slot 0 is the slot's second"));
  Photon moved = request;
  moved.steps = 3;
  CHECK_THROWS_WITH(w.post_run(1, moved, 0, 5),
                    Catch::Matchers::ContainsSubstring("the request is not at its start"));
  w.start();
  OutputRecords out;
  w.submit_all(expanded, out);
  w.open_event(2, number + 1, OutputTier::photons);
  w.post_run(2, source_photon(source, 0, o.seed, number + 1), 1000, n);
  for (std::uint32_t e = 0; e < 3; ++e) w.close_event(e);
  const std::uint32_t slots[] = {0, 1, 2};
  REQUIRE(w.wait_events(slots, out, std::chrono::seconds(120)));
  w.stop();
  std::vector<Photon> by_run, by_stage, offset;
  for (const Photon& p : out.photons)
    (p.event == 0 ? by_run : p.event == 1 ? by_stage : offset).push_back(p);
  REQUIRE(by_run.size() == n);
  REQUIRE(by_stage.size() == n);
  REQUIRE(offset.size() == n);
  by_run = sorted(by_run);
  by_stage = sorted(by_stage);
  offset = sorted(offset);
  std::uint64_t identical = 0, ids_in_order = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    identical += same_but_event(by_stage[i], by_run[i]);
    ids_in_order += by_run[i].id == i && offset[i].id == 1000 + i;
  }
  CHECK(identical == n);  // bit for bit
  CHECK(ids_in_order == n);
  // the other event number draws other photons
  std::uint64_t differ = 0;
  for (std::uint64_t i = 0; i < n; ++i)
    differ += by_run[i].time != offset[i].time || by_run[i].reason != offset[i].reason;
  CHECK(differ > n / 2);
  const WorkerTelemetry t = w.telemetry();
  CHECK(t[TelemetryCounter::run_intake] == static_cast<std::int64_t>(2 * n));
  CHECK(t[TelemetryCounter::intake] == static_cast<std::int64_t>(n));
  const typename PersistentWorker<SessionPhysics, Space>::Census c = w.census();
  CHECK(c.free == w.page_capacity());  // every slot back
}

// A tabulated spectrum and the beam of check_source_runs: peaked at 450 nm.
inline SpectralTable lamp_table() { return SpectralTable{{300.0, 450.0, 600.0}, {0.0, 1.0, 0.2}}; }
inline BeamSource session_beam(std::uint64_t n, WavelengthSpec wavelength) {
  BeamSource b;
  b.centre = {10, -5, -200};
  b.direction = normalize(Vec3{0.3f, 0.0f, 1.0f});
  b.radius = 40;
  b.random_polarisation = 1;
  b.time = 2.5f;
  b.photon_count = n;
  b.wavelength = wavelength;
  return b;
}

// n photons drawn by the worker against their twins drawn by the host: on the host backend every
// final photon is bit-identical to its twin; on the GPU (the device's arithmetic, a few ULPs
// apart) they end the same way, but for the rare photon a few ULPs send elsewhere.
template <class Space>
void check_twins(std::uint64_t identical, std::uint64_t same_end, std::uint64_t n) {
  if constexpr (Space::device_accessible)
    CHECK(same_end >= n - n / 100);
  else
    CHECK(identical == n);
}

// A point source with a tabulated spectrum and a disc beam, posted as runs of their sources that
// the worker draws photon by photon, beside the same photons expanded by the host and staged:
// each run photon starts where the host's expansion starts it (history point 0) with its id and
// wavelength; on the host backend every final photon is bit-identical to its staged twin. On the
// GPU the device's arithmetic draws them (floats within a few ULPs of the host's).
template <class Space>
void check_source_runs() {
  using Worker = typename TestSession<Space>::Worker;
  constexpr bool on_device = Space::device_accessible;
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  WorkerOptions o = session_options(4).worker;
  o.output_capacity = 1u << 14;
  const std::uint64_t n = scaled(20000, 4000);
  const std::uint64_t number = 4242;
  const Spectrum<Space> spectrum(lamp_table(), "lamp");
  const Spectrum<Host> host_spectrum(lamp_table(), "lamp");
  PointIsotropicSource point = session_source(n);
  point.wavelength = WavelengthSpec::tabulated(spectrum.ref());
  PointIsotropicSource host_point = point;
  host_point.wavelength = WavelengthSpec::tabulated(host_spectrum.ref());
  const BeamSource beam = session_beam(n, WavelengthSpec::tabulated(spectrum.ref()));
  const BeamSource host_beam = session_beam(n, WavelengthSpec::tabulated(host_spectrum.ref()));
  REQUIRE(!uniform_source(point));
  std::vector<Photon> expected[2] = {expand(host_point, o.seed, number),
                                     expand(host_beam, o.seed, number + 1)};

  Worker w(optics.physics, o);
  // slots 0 and 1: the runs (the point's before the worker starts, the beam's while it runs);
  // slots 2 and 3: the host's expansions staged
  for (std::uint32_t e = 0; e < 4; ++e) w.open_event(e, number + e % 2, OutputTier::history);
  w.post_run(0, point, 0, n);
  CHECK(w.event_status(0).submitted == n);
  CHECK_THROWS_WITH(
      w.post_run(0, point, 0, 5),
      Catch::Matchers::ContainsSubstring("photon run of event slot 0 is the slot's second"));
  CHECK_THROWS_WITH(
      w.post_run(1, beam, n - 3, 5),
      Catch::Matchers::ContainsSubstring("asks for 5 photons from id " + std::to_string(n - 3) +
                                         " of a source of " + std::to_string(n)));
  w.start();
  w.post_run(1, beam, 0, n);
  OutputRecords out;
  for (std::uint32_t k = 0; k < 2; ++k) {
    std::vector<Photon> staged = expected[k];
    for (Photon& p : staged) p.event = 2 + k;
    w.submit_all(staged, out);
  }
  for (std::uint32_t e = 0; e < 4; ++e) w.close_event(e);
  const std::uint32_t slots[] = {0, 1, 2, 3};
  REQUIRE(w.wait_events(slots, out, std::chrono::seconds(120)));
  w.stop();
  const WorkerTelemetry t = w.telemetry();
  CHECK(t[TelemetryCounter::run_intake] == static_cast<std::int64_t>(2 * n));
  CHECK(t[TelemetryCounter::intake] == static_cast<std::int64_t>(2 * n));
  CHECK(w.census().free == w.page_capacity());

  std::vector<const PhotonTrack*> by_slot[4];
  for (auto& v : by_slot) v.assign(n, nullptr);
  std::uint64_t bad_ids = 0;
  for (const PhotonTrack& tr : out.tracks) {
    if (tr.photon.event >= 4 || tr.photon.id >= n || by_slot[tr.photon.event][tr.photon.id])
      ++bad_ids;
    else
      by_slot[tr.photon.event][tr.photon.id] = &tr;
  }
  REQUIRE(out.tracks.size() == 4 * n);
  REQUIRE(bad_ids == 0);  // every id of every event once
  for (std::uint32_t k = 0; k < 2; ++k) {
    INFO((k == 0 ? "point source with a spectrum" : "disc beam"));
    std::uint64_t start_off = 0, wavelength_off = 0, identical = 0, same_end = 0;
    float worst_mm = 0, worst_nm = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const Photon& want = expected[k][i];
      const PhotonTrack& run = *by_slot[k][i];
      const PhotonTrack& staged = *by_slot[2 + k][i];
      REQUIRE(!run.points.empty());
      const StepPoint start = run.points[0];
      const float mm = norm(start.position - want.position);
      const float nm = std::fabs(run.photon.wavelength - want.wavelength);
      worst_mm = std::max(worst_mm, mm);
      worst_nm = std::max(worst_nm, nm);
      start_off += on_device ? mm > 1e-3f || start.time != want.time
                             : std::memcmp(&start.position, &want.position, sizeof(Vec3)) != 0 ||
                                   start.time != want.time;
      wavelength_off += on_device ? nm > 1e-3f : nm != 0;
      Photon a = run.photon, b = staged.photon;
      a.event = b.event = 0;
      identical += std::memcmp(&a, &b, sizeof a) == 0;
      same_end += a.reason == b.reason;
    }
    INFO("worst start " << worst_mm << " mm, worst wavelength " << worst_nm
                        << " nm; final photons bit-identical to the staged twin: " << identical
                        << " of " << n << ", the same ending: " << same_end);
    CHECK(start_off == 0);
    CHECK(wavelength_off == 0);
    check_twins<Space>(identical, same_end, n);
  }
}

// Sessions with source runs on and off, point sources with a spectrum and beams: the worker
// draws an event's photons exactly when the source is one of the tuning's run sources and its
// tables are where the worker reads them; on the GPU a spectrum in host memory is expanded by the
// host instead (the same hits as a session without source runs). On the host backend the hits do
// not depend on who drew the photons.
template <class Space>
void check_session_source_runs() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  const Spectrum<Space> spectrum(lamp_table(), "lamp");
  const Spectrum<Host> host_spectrum(lamp_table(), "lamp");
  const std::uint32_t events = scaled(40, 12);
  const auto run = [&](bool source_runs, const SpectrumRef& lamp, std::uint64_t want_source_runs) {
    SessionOptions o = session_options(4);
    o.source_runs = source_runs;
    TestSession<Space> session(optics.physics, o);
    std::vector<std::future<EventResult>> f;
    std::vector<std::uint64_t> counts;
    for (std::uint32_t e = 0; e < events; ++e) {
      const std::uint64_t n = 200 + 97 * e;
      counts.push_back(n);
      if (e % 2) {
        EventDescriptor<BeamSource> d;
        d.number = 500 + e;
        d.source = session_beam(n, WavelengthSpec::tabulated(lamp));
        f.push_back(session.submit(d));
      } else {
        EventDescriptor<PointIsotropicSource> d;
        d.number = 500 + e;
        d.source = session_source(n);
        d.source.wavelength = WavelengthSpec::tabulated(lamp);
        f.push_back(session.submit(d));
      }
    }
    std::vector<std::uint64_t> hashes;
    for (std::uint32_t e = 0; e < events; ++e) {
      const EventResult r = f[e].get();
      check_event(r, 500 + e, counts[e], OutputTier::hits);
      hashes.push_back(hit_hash(r.hits));
    }
    session.close();
    const SessionTelemetry t = session.telemetry();
    CHECK(t.source_run_events == want_source_runs);
    CHECK(t.run_events == want_source_runs);
    std::uint64_t total = 0;
    for (std::uint64_t c : counts) total += c;
    CHECK(t.worker[TelemetryCounter::run_intake] ==
          static_cast<std::int64_t>(want_source_runs ? total : 0));
    return hashes;
  };
  const std::vector<std::uint64_t> drawn = run(true, spectrum.ref(), events);
  const std::vector<std::uint64_t> expanded = run(false, host_spectrum.ref(), 0);
  std::uint32_t same = 0;
  for (std::uint32_t e = 0; e < events; ++e) same += drawn[e] == expanded[e];
  INFO("events with hits bit-identical whoever drew the photons: " << same << " of " << events);
  if constexpr (Space::device_accessible) {
    // a spectrum in plain host memory: the GPU's worker cannot read it, the host expands
    const std::vector<std::uint64_t> fallback = run(true, host_spectrum.ref(), 0);
    CHECK(fallback == expanded);
  } else {
    CHECK(same == events);
  }
}

// A user's source, listed among a session tuning's run sources: photons from random points of a
// segment, isotropic, at one wavelength.
struct SegmentSource {
  Vec3 from{0, 0, -250}, to{0, 0, -150};  // mm
  std::uint64_t photon_count = 0;
  float wavelength_nm = 420.0f;
  std::int32_t material = 0;
  CHROMA2_HD std::uint64_t count() const { return photon_count; }
  template <class Rng>
  CHROMA2_HD Photon photon(std::uint64_t, Rng& rng) const {
    Photon p{};
    p.position = from + rng.uniform() * (to - from);
    p.direction = rng.isotropic();
    p.polarisation = rng.perpendicular_to(p.direction);
    p.wavelength = wavelength_nm;
    p.weight = 1.0f;
    p.material = material;
    return p;
  }
};
struct SegmentTuning : SessionTuning {
  using run_sources = RunSources<PointIsotropicSource, BeamSource, SegmentSource>;
};

// A tuning derived from the session's lists a user's source: the worker draws its photons from
// one run record, with the photons of the host's expansion (every final photon bit-identical on
// the host backend; the same endings on the GPU); a session on the default tuning expands it on
// the host.
template <class Space>
void check_user_run_source() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  const std::uint64_t n = scaled(20000, 4000);
  const auto run = [&](auto session_type) {
    using S = typename decltype(session_type)::type;
    S session(optics.physics, session_options(4));
    EventResult r =
        session
            .submit(EventDescriptor<SegmentSource>{
                .number = 31, .source = {.photon_count = n}, .tier = OutputTier::photons})
            .get();
    check_event(r, 31, n, OutputTier::photons);
    session.close();
    CHECK(session.telemetry().source_run_events ==
          (std::is_same_v<typename S::Worker::tuning, SegmentTuning> ? 1u : 0u));
    std::sort(r.photons.begin(), r.photons.end(),
              [](const Photon& a, const Photon& b) { return a.id < b.id; });
    return r.photons;
  };
  const std::vector<Photon> drawn =
      run(std::type_identity<
          Session<SessionPhysics, Space, layout::Packed, Philox4x32Policy, SegmentTuning>>{});
  const std::vector<Photon> expanded = run(std::type_identity<TestSession<Space>>{});
  REQUIRE(drawn.size() == n);
  REQUIRE(expanded.size() == n);
  std::uint64_t identical = 0, same_end = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    identical += std::memcmp(&drawn[i], &expanded[i], sizeof(Photon)) == 0;
    same_end += drawn[i].reason == expanded[i].reason;
  }
  INFO("final photons bit-identical whoever drew them: " << identical << " of " << n
                                                         << ", the same ending: " << same_end);
  check_twins<Space>(identical, same_end, n);
}

// Many small uniform events (0 to 60 photons) from two producers, beside photon lists, through
// four slots: every run is listed, taken and retired while the others run; each event whole.
template <class Space>
void check_many_runs() {
  const TierScene scene(1);
  const TierPhysics<Space> optics(scene);
  TestSession<Space> session(optics.physics, session_options(4));
  const std::uint32_t per = scaled(300, 60);
  std::vector<std::future<EventResult>> runs(per), lists(per);
  {
    std::jthread a([&] {
      for (std::uint32_t k = 0; k < per; ++k) {
        EventDescriptor<PointIsotropicSource> d;
        d.number = k;
        d.source = session_source(k % 61, true);
        d.tier = k % 2 ? OutputTier::photons : OutputTier::hits;
        runs[k] = session.submit(d);
      }
    });
    std::jthread b([&] {
      for (std::uint32_t k = 0; k < per; ++k) {
        PhotonListEvent e;
        e.number = 100000 + k;
        for (std::uint32_t i = 0; i < 1 + k % 40; ++i)
          e.photons.push_back(make_photon(i, {0, 0, -200}, {0, 0, 1}, {1, 0, 0}, 420.0f));
        lists[k] = session.submit(std::move(e));
      }
    });
  }
  for (std::uint32_t k = 0; k < per; ++k) {
    check_event(runs[k].get(), k, k % 61, k % 2 ? OutputTier::photons : OutputTier::hits);
    check_event(lists[k].get(), 100000 + k, 1 + k % 40, OutputTier::hits);
  }
  session.close();
  const SessionTelemetry t = session.telemetry();
  std::uint64_t run_photons = 0, run_events = 0;
  for (std::uint32_t k = 0; k < per; ++k) {
    run_photons += k % 61;
    run_events += k % 61 != 0;
  }
  CHECK(t.run_events == run_events);
  CHECK(t.worker[TelemetryCounter::run_intake] == static_cast<std::int64_t>(run_photons));
  CHECK(session.orphan_records() == 0);
}

}  // namespace chroma2::test
