// SPDX-License-Identifier: BSD-3-Clause
// Persistent worker benchmark on the GPU: the worker as one cooperative grid against Chroma's
// driver (one launch per step over the live photons while at least 8,192 remain, survivors
// compacted by an atomic counter, a 4-byte read-back and host sync per step, then the rest in one
// launch) and one thread per photon running all its steps, on the same photons and physics.
#include "bench/worker/worker_bench_common.hpp"
#include "chroma2/config/cuda_check.hpp"
#include "chroma2/core/photon_page.hpp"

#include <chrono>
#include <thread>

using namespace chroma2;
using namespace chroma2::bench;

namespace {
using Clock = std::chrono::steady_clock;
using PageRef = PhotonPageRef<layout::Packed>;

__device__ bool run_photon(PageRef page, std::uint32_t slot, std::uint32_t limit,
                           std::uint32_t max_steps, std::uint64_t seed) {
  const SyntheticSteps physics{0.0f};
  Photon p = page.storage.load(slot);
  PhotonRng<Philox4x32Policy> rng({}, RngKey{seed, p.id, p.event}, p.rng_counter);
  StepContext<Philox4x32Policy> ctx{&rng};
  bool alive = true;
  for (std::uint32_t k = 0; k < limit && alive; ++k)
    alive = relaunch_step(physics, p, ctx, max_steps);
  p.rng_counter = rng.counter();
  page.storage.store(slot, p);
  return alive;
}

// Chroma's per-step kernel: one step per live photon, survivors compacted by an atomic counter.
__global__ void chroma_step_kernel(PageRef page, const std::uint32_t* in, std::uint32_t n,
                                   std::uint32_t* out, std::uint32_t* count,
                                   std::uint32_t max_steps, std::uint64_t seed) {
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const std::uint32_t slot = in[i];
  if (run_photon(page, slot, 1, max_steps, seed)) out[atomicAdd(count, 1u)] = slot;
}

// All remaining steps of each listed photon (Chroma's tail launch, and driver 3 with in = null).
__global__ void all_steps_kernel(PageRef page, const std::uint32_t* in, std::uint32_t n,
                                 std::uint32_t max_steps, std::uint64_t seed) {
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  run_photon(page, in ? in[i] : i, max_steps, max_steps, seed);
}

__global__ void sum_steps_kernel(PageRef page, std::uint32_t n, unsigned long long* total) {
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) atomicAdd(total, static_cast<unsigned long long>(page[i].steps()));
}

std::uint64_t total_steps(const PhotonPage<layout::Packed, Device>& page, Stream s) {
  Buffer<unsigned long long, Device> t(1);
  Device::fill(t.data(), 0, sizeof(unsigned long long), s);
  sum_steps_kernel<<<(page.capacity() + 255) / 256, 256, 0, s.cuda()>>>(page.ref(), page.capacity(),
                                                                        t.data());
  CHROMA2_CUDA_CHECK_LAUNCH();
  unsigned long long h = 0;
  Device::copy_to_host(&h, t.data(), sizeof h, s);
  s.synchronize();
  return h;
}

// The drivers below time propagation alone and, for the host-to-host figure, the upload of the
// photons before it and the download of the results after it (into pre-touched host memory).
DriverResult run_chroma(const WorkerBenchOptions& o, const std::vector<Photon>& in,
                        std::vector<Photon>& out) {
  OwnedStream stream;
  const Stream s = stream.get();
  const auto n = static_cast<std::uint32_t>(in.size());
  PhotonPage<layout::Packed, Device> page(n, s);
  Buffer<std::uint32_t, Device> a(n), b(n), count(1);
  std::vector<std::uint32_t> idx(n);
  for (std::uint32_t i = 0; i < n; ++i) idx[i] = i;
  Device::copy_from_host(a.data(), idx.data(), n * 4ull, s);
  s.synchronize();
  const auto t_up = Clock::now();
  page.upload(in, 0, s);
  s.synchronize();
  std::uint32_t* in_idx = a.data();
  std::uint32_t* out_idx = b.data();
  const unsigned block = 64;  // Chroma's 64 threads per block
  const auto t0 = Clock::now();
  std::uint32_t live = n;
  while (live >= 8192) {  // 64 threads x 16 x 8
    Device::fill(count.data(), 0, 4, s);
    chroma_step_kernel<<<(live + block - 1) / block, block, 0, s.cuda()>>>(
        page.ref(), in_idx, live, out_idx, count.data(), o.max_steps, o.seed);
    CHROMA2_CUDA_CHECK_LAUNCH();
    Device::copy_to_host(&live, count.data(), 4, s);  // the 4-byte read-back
    s.synchronize();                                  // and the host sync, every step
    std::swap(in_idx, out_idx);
  }
  if (live)
    all_steps_kernel<<<(live + block - 1) / block, block, 0, s.cuda()>>>(page.ref(), in_idx, live,
                                                                         o.max_steps, o.seed);
  CHROMA2_CUDA_CHECK_LAUNCH();
  s.synchronize();
  const auto t1 = Clock::now();
  page.download(out, 0, s);
  const double sec = std::chrono::duration<double>(t1 - t0).count();
  DriverResult r{"gpu", "chroma-relaunch", n, total_steps(page, s), sec, 168.0};
  r.seconds_h2h = std::chrono::duration<double>(Clock::now() - t_up).count();
  return r;
}

