// SPDX-License-Identifier: BSD-3-Clause
// What the GPU and host ring benchmarks share: command-line options, the median of repeats, the
// analytic floors (hot-counter atomic rate, memory bandwidth) and the table / JSON-line output,
// so both backends report the same fields and can be merged into one table.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace chroma2::bench {

// A claim size, as swept by the benchmark.
enum class Claim { thread, warp32, chunk128 };

inline const char* claim_name(Claim c) {
  return c == Claim::thread ? "thread" : c == Claim::warp32 ? "warp32" : "chunk128";
}
inline std::uint32_t claim_items(Claim c) {
  return c == Claim::thread ? 1u : c == Claim::warp32 ? 32u : 128u;
}

struct Options {
  std::uint64_t items = std::uint64_t(1) << 28;  // items per run for warp and chunk claims
  std::uint64_t items_per_item = 0;  // per-item queues (thread claims, broker); 0: items/8
  int reps = 5;                      // timed repeats (median); one untimed warm-up
  std::vector<std::uint64_t> capacities{std::uint64_t(1) << 16, std::uint64_t(1) << 26};
  int max_threads = 0;              // host: largest thread count (0: hardware concurrency)
  double timeout_s = 30;            // GPU: a run that takes longer is reported as a hang
  double bandwidth = 0;             // bytes/s (read + write) for the bandwidth floor; 0: by device
  double atomic_rate = 1.35e9;      // same-address atomics/s one counter sustains
  unsigned backoff_max_ns = 32768;  // GPU: cap of the backoff after a claim of 0 (ns)
  // GPU: --only names (broker, thread, warp32, chunk128); empty: all.
  std::vector<std::string> only;

  bool runs(const char* name) const {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  }
};

inline void usage(const char* prog, bool gpu) {
  std::printf(
      "usage: %s [--items N] [--items-per-item N] [--reps R] [--quick] [--capacity C]...\n"
      "          %s[--atomic-rate A]\n"
      "  --items N           items per run for warp32/chunk128 claims (default 2^28 on the GPU)\n"
      "  --items-per-item N  items per run for thread claims and the broker (default items/8)\n"
      "  --reps R            timed repeats, median reported (default 5, at least 1)\n"
      "  --quick             small sizes for a smoke run\n"
      "  --capacity C        ring capacity, a power of two (repeatable; default 2^16 and 2^26)\n"
      "%s",
      prog,
      gpu ? "[--timeout S] [--bandwidth B] [--only NAME]... [--backoff-max NS] " : "[--threads T] ",
      gpu ? "  --only NAME         run only broker, thread, warp32 or chunk128 (repeatable; for a\n"
            "                      profiler); rows without the broker show no ratio\n"
            "  --backoff-max NS    cap of the __nanosleep backoff after a claim of 0 (32768)\n"
          : "");
}

// Parses the shared flags; exits with a message on a bad one.
inline Options parse_options(int argc, char** argv, bool gpu, Options o) {
  bool user_caps = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value (see --help)\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--items") {
      o.items = std::strtoull(value(), nullptr, 0);
    } else if (a == "--items-per-item") {
      o.items_per_item = std::strtoull(value(), nullptr, 0);
    } else if (a == "--reps") {
      o.reps = std::max(1, std::atoi(value()));
    } else if (a == "--quick") {
      o.items = gpu ? std::uint64_t(1) << 24 : std::uint64_t(1) << 20;
    } else if (a == "--capacity") {
      if (!user_caps) o.capacities.clear();
      user_caps = true;
      o.capacities.push_back(std::strtoull(value(), nullptr, 0));
    } else if (a == "--threads" && !gpu) {
      o.max_threads = std::atoi(value());
    } else if (a == "--timeout" && gpu) {
      o.timeout_s = std::atof(value());
    } else if (a == "--only" && gpu) {
      const std::string n = value();
      if (n != "broker" && n != "thread" && n != "warp32" && n != "chunk128") {
        std::fprintf(stderr, "--only %s: expected broker, thread, warp32 or chunk128\n", n.c_str());
        std::exit(2);
      }
      o.only.push_back(n);
    } else if (a == "--backoff-max" && gpu) {
      o.backoff_max_ns = static_cast<unsigned>(std::max(32l, std::atol(value())));
    } else if (a == "--bandwidth" && gpu) {
      o.bandwidth = std::atof(value());
    } else if (a == "--atomic-rate") {
      o.atomic_rate = std::atof(value());
    } else if (a == "--help" || a == "-h") {
      usage(argv[0], gpu);
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown option %s (see --help)\n", a.c_str());
      std::exit(2);
    }
  }
  if (o.items_per_item == 0) o.items_per_item = std::max<std::uint64_t>(o.items / 8, 1);
  if (o.items == 0 || o.items > (std::uint64_t(1) << 31) || o.items_per_item > o.items) {
    std::fprintf(stderr, "--items %llu is out of range (1 to 2^31, and >= --items-per-item)\n",
                 static_cast<unsigned long long>(o.items));
    std::exit(2);
  }
  for (std::uint64_t c : o.capacities)
    if (c < 32 || (c & (c - 1)) != 0 || c > (std::uint64_t(1) << 30)) {
      std::fprintf(stderr, "--capacity %llu must be a power of two in [32, 2^30]\n",
                   static_cast<unsigned long long>(c));
      std::exit(2);
    }
  return o;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// One measurement: a row of the table and one JSON line.
