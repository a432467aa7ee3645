// SPDX-License-Identifier: BSD-3-Clause
// ParallelFor: a few helper threads that split a session's photon expansion with the feeding
// thread. One host core writes photons into pinned memory at well under the rate a GPU consumes
// them; a handful of cores keep up. run(body) calls body(part) for every part, the caller taking
// part 0, waits for all, and rethrows the first exception a part threw.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace chroma2::detail {

class ParallelFor {
 public:
  explicit ParallelFor(unsigned width) : width_(width ? width : 1) {
    for (unsigned k = 1; k < width_; ++k) helpers_.emplace_back([this, k] { serve(k); });
  }
  ~ParallelFor() {
    {
      std::lock_guard lk(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : helpers_) t.join();
  }
  ParallelFor(const ParallelFor&) = delete;
  ParallelFor& operator=(const ParallelFor&) = delete;

  unsigned width() const { return width_; }

  void run(const std::function<void(unsigned)>& body) {
    if (width_ == 1) {
      body(0);
      return;
    }
    {
      std::lock_guard lk(m_);
      body_ = &body;
      pending_ = width_ - 1;
      error_ = nullptr;
      ++round_;
    }
    cv_.notify_all();
    std::exception_ptr mine;
    try {
      body(0);
    } catch (...) {
      mine = std::current_exception();
    }
    std::unique_lock lk(m_);
    done_.wait(lk, [&] { return pending_ == 0; });
    body_ = nullptr;
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void serve(unsigned part) {
    std::uint64_t seen = 0;
    for (;;) {
      const std::function<void(unsigned)>* body;
      {
        std::unique_lock lk(m_);
        cv_.wait(lk, [&] { return quit_ || round_ != seen; });
        if (quit_) return;
        seen = round_;
        body = body_;
      }
      std::exception_ptr e;
      try {
        (*body)(part);
      } catch (...) {
        e = std::current_exception();
      }
      std::lock_guard lk(m_);
      if (e && !error_) error_ = e;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  unsigned width_;
  std::vector<std::thread> helpers_;
  std::mutex m_;
  std::condition_variable cv_, done_;
  const std::function<void(unsigned)>* body_ = nullptr;
  unsigned pending_ = 0;
  std::uint64_t round_ = 0;
  bool quit_ = false;
  std::exception_ptr error_;
};

}  // namespace chroma2::detail
