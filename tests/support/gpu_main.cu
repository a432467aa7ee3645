// SPDX-License-Identifier: BSD-3-Clause
// main() of every GPU test binary: without a usable CUDA device it says so and exits 77, which
// Meson counts as skipped (Catch2 alone would exit 4 when every case skipped). Listing the test
// cases needs no device, so --list-tests always runs.
#include <cuda_runtime.h>
#include <catch2/catch_session.hpp>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--list", 6) == 0) listing = true;
  if (!listing) {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
      std::printf("SKIP: no CUDA device (%s) \u2014 run this binary on a machine with a GPU\n",
                  err != cudaSuccess ? cudaGetErrorString(err) : "device count is 0");
      return 77;
    }
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::printf("GPU: %s (sm_%d%d, %d SMs)\n", prop.name, prop.major, prop.minor,
                prop.multiProcessorCount);
  }
  return Catch::Session().run(argc, argv);
}
