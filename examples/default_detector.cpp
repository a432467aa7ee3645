// SPDX-License-Identifier: BSD-3-Clause
// The built-in default detector from code, run through a Session on CPU threads: build the
// DetectorSpec (a water Cherenkov sphere with 10,000 PMTs), turn its tables and BVH into an
// OpticalPhysics, submit one event from its centre source and read what came back. The same
// steps chroma2-sim takes, with nothing but the library.
//   default_detector [--photons N] [--threads T] [--pmts P]
#include "chroma2/io/default_detector.hpp"
#include "chroma2/physics/scene_tables.hpp"
#include "../bench/support/cli.hpp"
#include "chroma2/chroma2.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  using namespace chroma2;
  std::uint64_t photons = 100000;
  unsigned threads = 0;
  std::uint32_t pmts = 10000;
  bench::CommandLine cli("the default detector from code, through a Session on CPU threads");
  cli.option("--photons", photons, "photons from the centre");
  cli.option("--threads", threads, "worker threads (0: hardware threads)");
  cli.option("--pmts", pmts, "PMTs lining the tank");
  cli.parse(argc, argv);

  // 1. the detector: geometry, material and surface tables, source
  DefaultDetectorOptions options;
  options.pmt_count = pmts;
  const DetectorSpec d = default_detector(options);
  // 2. tables and BVH (host memory: the CPU backend reads them where they are)
  MaterialSet<Host> materials(d.materials);
  SurfaceSet<Host> surfaces(d.surfaces);
  check_scene_tables(d.scene, materials.size(), surfaces.size());
  const TriangleGeometry<Host> geometry = build_geometry(d.scene);
  const Spectrum<Host> spectrum(d.source.wavelength.spectrum, "Cherenkov-like");
  using Optics = OpticalPhysics<TriangleGeometryRef>;
  const Optics optics{geometry.ref(), materials.ref(), surfaces.ref()};
  // 3. a session, one event
  SessionOptions so;
  so.worker.seed = 1;
  so.worker.threads = threads;
  so.worker.max_steps = 1000;
  Session<Optics, Host> session(optics, so);
  PointIsotropicSource source{.position = {0, 0, 0},
                              .photon_count = photons,
                              .wavelength = WavelengthSpec::tabulated(spectrum.ref())};
  EventResult r =
      session.submit(EventDescriptor<PointIsotropicSource>{.number = 1, .source = source}).get();
  // 4. what happened
  const EventTally& t = r.tally;
  std::printf("%s: %llu photons, %zu hits on %u PMTs\n", d.name.c_str(),
              (unsigned long long)r.primaries, r.hits.size(), d.channels);
  const std::pair<const char*, TerminalReason> endings[] = {
      {"detected", TerminalReason::detected},
      {"bulk absorbed", TerminalReason::bulk_absorbed},
      {"surface absorbed", TerminalReason::surface_absorbed},
      {"escaped", TerminalReason::escaped},
      {"out of steps", TerminalReason::max_steps},
      {"non-finite", TerminalReason::nan_abort}};
  for (const auto& [name, reason] : endings)
    std::printf("  %-17s %8.4f %%\n", name, 100.0 * double(t[reason]) / double(t.photons()));
  std::printf("  Rayleigh scattered %.4f %%, propagation %.3f s\n",
              100.0 * double(t.with_history(history::rayleigh_scatter)) / double(t.photons()),
              r.propagation_ms / 1000);
  // every photon ended once, and every detection is a hit on a PMT channel
  bool ok = t.photons() == r.primaries && t[TerminalReason::detected] == r.hits.size();
  for (const HitRecord& h : r.hits) ok = ok && h.channel >= 0 && std::uint32_t(h.channel) < pmts;
  return ok ? 0 : 1;
}
