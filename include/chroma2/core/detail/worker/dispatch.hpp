// SPDX-License-Identifier: BSD-3-Clause
// How the persistent worker runs on each backend: on the device one cooperative grid (every block
// resident at once, or an error) of warps, sized by occupancy unless asked; on the host one
// std::jthread per group, each a group of one lane (SoloGroup: a thread playing 32 lanes gives
// the same photons but pays the group's bookkeeping 32 times per step for nothing).
#pragma once

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/detail/worker/agent.hpp"
#include "chroma2/core/detail/worker/device_data.hpp"
#include "chroma2/core/group.hpp"
#include "chroma2/core/worker_options.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace chroma2::detail {

#if CHROMA2_HAS_CUDA_RUNTIME
template <class Tuning, class P, class Policy, class Layout>
__global__ void __launch_bounds__(Tuning::block_threads, Tuning::min_blocks_per_sm)
    persistent_worker_kernel(__grid_constant__ const WorkerRef<Layout> w,
                             __grid_constant__ const P physics, Policy policy) {
  constexpr unsigned groups_per_block = Tuning::block_threads / group_lanes;
  __shared__ WorkerScratch<Tuning::chunk> scratch[groups_per_block];
  const unsigned warp = threadIdx.x / group_lanes;
  run_worker_group<Tuning>(WarpGroup{}, w, physics, policy, scratch[warp],
                           blockIdx.x * groups_per_block + warp);
}
#endif

// The streams of a device worker: the worker's own (it runs there until stopped) and one for
// copies while it runs. None on the host backend.
template <class Space>
class WorkerStreams {
 public:
  WorkerStreams() {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!std::is_same_v<Space, Host>) {
      worker_.emplace();
      copy_.emplace();
      copy_out_.emplace();
    }
#endif
  }
  Stream worker() const {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!std::is_same_v<Space, Host>) return worker_->get();
#endif
    return Stream{};
  }
  // Copies in (inbox, event slots) and copies out (output, tallies, summaries) have a stream each,
  // so a thread that feeds and a thread that drains never wait on each other's copies.
  Stream copy() const {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!std::is_same_v<Space, Host>) return copy_->get();
#endif
    return Stream{};
  }
  Stream copy_out() const {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!std::is_same_v<Space, Host>) return copy_out_->get();
#endif
    return Stream{};
  }

 private:
#if CHROMA2_HAS_CUDA_RUNTIME
  std::optional<OwnedStream> worker_, copy_, copy_out_;
#endif
};

// Launch shape and launch of one worker type on its backend.
template <class Tuning, class P, class Policy, class Layout, class Space>
class WorkerDispatch {
 public:
  // Groups of the worker: host threads, or resident warps of the cooperative grid.
  static unsigned groups(const WorkerOptions& o) {
    if constexpr (std::is_same_v<Space, Host>) {
      const unsigned n = o.threads ? o.threads : std::thread::hardware_concurrency();
      return std::max(1u, n);
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      int dev = 0, sms = 0, coop = 0, per_sm = 0;
      CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
      CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
      CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, dev));
      if (!coop)
        fail("device " + std::to_string(dev) + " cannot launch cooperative kernels",
             "the persistent worker needs all its blocks resident at once",
             "use a GPU that supports cooperative launch or the host backend");
      CHROMA2_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
          &per_sm, reinterpret_cast<const void*>(kernel()), Tuning::block_threads, 0));
      const unsigned most = static_cast<unsigned>(per_sm * sms);
      if (most == 0)
        fail("the worker kernel cannot run a single block", "its resources exceed one SM",
             "lower the tuning's chunk size or the physics' register use");
      if (o.grid > most)
        fail("grid of " + std::to_string(o.grid) + " blocks is too large",
             "only " + std::to_string(most) + " blocks can be resident at once",
             "ask for at most " + std::to_string(most) + " blocks or 0 for the maximum");
      const unsigned blocks = o.grid ? o.grid : most;
      return blocks * groups_per_block;
#else
      (void)o;
      return 1;
#endif
    }
  }

  // Starts `groups` groups on `ref`; they run until the stop word is set.
  void launch(const WorkerRef<Layout>& ref, const P& physics, const Policy& policy, unsigned groups,
              Stream stream) {
    if constexpr (std::is_same_v<Space, Host>) {
      threads_.clear();
      scratch_.resize(groups);
      for (unsigned g = 0; g < groups; ++g) {
        if (!scratch_[g]) scratch_[g] = std::make_unique<WorkerScratch<Tuning::chunk>>();
        threads_.emplace_back([ref, physics, policy, scratch = scratch_[g].get(), g] {
          run_worker_group<Tuning>(SoloGroup{}, ref, physics, policy, *scratch, g);
        });
      }
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      WorkerRef<Layout> r = ref;
      P p = physics;
      Policy q = policy;
      void* args[] = {&r, &p, &q};
      CHROMA2_CUDA_TRY(cudaLaunchCooperativeKernel(
          reinterpret_cast<const void*>(kernel()), dim3(groups / groups_per_block),
          dim3(Tuning::block_threads), args, 0, stream.cuda()));
#else
      (void)ref, (void)physics, (void)policy, (void)groups, (void)stream;
#endif
    }
  }

  // Throws chroma2::Error if a launched device worker is no longer running: its kernel failed
  // (the CUDA error is named; it is sticky, so the context is lost) or returned unasked. Cheap: a
  // stream query. The host backend's groups cannot fail this way: nothing to check.
  void check(Stream stream) const {
    if constexpr (!std::is_same_v<Space, Host>) {
#if CHROMA2_HAS_CUDA_RUNTIME
      const cudaError_t e = cudaStreamQuery(stream.cuda());
      if (e == cudaErrorNotReady) return;
      if (e == cudaSuccess)
        fail("the persistent worker's kernel returned while it should run",
             "nobody asked it to stop", "report it with the worker's options");
      fail(std::string("the persistent worker failed on the device: ") + cudaGetErrorName(e) +
               " (" + cudaGetErrorString(e) + ")",
           "its kernel stopped; the photons in flight and the CUDA context are lost",
           "rerun under compute-sanitizer to find the faulting access, then start a new process");
#else
      (void)stream;
#endif
    } else {
      (void)stream;
    }
  }

  // Waits for the groups to return (after the stop word was set).
  void join(Stream stream) {
    if constexpr (std::is_same_v<Space, Host>) {
      threads_.clear();  // joins
    } else {
      stream.synchronize();
    }
  }

 private:
  static constexpr unsigned groups_per_block = Tuning::block_threads / group_lanes;
#if CHROMA2_HAS_CUDA_RUNTIME
  static auto kernel() { return &persistent_worker_kernel<Tuning, P, Policy, Layout>; }
#endif
  std::vector<std::unique_ptr<WorkerScratch<Tuning::chunk>>> scratch_;
  std::vector<std::jthread> threads_;
};

}  // namespace chroma2::detail
