// SPDX-License-Identifier: BSD-3-Clause
// ParallelFor: a few helper threads that split a session's photon expansion with the feeding
// thread. One host core writes photons into pinned memory at well under the rate a GPU consumes
// them; a handful of cores keep up. run(body) calls body(part) for every part, the caller taking
// part 0, waits for all, and rethrows the first exception a part threw.
//
// A round is handed out and joined through atomics: helpers that finished a round spin for it
// for a while (spin_rounds of the CPU's pause) before they sleep on a condition variable, and the
// caller spins on the count of parts still running. The feeding thread hands out a round every
// chunk, tens of microseconds apart while an event streams in; waking sleeping helpers through a
// mutex one after another each time cost more than the expansion itself.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__CUDA_ARCH__)
#include <immintrin.h>
#endif

namespace chroma2::detail {

// The CPU's spin-wait hint (x86 pause); nothing elsewhere.
inline void cpu_relax() {
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__CUDA_ARCH__)
  _mm_pause();
#endif
}

class ParallelFor {
 public:
  // A helper spins this many pauses (about 100 µs) for the next round before it sleeps.
  static constexpr unsigned spin_rounds = 1u << 12;

  explicit ParallelFor(unsigned width) : width_(width ? width : 1) {
    for (unsigned k = 1; k < width_; ++k) helpers_.emplace_back([this, k] { serve(k); });
  }
  ~ParallelFor() {
    {
      std::lock_guard lk(m_);
      quit_.store(true);
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
    body_ = &body;
    error_ = nullptr;
    pending_.store(width_ - 1, std::memory_order_relaxed);
    // seq_cst with the helpers' sleepers_ increment: either this sees a sleeper, or the sleeper
    // sees the new round before it waits
    round_.fetch_add(1);
    if (sleepers_.load() != 0) {
      std::lock_guard lk(m_);
      cv_.notify_all();
    }
    std::exception_ptr mine;
    try {
      body(0);
    } catch (...) {
      mine = std::current_exception();
    }
    for (unsigned spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins < spin_rounds)
        cpu_relax();
      else
        std::this_thread::yield();
    }
    body_ = nullptr;
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void serve(unsigned part) {
    std::uint64_t seen = 0;
    for (;;) {
      if (!wait_round(seen)) return;
      seen = round_.load(std::memory_order_acquire);
      try {
        (*body_)(part);
      } catch (...) {
        std::lock_guard lk(m_);
        if (!error_) error_ = std::current_exception();
      }
      pending_.fetch_sub(1, std::memory_order_acq_rel);  // release: the part's writes, its error
    }
  }

  // Waits for a round after `seen`; false once the pool is closing.
  bool wait_round(std::uint64_t seen) {
    for (unsigned spins = 0; spins < spin_rounds; ++spins) {
      if (quit_.load(std::memory_order_relaxed)) return false;
      if (round_.load(std::memory_order_acquire) != seen) return true;
      cpu_relax();
    }
    std::unique_lock lk(m_);
    sleepers_.fetch_add(1);
    cv_.wait(lk, [&] { return quit_.load() || round_.load() != seen; });
    sleepers_.fetch_sub(1);
    return !quit_.load();
  }

  unsigned width_;
  std::vector<std::thread> helpers_;
  std::mutex m_;  // the sleepers' wait, the first error
  std::condition_variable cv_;
  const std::function<void(unsigned)>* body_ = nullptr;  // published by round_
  std::atomic<unsigned> pending_{0};                     // parts of the round still running
  std::atomic<std::uint64_t> round_{0};
  std::atomic<unsigned> sleepers_{0};
  std::atomic<bool> quit_{false};
  std::exception_ptr error_;  // the round's first error (under m_), read after the join
};

}  // namespace chroma2::detail
