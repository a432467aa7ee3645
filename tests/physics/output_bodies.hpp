// SPDX-License-Identifier: BSD-3-Clause
// What comes back from an event, tier by tier, through the real worker on either backend: the
// same photons with the same seed are run once per tier, and every tier must tell the same story
// as the final photons — the hits are exactly the detected photons, the compact hits and the
// per-channel summary are exactly their reductions, and the tally (kept on the device whatever
// the tier) counts every ended photon: reasons summing to the photons submitted, detected =
// hits, history bits and steps as the photons carry them. The step history carries the final
// photons and the first points of their paths.
#pragma once

#include "analytic_geometry.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "optical_bodies.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <vector>

namespace chroma2::test {

// A detecting plane with channel 3 between two absorbing, scattering media; photons from below,
// half aimed at the plane and half isotropic, so every ending and several history bits occur.
struct TierScene {
  static constexpr std::int32_t channel = 3;
  std::vector<Photon> photons;
  std::vector<MaterialSpec> materials;
  std::vector<SurfaceSpec> surfaces;
  PlaneGeometry plane;

  explicit TierScene(std::uint32_t n) {
    SurfaceSpec s;
    s.name = "photocathode";
    s.detect = flat_table(0.3);
    s.absorb = flat_table(0.1);
    s.reflect_diffuse = flat_table(0.1);
    surfaces = {s};
    materials = {simple_material("water", 1.33, 800.0, 600.0),
                 simple_material("glass", 1.5, 300.0, 0.0)};
    plane.inside = 0;
    plane.outside = 1;
    plane.surface = 0;
    plane.channel = channel;
    for (std::uint32_t i = 0; i < n; ++i) {
      photons.push_back(make_photon(i, {0, 0, -200}, {0, 0, 1}, {1, 0, 0},
                                    380.0f + static_cast<float>(i % 300), i % 2 == 1));
      photons.back().event = 1;
    }
  }
};

// The scene's tables in a memory space and the physics over them.
template <class Space>
struct TierPhysics {
  MaterialSet<Space> materials;
  SurfaceSet<Space> surfaces;
  OpticalPhysics<PlaneGeometry> physics;
  explicit TierPhysics(const TierScene& scene)
      : materials(scene.materials),
        surfaces(scene.surfaces),
        physics{scene.plane, materials.ref(), surfaces.ref()} {}
};

struct TierRun {
  OutputRecords records;
  EventTally tally;
  ChannelSummary summary;
  EventStatus status;
};

template <class Space, class Physics>
TierRun run_tier(const Physics& physics, const std::vector<Photon>& photons, OutputTier tier,
                 std::uint32_t channels, std::uint32_t history_points = 0) {
  WorkerOptions o;
  o.page_capacity = 1u << 14;
  o.max_events = 2;
  o.max_steps = 1000;
  o.micro_steps = 16;
  o.seed = 5;
  o.output_capacity = 1u << 12;  // smaller than the photons tier's output: drained as it goes
  o.channels = channels;
  o.history_points = history_points;
  if (test_scale() < 1) o.grid = 4;
  PersistentWorker<Physics, Space> w(physics, o);
  TierRun r;
  r.records = w.run(photons, 1, tier);
  r.tally = w.tally(1);
  r.status = w.event_status(1);
  if (tier == OutputTier::channels) r.summary = w.channel_summary(1);
  return r;
}

inline bool same_bits(const void* a, const void* b, std::size_t n) {
  return std::memcmp(a, b, n) == 0;
}

template <class Space>
void check_output_tiers(std::uint32_t n) {
  const TierScene scene(n);
  const TierPhysics<Space> optics(scene);
  const OpticalPhysics<PlaneGeometry>& physics = optics.physics;
  const std::uint32_t channels = 8;

  // the final photons: the reference every other tier is checked against
  TierRun all = run_tier<Space>(physics, scene.photons, OutputTier::photons, channels);
  std::vector<Photon>& final = all.records.photons;
  std::sort(final.begin(), final.end(),
            [](const Photon& a, const Photon& b) { return a.id < b.id; });
  REQUIRE(final.size() == n);
  check_conservation(scene.photons, final);

  EventTally expected;
  std::vector<Photon> detected;
  for (const Photon& p : final) {
    ++expected.reasons[static_cast<int>(p.reason)];
    for (int k = 0; k < 32; ++k) expected.history_bits[k] += (p.history >> k) & 1u;
    expected.steps += p.steps;
    if (p.reason == TerminalReason::detected) detected.push_back(p);
  }
  INFO(n << " photons: " << detected.size() << " detected, "
         << expected[TerminalReason::bulk_absorbed] << " bulk absorbed, "
         << expected[TerminalReason::surface_absorbed] << " surface absorbed, "
         << expected[TerminalReason::escaped] << " escaped");
  REQUIRE(detected.size() > n / 20);
  REQUIRE(expected[TerminalReason::bulk_absorbed] > 0);
  REQUIRE(expected.with_history(history::rayleigh_scatter) > 0);
  REQUIRE(expected.with_history(history::reflect_diffuse) > 0);

  const auto check_tally = [&](const TierRun& r, const char* tier) {
    INFO("tier " << tier);
    CHECK(r.status.complete());
    CHECK(r.status.finished == n);  // every ended photon counts, written out or not
    CHECK(r.tally.photons() == n);
    for (int k = 0; k < terminal_reason_count; ++k)
      CHECK(r.tally.reasons[k] == expected.reasons[k]);
    for (int k = 0; k < 32; ++k) CHECK(r.tally.history_bits[k] == expected.history_bits[k]);
    CHECK(r.tally.steps == expected.steps);
  };
  check_tally(all, "photons");

  // hits: exactly the detected photons, each as its HitRecord
  {
    TierRun r = run_tier<Space>(physics, scene.photons, OutputTier::hits, channels);
    check_tally(r, "hits");
    CHECK(r.records.photons.empty());
    CHECK(r.records.compact_hits.empty());
    auto& hits = r.records.hits;
    std::sort(hits.begin(), hits.end(),
              [](const HitRecord& a, const HitRecord& b) { return a.id < b.id; });
    REQUIRE(hits.size() == detected.size());
    CHECK(hits.size() == r.tally[TerminalReason::detected]);
    std::size_t same = 0, on_channel = 0;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const HitRecord want = make_hit(detected[i]);
      same += same_bits(&hits[i], &want, sizeof want);
      on_channel += hits[i].channel == TierScene::channel && hits[i].event == 1 &&
                    std::fabs(hits[i].position.z) < 1e-3f;
    }
    CHECK(same == hits.size());
    CHECK(on_channel == hits.size());
  }
  // compact hits: the same, reduced to (channel, time, history, event)
  {
    TierRun r = run_tier<Space>(physics, scene.photons, OutputTier::compact_hits, channels);
    check_tally(r, "compact_hits");
    CHECK(r.records.hits.empty());
    const auto key = [](const CompactHit& h) {
      std::uint32_t t;
      std::memcpy(&t, &h.time, 4);
      return std::make_tuple(h.channel, t, h.history, h.event);
    };
    std::vector<CompactHit> want;
    for (const Photon& p : detected) want.push_back(make_compact_hit(p));
    auto got = r.records.compact_hits;
    const auto by_key = [&](const CompactHit& a, const CompactHit& b) { return key(a) < key(b); };
    std::sort(got.begin(), got.end(), by_key);
    std::sort(want.begin(), want.end(), by_key);
    REQUIRE(got.size() == want.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < got.size(); ++i) same += key(got[i]) == key(want[i]);
    CHECK(same == got.size());
  }
  // the per-channel summary: the photoelectrons and first time of channel 3, nothing elsewhere
  {
    TierRun r = run_tier<Space>(physics, scene.photons, OutputTier::channels, channels);
    check_tally(r, "channels");
    CHECK(r.records.size() == 0);  // nothing per photon crosses
    REQUIRE(r.summary.photoelectrons.size() == channels);
    float first = std::numeric_limits<float>::infinity();
    for (const Photon& p : detected) first = std::min(first, p.time);
    for (std::uint32_t c = 0; c < channels; ++c) {
      INFO("channel " << c);
      if (c == TierScene::channel) {
        CHECK(r.summary.photoelectrons[c] == detected.size());
        CHECK(r.summary.first_time[c] == first);
      } else {
        CHECK(r.summary.photoelectrons[c] == 0);
        CHECK(std::isinf(r.summary.first_time[c]));
      }
    }
    CHECK(r.summary.outside == 0);
    // a summary too small for the channel counts every detection apart, none silently dropped
    TierRun small = run_tier<Space>(physics, scene.photons, OutputTier::channels, 2);
    CHECK(small.summary.outside == detected.size());
    CHECK(small.summary.photoelectrons == std::vector<std::uint32_t>{0, 0});
  }
}

