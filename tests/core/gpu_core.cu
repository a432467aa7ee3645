// SPDX-License-Identifier: BSD-3-Clause
// The core layer on the GPU: the same bodies and checks as the host tests, run in kernels, plus
// the cross-backend guarantees (identical integer streams; floats within a stated tolerance).
#include "core/bodies.hpp"
#include "support/gpu.hpp"

#include "chroma2/config/memory.hpp"
#include "chroma2/core/concepts/memory_resource.hpp"
#include "chroma2/core/photon_id.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <random>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("Device and host Philox streams are identical word for word", "[rng][gpu][stats]") {
  const std::uint64_t n = 2500000;  // 1e7 words
  Buffer<RngBlock, Device> d(n);
  RngBlock* out = d.data();
  gpu_for_each(n, [=] __device__(std::uint64_t i) { out[i] = stream_draw(i); });
  std::vector<RngBlock> h(n);
  Device::copy_to_host(h.data(), d.data(), n * sizeof(RngBlock));
  Device::synchronize({});
  std::uint64_t mismatches = 0;
  std::vector<std::uint32_t> words;
  words.reserve(4 * n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const RngBlock ref = stream_draw(i);
    for (int j = 0; j < 4; ++j) {
      mismatches += ref.w[j] != h[i].w[j];
      words.push_back(h[i].w[j]);
    }
  }
  CHECK(mismatches == 0);
  check_uniform_words(words);
}

TEST_CASE("Device secondary ids equal host secondary ids", "[rng][identity][gpu]") {
  const std::uint64_t n = 1 << 20;
  Buffer<std::uint64_t, Device> d(n);
  std::uint64_t* out = d.data();
  gpu_for_each(n, [=] __device__(std::uint64_t i) {
    out[i] = secondary_photon_id(i * 0x9e3779b97f4a7c15ull, static_cast<std::uint32_t>(i), i % 5);
  });
  std::vector<std::uint64_t> h(n);
  Device::copy_to_host(h.data(), out, n * 8);
  Device::synchronize({});
  std::uint64_t mismatches = 0;
  for (std::uint64_t i = 0; i < n; ++i)
    mismatches += h[i] != secondary_photon_id(i * 0x9e3779b97f4a7c15ull,
                                              static_cast<std::uint32_t>(i), i % 5);
  CHECK(mismatches == 0);
}

TEMPLATE_TEST_CASE("A device photon page round-trips photons bit for bit", "[photon_page][gpu]",
                   layout::Split, layout::Packed) {
  std::mt19937_64 g(1);
  std::vector<Photon> in(5000);
  for (Photon& p : in) {
    auto* words = reinterpret_cast<std::uint64_t*>(&p);
    for (std::size_t k = 0; k < sizeof(Photon) / 8; ++k) words[k] = g();
  }
  OwnedStream stream;
  PhotonPage<TestType, Device> page(6000, stream);
  page.upload(in, 1000, stream);
  std::vector<Photon> out(5000);
  page.download(out, 1000, stream);
  CHECK(std::memcmp(in.data(), out.data(), in.size() * sizeof(Photon)) == 0);
  for (int k = 0; k < TestType::array_count; ++k)
    CHECK(reinterpret_cast<std::uintptr_t>(page.array(k)) % 128 == 0);
}

TEST_CASE(
    "Isotropic initialisation on the device passes the host's physics checks and agrees "
    "with the host",
    "[photon_page][rng][gpu]") {
  const std::uint32_t n = 1000000;
  std::vector<Photon> in(n);
  for (std::uint32_t i = 0; i < n; ++i) in[i] = fresh_photon(i);
  PhotonPage<layout::Packed, Device> page(n);
  page.upload(in);
  const auto ref = page.ref();
  gpu_for_each(n, [=] __device__(std::uint64_t i) {
    isotropic_init_slot(ref[static_cast<std::uint32_t>(i)], Philox4x32Policy{}, test_seed);
  });
  const auto out = page.download_all();
  check_isotropic(out);

  // Cross-backend: integer state identical; floats within 8 ULP-ish of the host (device
  // sinf/cosf/sqrtf and fused multiply-adds differ from glibc in the last bits).
  PhotonPage<layout::Packed, Host> host(n);
  host.upload(in);
  for (std::uint32_t i = 0; i < n; ++i)
    isotropic_init_slot(host.ref()[i], Philox4x32Policy{}, test_seed);
  const auto hout = host.download_all();
  std::uint32_t int_mismatch = 0;
  float worst = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    int_mismatch += out[i].rng_counter != hout[i].rng_counter ||
                    out[i].history != hout[i].history || out[i].id != hout[i].id;
    worst = std::fmax(worst, norm(out[i].direction - hout[i].direction));
    worst = std::fmax(worst, norm(out[i].polarisation - hout[i].polarisation));
  }
  INFO("largest host/device vector difference " << worst);
  CHECK(int_mismatch == 0u);
  CHECK(worst < 2e-6f);
}

TEST_CASE("The warp group scans, sums and broadcasts exactly like the serial group",
          "[group][gpu]") {
  std::uint32_t in[32];
  for (int i = 0; i < 32; ++i) in[i] = static_cast<std::uint32_t>(i * i % 7 + (i == 31 ? 1000 : 0));
  Buffer<std::uint32_t, Device> din(32), dout(group_out_size);
  Device::copy_from_host(din.data(), in, sizeof in);
  std::uint32_t* pi = din.data();
  std::uint32_t* po = dout.data();
  gpu_for_each(32, [=] __device__(std::uint64_t) { group_body(WarpGroup{}, pi, po); });
  std::uint32_t out[group_out_size];
  Device::copy_to_host(out, po, sizeof out);
  Device::synchronize({});
  check_group_results(in, out);
}

TEST_CASE("Device and pinned resources allocate aligned memory and refuse what they cannot give",
          "[config][gpu]") {
  DeviceResource d;
  void* p = d.allocate(1 << 20, 256, {});
  CHECK(reinterpret_cast<std::uintptr_t>(p) % 256 == 0);
  d.deallocate(p, 1 << 20, 256, {});
  CHECK_THROWS_AS(d.allocate(64, 512, {}), Error);
  PinnedResource pr;
  void* q = pr.allocate(4096, 128, {});
  CHECK(reinterpret_cast<std::uintptr_t>(q) % 128 == 0);
  pr.deallocate(q, 4096, 128, {});
  STATIC_CHECK(MemoryResource<DeviceResource>);
  STATIC_CHECK(MemoryResource<PinnedResource>);
}

TEST_CASE("A failing CUDA call throws with file, line, call and error name", "[config][gpu]") {
  try {
    CHROMA2_CUDA_TRY(cudaSetDevice(9999));
    FAIL("no exception");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("gpu_core.cu:") != std::string::npos);
    CHECK(m.find("cudaSetDevice(9999)") != std::string::npos);
    CHECK(m.find("cudaErrorInvalidDevice") != std::string::npos);
  }
}
