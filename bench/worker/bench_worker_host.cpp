// SPDX-License-Identifier: BSD-3-Clause
// Persistent worker benchmark on the host backend: the worker on std::jthreads against a
// per-step relaunch driver (Chroma's scheme, a thread join standing in for the launch and sync)
// and a thread-per-photon driver, on the same photons and physics. See docs/benchmarks.md.
#include "bench/worker/worker_bench_common.hpp"
#include "chroma2/core/photon_page.hpp"

#include <atomic>
#include <chrono>
#include <thread>

using namespace chroma2;
using namespace chroma2::bench;

namespace {
using Clock = std::chrono::steady_clock;

template <class F>
void parallel_for(unsigned threads, std::uint64_t n, F f) {
  std::vector<std::jthread> ts;
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      for (std::uint64_t i = n * t / threads; i < n * (t + 1) / threads; ++i) f(i);
    });
}

std::uint64_t total_steps(const PhotonPage<layout::Packed, Host>& page) {
  std::uint64_t s = 0;
  for (std::uint32_t i = 0; i < page.capacity(); ++i) s += page.ref()[i].steps();
  return s;
}

// Runs one photon's steps until it ends or `limit` steps were taken; returns whether alive.
bool run_photon(const WorkerBenchOptions& o, const SyntheticSteps& physics,
                PhotonPageRef<layout::Packed> page, std::uint32_t slot, std::uint32_t limit) {
  Photon p = page.storage.load(slot);
  PhotonRng<Philox4x32Policy> rng({}, RngKey{o.seed, p.id, p.event}, p.rng_counter);
  StepContext<Philox4x32Policy> ctx{&rng};
  bool alive = true;
  for (std::uint32_t k = 0; k < limit && alive; ++k)
    alive = relaunch_step(physics, p, ctx, o.max_steps);
  p.rng_counter = rng.counter();
  page.storage.store(slot, p);
  return alive;
}

DriverResult run_chroma(const WorkerBenchOptions& o, const std::vector<Photon>& in,
                        unsigned threads) {
  const SyntheticSteps physics{0.0f};
  PhotonPage<layout::Packed, Host> page(static_cast<std::uint32_t>(in.size()));
  page.upload(in);
  std::vector<std::uint32_t> a(in.size()), b(in.size());
  for (std::uint32_t i = 0; i < a.size(); ++i) a[i] = i;
  const auto t0 = Clock::now();
  std::uint64_t live = in.size();
  while (live >= 8192) {
    std::atomic<std::uint32_t> count{0};
    parallel_for(threads, live, [&](std::uint64_t i) {
      if (run_photon(o, physics, page.ref(), a[i], 1))
        b[count.fetch_add(1, std::memory_order_relaxed)] = a[i];
    });
    live = count.load();
    std::swap(a, b);
  }
  parallel_for(threads, live,
               [&](std::uint64_t i) { run_photon(o, physics, page.ref(), a[i], o.max_steps); });
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return {"host", "chroma-relaunch", in.size(), total_steps(page), s, 168.0};
}

DriverResult run_per_photon(const WorkerBenchOptions& o, const std::vector<Photon>& in,
                            unsigned threads) {
  const SyntheticSteps physics{0.0f};
  PhotonPage<layout::Packed, Host> page(static_cast<std::uint32_t>(in.size()));
  page.upload(in);
  const auto t0 = Clock::now();
  parallel_for(threads, in.size(), [&](std::uint64_t i) {
    run_photon(o, physics, page.ref(), static_cast<std::uint32_t>(i), o.max_steps);
  });
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::uint64_t steps = total_steps(page);
  return {"host", "thread-per-photon", in.size(), steps, s, 160.0 * in.size() / steps};
}

}  // namespace

int main(int argc, char** argv) {
  WorkerBenchOptions o = parse_worker_bench_options(argc, argv);
  const unsigned all = std::max(1u, std::thread::hardware_concurrency());
  std::vector<unsigned> sweep;
  if (o.threads) {
    sweep.push_back(o.threads);
  } else {
    for (unsigned t = 1; t < all; t *= 2) sweep.push_back(t);
    sweep.push_back(all);
  }
  const double bw = o.bandwidth > 0 ? o.bandwidth : 20e9;
  std::printf("# host backend, %u hardware threads, micro-steps %u\n", all, o.micro_steps);
  print_header(bw);
  bool ok = true;
  for (std::uint64_t n : o.photons) {
    const auto in = bench_photons(n);
    for (unsigned threads : sweep) {
      o.threads = threads;
      DriverRuns runs{};
      runs.worker = run_worker<Host>(o, in, 0.0f, "host", "persistent-worker", true, 1u << 18,
                                     1u << 16, 1u << 20);
      runs.chroma = run_chroma(o, in, threads);
      runs.per_photon = run_per_photon(o, in, threads);
      runs.chroma.threads = runs.per_photon.threads = threads;
      if (o.spawn > 0)
        runs.spawn = run_worker<Host>(o, in, o.spawn, "host", "worker+spawn", true, 1u << 18,
                                      1u << 16, 1u << 20);
      runs.streamed = run_worker<Host>(o, in, 0.0f, "host", "worker-streamed", false, 1u << 18,
                                       1u << 16, 1u << 20);
      ok = report_runs(runs, bw) && ok;
    }
  }
  return report_checks(ok);
}
