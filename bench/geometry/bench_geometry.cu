// SPDX-License-Identifier: BSD-3-Clause
// Geometry benchmark, GPU and CPU: Chroma's demo detectors (instanced; flattened as the in-run
// baseline), workloads (a) rays from the centre and (b) incoherent rays. Rays are generated from
// their index in the kernel, so the GPU and the CPU trace the same rays; the bench checks that
// every ray from the centre hits and that GPU hits equal CPU hits on a sample.
// Usage: bench_geometry [data dir] [--full-flat=auto|on|off] [--gpu-rays=N] [--no-cpu]
#include "bench/geometry/bench_common.hpp"
#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/memory.hpp"

#include <cuda_runtime.h>

using namespace chroma2;
using namespace chroma2::bench;

namespace {

struct CompactHit {
  float distance;
  std::uint32_t instance, primitive;
};

__global__ void __launch_bounds__(128, 9)
    trace_kernel(TriangleGeometryRef g, Workload w, float radius, std::uint64_t n, CompactHit* out,
                 unsigned long long* misses) {
  const std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const Hit h = g.closest_hit(bench_ray(i, w, radius));
  out[i] = {h.distance, h.instance, h.primitive};
  if (!h.hit()) atomicAdd(misses, 1ull);
}

TraceMeasurement gpu_measure(const Detector& d, const TriangleGeometry<Device>& g, Workload w,
                             std::uint64_t n, std::vector<CompactHit>* sample) {
  Buffer<CompactHit, Device> out(n);
  Buffer<unsigned long long, Device> misses(1);
  cudaEvent_t a, b;
  CHROMA2_CUDA_TRY(cudaEventCreate(&a));
  CHROMA2_CUDA_TRY(cudaEventCreate(&b));
  const unsigned block = 128;
  const unsigned grid = static_cast<unsigned>((n + block - 1) / block);
  float best_ms = 1e30f;
  unsigned long long miss = 0;
  for (int rep = 0; rep < 4; ++rep) {  // the first run warms up; the best of the rest counts
    CHROMA2_CUDA_TRY(cudaMemset(misses.data(), 0, 8));
    CHROMA2_CUDA_TRY(cudaEventRecord(a));
    trace_kernel<<<grid, block>>>(g.ref(), w, d.inner_radius, n, out.data(), misses.data());
    CHROMA2_CUDA_CHECK_LAUNCH();
    CHROMA2_CUDA_TRY(cudaEventRecord(b));
    CHROMA2_CUDA_TRY(cudaEventSynchronize(b));
    float ms = 0;
    CHROMA2_CUDA_TRY(cudaEventElapsedTime(&ms, a, b));
    if (rep > 0) best_ms = std::min(best_ms, ms);
  }
  CHROMA2_CUDA_TRY(cudaMemcpy(&miss, misses.data(), 8, cudaMemcpyDeviceToHost));
  if (sample) {
    sample->resize(std::min<std::uint64_t>(n, 20000));
    CHROMA2_CUDA_TRY(cudaMemcpy(sample->data(), out.data(), sample->size() * sizeof(CompactHit),
                                cudaMemcpyDeviceToHost));
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  TraceMeasurement m;
  m.detector = d.name;
  m.workload = workload_name(w);
  m.backend = "gpu";
  m.rays = n;
  m.threads = 0;
  m.rays_per_s = n / (best_ms * 1e-3);
  m.build_s = d.geometry.stats().build_seconds;
  m.memory_bytes = g.bytes();
  m.misses = miss;
  return m;
}

}  // namespace

int main(int argc, char** argv) try {
  const GeometryBenchOptions o = parse_geometry_options(argc, argv);
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0)
    fail("no CUDA device", "the GPU benchmark needs one", "run bench_geometry_cpu instead");
  cudaDeviceProp prop{};
  CHROMA2_CUDA_TRY(cudaGetDeviceProperties(&prop, 0));
  std::printf("# GPU: %s (%d SMs)\n", prop.name, prop.multiProcessorCount);
  auto dets = build_detectors(o.data / "chroma-demo", o.full_flat, o.full_flat_budget_s);
  print_header();
  int failures = 0;
  for (auto& d : dets) {
    const auto t0 = std::chrono::steady_clock::now();
    const TriangleGeometry<Device> g(d.geometry);
    std::printf("# uploaded %s: %.1f MB in %.3f s\n", d.name.c_str(), g.bytes() / 1e6,
                seconds_since(t0));
    for (Workload w : {Workload::from_centre, Workload::incoherent}) {
      std::vector<CompactHit> sample;
      const TraceMeasurement m = gpu_measure(d, g, w, o.gpu_rays, &sample);
      print(m);
      if (w == Workload::from_centre && m.misses != 0) {
        std::printf("# CHECK FAILED: %zu rays from the centre of %s missed\n", m.misses,
                    d.name.c_str());
        ++failures;
      }
      std::size_t differ = 0;
      for (std::size_t i = 0; i < sample.size(); ++i) {
        const Hit h = d.geometry.ref().closest_hit(bench_ray(i, w, d.inner_radius));
        differ += h.instance != sample[i].instance || h.primitive != sample[i].primitive ||
                  std::fabs(h.distance - sample[i].distance) > 1e-4f * (1 + h.distance);
      }
      std::printf("# check %s %s: GPU and CPU hits differ on %zu of %zu sampled rays\n",
                  d.name.c_str(), m.workload.c_str(), differ, sample.size());
      if (differ > sample.size() / 1000) ++failures;
    }
  }
  if (o.cpu) {
    const auto all = run_cpu(dets, o.cpu_rays);
    for (const auto& m : all)
      if (m.workload == workload_name(Workload::from_centre) && m.misses) ++failures;
  }
  std::printf("# %s\n", failures ? "CHECKS FAILED" : "all checks passed");
  return failures ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_geometry: %s\n", e.what());
  return 2;
}
