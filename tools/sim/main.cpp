// SPDX-License-Identifier: BSD-3-Clause
// chroma2-sim: simulate a detector from a scene file (or the built-in default detector) and say
// what happened; `chroma2-sim render` draws a scene. Usage: chroma2-sim --help.
#include "tools/sim/outputs.hpp"
#include "tools/sim/render.hpp"
#include "tools/sim/run.hpp"
#include "tools/sim/scene_file.hpp"

#include "chroma2/config/version.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/io/default_detector.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

namespace fs = std::filesystem;
using namespace chroma2;
using namespace chroma2::sim;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string scene;  // empty: the default detector
  std::optional<std::uint64_t> photons, seed;
  std::optional<std::uint32_t> events, max_steps;
  std::string backend = "auto";
  unsigned threads = 0;
  std::string output;
  std::string out = "chroma2-out";
  std::vector<std::string> formats{"npy", "csv", "h5"};
  bool quiet = false;
};

DetectorSpec load(const std::string& scene) {
  if (scene.empty()) return default_detector();
  return load_scene(scene);
}

// A one-line progress bar on stderr, drawn only on a terminal and only after the first second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && isatty(fileno(stderr))) {}
  void operator()(std::uint64_t done, std::uint64_t total) {
    if (!enabled_) return;
    const double t = std::chrono::duration<double>(Clock::now() - start_).count();
    if (t < 1.0 && done < total) return;
    if (done == total && !drawn_) return;  // finished before the first second: nothing to clear
    const int width = 30;
    const double f = total ? double(done) / double(total) : 1.0;
    const int filled = int(f * width + 0.5);
    std::fprintf(stderr, "\r[%s%s] %5.1f %%  %llu / %llu photons  %.1f s",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 100 * f, (unsigned long long)done, (unsigned long long)total, t);
    drawn_ = true;
    if (done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
};

// A count written as an integer or in scientific notation (1e6), 1 to 2^40.
std::uint64_t parse_count(const std::string& text, const char* option) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 1) || v > double(std::uint64_t{1} << 40) ||
      v != std::floor(v))
    fail(std::string(option) + " '" + text + "' is not a whole number from 1 to 2^40",
         "it counts photons", "write it as 1000000 or 1e6");
  return static_cast<std::uint64_t>(v);
}

OutputTier tier_of(const std::string& s) {
  if (s == "photons") return OutputTier::photons;
  if (s == "history") return OutputTier::history;
  if (s == "channels") return OutputTier::channels;
  return OutputTier::hits;
}

Backend choose_backend(const std::string& b, std::string* note) {
  std::string name;
  if (b == "cpu") return Backend::cpu;
  if (b == "cuda") return Backend::cuda;
  if (cuda_device_present(&name)) return Backend::cuda;
  *note = "no GPU found: running on the CPU";
  return Backend::cpu;
}

std::string percent(std::uint64_t n, std::uint64_t of) {
  return of ? fmt::format("{:.3f} %", 100.0 * double(n) / double(of)) : "0 %";
}

