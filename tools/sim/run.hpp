// SPDX-License-Identifier: BSD-3-Clause
// Runs a DetectorSpec through a Session on the CPU threads or on the GPU, and gathers what the
// tool reports: the events' tallies summed, their records, and the time spent building,
// uploading and propagating. Compiled by the host compiler (run_host.cpp) and by nvcc
// (run_cuda.cu), so it includes nothing beyond the library.
#pragma once

#include "chroma2/core/channel_summary.hpp"
#include "chroma2/core/event_tally.hpp"
#include "chroma2/core/hit_record.hpp"
#include "chroma2/io/detector_spec.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace chroma2::sim {

enum class Backend { cpu, cuda };

struct RunRequest {
  Backend backend = Backend::cpu;
  unsigned threads = 0;  // cpu: worker threads (0: all hardware threads)
  std::uint64_t photons = 0;
  std::uint32_t events = 1;
  std::uint64_t seed = 1;
  std::uint32_t max_steps = 1000;
  OutputTier output = OutputTier::hits;
  std::uint32_t history_points = 16;  // history tier: points kept per photon
};

// Photons ended so far out of all the run's photons; called about ten times a second.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct RunOutcome {
  std::string backend;  // "cpu" or "cuda"
  std::string device;   // CPU model and threads, or the GPU's name
  std::uint64_t primaries = 0;
  EventTally tally;                                   // summed over the events
  std::vector<HitRecord> hits;                        // hits tier
  std::vector<Photon> photons;                        // photons and history tiers
  std::vector<PhotonTrack> tracks;                    // history tier
  std::vector<std::uint64_t> channel_photoelectrons;  // channels tier: summed over events
  std::vector<float> channel_first_time;              // channels tier: earliest, ns
  std::vector<std::string> warnings;  // what the tables accepted but deserves a look
  double build_seconds = 0;           // tables and BVH on the host
  double upload_seconds = 0;          // to the device (0 on the CPU)
  double propagation_seconds = 0;     // first event submitted to the last event done
  unsigned threads = 0;
};

RunOutcome run_cpu(const DetectorSpec& spec, const RunRequest& request, const ProgressFn& progress);
// Throws chroma2::Error when the tool was built without CUDA or no GPU is present.
RunOutcome run_cuda(const DetectorSpec& spec, const RunRequest& request,
                    const ProgressFn& progress);
// Whether a CUDA device can be used; its name in `name`.
bool cuda_device_present(std::string* name = nullptr);

}  // namespace chroma2::sim