DriverResult run_per_photon(const WorkerBenchOptions& o, const std::vector<Photon>& in,
                            std::vector<Photon>& out) {
  OwnedStream stream;
  const Stream s = stream.get();
  const auto n = static_cast<std::uint32_t>(in.size());
  PhotonPage<layout::Packed, Device> page(n, s);
  s.synchronize();
  const auto t_up = Clock::now();
  page.upload(in, 0, s);
  s.synchronize();
  const auto t0 = Clock::now();
  all_steps_kernel<<<(n + 255) / 256, 256, 0, s.cuda()>>>(page.ref(), nullptr, n, o.max_steps,
                                                          o.seed);
  CHROMA2_CUDA_CHECK_LAUNCH();
  s.synchronize();
  const auto t1 = Clock::now();
  page.download(out, 0, s);
  const double sec = std::chrono::duration<double>(t1 - t0).count();
  const double h2h = std::chrono::duration<double>(Clock::now() - t_up).count();
  const std::uint64_t steps = total_steps(page, s);
  DriverResult r{"gpu", "thread-per-photon", n, steps, sec, 160.0 * n / steps};
  r.seconds_h2h = h2h;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  WorkerBenchOptions o = parse_worker_bench_options(argc, argv);
  int dev = 0;
  cudaDeviceProp prop{};
  if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
    std::printf("SKIP: no CUDA device\n");
    return 77;
  }
  int mem_clock_khz = 0, bus_bits = 0;
  cudaDeviceGetAttribute(&mem_clock_khz, cudaDevAttrMemoryClockRate, dev);
  cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, dev);
  const double bw = o.bandwidth > 0 ? o.bandwidth : 2.0 * mem_clock_khz * 1e3 * (bus_bits / 8.0);
  std::printf("# %s, %d SMs, micro-steps %u, refill lanes %u\n", prop.name,
              prop.multiProcessorCount, o.micro_steps, o.refill_lanes);
  print_header(bw);
  bool ok = true;
  for (std::uint64_t n : o.photons) {
    const auto in = bench_photons(n);
    std::vector<Photon> out(n);  // pre-touched
    run_worker<Device>(o, bench_photons(std::min<std::uint64_t>(n, 100000)), 0.0f, "gpu", "warm-up",
                       true, 1u << 21, 1u << 20, 1u << 22);
    DriverRuns runs{};
    runs.worker = run_worker<Device>(o, in, 0.0f, "gpu", "persistent-worker", true, 1u << 21,
                                     1u << 20, 1u << 22);
    runs.streamed = run_worker<Device>(o, in, 0.0f, "gpu", "worker-streamed", false, 1u << 21,
                                       1u << 20, 1u << 22);
    runs.chroma = run_chroma(o, in, out);
    runs.per_photon = run_per_photon(o, in, out);
    if (o.spawn > 0) {
      runs.spawn = run_worker<Device>(o, in, o.spawn, "gpu", "worker+spawn", true, 1u << 21,
                                      1u << 20, 1u << 22);
      // the spawn cadence: occupancy-based (above) against time-based (every 64 iterations)
      runs.spawn_timed = run_worker<Device>(o, in, o.spawn, "gpu", "worker+spawn/time", true,
                                            1u << 21, 1u << 20, 1u << 22, 64);
    }
    ok = report_runs(runs, bw) && ok;
  }
  return report_checks(ok);
}