int simulate(const Options& o) {
  const auto t0 = Clock::now();
  const DetectorSpec spec = load(o.scene);
  RunRequest req;
  std::string note;
  req.backend = choose_backend(o.backend, &note);
  req.threads = o.threads;
  req.photons = o.photons.value_or(spec.run.photons);
  req.events = o.events.value_or(spec.run.events);
  req.seed = o.seed.value_or(spec.run.seed);
  req.max_steps = o.max_steps.value_or(spec.run.max_steps);
  req.output = o.output.empty() ? spec.run.output : tier_of(o.output);
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec || !fs::is_directory(o.out))
    fail("cannot create the output folder '" + o.out + "'",
         ec ? ec.message() : "it is not a folder", "choose another --out");
  if (!o.quiet && !note.empty()) std::printf("chroma2-sim: %s\n", note.c_str());
  ProgressBar bar(!o.quiet);
  const ProgressFn progress = [&](std::uint64_t d, std::uint64_t t) { bar(d, t); };
  RunOutcome r =
      req.backend == Backend::cuda ? run_cuda(spec, req, progress) : run_cpu(spec, req, progress);
  for (const std::string& w : r.warnings)
    std::fprintf(stderr, "chroma2-sim: warning: %s\n", w.c_str());
  const EventTally& t = r.tally;
  const std::uint64_t ended = t.photons();
  const std::uint64_t spawned = ended - r.primaries;

  std::vector<std::string> written;
  auto write_all = [&](const RecordTable& table) {
    for (const std::string& format : o.formats) {
      const fs::path f = fs::path(o.out) / (table.name() + "." + format);
      if (format == "npy") write_npy(table, f);
      if (format == "csv") write_csv(table, f);
      if (format == "h5") write_h5(table, f);
      written.push_back(f.string());
    }
  };
  if (req.output == OutputTier::hits) write_all(hit_table(r.hits));
  if (req.output == OutputTier::photons || req.output == OutputTier::history)
    write_all(photon_table(r.photons));
  if (req.output == OutputTier::history) write_all(track_table(r.tracks));
  if (req.output == OutputTier::channels)
    write_all(channel_table(r.channel_photoelectrons, r.channel_first_time));

  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double rate = r.propagation_seconds > 0 ? double(r.primaries) / r.propagation_seconds : 0;
  nlohmann::ordered_json j;
  j["scene"] = o.scene.empty() ? "default" : o.scene;
  j["detector"] = spec.name;
  j["photons"] = r.primaries;
  j["spawned"] = spawned;
  j["detected"] = t[TerminalReason::detected];
  j["bulk_absorbed"] = t[TerminalReason::bulk_absorbed];
  j["surface_absorbed"] = t[TerminalReason::surface_absorbed];
  j["escaped"] = t[TerminalReason::escaped];
  j["max_steps_reached"] = t[TerminalReason::max_steps];
  j["nan_aborts"] = t[TerminalReason::nan_abort];
  j["scattered"] = t.with_history(history::rayleigh_scatter);
  j["reemitted"] = t.with_history(history::bulk_reemit);
  j["surface_reemitted"] = t.with_history(history::surface_reemit);
  j["out_of_table"] = t.with_history(history::out_of_table);
  j["hits"] =
      req.output == OutputTier::hits ? std::uint64_t(r.hits.size()) : t[TerminalReason::detected];
  j["steps"] = t.steps;
  j["photons_per_second"] = rate;
  j["propagation_seconds"] = r.propagation_seconds;
  j["build_seconds"] = r.build_seconds;
  j["upload_seconds"] = r.upload_seconds;
  j["wall_seconds"] = wall;
  j["backend"] = r.backend;
  j["device"] = r.device;
  j["threads"] = r.threads;
  j["seed"] = req.seed;
  j["events"] = req.events;
  j["max_steps"] = req.max_steps;
  j["output"] = tier_name(req.output);
  j["channels"] = spec.channels;
  j["placements"] = spec.scene.placements.size();
  j["version"] = version_string;
  j["warnings"] = r.warnings;
  const fs::path summary = fs::path(o.out) / "summary.json";
  {
    std::ofstream f(summary);
    f << j.dump(2) << '\n';
    if (!f)
      fail("cannot write '" + summary.string() + "'", "the disk refused it",
           "choose another --out");
  }
  if (!o.quiet) {
    std::printf("chroma2-sim %s: %s\n", version_string, spec.name.c_str());
    std::printf("  %llu photons in %u event(s), seed %llu, on %s (%s)\n",
                (unsigned long long)r.primaries, req.events, (unsigned long long)req.seed,
                r.backend.c_str(), r.device.c_str());
    std::printf("  built in %.2f s, uploaded in %.2f s, propagated in %.3f s: %.3g photons/s\n",
                r.build_seconds, r.upload_seconds, r.propagation_seconds, rate);
    const std::uint64_t all = ended;
    std::printf(
        "  detected %s, bulk absorbed %s, surface absorbed %s, escaped %s, max steps %s, nan %s\n",
        percent(t[TerminalReason::detected], all).c_str(),
        percent(t[TerminalReason::bulk_absorbed], all).c_str(),
        percent(t[TerminalReason::surface_absorbed], all).c_str(),
        percent(t[TerminalReason::escaped], all).c_str(),
        percent(t[TerminalReason::max_steps], all).c_str(),
        percent(t[TerminalReason::nan_abort], all).c_str());
    std::printf("  scattered %s, re-emitted %s, %.2f steps/photon, %llu hits\n",
                percent(t.with_history(history::rayleigh_scatter), all).c_str(),
                percent(t.with_history(history::bulk_reemit), all).c_str(),
                all ? double(t.steps) / double(all) : 0.0,
                (unsigned long long)t[TerminalReason::detected]);
    std::printf("  wrote %s", summary.string().c_str());
    for (const auto& w : written) std::printf(", %s", fs::path(w).filename().c_str());
    std::printf("\n");
  }
  return 0;
}

struct RenderArgs {
  std::string scene;
  std::string out = "detector.png";
  std::string camera;
  std::uint32_t tracks = 0;
  int width = 1024, height = 768;
  std::string backend = "auto";
  unsigned threads = 0;
  std::uint64_t seed = 1;
};

