// SPDX-License-Identifier: BSD-3-Clause
// DeviceRing throughput on one GPU: producer and consumer warps over one co-resident grid, claim
// sizes 1/thread, 32/warp and 128/warp chunk, against a per-item ticket queue (the Broker Queue
// baseline) in the same harness. Every run proves each item was popped exactly once.
#include "bench/ring/bench_common.hpp"
#include "bench/ring/broker_queue.hpp"
#include "chroma2/core/device_ring.hpp"

#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::bench;

namespace {

constexpr unsigned block_threads = 256;
constexpr unsigned block_warps = block_threads / 32;
constexpr unsigned full_mask = 0xffffffffu;

// What the consumers found. `popped` is flushed during the run (it ends the run); the rest is
// filled in by the check kernel from the per-warp partials and the bitmap.
struct alignas(128) Tally {
  unsigned long long popped;
  char pad[120];
  unsigned long long checksum;
  unsigned long long duplicates;
  unsigned long long out_of_range;
  unsigned long long bits;  // values marked in the bitmap
};

// Per consumer warp, written once at its end (no atomics in the timed region for the checks).
struct Partial {
  unsigned long long checksum;
  unsigned long long duplicates;
  unsigned long long out_of_range;
};

struct RunArgs {
  std::uint64_t items;      // values 0 .. items-1 are pushed once each
  std::uint32_t producers;  // producer units: threads for thread claims, warps otherwise
  std::uint32_t* bitmap;    // one bit per value
  Partial* partials;        // one per consumer warp
  Tally* tally;
  std::uint32_t backoff_max_ns;  // cap of the retry backoff after a claim of 0
};

// What one consumer lane has seen so far.
struct Seen {
  unsigned long long checksum = 0, duplicates = 0, out_of_range = 0;
};

__device__ std::uint64_t unit_begin(const RunArgs& a, std::uint64_t unit) {
  return unit * a.items / a.producers;
}

// Marks one value per calling thread (thread claims and the broker).
__device__ void mark_one(const RunArgs& a, std::uint32_t v, Seen& s) {
  if (v >= a.items) {
    ++s.out_of_range;
    return;
  }
  const std::uint32_t bit = 1u << (v & 31u);
  if (atomicOr(&a.bitmap[v >> 5], bit) & bit) ++s.duplicates;
  s.checksum += v;
}

// Marks the warp's values (one per lane where `valid`): lanes that share a bitmap word combine
// their bits so a chunk of consecutive values costs one or two atomics, not 32. A value seen
// twice shows as a bit already set, or as two lanes with the same bit.
__device__ void mark_warp(const RunArgs& a, std::uint32_t v, bool valid, Seen& s) {
  const bool in_range = valid && v < a.items;
  if (valid && !in_range) ++s.out_of_range;
  const std::uint32_t word = in_range ? v >> 5 : full_mask;
  const unsigned group = __match_any_sync(full_mask, word);
  if (!in_range) return;
  const std::uint32_t bit = 1u << (v & 31u);
  const std::uint32_t bits = __reduce_or_sync(group, bit);
  s.checksum += v;
  if (WarpGroup::lane_id() == __ffs(group) - 1) {
    const std::uint32_t old = atomicOr(&a.bitmap[word], bits);
    s.duplicates += __popc(old & bits) + (__popc(group) - __popc(bits));
  }
}

// A converged warp writes its lanes' sums once at the end.
__device__ void write_partial(const RunArgs& a, std::uint32_t consumer_warp, Seen s) {
  for (int off = 16; off > 0; off >>= 1) {
    s.checksum += __shfl_xor_sync(full_mask, s.checksum, off);
    s.duplicates += __shfl_xor_sync(full_mask, s.duplicates, off);
    s.out_of_range += __shfl_xor_sync(full_mask, s.out_of_range, off);
  }
  if (WarpGroup::lane_id() == 0)
    a.partials[consumer_warp] = Partial{s.checksum, s.duplicates, s.out_of_range};
}

// Consumers publish their pop counts only when they find the queue empty, so the run's end is
// detected without a hot counter on the fast path.
__device__ void flush_popped(const RunArgs& a, unsigned long long& unflushed) {
  if (unflushed) atomicAdd(&a.tally->popped, unflushed);
  unflushed = 0;
}
__device__ bool all_popped(const RunArgs& a) {
  return atomic_ref<unsigned long long>(a.tally->popped).load(memory_order::relaxed) >= a.items;
}

// Per-item operations of the two queues, so the thread-claim loops are shared.
__device__ bool try_push(const DeviceRingRef<std::uint32_t>& q, std::uint32_t v) {
  return q.push_one(v);
}
__device__ bool try_pop(const DeviceRingRef<std::uint32_t>& q, std::uint32_t& v) {
  return q.pop(&v, 1) == 1;
}
__device__ bool try_push(const BrokerQueueRef& q, std::uint32_t v) { return q.enqueue(v); }
__device__ bool try_pop(const BrokerQueueRef& q, std::uint32_t& v) { return q.dequeue(v); }

// Thread claims: every lane is its own producer or consumer; roles alternate by warp.
template <class Q>
__global__ void __launch_bounds__(block_threads) thread_kernel(Q q, RunArgs a) {
  const std::uint32_t warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const std::uint32_t lane = WarpGroup::lane_id();
  detail::Backoff backoff(a.backoff_max_ns);
  if (warp % 2 == 0) {
    const std::uint64_t unit = std::uint64_t(warp / 2) * 32 + lane;
    const std::uint64_t end = unit_begin(a, unit + 1);
    for (std::uint64_t v = unit_begin(a, unit); v < end;) {
      if (try_push(q, static_cast<std::uint32_t>(v))) {
        ++v;
        backoff.reset();
      } else {
        backoff.pause();
      }
    }
    return;
  }
  Seen seen;
  unsigned long long unflushed = 0;
  for (;;) {
    std::uint32_t v;
    if (try_pop(q, v)) {
      mark_one(a, v, seen);
      ++unflushed;
      backoff.reset();
      continue;
    }
    flush_popped(a, unflushed);
    if (all_popped(a)) break;
    backoff.pause();
  }
  __syncwarp();
  write_partial(a, warp / 2, seen);
}

// The consumer loop of the warp kernels: pop_and_mark pops one claim into the lanes, marks it
// and returns how many came out (the same on every lane).
template <class PopAndMark>
__device__ void consume_warp(const RunArgs& a, std::uint32_t consumer_warp,
                             PopAndMark pop_and_mark) {
  const WarpGroup g;
  detail::Backoff backoff(a.backoff_max_ns);
  Seen seen;
  unsigned long long unflushed = 0;
  for (;;) {
    const std::uint32_t got = pop_and_mark(seen);
    if (got) {
      unflushed += got;
      backoff.reset();
      continue;
    }
    if (WarpGroup::lane_id() == 0) flush_popped(a, unflushed);
    if (g.leader([&] { return all_popped(a) ? 1u : 0u; })) break;
    backoff.pause();
  }
  write_partial(a, consumer_warp, seen);
}

// Warp claims of one item per lane (push_lanes / pop_lanes).
__global__ void __launch_bounds__(block_threads)
    warp32_kernel(DeviceRingRef<std::uint32_t> q, RunArgs a) {
  const WarpGroup g;
  const std::uint32_t warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const std::uint32_t lane = WarpGroup::lane_id();
  detail::Backoff backoff(a.backoff_max_ns);
  if (warp % 2 == 0) {
    std::uint64_t next = unit_begin(a, warp / 2);
    const std::uint64_t end = unit_begin(a, warp / 2 + 1);
    WarpGroup::LaneArray<std::uint32_t> item{0}, has{0}, accepted{0};
    for (;;) {
      // Lanes whose item went in take the next values of the warp's range, in lane order.
      const unsigned need = __ballot_sync(full_mask, !has[0]);
      const std::uint64_t rank = __popc(need & ((1u << lane) - 1u));
      if (!has[0] && next + rank < end) {
        item[0] = static_cast<std::uint32_t>(next + rank);
        has[0] = 1;
      }
      next = next + __popc(need) < end ? next + __popc(need) : end;
      if (!__any_sync(full_mask, has[0])) break;
      const std::uint32_t got = q.push_lanes(g, item, has, accepted);
      if (accepted[0]) has[0] = 0;
      if (got == 0)
        backoff.pause();
      else
        backoff.reset();
    }
    return;
  }
  consume_warp(a, warp / 2, [&](Seen& seen) {
    WarpGroup::LaneArray<std::uint32_t> out{0};
    const std::uint32_t got = q.pop_lanes(g, out);
    if (got) mark_warp(a, out[0], lane < got, seen);
    return got;
  });
}

// Warp claims of up to 128 items through a per-warp shared-memory buffer (push / pop).
__global__ void __launch_bounds__(block_threads)
    chunk128_kernel(DeviceRingRef<std::uint32_t> q, RunArgs a) {
  constexpr std::uint32_t chunk = 128;
  __shared__ std::uint32_t stage[block_warps][chunk];
  const WarpGroup g;
  const std::uint32_t warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const std::uint32_t lane = WarpGroup::lane_id();
  std::uint32_t* buf = stage[threadIdx.x / 32];
  detail::Backoff backoff(a.backoff_max_ns);
  if (warp % 2 == 0) {
    const std::uint64_t end = unit_begin(a, warp / 2 + 1);
    for (std::uint64_t c = unit_begin(a, warp / 2); c < end; c += chunk) {
      const std::uint32_t k = static_cast<std::uint32_t>(end - c < chunk ? end - c : chunk);
      for (std::uint32_t j = lane; j < k; j += 32) buf[j] = static_cast<std::uint32_t>(c + j);
      __syncwarp();
      for (std::uint32_t done = 0; done < k;) {
        const std::uint32_t got = q.push(g, buf + done, k - done);
        done += got;
        if (got == 0)
          backoff.pause();
        else
          backoff.reset();
      }
      __syncwarp();
    }
    return;
  }
  consume_warp(a, warp / 2, [&](Seen& seen) {
    const std::uint32_t got = q.pop(g, buf, chunk);
    if (got) {
      for (std::uint32_t j = lane; j < chunk; j += 32) mark_warp(a, buf[j], j < got, seen);
      __syncwarp();
    }
    return got;
  });
}

// Sums the partials and counts the marked bits (after the timed kernel).
__global__ void check_kernel(RunArgs a, std::uint32_t consumer_warps, std::uint64_t words) {
  __shared__ unsigned long long acc[4];
  if (threadIdx.x < 4) acc[threadIdx.x] = 0;
  __syncthreads();
  unsigned long long bits = 0, sum = 0, dup = 0, bad = 0;
  const std::uint64_t stride = std::uint64_t(gridDim.x) * blockDim.x;
  const std::uint64_t first = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x;
  for (std::uint64_t i = first; i < words; i += stride) bits += __popc(a.bitmap[i]);
  for (std::uint64_t i = first; i < consumer_warps; i += stride) {
    sum += a.partials[i].checksum;
    dup += a.partials[i].duplicates;
    bad += a.partials[i].out_of_range;
  }
  atomicAdd(&acc[0], bits);
  atomicAdd(&acc[1], sum);
  atomicAdd(&acc[2], dup);
  atomicAdd(&acc[3], bad);
  __syncthreads();
  if (threadIdx.x == 0) {
    atomicAdd(&a.tally->bits, acc[0]);
    atomicAdd(&a.tally->checksum, acc[1]);
    atomicAdd(&a.tally->duplicates, acc[2]);
    atomicAdd(&a.tally->out_of_range, acc[3]);
  }
}

struct Gpu {
  int id = 0, sms = 0;
  std::string name;
  cudaDeviceProp prop{};
};

// Owns the check buffers, sized for the largest run, and runs one measurement at a time.
class Harness {
 public:
  Harness(const Gpu& gpu, const RingBenchOptions& o) : gpu_(gpu), opt_(o) {
    CHROMA2_CUDA_TRY(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    CHROMA2_CUDA_TRY(cudaEventCreate(&start_));
    CHROMA2_CUDA_TRY(cudaEventCreate(&stop_));
    bitmap_ = Buffer<std::uint32_t, Device>(o.items / 32 + 1);
    tally_ = Buffer<Tally, Device>(1);
  }
  ~Harness() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
    cudaStreamDestroy(stream_);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  bool failed() const { return failed_; }

  // Times `reps` runs (after one warm-up) of kernel(queue, args); `reset` empties the queue and
  // `drained` says whether it is empty and consistent afterwards.
  template <class Q, class Reset, class Drained>
  RingMeasurement measure(const std::string& label, void (*kernel)(Q, RunArgs), Q queue,
                          std::uint64_t items, bool per_thread, Reset reset, Drained drained) {
    label_ = label;
    int per_sm = 0;
    CHROMA2_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
        &per_sm, reinterpret_cast<const void*>(kernel), block_threads, 0));
    if (per_sm < 1) fail_now("kernel cannot be resident (occupancy 0)");
    const std::uint32_t blocks = static_cast<std::uint32_t>(per_sm * gpu_.sms);
    const std::uint32_t warps = blocks * block_warps;
    const std::uint32_t consumer_warps = warps / 2;
    RunArgs args{items,          per_thread ? consumer_warps * 32 : consumer_warps,
                 bitmap_.data(), nullptr,
                 tally_.data(),  opt_.backoff_max_ns};
    Buffer<Partial, Device> partials(consumer_warps);
    args.partials = partials.data();
    grid_note_ = std::to_string(blocks) + " blocks x " + std::to_string(block_threads) +
                 " threads (" + std::to_string(per_sm) + " per SM x " + std::to_string(gpu_.sms) +
                 " SMs)";

