// SPDX-License-Identifier: BSD-3-Clause
// DeviceRing on the GPU: the host tests' bodies run by warps (WarpGroup) and lone threads
// (SoloGroup) in kernels, plus the stress invariants with producer and consumer warps spread
// over a full co-resident grid, and the host bulk/async API of a device ring.
#include "core/ring_bodies.hpp"
#include "support/gpu.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <vector>

using namespace chroma2;
using namespace chroma2::test;

namespace {
__global__ void batches_kernel(DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                               std::uint32_t n, std::uint32_t max_batch, bool solo,
                               OrderResult* out) {
  if (solo) {
    if (threadIdx.x == 0) *out = body_batches(SoloGroup{}, r, scratch, n, max_batch);
  } else {
    const OrderResult res = body_batches(WarpGroup{}, r, scratch, n, max_batch);
    if (threadIdx.x == 0) *out = res;
  }
}
__global__ void edges_kernel(DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                             std::uint32_t* log, bool solo) {
  if (solo) {
    if (threadIdx.x == 0) body_edges(SoloGroup{}, r, scratch, log);
  } else {
    // Every lane records the (warp-uniform) counts in its own copy; lane 0 reports them.
    std::uint32_t l[16] = {};
    body_edges(WarpGroup{}, r, scratch, l);
    if (threadIdx.x == 0)
      for (int i = 0; i < 16; ++i) log[i] = l[i];
  }
}
__global__ void fifo_kernel(DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch, std::uint32_t n,
                            OrderResult* out) {
  const unsigned warp = threadIdx.x / 32;
  if (warp == 0) {
    stress_produce(WarpGroup{}, r, scratch, 0, n, 128);
  } else {
    const OrderResult res = fifo_consume(WarpGroup{}, r, scratch + 128, n, 97);
    if (threadIdx.x == 32) *out = res;
  }
}
// Warps [0, producer_warps) produce, the rest consume. With solo = true every thread acts alone.
__global__ void stress_kernel(DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                              std::uint32_t* counts, std::uint64_t* consumed, std::uint32_t* bad,
                              std::uint32_t per, std::uint32_t max_batch,
                              std::uint32_t producer_warps, std::uint64_t total, bool solo) {
  const std::uint32_t warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const bool producer = warp < producer_warps;
  if (solo) {
    const std::uint32_t t = blockIdx.x * blockDim.x + threadIdx.x;
    std::uint32_t* s = scratch + std::uint64_t(t) * max_batch;
    if (producer)
      stress_produce(SoloGroup{}, r, s, t * per, per, max_batch);
    else
      stress_consume(SoloGroup{}, r, s, counts, consumed, bad, total, max_batch);
  } else {
    std::uint32_t* s = scratch + std::uint64_t(warp) * max_batch;
    if (producer)
      stress_produce(WarpGroup{}, r, s, warp * per, per, max_batch);
    else
      stress_consume(WarpGroup{}, r, s, counts, consumed, bad, total, max_batch);
  }
}

int sm_count() {
  int dev = 0, sms = 0;
  CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
  CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  return sms;
}
}  // namespace

TEST_CASE("DeviceRing keeps FIFO order through batches of varying size over many laps on the GPU",
          "[device_ring][gpu]") {
  const std::uint64_t start =
      GENERATE(std::uint64_t(0), (std::uint64_t(1) << 32) - 40, ~std::uint64_t(0) - 40);
  const std::uint32_t cap = GENERATE(16u, 1024u);
  const bool solo = GENERATE(false, true);
  DeviceRing<std::uint32_t, Device> ring(cap, {start, true}, {}, ring_poison);
  Buffer<std::uint32_t, Device> scratch(256);
  Buffer<OrderResult, Device> out(1);
  const std::uint32_t n = scaled(20000, 2000);
  batches_kernel<<<1, 32>>>(ring.ref(), scratch.data(), n, solo ? 37 : 200, solo, out.data());
  CHROMA2_CUDA_CHECK_LAUNCH();
  OrderResult res{};
  Device::copy_to_host(&res, out.data(), sizeof res);
  Device::synchronize({});
  INFO("start " << start << " capacity " << cap << " solo " << solo);
  CHECK(res.checked == n);
  CHECK(res.errors == 0);
  CHECK(ring.size() == 0);
}

TEST_CASE("DeviceRing takes what fits when full and pops nothing when empty on the GPU",
          "[device_ring][gpu]") {
  for (bool solo : {true, false}) {
    DeviceRing<std::uint32_t, Device> ring(8);
    Buffer<std::uint32_t, Device> scratch(64), log(16);
    Device::fill(log.data(), 0, 64);
    edges_kernel<<<1, 32>>>(ring.ref(), scratch.data(), log.data(), solo);
    CHROMA2_CUDA_CHECK_LAUNCH();
    std::uint32_t got[16], want[16];
    Device::copy_to_host(got, log.data(), sizeof got);
    Device::synchronize({});
    expected_edges(solo ? 1 : 32, want);
    for (int i = 0; i < 13; ++i) {
      INFO("solo " << solo << " step " << i);
      CHECK(got[i] == want[i]);
    }
  }
}

