// SPDX-License-Identifier: BSD-3-Clause
// CopyMarks<Space>: brackets around the copies a worker issues on its copy streams, so that the
// host can publish copied photons once their copy has landed without waiting for it, and knows how
// long the copy engine took. On the device a mark is a pair of CUDA events (recorded around the
// copies, queried, timed); on the host backend the copies are plain memcpy, done when issued,
// timed by the clock. Marks are reused; creating events is allowed while the worker runs (it is
// neither a launch nor an allocation of device memory).
#pragma once

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace chroma2::detail {

template <class Space>
class CopyMarks {
  static constexpr bool host = std::is_same_v<Space, Host>;

 public:
  using Clock = std::chrono::steady_clock;

  CopyMarks() = default;
  CopyMarks(CopyMarks&& o) noexcept : marks_(std::move(o.marks_)), free_(std::move(o.free_)) {}
  CopyMarks& operator=(CopyMarks&&) = delete;
  CopyMarks(const CopyMarks&) = delete;
  CopyMarks& operator=(const CopyMarks&) = delete;
  ~CopyMarks() {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host)
      for (Mark& m : marks_) {
        cudaEventDestroy(m.start);
        cudaEventDestroy(m.end);
      }
#endif
  }

  // Opens a mark before copies on `s`; returns its id.
  int begin(Stream s) {
    const int id = take();
    Mark& m = marks_[static_cast<std::size_t>(id)];
    m.t0 = Clock::now();
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host) CHROMA2_CUDA_TRY(cudaEventRecord(m.start, s.cuda()));
#endif
    (void)s;
    return id;
  }
  // Closes it after the copies.
  void end(int id, Stream s) {
    Mark& m = marks_[static_cast<std::size_t>(id)];
    m.t1 = Clock::now();
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host) CHROMA2_CUDA_TRY(cudaEventRecord(m.end, s.cuda()));
#endif
    (void)s;
  }
  // Whether the copies between begin and end have landed.
  bool done(int id) const {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host) {
      const cudaError_t e = cudaEventQuery(marks_[static_cast<std::size_t>(id)].end);
      if (e == cudaErrorNotReady) return false;
      CHROMA2_CUDA_TRY(e);
    }
#endif
    (void)id;
    return true;
  }
  void wait(int id) const {
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host)
      CHROMA2_CUDA_TRY(cudaEventSynchronize(marks_[static_cast<std::size_t>(id)].end));
#endif
    (void)id;
  }
  // The copies' duration (the copy engine's on the device), once done; frees the mark.
  std::chrono::nanoseconds finish(int id) {
    Mark& m = marks_[static_cast<std::size_t>(id)];
    std::chrono::nanoseconds d = std::chrono::duration_cast<std::chrono::nanoseconds>(m.t1 - m.t0);
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host) {
      float ms = 0;
      CHROMA2_CUDA_TRY(cudaEventElapsedTime(&ms, m.start, m.end));
      d = std::chrono::nanoseconds(static_cast<std::int64_t>(double(ms) * 1e6));
    }
#endif
    free_.push_back(id);
    return d;
  }

 private:
  struct Mark {
#if CHROMA2_HAS_CUDA_RUNTIME
    cudaEvent_t start = nullptr, end = nullptr;
#endif
    Clock::time_point t0, t1;
  };

  int take() {
    if (!free_.empty()) {
      const int id = free_.back();
      free_.pop_back();
      return id;
    }
    Mark m;
#if CHROMA2_HAS_CUDA_RUNTIME
    if constexpr (!host) {
      CHROMA2_CUDA_TRY(cudaEventCreate(&m.start));
      CHROMA2_CUDA_TRY(cudaEventCreate(&m.end));
    }
#endif
    marks_.push_back(m);
    return static_cast<int>(marks_.size() - 1);
  }

  std::vector<Mark> marks_;
  std::vector<int> free_;
};

}  // namespace chroma2::detail