int render_scene(const RenderArgs& a) {
  const DetectorSpec spec = load(a.scene == "default" ? "" : a.scene);
  const TriangleGeometry<Host> geometry = build_geometry(spec.scene);
  RenderOptions ro;
  ro.width = a.width;
  ro.height = a.height;
  ro.threads = a.threads;
  if (!a.camera.empty()) ro.camera = parse_camera(a.camera);
  std::string note;
  const Backend backend = choose_backend(a.backend, &note);  // the picture's and the tracks'
  std::vector<PhotonTrack> tracks;
  if (a.tracks) {
    RunRequest req;
    req.backend = backend;
    req.threads = a.threads;
    req.photons = a.tracks;
    req.events = 1;
    req.seed = a.seed;
    req.max_steps = spec.run.max_steps;
    req.output = OutputTier::history;
    req.history_points = 64;
    RunOutcome r = backend == Backend::cuda ? run_cuda(spec, req, {}) : run_cpu(spec, req, {});
    tracks = std::move(r.tracks);
  }
  const Image image = backend == Backend::cuda ? render_on_device(spec, geometry, ro, tracks)
                                               : render(spec, geometry.ref(), ro, tracks);
  write_png(image, a.out);
  std::printf("chroma2-sim render: %s (%d x %d%s, on %s) -> %s\n", spec.name.c_str(), a.width,
              a.height, a.tracks ? fmt::format(", {} tracks", tracks.size()).c_str() : "",
              backend == Backend::cuda ? "the GPU" : "the CPU", a.out.c_str());
  return 0;
}

int run_cli(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "render") {
    CLI::App app{
        "chroma2-sim render: a ray-cast picture of a scene's geometry, PMTs and, with "
        "--tracks, the paths of photons"};
    app.name("chroma2-sim render");
    RenderArgs a;
    app.add_option("scene", a.scene, "scene file (TOML), or 'default' for the built-in detector")
        ->required();
    app.add_option("--out", a.out, "PNG file to write")->capture_default_str();
    app.add_option("--camera", a.camera, "camera as 'x,y,z:lx,ly,lz[:fov_deg]' in mm");
    app.add_option("--tracks", a.tracks, "photons whose paths are drawn")
        ->capture_default_str()
        ->check(CLI::Range(0u, 100000u));
    app.add_option("--width", a.width, "picture width, pixels")
        ->capture_default_str()
        ->check(CLI::Range(16, 16384));
    app.add_option("--height", a.height, "picture height, pixels")
        ->capture_default_str()
        ->check(CLI::Range(16, 16384));
    app.add_option("--backend", a.backend, "where the picture is drawn and the photons run")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "cuda", "cpu"}));
    app.add_option("--threads", a.threads, "CPU threads (0: all)");
    app.add_option("--seed", a.seed, "run seed of the tracked photons")->capture_default_str();
    try {
      app.parse(argc - 1, argv + 1);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
    return render_scene(a);
  }
  CLI::App app{
      "chroma2-sim: optical photons through a detector. With no SCENE it runs the "
      "built-in default detector (a water Cherenkov sphere with 10,000 PMTs). "
      "'chroma2-sim render SCENE' draws a scene."};
  app.name("chroma2-sim");
  Options o;
  app.add_option("scene", o.scene, "scene file (TOML, docs/scene-format.md)");
  std::string photons_text;
  app.add_option("--photons", photons_text,
                 "photons per event, e.g. 1000000 or 1e6 (default: the scene's)");
  app.add_option("--events", o.events, "events")->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--seed", o.seed, "run seed");
  app.add_option("--backend", o.backend, "auto (GPU if present), cuda or cpu")
      ->check(CLI::IsMember({"auto", "cuda", "cpu"}))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "CPU threads (0: all)")->check(CLI::Range(0u, 4096u));
  app.add_option("--max-steps", o.max_steps, "steps before a photon is stopped")
      ->check(CLI::Range(1u, 65535u));
  app.add_option("--output", o.output, "what is written: hits, photons, history or channels")
      ->check(CLI::IsMember({"hits", "photons", "history", "channels"}));
  app.add_option("--out", o.out, "output folder")->capture_default_str();
  app.add_option("--formats", o.formats, "record files to write: npy, csv, h5 (comma separated)")
      ->delimiter(',')
      ->check(CLI::IsMember({"npy", "csv", "h5"}))
      ->capture_default_str();
  app.add_flag("--quiet", o.quiet, "no summary, no progress bar");
  app.set_version_flag("--version", std::string(version_string));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!photons_text.empty()) o.photons = parse_count(photons_text, "--photons");
  return simulate(o);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const Error& e) {
    std::fprintf(stderr, "chroma2-sim: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chroma2-sim: internal error: %s\n", e.what());
    return 3;
  }
}