// The step history: every final photon, the same as the photons tier's, with the first points of
// its path — its start, then where each step left it (the last one where it ended).
template <class Space>
void check_step_history(std::uint32_t n) {
  const TierScene scene(n);
  const TierPhysics<Space> optics(scene);
  const OpticalPhysics<PlaneGeometry>& physics = optics.physics;
  const std::uint32_t points = 6;
  TierRun all = run_tier<Space>(physics, scene.photons, OutputTier::photons, 0);
  TierRun tracked = run_tier<Space>(physics, scene.photons, OutputTier::history, 0, points);
  auto& final = all.records.photons;
  auto& tracks = tracked.records.tracks;
  std::sort(final.begin(), final.end(),
            [](const Photon& a, const Photon& b) { return a.id < b.id; });
  std::sort(tracks.begin(), tracks.end(),
            [](const PhotonTrack& a, const PhotonTrack& b) { return a.photon.id < b.photon.id; });
  REQUIRE(tracks.size() == n);
  CHECK(tracked.records.photons.empty());
  CHECK(tracked.tally.photons() == n);
  std::size_t same = 0, counted = 0, started = 0, ended = 0, short_paths = 0, forward = 0;
  std::size_t steps_in_order = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const PhotonTrack& t = tracks[i];
    const Photon& start = scene.photons[i];
    same += same_bits(&t.photon, &final[i], sizeof(Photon));
    counted += t.points.size() == std::min<std::size_t>(t.photon.steps + 1u, points);
    started += !t.points.empty() && t.points[0].position == start.position &&
               t.points[0].time == start.time;
    bool in_order = true;
    for (std::size_t k = 1; k < t.points.size(); ++k)
      in_order = in_order && t.points[k].time >= t.points[k - 1].time;
    steps_in_order += in_order;
    if (t.photon.steps + 1u <= points) {  // the whole path: its last point is where it ended
      ++short_paths;
      const StepPoint& last = t.points.back();
      ended +=
          last.position == t.photon.position + t.photon.position_low && last.time == t.photon.time;
    }
    // the first step goes from the start along the initial direction (directed photons only)
    if (!(start.history & history::isotropic_init) && t.points.size() > 1)
      forward += t.points[1].position.x == start.position.x &&
                 t.points[1].position.y == start.position.y &&
                 t.points[1].position.z > start.position.z;
    else
      ++forward;
  }
  CHECK(same == n);
  CHECK(counted == n);
  CHECK(started == n);
  CHECK(steps_in_order == n);
  CHECK(short_paths > n / 2);
  CHECK(ended == short_paths);
  CHECK(forward == n);
}