struct Measurement {
  std::string backend, device, queue, claim;
  std::uint64_t capacity = 0, items = 0;
  int threads = 0;  // host: worker threads; GPU: 0
  double seconds = 0, min_seconds = 0, max_seconds = 0;
  double items_per_s = 0;
  double ratio_vs_broker = 0;  // 0: no baseline for this row
};

// A measurement from the run times of its repeats (median, min, max).
inline Measurement summarize(const char* backend, const std::string& device, std::uint64_t items,
                             int threads, const std::vector<double>& times) {
  Measurement m;
  m.backend = backend;
  m.device = device;
  m.items = items;
  m.threads = threads;
  m.seconds = median(times);
  m.min_seconds = *std::min_element(times.begin(), times.end());
  m.max_seconds = *std::max_element(times.begin(), times.end());
  m.items_per_s = static_cast<double>(items) / m.seconds;
  return m;
}

inline void print_json(const Measurement& m) {
  std::printf(
      "{\"bench\":\"device_ring\",\"backend\":\"%s\",\"device\":\"%s\",\"queue\":\"%s\","
      "\"claim\":\"%s\",\"capacity\":%llu,",
      m.backend.c_str(), m.device.c_str(), m.queue.c_str(), m.claim.c_str(),
      static_cast<unsigned long long>(m.capacity));
  if (m.threads) std::printf("\"threads\":%d,", m.threads);
  std::printf(
      "\"items\":%llu,\"seconds\":%.6g,\"min_seconds\":%.6g,\"max_seconds\":%.6g,"
      "\"items_per_s\":%.6g,\"ratio_vs_broker\":",
      static_cast<unsigned long long>(m.items), m.seconds, m.min_seconds, m.max_seconds,
      m.items_per_s);
  if (m.ratio_vs_broker > 0)
    std::printf("%.4g}\n", m.ratio_vs_broker);
  else
    std::printf("null}\n");
  std::fflush(stdout);
}

inline void print_table(const std::vector<Measurement>& rows) {
  std::printf("\n%-8s %-9s %-10s %7s %12s %11s %11s %13s %9s\n", "queue", "claim", "capacity",
              "threads", "items", "median s", "min s", "G items/s", "vs broker");
  for (const Measurement& m : rows) {
    char ratio[32] = "-";
    if (m.ratio_vs_broker > 0) std::snprintf(ratio, sizeof ratio, "%.1fx", m.ratio_vs_broker);
    char cap[32];
    std::snprintf(cap, sizeof cap, "2^%d", 63 - __builtin_clzll(m.capacity));
    std::printf("%-8s %-9s %-10s %7d %12llu %11.5f %11.5f %13.3f %9s\n", m.queue.c_str(),
                m.claim.c_str(), cap, m.threads, static_cast<unsigned long long>(m.items),
                m.seconds, m.min_seconds, m.items_per_s / 1e9, ratio);
  }
}

// Prints the table and the verdict; the process's exit status.
inline int finish(const std::vector<Measurement>& rows, bool failed) {
  print_table(rows);
  if (failed) {
    std::fprintf(stderr, "FAILED: at least one run lost or duplicated items (see above)\n");
    return 1;
  }
  std::printf("all runs verified: every item popped exactly once, checksums match\n");
  return 0;
}

// Upper bounds the measured rates are judged against. Atomic bound: a claim of k items costs one
// atomic on each of four hot counters per side; `free` and `items` each see two per claim pair
// (taken by one side, given back by the other), so k x rate / 2 is the ring's own ceiling and
// k x rate the one-counter ceiling. Bandwidth bound: per item the slot is written and read and
// the sequence word is read and written by both sides.
inline void print_floors(const Options& o, std::size_t item_bytes, double bandwidth,
                         const char* bandwidth_source) {
  const double seq_bytes = 4 * sizeof(std::uint32_t);  // 32-bit sequence words
  const double per_item = 2.0 * item_bytes + seq_bytes;
  std::printf("floors (upper bounds on items/s, one item = one completed push + one pop):\n");
  for (Claim c : {Claim::thread, Claim::warp32, Claim::chunk128}) {
    const double k = claim_items(c);
    std::printf(
        "  atomic  %-9s one hot counter at %.3g atomics/s: %8.2f G items/s;"
        " free/items counters (2 atomics per claim pair): %8.2f G items/s\n",
        claim_name(c), o.atomic_rate, k * o.atomic_rate / 1e9, k * o.atomic_rate / 2 / 1e9);
  }
  if (bandwidth > 0)
    std::printf(
        "  bandwidth %.0f bytes/item (slot write+read %zu+%zu, sequence words 4x4) at "
        "%.3g B/s (%s): %.2f G items/s\n",
        per_item, item_bytes, item_bytes, bandwidth, bandwidth_source, bandwidth / per_item / 1e9);
  std::fflush(stdout);
}

}  // namespace chroma2::bench
