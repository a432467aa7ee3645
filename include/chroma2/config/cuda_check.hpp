// SPDX-License-Identifier: BSD-3-Clause
// CHROMA2_CUDA_TRY(call): throws chroma2::Error naming file:line, the call, the CUDA error name and
// its description. Only meaningful in translation units compiled by nvcc.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"

#if CHROMA2_HAS_CUDA_RUNTIME
#include <cuda_runtime.h>

#include <string>

namespace chroma2::detail {

[[noreturn]] inline void throw_cuda_error(cudaError_t code, const char* call, const char* file,
                                          int line) {
  cudaGetLastError();  // consume a non-sticky error so it does not resurface at a later check
  throw Error(std::string(file) + ":" + std::to_string(line) + ": " + call + " failed with " +
              cudaGetErrorName(code) + " (" + cudaGetErrorString(code) +
              ") \u2014 check the device, the arguments and any earlier asynchronous error");
}

}  // namespace chroma2::detail

#define CHROMA2_CUDA_TRY(call)                                                              \
  do {                                                                                      \
    const cudaError_t chroma2_cuda_status_ = (call);                                        \
    if (chroma2_cuda_status_ != cudaSuccess)                                                \
      ::chroma2::detail::throw_cuda_error(chroma2_cuda_status_, #call, __FILE__, __LINE__); \
  } while (0)

// Checks a kernel launch: the launch error now, not a later asynchronous one.
#define CHROMA2_CUDA_CHECK_LAUNCH() CHROMA2_CUDA_TRY(cudaGetLastError())

#endif