    std::vector<double> times;
    for (int rep = -1; rep < opt_.reps; ++rep) {
      reset(stream_);
      Device::fill(bitmap_.data(), 0, (items / 32 + 1) * 4, stream_);
      Device::fill(tally_.data(), 0, sizeof(Tally), stream_);
      Device::fill(partials.data(), 0, partials.bytes(), stream_);
      void* params[] = {&queue, &args};
      CHROMA2_CUDA_TRY(cudaEventRecord(start_, stream_));
      CHROMA2_CUDA_TRY(cudaLaunchCooperativeKernel(reinterpret_cast<const void*>(kernel),
                                                   dim3(blocks), dim3(block_threads), params, 0,
                                                   stream_));
      CHROMA2_CUDA_TRY(cudaEventRecord(stop_, stream_));
      wait_or_die(stop_);
      float ms = 0;
      CHROMA2_CUDA_TRY(cudaEventElapsedTime(&ms, start_, stop_));
      check_kernel<<<gpu_.sms * 4, 256, 0, stream_>>>(args, consumer_warps, items / 32 + 1);
      CHROMA2_CUDA_CHECK_LAUNCH();
      Tally t{};
      Device::copy_to_host(&t, tally_.data(), sizeof t, stream_);
      Device::synchronize(stream_);
      verify(t, items, drained(stream_), rep);
      if (rep >= 0) times.push_back(ms * 1e-3);
    }
    return summarize("cuda", gpu_.name, items, 0, times);
  }