TEST_CASE("DeviceRing keeps FIFO order between one producer warp and one consumer warp",
          "[device_ring][gpu]") {
  DeviceRing<std::uint32_t, Device> ring(256, {0, true}, {}, ring_poison);
  Buffer<std::uint32_t, Device> scratch(256);
  Buffer<OrderResult, Device> out(1);
  const std::uint32_t n = scaled(1000000, 5000);
  fifo_kernel<<<1, 64>>>(ring.ref(), scratch.data(), n, out.data());
  CHROMA2_CUDA_CHECK_LAUNCH();
  OrderResult res{};
  Device::copy_to_host(&res, out.data(), sizeof res);
  Device::synchronize({});
  CHECK(res.checked == n);
  CHECK(res.errors == 0);
}

TEST_CASE("DeviceRing delivers every item exactly once to consumer warps across a full grid",
          "[device_ring][gpu]") {
  struct Config {
    std::uint32_t capacity, per, max_batch;
    bool solo;
    std::uint64_t start;
  };
  const Config configs[] = {
      {1024, scaled(4000, 40), 128, false, 0},
      {1u << 16, scaled(4000, 40), 128, false, (1ull << 32) - 1000},
      {256, scaled(500, 5), 8, true, ~std::uint64_t(0) - 5000},  // every thread alone, tiny ring
  };
  const int sms = sm_count();
  for (const Config& c : configs) {
    const unsigned blocks = static_cast<unsigned>(sms), threads = 128;
    const std::uint32_t warps = blocks * threads / 32;
    const std::uint32_t producer_warps = warps / 2;
    const std::uint64_t producers = c.solo ? std::uint64_t(producer_warps) * 32 : producer_warps;
    const std::uint64_t total = producers * c.per;
    DeviceRing<std::uint32_t, Device> ring(c.capacity, {c.start, true}, {}, ring_poison);
    Buffer<std::uint32_t, Device> scratch(std::uint64_t(blocks) * threads * c.max_batch);
    Buffer<std::uint32_t, Device> counts(total), bad(1);
    Buffer<std::uint64_t, Device> consumed(1);
    Device::fill(counts.data(), 0, counts.bytes());
    Device::fill(bad.data(), 0, 4);
    Device::fill(consumed.data(), 0, 8);
    stress_kernel<<<blocks, threads>>>(ring.ref(), scratch.data(), counts.data(), consumed.data(),
                                       bad.data(), c.per, c.max_batch, producer_warps, total,
                                       c.solo);
    CHROMA2_CUDA_CHECK_LAUNCH();
    CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
    std::vector<std::uint32_t> h(total);
    std::uint32_t hbad = 0;
    std::uint64_t hconsumed = 0;
    Device::copy_to_host(h.data(), counts.data(), counts.bytes());
    Device::copy_to_host(&hbad, bad.data(), 4);
    Device::copy_to_host(&hconsumed, consumed.data(), 8);
    Device::synchronize({});
    std::uint64_t missing = 0, duplicated = 0, checksum = 0;
    for (std::uint64_t v = 0; v < total; ++v) {
      missing += h[v] == 0;
      duplicated += h[v] > 1;
      checksum += h[v] * v;
    }
    INFO("capacity " << c.capacity << " items " << total << " solo " << c.solo);
    CHECK(hconsumed == total);
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(hbad == 0);
    CHECK(checksum == total * (total - 1) / 2);
    CHECK(ring.size() == 0);
  }
}

TEST_CASE("A device ring's host bulk and async operations push a prefix and pop what is there",
          "[device_ring][gpu]") {
  DeviceRing<std::uint32_t, Device> ring(256);
  std::vector<std::uint32_t> in(300);
  for (std::uint32_t i = 0; i < 300; ++i) in[i] = i * 7 + 1;
  CHECK(ring.push(in) == 256);
  CHECK(ring.size() == 256);
  std::vector<std::uint32_t> out(300, 0);
  CHECK(ring.pop(std::span(out).first(100)) == 100);
  for (std::uint32_t i = 0; i < 100; ++i) CHECK(out[i] == i * 7 + 1);
  // async on a non-blocking stream through pinned memory
  OwnedStream stream;
  Buffer<std::uint32_t, Pinned> pin(300);
  Buffer<std::uint64_t, Pinned> count(1);
  for (std::uint32_t i = 0; i < 300; ++i) pin.data()[i] = 5000 + i;
  ring.push_async(pin.data(), 300, count.data(), stream);
  stream.get().synchronize();
  CHECK(count.data()[0] == 100);  // 156 left in the ring, 100 free slots
  ring.pop_async(pin.data(), 300, count.data(), stream);
  stream.get().synchronize();
  CHECK(count.data()[0] == 256);
  CHECK(pin.data()[0] == 100 * 7 + 1);
  CHECK(pin.data()[155] == 255 * 7 + 1);
  CHECK(pin.data()[156] == 5000);
  CHECK(pin.data()[255] == 5099);
  CHECK(ring.pop(out) == 0);
}
