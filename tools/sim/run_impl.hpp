// SPDX-License-Identifier: BSD-3-Clause
// The body of run_cpu and run_cuda: one template over the memory space. Builds the tables and
// the BVH on the host (uploading them for the device), starts a Session, submits the run's events
// (each a source descriptor, or the photon list), waits for them while reporting progress, and
// sums what came back. Every event's tally must account for all of its photons.
#pragma once

#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "chroma2/physics/scene_tables.hpp"
#include "chroma2/physics/surface_library.hpp"
#include "chroma2/runtime/session.hpp"
#include "tools/sim/run.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <limits>
#include <optional>
#include <thread>
#include <type_traits>

namespace chroma2::sim {

namespace detail {

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

template <class Space>
WavelengthSpec wavelength_of(const WavelengthChoice& w,
                             const std::optional<Spectrum<Space>>& spectrum) {
  switch (w.kind) {
    case WavelengthChoice::Kind::fixed:
      return WavelengthSpec::fixed(float(w.lo_nm));
    case WavelengthChoice::Kind::uniform:
      return WavelengthSpec::uniform(float(w.lo_nm), float(w.hi_nm));
    case WavelengthChoice::Kind::spectrum:
      return WavelengthSpec::tabulated(spectrum->ref());
  }
  return {};
}

// Adds one event's result to the outcome.
inline void accumulate(RunOutcome& out, EventResult&& r) {
  const std::uint64_t ended = r.tally.photons();
  const std::uint64_t spawned = ended >= r.primaries ? ended - r.primaries : 0;
  if (ended < r.primaries)
    fail("event " + std::to_string(r.number) + " ended " + std::to_string(ended) + " of its " +
             std::to_string(r.primaries) + " photons",
         "every photon must end in exactly one terminal state", "report this as a bug");
  (void)spawned;
  for (int k = 0; k < terminal_reason_count; ++k) out.tally.reasons[k] += r.tally.reasons[k];
  for (int k = 0; k < 32; ++k) out.tally.history_bits[k] += r.tally.history_bits[k];
  out.tally.steps += r.tally.steps;
  out.primaries += r.primaries;
  out.hits.insert(out.hits.end(), r.hits.begin(), r.hits.end());
  out.photons.insert(out.photons.end(), r.photons.begin(), r.photons.end());
  // the history tier's final photons come with their tracks
  if (r.tier == OutputTier::history && r.photons.empty())
    for (const PhotonTrack& t : r.tracks) out.photons.push_back(t.photon);
  for (auto& t : r.tracks) out.tracks.push_back(std::move(t));
  if (r.tier == OutputTier::channels) {
    const auto& pe = r.channels.photoelectrons;
    if (out.channel_photoelectrons.size() < pe.size()) {
      out.channel_photoelectrons.resize(pe.size(), 0);
      out.channel_first_time.resize(pe.size(), std::numeric_limits<float>::infinity());
    }
    for (std::size_t c = 0; c < pe.size(); ++c) {
      out.channel_photoelectrons[c] += pe[c];
      out.channel_first_time[c] = std::min(out.channel_first_time[c], r.channels.first_time[c]);
    }
  }
}

}  // namespace detail

template <class Space>
RunOutcome run_detector(const DetectorSpec& spec, const RunRequest& req,
                        const ProgressFn& progress) {
  using detail::Clock;
  RunOutcome out;
  const auto t_build = Clock::now();
  check_scene_tables(spec.scene, static_cast<std::int32_t>(spec.materials.size()),
                     static_cast<std::int32_t>(spec.surfaces.size()));
  check_surface_models<StandardSurfaceModels>(spec.surfaces);
  BvhBuildOptions bvh;
  bvh.threads = req.threads;
  const TriangleGeometry<Host> built = build_geometry(spec.scene, bvh);
  out.build_seconds = detail::seconds_since(t_build);

  const auto t_upload = Clock::now();
  // the source's spectrum where the worker reads it: the session's worker draws the photons of
  // point sources and beams itself (SessionOptions::source_runs)
  std::optional<Spectrum<Space>> spectrum;
  if (spec.source.wavelength.kind == WavelengthChoice::Kind::spectrum)
    spectrum.emplace(spec.source.wavelength.spectrum, "source spectrum");
  MaterialSet<Space> materials(spec.materials);
  out.warnings = materials.warnings();
  SurfaceSet<Space> surfaces(spec.surfaces);
  std::optional<TriangleGeometry<Space>> uploaded;
  TriangleGeometryRef geometry = built.ref();
  if constexpr (!std::is_same_v<Space, Host>) {
    uploaded.emplace(built);
    geometry = uploaded->ref();
  }
  using Physics = OpticalPhysics<TriangleGeometryRef>;
  const Physics physics{geometry, materials.ref(), surfaces.ref()};

  SessionOptions so;
  so.worker.seed = req.seed;
  so.worker.max_steps = req.max_steps;
  so.worker.output = req.output;
  so.worker.channels = req.output == OutputTier::channels ? std::max(1u, spec.channels) : 0;
  so.worker.history_points = req.output == OutputTier::history ? req.history_points : 0;
  so.worker.threads = req.threads;
  so.worker.max_events = std::clamp<std::uint32_t>(req.events, 1, 16);
  if constexpr (std::is_same_v<Space, Host>) {
    so.worker.page_capacity = 1u << 16;
    so.worker.inbox_capacity = 1u << 16;
  } else {
    so.worker.page_capacity = 1u << 20;
    so.worker.inbox_capacity = 1u << 18;
    // The GPU leaves the host's cores to the session: all but two expand photons (the feeding
    // and collecting threads), which is what keeps the worker fed on a many-core host.
    so.feed_threads = std::clamp(std::thread::hardware_concurrency(), 3u, 66u) - 2;
  }
  Session<Physics, Space> session(physics, so);
  if constexpr (!std::is_same_v<Space, Host>) Space::synchronize(Stream{});
  out.upload_seconds = detail::seconds_since(t_upload);

  const std::uint64_t per_event =
      spec.source.kind == SourceSpec::Kind::list ? spec.source.photons.size() : req.photons;
  const std::uint64_t total = per_event * req.events;
  const WavelengthSpec wavelength = detail::wavelength_of(spec.source.wavelength, spectrum);
  const auto t_run = Clock::now();
  std::vector<std::future<EventResult>> done;
  const auto submit = [&](auto source, std::uint32_t e) {
    source.time = spec.source.time_ns;
    source.photon_count = per_event;
    source.wavelength = wavelength;
    done.push_back(session.submit(
        EventDescriptor<decltype(source)>{.number = e, .source = source, .tier = req.output}));
  };
  for (std::uint32_t e = 0; e < req.events; ++e) {
    if (spec.source.kind == SourceSpec::Kind::point) {
      // Fixed and uniform wavelengths: each photon's direction, polarisation and wavelength are
      // drawn at its first step, from its own stream in the same order (the same photon), so
      // the worker copies one request; a spectrum is sampled as the worker draws each photon
      // from the source (the same photons as a host expansion, within a few ULPs on the GPU).
      submit(PointIsotropicSource{.position = spec.source.position,
                                  .draw_at_first_step =
                                      wavelength.kind != WavelengthSpec::Kind::tabulated},
             e);
    } else if (spec.source.kind == SourceSpec::Kind::beam) {
      submit(BeamSource{.centre = spec.source.position,
                        .direction = spec.source.direction,
                        .radius = spec.source.radius_mm,
                        .random_polarisation = 1},
             e);
    } else {
      done.push_back(session.submit(
          PhotonListEvent{.number = e, .photons = spec.source.photons, .tier = req.output}));
    }
  }
  for (auto& f : done) {
    while (f.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      if (progress) {
        const auto freed = session.telemetry().worker.free_pushes;
        progress(std::min<std::uint64_t>(
                     total, static_cast<std::uint64_t>(std::max<std::int64_t>(0, freed))),
                 total);
      }
    detail::accumulate(out, f.get());
  }
  out.propagation_seconds = detail::seconds_since(t_run);
  if (progress) progress(total, total);
  session.close();
  out.threads = feed_threads(so);
  return out;
}

}  // namespace chroma2::sim