  const std::string& grid_note() const { return grid_note_; }

 private:
  // Polls the stop event; a run that never ends (a lost item leaves consumers spinning) is
  // reported and the process exits, which tears the context down.
  void wait_or_die(cudaEvent_t ev) {
    const auto t0 = std::chrono::steady_clock::now();
    for (;;) {
      const cudaError_t e = cudaEventQuery(ev);
      if (e == cudaSuccess) return;
      if (e != cudaErrorNotReady) CHROMA2_CUDA_TRY(e);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s > opt_.timeout_s) {
        std::fprintf(stderr,
                     "FAILED: %s did not finish within %.0f s (an item lost or a deadlock) — "
                     "rerun with --quick and check the ring\n",
                     label_.c_str(), opt_.timeout_s);
        std::fflush(stderr);
        std::_Exit(3);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  void verify(const Tally& t, std::uint64_t n, bool drained, int rep) {
    const unsigned long long want = static_cast<unsigned long long>(n) * (n - 1) / 2;
    const bool ok = t.popped == n && t.bits == n && t.duplicates == 0 && t.out_of_range == 0 &&
                    t.checksum == want && drained;
    if (ok) return;
    std::fprintf(stderr,
                 "FAILED: %s rep %d: popped %llu of %llu, distinct %llu, duplicates %llu, "
                 "out of range %llu, checksum %llu (want %llu), queue drained %s\n",
                 label_.c_str(), rep, t.popped, static_cast<unsigned long long>(n), t.bits,
                 t.duplicates, t.out_of_range, t.checksum, want, drained ? "yes" : "no");
    failed_ = true;
  }
  [[noreturn]] void fail_now(const char* what) {
    std::fprintf(stderr, "FAILED: %s: %s\n", label_.c_str(), what);
    std::exit(1);
  }

  Gpu gpu_;
  RingBenchOptions opt_;
  std::string label_;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  Buffer<std::uint32_t, Device> bitmap_;
  Buffer<Tally, Device> tally_;
  std::string grid_note_;
  bool failed_ = false;
};

Gpu open_gpu() {
  Gpu g;
  CHROMA2_CUDA_TRY(cudaGetDevice(&g.id));
  CHROMA2_CUDA_TRY(cudaGetDeviceProperties(&g.prop, g.id));
  g.sms = g.prop.multiProcessorCount;
  g.name = g.prop.name;
  int coop = 0;
  CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, g.id));
  if (!coop) {
    std::fprintf(stderr, "device %s cannot launch cooperative kernels (needed for co-residency)\n",
                 g.name.c_str());
    std::exit(1);
  }
  return g;
}

}  // namespace

