// SPDX-License-Identifier: BSD-3-Clause
// DetectorSpec: a whole simulation ready to run, as a scene file or the built-in default detector
// gives it — the geometry (a Scene), the material and surface tables in the ids its triangles
// name, the primaries (SourceSpec) and the run's defaults (RunSpec). Plain host data, no
// third-party types: the command-line tool, the examples and user code all run the same thing.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/geometry/scene.hpp"
#include "chroma2/physics/material.hpp"
#include "chroma2/physics/spectral_table.hpp"
#include "chroma2/physics/surface.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chroma2 {

// The wavelengths of a source: one value, uniform in a range, or drawn from a spectrum (relative
// intensity per nm, or per eV for an eV table; any normalisation).
struct WavelengthChoice {
  enum class Kind { fixed, uniform, spectrum };
  Kind kind = Kind::fixed;
  double lo_nm = 420, hi_nm = 420;  // fixed: lo_nm; uniform: [lo_nm, hi_nm]
  SpectralTable spectrum;           // Kind::spectrum
};

// The primaries of every event. point: `photons` isotropic photons from `position`; beam:
// parallel photons along `direction` from a disc of `radius` around `position`; list: the given
// photons (each event gets all of them).
struct SourceSpec {
  enum class Kind { point, beam, list };
  Kind kind = Kind::point;
  Vec3 position{0, 0, 0};   // mm: the point, or the beam's centre
  Vec3 direction{0, 0, 1};  // beam: unit vector
  float radius_mm = 0;      // beam: disc radius (0: a pencil beam)
  float time_ns = 0;
  WavelengthChoice wavelength;
  std::vector<Photon> photons;  // list
};

// What a run does unless the command line says otherwise.
struct RunSpec {
  std::uint64_t photons = 1'000'000;  // per event (point and beam sources)
  std::uint32_t events = 1;
  std::uint64_t seed = 1;
  std::uint32_t max_steps = 1000;
  OutputTier output = OutputTier::hits;
};

struct DetectorSpec {
  std::string name;
  Scene scene;
  std::vector<MaterialSpec> materials;  // id = index; the scene's triangles and world name them
  std::vector<SurfaceSpec> surfaces;    // id = index (-1 on a triangle: none)
  SourceSpec source;
  RunSpec run;
  std::uint32_t channels = 0;  // detector channels (one past the largest channel placed)
};

// One past the largest channel of the scene's placements (0 when none is set).
inline std::uint32_t count_channels(const Scene& scene) {
  std::int64_t top = -1;
  for (const Placement& p : scene.placements) top = p.channel > top ? p.channel : top;
  return static_cast<std::uint32_t>(top + 1);
}

}  // namespace chroma2
