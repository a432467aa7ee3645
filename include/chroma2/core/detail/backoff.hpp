// SPDX-License-Identifier: BSD-3-Clause
// Exponential backoff for the spins of the lock-free queues: on the device a __nanosleep that
// doubles up to a cap, on the host a doubling run of CPU pause hints and then yields, so a
// waiter stops hammering the line it polls and a preempted peer can run.
#pragma once

#include "chroma2/config/macros.hpp"

#if !defined(__CUDA_ARCH__)
#include <thread>
#endif

namespace chroma2::detail {

// Two uses, two caps: a short wait on a slot's sequence word (its peer is already inside its
// claim, so the wait is short: cap 256 ns) and a retry after a claim that got nothing (the ring
// is full or empty: the poller should get out of the way of the counter line, cap 32 us; on an
// H100 bench_ring --backoff-max 256 / 8192 / 32768 / 131072 ns gave 0.52 / 2.6 / 5.1 / 5.7 G
// items/s for 128-item claims on a 2^16 ring: polling the credit lines was what limited it).
inline constexpr unsigned backoff_slot_max_ns = 256;
inline constexpr unsigned backoff_claim_max_ns = 32768;

class Backoff {
 public:
  constexpr Backoff() = default;
  CHROMA2_HD constexpr explicit Backoff(unsigned max_ns, unsigned first_ns = 32)
      : delay_(first_ns), first_(first_ns), max_(max_ns) {}

  // Waits once, then doubles the next wait (up to the cap).
  CHROMA2_HD void pause() {
#if defined(__CUDA_ARCH__)
    // __nanosleep sleeps somewhere in [0, 2 x delay]: the hardware jitter spreads the wake-ups
    // of waiters that failed together.
    __nanosleep(delay_);
#else
    // Host: a doubling run of pause hints for the first few waits, then yield (a peer thread
    // may be preempted; spinning would only burn its time slice).
    if (++spins_ <= 8) {
      for (unsigned i = 0; i < delay_ / 16u + 1u; ++i) cpu_relax();
    } else {
      std::this_thread::yield();
    }
#endif
    delay_ = delay_ >= max_ / 2 ? max_ : delay_ * 2;
  }

  // After progress: the next failure waits the shortest time again.
  CHROMA2_HD void reset() {
    delay_ = first_;
    spins_ = 0;
  }

 private:
#if !defined(__CUDA_ARCH__)
  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();  // the PAUSE hint, without bringing <immintrin.h> to every user
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
#endif

  unsigned delay_ = 8;  // ns (device) / pause-hint budget (host) of the next wait
  unsigned first_ = 8;
  unsigned max_ = backoff_slot_max_ns;
  unsigned spins_ = 0;  // host: waits so far
};

// The backoff for retrying a ring claim that returned 0.
CHROMA2_HD constexpr Backoff claim_backoff() { return Backoff(backoff_claim_max_ns); }

}  // namespace chroma2::detail
