// SPDX-License-Identifier: BSD-3-Clause
// chroma2::Stream: a non-owning stream handle, trivially copyable. It wraps a cudaStream_t in nvcc
// translation units and is an inert token on the host backend, so host-only code needs no CUDA
// header. OwnedStream (CUDA only) creates and destroys a non-blocking stream.
#pragma once

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/macros.hpp"

#include <utility>

namespace chroma2 {

struct Stream {
  void* handle = nullptr;  // cudaStream_t under CUDA; nullptr means the default (legacy) stream

#if CHROMA2_HAS_CUDA_RUNTIME
  Stream() = default;
  Stream(cudaStream_t s) : handle(static_cast<void*>(s)) {}  // NOLINT: implicit by design
  cudaStream_t cuda() const { return static_cast<cudaStream_t>(handle); }
  void synchronize() const { CHROMA2_CUDA_TRY(cudaStreamSynchronize(cuda())); }
#else
  void synchronize() const {}
#endif
};

#if CHROMA2_HAS_CUDA_RUNTIME
class OwnedStream {
 public:
  OwnedStream() { CHROMA2_CUDA_TRY(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  ~OwnedStream() {
    if (stream_) cudaStreamDestroy(stream_);
  }
  OwnedStream(OwnedStream&& o) noexcept : stream_(std::exchange(o.stream_, nullptr)) {}
  OwnedStream& operator=(OwnedStream&& o) noexcept {
    std::swap(stream_, o.stream_);
    return *this;
  }
  OwnedStream(const OwnedStream&) = delete;
  OwnedStream& operator=(const OwnedStream&) = delete;
  Stream get() const { return Stream(stream_); }
  operator Stream() const { return get(); }  // NOLINT: implicit by design

 private:
  cudaStream_t stream_ = nullptr;
};
#endif

}  // namespace chroma2