// Tiers are chosen per event, before its photons; a summary needs channels.
template <class Space>
void check_output_tier_errors() {
  using Catch::Matchers::ContainsSubstring;
  const TierScene scene(4);
  const TierPhysics<Space> optics(scene);
  const OpticalPhysics<PlaneGeometry>& physics = optics.physics;
  WorkerOptions o;
  o.max_events = 2;
  o.page_capacity = 64;
  if (test_scale() < 1) o.grid = 2;
  PersistentWorker<OpticalPhysics<PlaneGeometry>, Space> w(physics, o);
  CHECK_THROWS_WITH(w.set_output(0, OutputTier::channels),
                    ContainsSubstring("per-channel summary") && ContainsSubstring("channels = 0"));
  CHECK_THROWS_WITH(w.set_output(0, OutputTier::history),
                    ContainsSubstring("step history") && ContainsSubstring("history_points = 0"));
  std::vector<Photon> one = {scene.photons[0]};
  CHECK(w.submit(one) == 1);  // an event 1 photon
  CHECK_THROWS_WITH(w.set_output(1, OutputTier::photons),
                    ContainsSubstring("changes after 1 of its photons"));
  CHECK_THROWS_WITH(w.set_output(5, OutputTier::photons), ContainsSubstring("out of range"));
  o.output = OutputTier::channels;
  CHECK_THROWS_WITH(validate_worker_options(o), ContainsSubstring("channels is 0"));
  o.output = OutputTier::history;
  CHECK_THROWS_WITH(validate_worker_options(o), ContainsSubstring("history_points is 0"));
}

}  // namespace chroma2::test