int main(int argc, char** argv) try {
  const RingBenchOptions opt = parse_ring_options(argc, argv, true, RingBenchOptions{});
  const Gpu gpu = open_gpu();
  double bandwidth = opt.bandwidth;
  const char* bw_source = "--bandwidth";
  if (bandwidth <= 0) {
    const bool h200 = gpu.name.find("H200") != std::string::npos;
    bandwidth = h200 ? 4.0e12 : 3.0e12;
    bw_source = h200 ? "H200 device copy" : "H100 device copy";
  }
  std::printf("device_ring benchmark: %s, %d SMs, L2 %d MiB, cc %d.%d\n", gpu.name.c_str(), gpu.sms,
              gpu.prop.l2CacheSize >> 20, gpu.prop.major, gpu.prop.minor);
  std::printf(
      "items per run: %llu (warp32, chunk128), %llu (thread claims, broker); reps %d "
      "(median), 1 warm-up\n",
      static_cast<unsigned long long>(opt.items),
      static_cast<unsigned long long>(opt.items_per_item), opt.reps);
  print_floors(opt, sizeof(std::uint32_t), bandwidth, bw_source);

  Harness h(gpu, opt);
  std::vector<RingMeasurement> rows;
  for (const std::uint64_t cap : opt.capacities) {
    double broker_rate = 0;
    if (opt.runs("broker")) {
      BrokerQueue<Device> broker(static_cast<std::uint32_t>(cap));
      const std::string label = "broker/thread/capacity " + std::to_string(cap);
      const std::uint64_t n = opt.items_per_item;
      RingMeasurement m = h.measure(
          label, &thread_kernel<BrokerQueueRef>, broker.ref(), n, true,
          [&](cudaStream_t s) { broker.clear(s); },
          [&](cudaStream_t s) {
            const BrokerCounters c = broker.counters(s);
            return c.head.value == static_cast<std::uint32_t>(n) &&
                   c.tail.value == static_cast<std::uint32_t>(n) && c.count.value == 0;
          });
      m.queue = "broker";
      m.claim = "thread";
      m.capacity = cap;
      broker_rate = m.items_per_s;
      std::printf("# %s: %s\n", label.c_str(), h.grid_note().c_str());
      print_json(m);
      rows.push_back(m);
    }
    DeviceRing<std::uint32_t, Device> ring(cap);
    auto reset = [&](cudaStream_t s) { ring.clear(s); };
    auto drained = [&](cudaStream_t s) { return ring.size(s) == 0; };
    for (Claim c : {Claim::thread, Claim::warp32, Claim::chunk128}) {
      if (!opt.runs(claim_name(c))) continue;
      const std::string label =
          std::string("chroma2/") + claim_name(c) + "/capacity " + std::to_string(cap);
      RingMeasurement m;
      if (c == Claim::thread)
        m = h.measure(label, &thread_kernel<DeviceRingRef<std::uint32_t>>, ring.ref(),
                      opt.items_per_item, true, reset, drained);
      else if (c == Claim::warp32)
        m = h.measure(label, &warp32_kernel, ring.ref(), opt.items, false, reset, drained);
      else
        m = h.measure(label, &chunk128_kernel, ring.ref(), opt.items, false, reset, drained);
      m.queue = "chroma2";
      m.claim = claim_name(c);
      m.capacity = cap;
      m.ratio_vs_broker = broker_rate > 0 ? m.items_per_s / broker_rate : 0;
      std::printf("# %s: %s\n", label.c_str(), h.grid_note().c_str());
      print_json(m);
      rows.push_back(m);
    }
  }
  return finish(rows, h.failed());
} catch (const std::exception& e) {
  std::fprintf(stderr, "FAILED: %s\n", e.what());
  return 1;
}
